"""Self-checks for lessons 07-09: RNNs and CNNs, learning the weights, queries/keys/values.

``SOLUTIONS`` maps each check's name to a callable returning an answer that
passes it (for the solution notebooks and the tests).
"""
from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

from ..attention import causal_mask, dot_scores
from ..qkv import hand_projections, project
from ..vocab import RIVER_SENTENCE, WORDS
from . import as_answer, call_safely, check_array, report


# --- lesson 07 -----------------------------------------------------------------------
_FIELD_CASES = ((0, 3), (1, 3), (2, 3), (4, 5), (10, 7), (3, 2))


def check_receptive_field(function: Callable) -> bool:
    """Lesson 07: ``function(layers, kernel)`` returns how many positions one output sees."""
    for layers, kernel in _FIELD_CASES:
        result, problem = call_safely(function, layers, kernel)
        if not problem:
            expected = 1 + layers * (kernel - 1)
            got, problem = as_answer(result, ())
            if got is not None and got != expected:
                problem = f"receptive_field({layers}, {kernel}) gave {float(got):g}, expected {expected}"
        if problem:
            return report(False, "", problem, "each layer adds kernel - 1 positions to the one you start with.")
    return report(True, "Right: 1 + layers × (kernel − 1).", "", "")


def check_layers_kernel_7(answer: Any) -> bool:
    """Lesson 07: layers of kernel-7 convolutions needed to link tokens 1 and 100."""
    return check_array(answer, np.array(17.0), success="Right: 1 + 17 × 6 = 103 ≥ 100 (16 layers reach only 97).",
                       hint="you need 1 + L × 6 ≥ 100; solve for L and round up (math.ceil).")


def check_weight_matrix_bytes(answer: Any) -> bool:
    """Lesson 07: bytes of one float32 weight matrix for n = 8192 tokens."""
    return check_array(answer, np.array(8192.0**2 * 4), atol=0.5,
                       success="Right: 268,435,456 bytes, 256 MiB, for one head of one layer.",
                       hint="n × n entries, 4 bytes each for float32.")


# --- lesson 08 -----------------------------------------------------------------------
def _softmax_backward(weights: np.ndarray, d_weights: np.ndarray) -> np.ndarray:
    return weights * (d_weights - (weights * d_weights).sum(axis=-1, keepdims=True))


def check_softmax_backward(function: Callable) -> bool:
    """Lesson 08: ``function(weights, d_weights)`` returns the gradient on the scores."""
    rng = np.random.default_rng(8)
    for n in (2, 4, 7):
        scores = rng.standard_normal(n)
        weights = np.exp(scores - scores.max())
        weights /= weights.sum()
        d_weights = rng.standard_normal(n)
        result, problem = call_safely(function, weights.copy(), d_weights.copy())
        if not problem:
            got, problem = as_answer(result, (n,))
            expected = _softmax_backward(weights, d_weights)
            if got is not None and not np.allclose(got, expected, atol=1e-9):
                problem = f"for {n} scores you returned {np.round(got, 3).tolist()}, expected {np.round(expected, 3).tolist()}"
        if problem:
            return report(False, "", problem,
                          "subtract the weighted sum (weights * d_weights).sum() from d_weights, then "
                          "multiply by the weights.")
    return report(True, "Right: that is the line in training.backward.", "", "")


def check_chance_accuracy(answer: Any) -> bool:
    """Lesson 08: the best accuracy without attention (guessing among three pets)."""
    return check_array(answer, np.array(1 / 3), atol=0.01,
                       success="Right: 1/3. The average contains all three pairs, whoever is asked about.",
                       hint="the average looks the same whichever owner is asked about; how many pets could it be?")


# --- lesson 09 -----------------------------------------------------------------------
def _river_scaled_scores() -> np.ndarray:
    p = hand_projections()
    queries, keys, _ = project(WORDS.vectors(RIVER_SENTENCE), p["query"], p["key"], p["value"])
    return dot_scores(queries, keys, scale=True)


def check_scaled_scores(answer: Any) -> bool:
    """Lesson 09: scaled query-key scores of the river sentence with the hand-built projections."""
    return check_array(answer, _river_scaled_scores(), success="Right: queries @ keys.T / √3.",
                       hint="every query with every key is queries @ keys.T; the head has 3 coordinates: divide by np.sqrt(3).")


def check_score_spread(answer: Any) -> bool:
    """Lesson 09: the standard deviation of q·k for random N(0, 1) vectors with d = 256."""
    return check_array(answer, np.array(16.0), atol=0.5, success="Right: √256 = 16.",
                       hint="q·k sums 256 independent products of variance 1: variance 256. The spread is its square root.")


def check_causal_mask(answer: Any) -> bool:
    """Lesson 09: the (5, 5) causal mask, True where token i may look at token j."""
    array, problem = as_answer(answer, (5, 5))
    if array is not None and not np.isin(array, (0, 1)).all():
        array, problem = None, "use True/False (or 1/0) entries"
    if array is None:
        return report(False, "", problem, "a (5, 5) table of booleans: np.tril(np.ones((5, 5), dtype=bool)).")
    return check_array(array.astype(bool), causal_mask(5), atol=0,
                       success="Right: each token sees itself and the tokens before it.",
                       hint="row i may look at columns j <= i: the lower triangle, diagonal included.")


SOLUTIONS: dict[str, Callable[[], Any]] = {
    "check_receptive_field": lambda: (lambda layers, kernel: 1 + layers * (kernel - 1)),
    "check_layers_kernel_7": lambda: math.ceil(99 / 6),
    "check_weight_matrix_bytes": lambda: 8192 * 8192 * 4,
    "check_softmax_backward": lambda: _softmax_backward,
    "check_chance_accuracy": lambda: 1 / 3,
    "check_scaled_scores": _river_scaled_scores,
    "check_score_spread": lambda: np.sqrt(256),
    "check_causal_mask": lambda: np.tril(np.ones((5, 5), dtype=bool)),
}
"""The correct answer for each check, as a callable."""
