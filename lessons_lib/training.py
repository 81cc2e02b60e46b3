"""Learning the attention weights from data (lesson 08).

The toy task ("who owns which pet?") needs attention: a sentence lists three
owner:pet pairs and asks about one owner, e.g.

    ben?  anna:cat  ben:dog  cleo:fish      ->  dog

The question's query must find the pair whose owner matches, and pass on that
pair's pet. Averaging every token equally cannot do it: the average counts
which owners and which pets are present, but not who owns which
("ben? anna:cat ben:dog cleo:fish" and "ben? anna:dog ben:cat cleo:fish" have
the same average and different answers). Each pair is bundled into one token
(a simplification: real models learn to join neighbouring words using their
positions).

The model is one attention head with learned query, key and value
projections and a linear read-out, written out forward and backward in
numpy so every gradient can be read (and is checked against finite
differences in the tests).
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
from matplotlib.patches import Rectangle
from numpy.typing import ArrayLike

from . import plots
from ._validate import as_count, as_float_array, as_positive
from .attention import attend

Figure = plots.Figure
Params = dict[str, np.ndarray]

PEOPLE = ("anna", "ben", "cleo", "dan", "eva")
PETS = ("cat", "dog", "fish", "bird", "horse")
FEATURES = PEOPLE + PETS + ("question",)
"""The named dimensions of a token vector (hand-built one-hot codes, not learned)."""
PARAMETER_NAMES = ("query", "key", "value", "readout")



# --- the task ---------------------------------------------------------------------
def encode_token(token: str) -> np.ndarray:
    """The vector of a token: ``"ben?"`` (a question) or ``"ben:dog"`` (a pair)."""
    if not isinstance(token, str):
        raise TypeError(f"token must be a string, got {type(token).__name__}")
    vector = np.zeros(len(FEATURES))
    if token.endswith("?") and token[:-1] in PEOPLE:
        vector[[PEOPLE.index(token[:-1]), FEATURES.index("question")]] = 1.0
        return vector
    person, _, pet = token.partition(":")
    if person not in PEOPLE or pet not in PETS:
        raise ValueError(f"token must look like 'ben?' or 'ben:dog' with known names, got {token!r}")
    vector[[FEATURES.index(person), FEATURES.index(pet)]] = 1.0
    return vector


@dataclass(frozen=True)
class Examples:
    """A batch of questions: their tokens, (count, n, features) inputs and answer indices."""

    tokens: list[list[str]]
    inputs: np.ndarray
    answers: np.ndarray

    def __len__(self) -> int:
        return len(self.answers)

    def subset(self, rows: ArrayLike) -> "Examples":
        """The examples at ``rows`` (indices)."""
        index = np.asarray(rows)
        return Examples([self.tokens[i] for i in index], self.inputs[index], self.answers[index])

    def answer_position(self) -> np.ndarray:
        """Position of the pair that holds each answer (1 .. n-1; 0 is the question)."""
        asked = self.inputs[:, :1, : len(PEOPLE)]
        return np.argmax((self.inputs[:, :, : len(PEOPLE)] * asked).sum(-1)[:, 1:], axis=1) + 1


def every_example(pairs: int = 3) -> Examples:
    """All distinct questions with ``pairs`` owner:pet pairs (distinct owners and pets)."""
    pairs = as_count(pairs, "pairs")
    if pairs > len(PEOPLE):
        raise ValueError(f"pairs must be <= {len(PEOPLE)}, got {pairs}")
    tokens, answers = [], []
    for owners in itertools.permutations(PEOPLE, pairs):
        for pets in itertools.permutations(PETS, pairs):
            for asked in range(pairs):
                tokens.append([f"{owners[asked]}?"] + [f"{o}:{p}" for o, p in zip(owners, pets)])
                answers.append(PETS.index(pets[asked]))
    codes = {token: encode_token(token) for token in set(itertools.chain.from_iterable(tokens))}  # 30 distinct
    inputs = np.array([[codes[token] for token in row] for row in tokens])
    return Examples(tokens, inputs, np.array(answers))


def train_test_split(train: int = 2000, test: int = 1000, *, seed: int = 0) -> tuple[Examples, Examples]:
    """Two disjoint random sets of questions (seeded)."""
    train, test = as_count(train, "train"), as_count(test, "test")
    everything = every_example()
    if train + test > len(everything):
        raise ValueError(f"train + test must be <= {len(everything)}, got {train + test}")
    order = np.random.default_rng(seed).permutation(len(everything))
    return everything.subset(order[:train]), everything.subset(order[train:train + test])


# --- the model ----------------------------------------------------------------------
def init_params(head: int = 8, *, seed: int = 0, size: float = 0.3) -> Params:
    """Random starting projections: query, key, value (features x head), readout (head x pets)."""
    head = as_count(head, "head")
    size = as_positive(size, "size")
    rng = np.random.default_rng(seed)
    f = len(FEATURES)
    shapes = {"query": (f, head), "key": (f, head), "value": (f, head), "readout": (head, len(PETS))}
    return {name: size * rng.standard_normal(shape) for name, shape in shapes.items()}


@dataclass
class Forward:
    """Everything the forward pass computed (the backward pass needs it)."""

    query: np.ndarray  # (B, h)    the question's query
    keys: np.ndarray  # (B, n, h)  every token's key
    values: np.ndarray  # (B, n, h) every token's value
    weights: np.ndarray  # (B, n)   the question's attention weights
    output: np.ndarray  # (B, h)    weights @ values
    probs: np.ndarray  # (B, pets)  softmax of the read-out


def _check(params: Params, inputs: ArrayLike) -> np.ndarray:
    x = as_float_array(inputs, "inputs", ndim=3)
    if x.shape[-1] != len(FEATURES) or x.shape[1] < 2:
        raise ValueError(f"inputs must have shape (batch, n >= 2, {len(FEATURES)}), got {x.shape}")
    missing = [name for name in PARAMETER_NAMES if name not in params]
    if missing:
        raise KeyError(f"params is missing {', '.join(missing)}")
    return x


def forward(params: Params, inputs: ArrayLike, *, uniform: bool = False) -> Forward:
    """Run the model: the question (token 0) attends over every token, then a read-out.

    With ``uniform=True`` every token gets the same weight (the control: no attention).
    """
    x = _check(params, inputs)
    query = x[:, 0] @ params["query"]
    keys, values = x @ params["key"], x @ params["value"]
    if uniform:
        weights = np.full(x.shape[:2], 1 / x.shape[1])
        output = np.einsum("bn,bnh->bh", weights, values)
    else:  # scaled dot-product attention from lessons_lib, one query per example
        output, weights = attend(query[:, None, :], keys, values, scale=True)
        output, weights = output[:, 0], weights[:, 0]
    logits = output @ params["readout"]
    probs = np.exp(logits - logits.max(axis=1, keepdims=True))
    probs /= probs.sum(axis=1, keepdims=True)
    return Forward(query, keys, values, weights, output, probs)


def loss_and_accuracy(params: Params, examples: Examples, *, uniform: bool = False) -> tuple[float, float]:
    """Mean cross-entropy and the share of answers right."""
    run = forward(params, examples.inputs, uniform=uniform)
    picked = run.probs[np.arange(len(examples)), examples.answers]
    return float(-np.log(picked).mean()), float((run.probs.argmax(axis=1) == examples.answers).mean())


def backward(params: Params, inputs: np.ndarray, answers: np.ndarray, run: Forward,
             *, uniform: bool = False) -> Params:
    """Gradients of the mean cross-entropy, by the chain rule, from the loss back to each matrix."""
    x, batch = np.asarray(inputs), len(answers)
    scale = 1 / np.sqrt(run.query.shape[1])
    d_logits = run.probs.copy()                   # cross-entropy through softmax:
    d_logits[np.arange(batch), answers] -= 1      #   probs - one_hot(answer)
    d_logits /= batch                             #   averaged over the batch
    grads = {"readout": run.output.T @ d_logits}  # logits = output @ readout
    d_output = d_logits @ params["readout"].T
    d_values = run.weights[:, :, None] * d_output[:, None, :]      # output = sum_n weight_n value_n
    grads["value"] = np.einsum("bnf,bnh->fh", x, d_values)        # values = x @ value
    if uniform:  # fixed weights: the query and key never matter
        grads["query"], grads["key"] = np.zeros_like(params["query"]), np.zeros_like(params["key"])
        return grads
    d_weights = np.einsum("bh,bnh->bn", d_output, run.values)
    # softmax backward: d_score_n = weight_n * (d_weight_n - sum_m weight_m d_weight_m)
    d_scores = run.weights * (d_weights - (run.weights * d_weights).sum(axis=1, keepdims=True))
    d_query = scale * np.einsum("bn,bnh->bh", d_scores, run.keys)  # score_n = query . key_n / sqrt(d), d the head size
    d_keys = scale * d_scores[:, :, None] * run.query[:, None, :]
    grads["query"] = x[:, 0].T @ d_query                          # query = x_question @ query
    grads["key"] = np.einsum("bnf,bnh->fh", x, d_keys)            # keys = x @ key
    return grads


def numerical_gradient(params: Params, examples: Examples, name: str, *, step: float = 1e-6,
                       uniform: bool = False) -> np.ndarray:
    """Finite differences: nudge each entry of ``params[name]`` up and down, watch the loss."""
    if name not in params:
        raise KeyError(f"name must be one of {', '.join(params)}, got {name!r}")
    grad = np.zeros_like(params[name])
    for index in np.ndindex(grad.shape):
        losses = []
        for sign in (1, -1):
            nudged = {k: v.copy() for k, v in params.items()}
            nudged[name][index] += sign * step
            losses.append(loss_and_accuracy(nudged, examples, uniform=uniform)[0])
        grad[index] = (losses[0] - losses[1]) / (2 * step)
    return grad


def relative_difference(gradient: ArrayLike, reference: ArrayLike) -> float:
    """Largest gap between two gradients, relative to the largest entry of ``reference``."""
    g = as_float_array(gradient, "gradient")
    r = as_float_array(reference, "reference")
    if g.shape != r.shape:
        raise ValueError(f"gradient must have the shape of reference {r.shape}, got {g.shape}")
    return float(np.abs(g - r).max() / max(np.abs(r).max(), 1e-12))


def gradient_check(params: Params, examples: Examples, *, uniform: bool = False) -> dict[str, float]:
    """Largest relative difference between :func:`backward` and finite differences, per matrix."""
    run = forward(params, examples.inputs, uniform=uniform)
    exact = backward(params, examples.inputs, examples.answers, run, uniform=uniform)
    return {name: relative_difference(exact[name], numerical_gradient(params, examples, name, uniform=uniform))
            for name in PARAMETER_NAMES}


# --- training -------------------------------------------------------------------------
@dataclass
class History:
    """What training produced: final parameters and the loss of every step's batch."""

    params: Params
    losses: list[float] = field(default_factory=list)


def train(params: Params, examples: Examples, *, steps: int = 400, batch: int = 32,
          learning_rate: float = 0.005, optimizer: str = "adam", seed: int = 0, uniform: bool = False,
          callback: Callable[[int, float], None] | None = None, every: int = 10) -> History:
    """Minibatch training; ``params`` is copied, not changed.

    ``callback(step, loss)`` is called every ``every`` steps and after the last one
    (for a progress bar). Same inputs and seed: the same result, every run.
    """
    steps, batch, every = as_count(steps, "steps"), as_count(batch, "batch"), as_count(every, "every")
    rate = as_positive(learning_rate, "learning_rate")
    if optimizer not in ("adam", "sgd"):
        raise ValueError(f"optimizer must be 'adam' or 'sgd', got {optimizer!r}")
    _check(params, examples.inputs)
    params = {name: params[name].copy() for name in PARAMETER_NAMES}
    moments = {name: (np.zeros_like(p), np.zeros_like(p)) for name, p in params.items()}
    rng, history = np.random.default_rng(seed), History(params)
    for step in range(1, steps + 1):
        rows = rng.choice(len(examples), size=min(batch, len(examples)), replace=False)
        x, answers = examples.inputs[rows], examples.answers[rows]
        run = forward(params, x, uniform=uniform)
        history.losses.append(float(-np.log(run.probs[np.arange(len(rows)), answers]).mean()))
        grads = backward(params, x, answers, run, uniform=uniform)
        for name, grad in grads.items():
            params[name] -= rate * (grad if optimizer == "sgd" else _adam(moments[name], grad, step))
        if callback is not None and (step % every == 0 or step == steps):
            callback(step, history.losses[-1])
    return history


def _adam(moments: tuple[np.ndarray, np.ndarray], grad: np.ndarray, step: int,
          beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8) -> np.ndarray:
    """Adam's step direction: a running mean of gradients over a running size."""
    mean, square = moments
    mean *= beta1
    mean += (1 - beta1) * grad
    square *= beta2
    square += (1 - beta2) * grad**2
    return (mean / (1 - beta1**step)) / (np.sqrt(square / (1 - beta2**step)) + eps)


# --- pictures and tables ------------------------------------------------------------------
def smoothed(losses: ArrayLike, window: int = 20) -> np.ndarray:
    """Running mean over ``window`` steps (shorter at the start)."""
    values = as_float_array(losses, "losses", ndim=1)
    window = as_count(window, "window")
    totals = np.cumsum(np.insert(values, 0, 0.0))
    starts = np.maximum(np.arange(1, len(values) + 1) - window, 0)
    return (totals[1:] - totals[starts]) / (np.arange(1, len(values) + 1) - starts)


def loss_curve_plot(curves: dict[str, ArrayLike], *, floor: float | None = None,
                    floor_label: str = "best loss without attention", smooth: bool = True) -> Figure:
    """Training loss per step, one line per named run; an optional dotted floor line.

    ``floor`` marks a loss some model cannot go below (in lesson 08: ln 3, the
    best an average can do by spreading its bet over the three pets present).
    ``smooth=True`` draws a 20-step running mean over the faint raw curve (for noisy
    mini-batch losses); ``smooth=False`` draws the raw loss only (full-batch descent).
    """
    fig, ax = plots.new_axes(6.4, 3.6)
    for (label, losses), colour, style in zip(curves.items(), [plots.VERMILLION, plots.BLUE], ["-", "--"]):
        raw = as_float_array(losses, f"curves[{label!r}]", ndim=1)
        steps = np.arange(1, len(raw) + 1)
        if not smooth:
            ax.plot(steps, raw, style, color=colour, label=label)
            continue
        ax.plot(steps, raw, color=colour, alpha=0.25, lw=0.8)
        ax.plot(steps, smoothed(raw), style, color=colour, label=f"{label} (20-step mean)")
    if floor is not None:  # label below the line, at the right, where no curve runs
        ax.axhline(floor, color=plots.GREY, lw=1, ls=":")
        ax.annotate(f"{floor_label} = {floor:.2f} (dotted)", (len(raw), floor), xytext=(-4, -5),
                    textcoords="offset points", ha="right", va="top", fontsize=8, color="dimgray")
    ax.set(xlabel="training step", ylabel="loss (cross-entropy)", ylim=(0, None))
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    return fig


def loss_table(curves: dict[str, ArrayLike], every: int = 50, window: int = 20) -> str:
    """Smoothed loss every ``every`` steps, 3 decimals, one column per run, under a line saying so."""
    columns = {label: smoothed(losses, window) for label, losses in curves.items()}
    length = min(len(v) for v in columns.values())
    shown = [1] + list(range(every, length + 1, every))
    table = plots.text_table(["step"] + list(columns), [[str(s)] + [f"{v[s - 1]:.3f}" for v in columns.values()]
                                                        for s in shown])
    return f"training loss, mean over the {window} steps up to each step shown (fewer at the start)\n{table}"


COLUMN_LABELS = ("question", "pair 1", "pair 2", "pair 3")


def weights_before_after_plot(before: ArrayLike, after: ArrayLike, examples: Examples) -> Figure:
    """Two heatmaps of the question's weights (rows: examples); the right pair is boxed."""
    fig = plots.new_figure(11.0, 0.45 * len(examples) + 1.8)
    axes = fig.subplots(1, 2, sharey=True)
    rows = [" ".join(t) for t in examples.tokens]
    for ax, weights, title in zip(axes, (before, after), ("before training", "after training")):
        plots.heatmap_plot(weights, rows, list(COLUMN_LABELS), ax=ax, title=title, xlabel="the question attends to",
                           ylabel="example")
        for row, column in enumerate(examples.answer_position()):
            ax.add_patch(Rectangle((column - 0.5, row - 0.5), 1, 1, fill=False, lw=2.5, ec=plots.VERMILLION))
    axes[1].set_ylabel("")
    fig.get_layout_engine().set(w_pad=0.02)
    return fig


def weights_before_after_table(before: ArrayLike, after: ArrayLike, examples: Examples) -> str:
    """Per example: its tokens, the weight on the right pair before and after, the model's answer."""
    b = as_float_array(before, "before", ndim=2)
    a = as_float_array(after, "after", ndim=2)
    where = examples.answer_position()
    body = [[" ".join(t), PETS[answer], f"{b[k, where[k]]:.2f}", f"{a[k, where[k]]:.2f}"]
            for k, (t, answer) in enumerate(zip(examples.tokens, examples.answers))]
    return plots.text_table(["example", "answer", "weight on it before", "after"], body)
