"""Why decoders mask the future: a tiny next-token model trained with and without the causal mask.

The data follow a hidden rule: each symbol is followed by a fixed other symbol
(a random permutation of the vocabulary), so the next token is always
predictable from the current one. The model is one attention step whose score
between positions i and j is a learned number per offset j - i (a learned
relative-position score), followed by a linear read-out to next-token
probabilities. Training is teacher forcing: the whole sequence goes in at
once and position i is asked for token i + 1. Without the causal mask,
position i can see token i + 1 — the answer — and learns to copy it; when
generating one token at a time, the next token does not exist yet.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._validate import as_count, as_positive
from .attention import causal_mask, softmax

Params = dict[str, np.ndarray]


@dataclass(frozen=True)
class Task:
    """The hidden rule and a set of sequences that follow it.

    Attributes
    ----------
    rule : (vocab,) rule[s] is the symbol that always follows s
    sequences : (count, length) integer symbols
    """

    rule: np.ndarray
    sequences: np.ndarray


def make_task(count: int = 200, length: int = 8, vocab: int = 8, *, noise: float = 0.3, seed: int = 0) -> Task:
    """``count`` sequences of ``length`` symbols that follow one random successor rule.

    With probability ``noise`` a step breaks the rule and picks a random symbol instead:
    the rule is the best a model can know, not a certainty.
    """
    count, length, vocab = as_count(count, "count"), as_count(length, "length", low=2), as_count(vocab, "vocab", low=2)
    rng = np.random.default_rng(seed)
    cycle = rng.permutation(vocab)  # one cycle through every symbol: no symbol follows itself
    rule = np.empty(vocab, dtype=int)
    rule[cycle] = np.roll(cycle, -1)
    sequences = np.empty((count, length), dtype=int)
    sequences[:, 0] = rng.integers(vocab, size=count)
    for t in range(1, length):
        broken = rng.random(count) < noise
        sequences[:, t] = np.where(broken, rng.integers(vocab, size=count), rule[sequences[:, t - 1]])
    return Task(rule, sequences)


def init_params(length: int, vocab: int, *, seed: int = 0) -> Params:
    """Small random offset scores (nearly uniform attention) and read-out (nearly uniform guesses)."""
    rng = np.random.default_rng(seed)
    return {"offsets": rng.normal(0, 0.1, 2 * length - 1), "readout": rng.normal(0, 0.1, (vocab, vocab))}


def _scores(params: Params, n: int, causal: bool) -> np.ndarray:
    """(n, n) score of position i for position j: the learned number for offset j - i."""
    middle = (len(params["offsets"]) - 1) // 2  # index of offset 0
    where = np.arange(n)
    scores = params["offsets"][middle + where[None, :] - where[:, None]]
    return np.where(causal_mask(n), scores, -np.inf) if causal else scores


def forward(params: Params, inputs: np.ndarray, *, causal: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Weights (n, n), mixed one-hot inputs (batch, n, vocab) and next-token probabilities (batch, n, vocab)."""
    vocab = params["readout"].shape[0]
    weights = softmax(_scores(params, inputs.shape[1], causal))
    mixed = weights @ np.eye(vocab)[inputs]
    return weights, mixed, softmax(mixed @ params["readout"])


def loss(params: Params, sequences: np.ndarray, *, causal: bool) -> float:
    """Mean cross-entropy of predicting token t + 1 at every position t (teacher forcing)."""
    _, _, probs = forward(params, sequences[:, :-1], causal=causal)
    picked = np.take_along_axis(probs, sequences[:, 1:, None], axis=-1)
    return float(-np.log(picked).mean())


def gradients(params: Params, sequences: np.ndarray, *, causal: bool) -> Params:
    """The gradient of :func:`loss` with respect to both parameters, written out by hand (and the loss)."""
    inputs, targets = sequences[:, :-1], sequences[:, 1:]
    weights, mixed, probs = forward(params, inputs, causal=causal)
    vocab, n = params["readout"].shape[0], inputs.shape[1]
    d_logits = (probs - np.eye(vocab)[targets]) / targets.size
    d_readout = mixed.reshape(-1, vocab).T @ d_logits.reshape(-1, vocab)  # summed over examples and positions
    d_mixed = d_logits @ params["readout"].T
    # mixed[b] = weights @ one_hot[b] for every example b, so d_weights = sum over b of d_mixed[b] @ one_hot[b].T
    d_weights = _side_by_side(d_mixed) @ _side_by_side(np.eye(vocab)[inputs]).T
    d_scores = weights * (d_weights - (d_weights * weights).sum(axis=-1, keepdims=True))  # softmax backward
    middle = (len(params["offsets"]) - 1) // 2
    d_offsets = np.zeros_like(params["offsets"])
    for k in range(-(n - 1), n):
        d_offsets[middle + k] = np.trace(d_scores, offset=k)  # every (i, j) with j - i = k
    picked = np.take_along_axis(probs, targets[..., None], axis=-1)
    return {"offsets": d_offsets, "readout": d_readout, "loss": float(-np.log(picked).mean())}


def _side_by_side(per_example: np.ndarray) -> np.ndarray:
    """(batch, n, vocab) -> (n, batch * vocab): each position's rows of every example in one row."""
    return per_example.transpose(1, 0, 2).reshape(per_example.shape[1], -1)


def train(task: Task, *, causal: bool, steps: int = 300, rate: float = 2.0, seed: int = 0) -> tuple[Params, list[float]]:
    """Plain gradient descent on the whole task; returns the parameters and the loss at every step."""
    steps, rate = as_count(steps, "steps"), as_positive(rate, "rate")
    params = init_params(task.sequences.shape[1] - 1, len(task.rule), seed=seed)
    history = []
    for _ in range(steps):
        grads = gradients(params, task.sequences, causal=causal)
        history.append(grads.pop("loss"))  # the loss before this step
        for name, grad in grads.items():
            params[name] -= rate * grad
    return params, history


def teacher_forced_accuracy(params: Params, sequences: np.ndarray, *, causal: bool) -> float:
    """Share of positions whose most likely next token is right, with the whole sequence given at once."""
    _, _, probs = forward(params, sequences[:, :-1], causal=causal)
    return float((probs.argmax(axis=-1) == sequences[:, 1:]).mean())


def generate(params: Params, first: int, steps: int, *, causal: bool) -> list[int]:
    """Start from ``first`` and append the most likely next token, one at a time (the future does not exist yet)."""
    tokens = [int(first)]
    for _ in range(as_count(steps, "steps")):
        _, _, probs = forward(params, np.array([tokens]), causal=causal)
        tokens.append(int(probs[0, -1].argmax()))
    return tokens


def generation_accuracy(params: Params, task: Task, *, causal: bool) -> float:
    """Share of generated tokens that follow the rule, starting once from every symbol."""
    length = task.sequences.shape[1]
    right = total = 0
    for first in range(len(task.rule)):
        made = generate(params, first, length - 1, causal=causal)
        right += sum(task.rule[a] == b for a, b in zip(made, made[1:]))
        total += length - 1
    return right / total
