"""Self-checks for lessons 07-09: RNNs and CNNs, learning the weights, queries/keys/values.

``SOLUTIONS`` maps each check's name to a callable returning an answer that
passes it (for the solution notebooks and the tests).
"""
from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

from ..attention import Partial, attend, causal_mask, dot_scores, merge_partials, partial_attention
from ..qkv import hand_projections, project
from ..vocab import RIVER_SENTENCE, WORDS
from . import Verdict, as_answer, call_safely, check_array, largest_gap, report
from .progress import exercise


# --- lesson 07 -----------------------------------------------------------------------
_DILATED_CASES = ((0, 3), (1, 3), (2, 3), (3, 3), (4, 2), (3, 5), (6, 3), (10, 3))


def _dilated_field(layers: int, kernel: int) -> int:
    """Positions one output sees after ``layers`` width-``kernel`` layers, dilations 1, 2, 4, ..."""
    return 1 + (kernel - 1) * (2**layers - 1)


@exercise("07_attention_vs_rnn_cnn")
def check_dilated_receptive_field(function: Callable) -> Verdict:
    """Lesson 07: ``function(layers, kernel)`` for stacked convolutions whose dilation doubles each layer."""
    for layers, kernel in _DILATED_CASES:
        result, problem = call_safely(function, layers, kernel)
        if not problem:
            expected = _dilated_field(layers, kernel)
            got, problem = as_answer(result, ())
            if got is not None and got != expected:
                direction = "too many" if got > expected else "too few"
                problem = f"dilated_receptive_field({layers}, {kernel}) gave {float(got):g}, {direction} positions"
        if problem:
            return report(False, "", problem,
                          "follow one spike by hand for kernel 3 and 0, 1, 2, 3 layers: how many new positions "
                          "does a layer with dilation r add at the edges? Then add up what the layers add.")
    return report(True, "Right: 1 + (k − 1)(1 + 2 + … + 2^(L−1)) = 1 + (k − 1)(2^L − 1), exponential in L "
                  "where the plain stack was linear.", "", "")


@exercise("07_attention_vs_rnn_cnn")
def check_layers_kernel_7(answer: Any) -> Verdict:
    """Lesson 07: layers of kernel-7 convolutions needed to link tokens 1 and 100."""
    return check_array(answer, np.array(17.0), success="Right: 1 + 17 × 6 = 103 ≥ 100 (16 layers reach only 97).",
                       hint="the receptive field 1 + L(k − 1) must cover 100 positions; find the smallest whole L.")


@exercise("07_attention_vs_rnn_cnn")
def check_weight_matrix_bytes(answer: Any) -> Verdict:
    """Lesson 07: bytes of one float32 weight matrix for n = 8192 tokens."""
    return check_array(answer, np.array(8192.0**2 * 4), atol=0.5,
                       success="Right: 268,435,456 bytes, 256 MiB, for one head of one layer, if the matrix is stored.",
                       hint="one weight for every (query, key) pair of tokens; how many bytes is one float32 number?")


_MERGE_CASES = ((71, 4, 1.0), (72, 1, 1.0), (73, 8, 3.0), (74, 5, 1e3))  # seed, split, score scale


def _merge_case(seed: int, split: int, scale: float) -> tuple[Partial, Partial, Partial, np.ndarray]:
    """Two partials over keys 1..split and split+1..9, the partial over all 9 keys, and attend's output."""
    rng = np.random.default_rng(seed)
    queries, keys, values = rng.normal(size=(3, 4)) * scale, rng.normal(size=(9, 4)), rng.normal(size=(9, 2))
    first = partial_attention(queries, keys[:split], values[:split])
    second = partial_attention(queries, keys[split:], values[split:])
    return first, second, partial_attention(queries, keys, values), attend(queries, keys, values)[0]


def _merge_slip(got: list[np.ndarray], first: Partial, second: Partial, whole: Partial) -> str:
    """Name a plausible slip in a merged partial, or describe the gap."""
    if not np.allclose(got[0], whole.maximum):
        return "maximum should be the larger of the two parts' maxima, row by row"
    if np.allclose(got[1], first.total + second.total):
        return "the totals were added as they are, but each was measured against its own maximum"
    if np.allclose(got[1], whole.total) and not np.allclose(got[2], whole.weighted):
        return "total is right; weighted needs the same rescaling as total"
    if (got[1] > first.total + second.total + 1e-12).any():
        return "a part grew: a rescale factor above 1 (is the exponent the wrong way round?)"
    return "merged total " + largest_gap(got[1], whole.total, digits=4)


@exercise("07_attention_vs_rnn_cnn")
def check_merge_partials(function: Callable) -> Verdict:
    """Lesson 07: ``function(first, second)`` merges two :class:`Partial` results into the one over all keys."""
    hint = ("each part's sums were taken against its own maximum. Bring both to the common maximum M: "
            "exp(s − a) · exp(a − M) = exp(s − M). So multiply each part's total and weighted sum by one "
            "factor (which?), then add the parts.")
    for seed, split, scale in _MERGE_CASES:
        first, second, whole, output = _merge_case(seed, split, scale)
        result, problem = call_safely(function, first, second)
        got = None
        if not problem:
            if not isinstance(result, tuple) or len(result) != 3:
                problem = "return Partial(maximum, total, weighted)"
            else:
                fields = [as_answer(value, expected.shape) for value, expected in zip(result, whole)]
                problem = next((text for _, text in fields if text), "")
                got = None if problem else [array for array, _ in fields]
        if got is not None and not all(np.allclose(g, w, rtol=1e-9, atol=0) for g, w in zip(got, whole)):
            problem = _merge_slip(got, first, second, whole)
        if problem:
            where = f" (scores up to about {scale:g})" if scale > 10 else ""
            return report(False, "", problem + where, hint)
        if not np.allclose(got[2] / got[1], output, atol=1e-10):  # cannot happen when the fields match
            return report(False, "", "weighted / total is not the attention output over all keys", hint)
    return report(True, "Right: M = max(a, b); total = total_a·exp(a − M) + total_b·exp(b − M), the same for "
                  "weighted. Every factor is at most 1, so even scores near 1000 cannot overflow, and "
                  "weighted / total equals attend's output over all the keys.", "", "")


# --- lesson 08 -----------------------------------------------------------------------
def _softmax_jacobian(weights: np.ndarray) -> np.ndarray:
    w = np.asarray(weights, dtype=float)
    return np.diag(w) - np.outer(w, w)


@exercise("08_learning_the_weights")
def check_softmax_jacobian(function: Callable) -> Verdict:
    """Lesson 08: ``function(weights)`` returns the (n, n) matrix of d weight_i / d score_j."""
    rng = np.random.default_rng(8)
    for n in (2, 4, 7):
        scores = rng.standard_normal(n)
        weights = np.exp(scores - scores.max())
        weights /= weights.sum()
        result, problem = call_safely(function, weights.copy())
        if not problem:
            got, problem = as_answer(result, (n, n))
            expected = _softmax_jacobian(weights)
            if got is not None and not np.allclose(got, expected, atol=1e-9):
                problem = f"for {n} scores {largest_gap(got, expected, digits=4)}"
        if problem:
            return report(False, "", problem,
                          "differentiate w_i = exp(s_i) / Σ_k exp(s_k) by s_j with the quotient rule, once for "
                          "j = i and once for j ≠ i, and write both results using only w_i and w_j.")
    return report(True, "Right: ∂w_i/∂s_j = w_i(δ_ij − w_j). Multiplied by d_weights, it gives exactly the "
                  "softmax line of training.backward.", "", "")


@exercise("08_learning_the_weights")
def check_chance_accuracy(answer: Any) -> Verdict:
    """Lesson 08: the best accuracy without attention (guessing among three pets)."""
    return check_array(answer, np.array(1 / 3), atol=0.002,
                       success="Right: 1/3. The average shows which owners and which pets are present, not who owns "
                               "which, so the best the control can do is pick one of the three pets.",
                       hint="swap the pets of two owners: does the average change? Does the answer? "
                            "Then count the pets the control cannot tell apart (give the exact fraction).")


# --- lesson 09 -----------------------------------------------------------------------
def _river_scaled_scores() -> np.ndarray:
    p = hand_projections(verbs_ask=True)
    queries, keys, _ = project(WORDS.vectors(RIVER_SENTENCE), p["query"], p["key"], p["value"])
    return dot_scores(queries, keys, scale=True)


@exercise("09_queries_keys_values")
def check_scaled_scores(answer: Any) -> Verdict:
    """Lesson 09: scaled query-key scores of the river sentence with the verbs-ask projections."""
    expected = _river_scaled_scores()
    array, _ = as_answer(answer, expected.shape)
    if array is not None and not np.allclose(expected, expected.T) and np.allclose(array, expected.T, atol=1e-6):
        return report(False, "", "your table is the right one flipped over its diagonal",
                      "row i should hold what token i looks for, scored against what every token j offers: "
                      "which of the two matrices supplies the rows?")
    return check_array(answer, expected, success="Right: queries @ keys.T / √3. The table is not symmetric: "
                       "\"fished\" looks for \"bank\" more than \"bank\" looks for \"fished\".",
                       hint="entry (i, j) is query i · key j, scaled. All pairs at once are one matrix product "
                            "(which matrix must be transposed?), divided by the square root of the head size.")


_SPREAD_DIM, _SPREAD_STD = 64, 2.0  # lesson 09, exercise 2: d and each coordinate's standard deviation
_SPREAD_SLIPS = {
    math.sqrt(_SPREAD_DIM): "that is √d, the spread for coordinates of standard deviation 1; these are larger",
    _SPREAD_STD * math.sqrt(_SPREAD_DIM): "that counts the larger coordinates of only one of the two vectors",
    (_SPREAD_STD**2) ** 2 * _SPREAD_DIM: "that is a variance; the spread is a standard deviation",
}


@exercise("09_queries_keys_values")
def check_score_spread(answer: Any) -> Verdict:
    """Lesson 09: the exact standard deviation of q·k for d = 64 coordinates of standard deviation 2."""
    expected = _SPREAD_STD**2 * math.sqrt(_SPREAD_DIM)
    got, _ = as_answer(answer, ())
    hint = ("start with one product qᵢkᵢ: for independent mean-0 factors E[qᵢ²kᵢ²] = E[qᵢ²]·E[kᵢ²]. "
            "Then add up 64 independent terms, and turn the variance into a spread.")
    if got is not None and abs(got - expected) > 0.01:
        slip = next((text for value, text in _SPREAD_SLIPS.items() if abs(got - value) < 0.01), None)
        if slip is None and abs(got - expected) < 0.05 * expected:
            slip = "close, but that looks like a simulation's estimate; the exact value follows from the variances"
        if slip:
            return report(False, "", f"{float(got):g}: {slip}", hint)
    return check_array(answer, np.array(expected), atol=0.01,
                       success="Right: each product has variance 4 × 4 = 16, the sum 64 × 16 = 1024, the spread "
                               "√1024 = 32. Dividing by √d = 8 would leave a spread of 4, still saturating: the "
                               "√d rule assumes coordinates of spread 1.",
                       hint=hint)


@exercise("09_queries_keys_values")
def check_causal_mask(answer: Any) -> Verdict:
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
    "check_dilated_receptive_field": lambda: _dilated_field,
    "check_layers_kernel_7": lambda: math.ceil(99 / 6),
    "check_weight_matrix_bytes": lambda: 8192 * 8192 * 4,
    "check_merge_partials": lambda: merge_partials,
    "check_softmax_jacobian": lambda: _softmax_jacobian,
    "check_chance_accuracy": lambda: 1 / 3,
    "check_scaled_scores": _river_scaled_scores,
    "check_score_spread": lambda: 2 * 2 * np.sqrt(64),
    "check_causal_mask": lambda: np.tril(np.ones((5, 5), dtype=bool)),
}
"""The correct answer for each check, as a callable."""
