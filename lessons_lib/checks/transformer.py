"""Self-checks for lessons 10-11: multi-head attention, checked on the real model's weights."""
from __future__ import annotations

from functools import lru_cache
from typing import Any, Callable

import numpy as np

from ..attention import attend
from ..multihead import merge_heads, multi_head_attention, split_heads
from ..pretrained.model import MiniLM, load_model
from ..pretrained.reading import BANK_RIVER
from . import Verdict, call_safely, report

HEADS = 12


@lru_cache(maxsize=1)
def _model() -> MiniLM:
    return load_model(low_memory=True)


@lru_cache(maxsize=1)
def _case() -> tuple[np.ndarray, list[np.ndarray]]:
    """Layer 0's input for the river sentence and layer 0's four matrices (x @ w convention)."""
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
    }


def _matches(got: np.ndarray, expected: np.ndarray) -> bool:
    return got.shape == expected.shape and np.allclose(got, expected, rtol=1e-4, atol=1e-4)


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
        return report(True, "Right: your multi-head attention equals the real model's layer 0 (12 heads, "
                      "its own weights, a real sentence) within 1e-4.", "", "")
    for mistake, wrong in _variants(x, matrices).items():
        if _matches(got, wrong):
            return report(False, "", mistake, nudge)
    gap = np.abs(got - expected).max()
    return report(False, "", f"on layer 0 of the real model your output differs from the model's by up to {gap:.2g}",
                  nudge)


def _solution(x, w_query, w_key, w_value, w_out, heads):
    n, width = x.shape
    size = width // heads
    q, k, v = (np.moveaxis((x @ w).reshape(n, heads, size), 1, 0) for w in (w_query, w_key, w_value))
    scores = q @ np.swapaxes(k, 1, 2) / np.sqrt(size)
    weights = np.exp(scores - scores.max(axis=-1, keepdims=True))
    weights /= weights.sum(axis=-1, keepdims=True)
    return np.moveaxis(weights @ v, 0, 1).reshape(n, width) @ w_out


SOLUTIONS = {"check_multi_head_attention": lambda: _solution}
