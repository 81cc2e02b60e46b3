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
                       hint="the receptive field 1 + L(k − 1) must cover 100 positions; find the smallest whole L.")


def check_weight_matrix_bytes(answer: Any) -> bool:
    """Lesson 07: bytes of one float32 weight matrix for n = 8192 tokens."""
    return check_array(answer, np.array(8192.0**2 * 4), atol=0.5,
                       success="Right: 268,435,456 bytes, 256 MiB, for one head of one layer.",
                       hint="one weight for every (query, key) pair of tokens; how many bytes is one float32 number?")


# --- lesson 08 -----------------------------------------------------------------------
def _largest_gap(got: np.ndarray, expected: np.ndarray) -> str:
    """Where an answer is furthest off, and in which direction (never the expected value)."""
    worst = np.unravel_index(np.argmax(np.abs(got - expected)), expected.shape)
    direction = "too high" if got[worst] > expected[worst] else "too low"
    return f"entry {tuple(int(i) for i in worst)} is {got[worst]:.4g}, which is {direction}"


def _softmax_jacobian(weights: np.ndarray) -> np.ndarray:
    w = np.asarray(weights, dtype=float)
    return np.diag(w) - np.outer(w, w)


def check_softmax_jacobian(function: Callable) -> bool:
    """Lesson 08: ``function(weights)`` returns the (n, n) matrix of d weight_i / d score_j."""
    rng = np.random.default_rng(8)
    for n in (2, 4, 7):
        scores = rng.standard_normal(n)
        weights = np.exp(scores - scores.max())
        weights /= weights.sum()
        result, problem = call_safely(function, weights.copy())
        if not problem:
            got, problem = as_answer(result, (n, n))
            if got is not None and not np.allclose(got, _softmax_jacobian(weights), atol=1e-9):
                problem = f"for {n} scores {_largest_gap(got, _softmax_jacobian(weights))}"
        if problem:
            return report(False, "", problem,
                          "differentiate w_i = exp(s_i) / Σ_k exp(s_k) by s_j with the quotient rule, once for "
                          "j = i and once for j ≠ i, and write both results using only w_i and w_j.")
    return report(True, "Right: ∂w_i/∂s_j = w_i(δ_ij − w_j). Multiplied by d_weights, it gives exactly the "
                  "softmax line of training.backward.", "", "")


def check_chance_accuracy(answer: Any) -> bool:
    """Lesson 08: the best accuracy without attention (guessing among three pets)."""
    return check_array(answer, np.array(1 / 3), atol=0.002,
                       success="Right: 1/3. The average shows which owners and which pets are present, not who owns "
                               "which, so the best the control can do is pick one of the three pets.",
                       hint="swap the pets of two owners: does the average change? Does the answer? "
                            "Then count the pets the control cannot tell apart (give the exact fraction).")


# --- lesson 09 -----------------------------------------------------------------------
def _river_scaled_scores() -> np.ndarray:
    p = hand_projections()
    queries, keys, _ = project(WORDS.vectors(RIVER_SENTENCE), p["query"], p["key"], p["value"])
    return dot_scores(queries, keys, scale=True)


def check_scaled_scores(answer: Any) -> bool:
    """Lesson 09: scaled query-key scores of the river sentence with the hand-built projections."""
    return check_array(answer, _river_scaled_scores(), success="Right: queries @ keys.T / √3.",
                       hint="entry (i, j) is query i · key j, scaled. All pairs at once are one matrix product "
                            "(which matrix must be transposed?), divided by the square root of the head size.")


def check_score_spread(answer: Any) -> bool:
    """Lesson 09: the standard deviation of q·k for random N(0, 1) vectors with d = 256."""
    return check_array(answer, np.array(16.0), atol=0.01, success="Right: √256 = 16 exactly (the table's 16.03 "
                       "is an estimate from 200 random draws).",
                       hint="the exact value, not a simulation: what is the variance of a sum of 256 independent "
                            "products, each of variance 1? The spread is the standard deviation.")


def check_causal_mask(answer: Any) -> bool:
    """Lesson 09: the (5, 5) causal mask, True where token i may look at token j."""
    array, problem = as_answer(answer, (5, 5))
    if array is not None and not np.isin(array, (0, 1)).all():
        array, problem = None, "use True/False (or 1/0) entries"
    if array is None:
        return report(False, "", problem, "a (5, 5) table of booleans, True where column j <= row i.")
    return check_array(array.astype(bool), causal_mask(5), atol=0,
                       success="Right: each token sees itself and the tokens before it.",
                       hint="row i may look at columns j <= i: the lower triangle, diagonal included.")


SOLUTIONS: dict[str, Callable[[], Any]] = {
    "check_receptive_field": lambda: (lambda layers, kernel: 1 + layers * (kernel - 1)),
    "check_layers_kernel_7": lambda: math.ceil(99 / 6),
    "check_weight_matrix_bytes": lambda: 8192 * 8192 * 4,
    "check_softmax_jacobian": lambda: _softmax_jacobian,
    "check_chance_accuracy": lambda: 1 / 3,
    "check_scaled_scores": _river_scaled_scores,
    "check_score_spread": lambda: np.sqrt(256),
    "check_causal_mask": lambda: np.tril(np.ones((5, 5), dtype=bool)),
}
"""The correct answer for each check, as a callable."""
