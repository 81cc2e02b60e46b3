"""Self-checks for lessons 10-11: multi-head attention, checked on the real model's weights."""
from __future__ import annotations

from functools import lru_cache
from typing import Callable

import numpy as np

from ..attention import attend
from ..multihead import merge_heads, multi_head_attention, split_heads
from ..pretrained.model import MiniLM, load_model
from ..pretrained.reading import BANK_RIVER
from . import Verdict, as_answer, call_safely, report
from .progress import exercise

HEADS = 12


@lru_cache(maxsize=1)
def _model() -> MiniLM:
    return load_model(low_memory=True)


@lru_cache(maxsize=1)
def _case() -> tuple[np.ndarray, list[np.ndarray]]:
    """Layer 0's input for the river sentence and layer 0's four matrices (x @ w convention; biases not used)."""
    model = _model()
    x = model.embed(model.encode(BANK_RIVER)[1])
    return x, [np.array(w) for w in model.attention_parameters(0)[0]]


def _variants(x: np.ndarray, w: list[np.ndarray]) -> dict[str, np.ndarray]:
    """The usual mistakes, each computed on the check's case, with the hint that fixes it."""
    n, width = x.shape
    size = width // HEADS
    q, k, v = (x @ m for m in w[:3])
    wrong_split = [p.reshape(HEADS, n, size) for p in (q, k, v)]  # rows cut across tokens
    unscaled = attend(*(split_heads(p, HEADS) for p in (q, k, v)), scale=False)[0]
    by_width = attend(*(split_heads(p, HEADS) / width ** 0.25 for p in (q, k)), split_heads(v, HEADS), scale=False)[0]
    return {
        "you split the heads along the wrong axis: reshape to (n, heads, head size) and then move the "
        "heads axis first; reshaping straight to (heads, n, head size) mixes tokens":
            merge_heads(attend(*wrong_split)[0]) @ w[3],
        "your scores are not divided by √(head size) (here √32)": merge_heads(unscaled) @ w[3],
        "you divided the scores by √(width) (√384); each head divides by √ of its own size, √32":
            merge_heads(by_width) @ w[3],
        "you left out the output projection W_O: multiply the concatenated heads by w_out":
            merge_heads(attend(*(split_heads(p, HEADS) for p in (q, k, v)))[0]),
        "that is one head of the full width: split q, k and v into heads slices first":
            attend(q, k, v)[0] @ w[3],
        "you added the model's biases: this exercise leaves them out (the check calls your function with "
        "the four matrices only)":
            multi_head_attention(x, *w, heads=HEADS, biases=_model().attention_parameters(0)[1]),
    }


def _matches(got: np.ndarray, expected: np.ndarray) -> bool:
    return got.shape == expected.shape and np.allclose(got, expected, rtol=1e-4, atol=1e-4)


@exercise("10_multi_head_attention")
def check_multi_head_attention(function: Callable) -> Verdict:
    """A function (x, w_query, w_key, w_value, w_out, heads) -> (n, width), run on the real model's layer 0."""
    x, matrices = _case()
    result, problem = call_safely(function, x.copy(), *(m.copy() for m in matrices), HEADS)
    nudge = ("project, split into heads (n, width) -> (heads, n, width/heads), attend in each head "
             "(scores divided by √ of the head size), put the heads back side by side, multiply by w_out. "
             "Print the shape after every step.")
    if problem:
        return report(False, "", problem, nudge)
    if result is None or result is Ellipsis:
        return report(False, "", "your function returned nothing (replace the ... with your code and return the output)",
                      nudge)
    try:
        got = np.asarray(result, dtype=float)
    except (TypeError, ValueError):
        return report(False, "", f"your function returned {type(result).__name__}, not an array of numbers", nudge)
    expected = multi_head_attention(x, *matrices, heads=HEADS)
    if got.shape != expected.shape:
        return report(False, "", f"on a {x.shape[0]}-token sentence your output has shape {got.shape}, "
                      f"expected {expected.shape} (one {x.shape[1]}-number vector per token)", nudge)
    if _matches(got, expected):
        return report(True, "Right: your multi-head attention equals the real model's layer-0 attention "
                      "(12 heads, its own weights, biases left out, a real sentence) within 1e-4.", "", "")
    for mistake, wrong in _variants(x, matrices).items():
        if _matches(got, wrong):
            return report(False, "", mistake, nudge)
    gap = np.abs(got - expected).max()
    return report(False, "", f"on layer 0 of the real model (biases left out) your output differs from the expected one by up to {gap:.2g}",
                  nudge)


def _solution(x, w_query, w_key, w_value, w_out, heads):
    n, width = x.shape
    size = width // heads
    q, k, v = (np.moveaxis((x @ w).reshape(n, heads, size), 1, 0) for w in (w_query, w_key, w_value))
    scores = q @ np.swapaxes(k, 1, 2) / np.sqrt(size)
    weights = np.exp(scores - scores.max(axis=-1, keepdims=True))
    weights /= weights.sum(axis=-1, keepdims=True)
    return np.moveaxis(weights @ v, 0, 1).reshape(n, width) @ w_out


@lru_cache(maxsize=1)
def _batch():
    return _model().run_batch(["I deposited money at the bank.", "Hi.", "We fished by the bank of the river."])


@exercise("11_transformer_block")
def check_masked_mean(function: Callable) -> Verdict:
    """A function (hidden, real) -> (batch, width): the mean of each sentence's real token vectors."""
    batch = _batch()
    result, problem = call_safely(function, batch.hidden.copy(), batch.real.copy())
    nudge = ("multiply hidden by real[..., None] (pads become 0), add up along the token axis, and divide by "
             "the number of real tokens of each sentence, real.sum(axis=1), kept as a column.")
    if not problem:
        got, problem = as_answer(result, batch.embedding.shape)
        if got is not None:
            wrong = {"that is the plain mean over every place, pads included: leave the pads out":
                         batch.hidden.mean(axis=1),
                     "the pads are left out of the sum, but you divided by the padded length, not by the "
                     "number of real tokens": (batch.hidden * batch.real[..., None]).sum(axis=1) / batch.real.shape[1]}
            if np.allclose(got, batch.embedding, rtol=1e-4, atol=1e-5):
                return report(True, "Right: your pooling equals the model's sentence embeddings, pads left out.", "", "")
            problem = next((m for m, w in wrong.items() if np.allclose(got, w, rtol=1e-4, atol=1e-5)),
                           "your embeddings differ from the model's sentence embeddings for this batch")
    return report(False, "", problem, nudge)


def _masked_mean(hidden, real):
    return (hidden * real[..., None]).sum(axis=1) / real.sum(axis=1, keepdims=True)


SOLUTIONS = {"check_multi_head_attention": lambda: _solution, "check_masked_mean": lambda: _masked_mean}
