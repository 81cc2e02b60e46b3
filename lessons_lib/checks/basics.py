"""Self-checks for lessons 00-03: welcome, weighted averages, softmax, scores."""
from __future__ import annotations

import numbers
from typing import Any, Callable

import numpy as np

from ..attention import softmax
from ..vocab import BANK_HAND_WEIGHTS, BANK_SENTENCE, RIVER_SENTENCE, WORDS, hand_weights, tokenize
from . import Verdict, as_answer, call_safely, check_array, report
from .progress import exercise


@exercise("00_welcome")
def check_warmup(answer: Any) -> Verdict:
    """Lesson 00: the mean of 2, 4 and 9."""
    return check_array(answer, np.array(5.0), success="Right: (2 + 4 + 9) / 3 = 5. Self-checks work!",
                       hint="add the three numbers and divide by how many there are.")


@exercise("01_weighted_averages")
def check_plain_mean(answer: Any) -> Verdict:
    """Lesson 01: the plain mean of the bank sentence's vectors."""
    expected = WORDS.vectors(BANK_SENTENCE).mean(axis=0)
    return check_array(answer, expected, success="Right: every word counted the same.",
                       hint="`vectors` has one row per word: average over the rows (axis 0).")


@exercise("01_weighted_averages")
def check_bank_blend(answer: Any) -> Verdict:
    """Lesson 01: the blend of the bank sentence with the hand-set weights."""
    tokens, vectors = WORDS.encode(BANK_SENTENCE)
    expected = hand_weights(tokens, BANK_HAND_WEIGHTS, 0.20) @ vectors
    return check_array(answer, expected, success="Right: the new 'bank' leans towards finance.",
                       hint="one weight per token in the order of tokens; multiply each row by its weight and add the rows.")


@exercise("01_weighted_averages")
def check_river_weights(weights: Any) -> Verdict:
    """Lesson 01: any valid weights that move the river sentence's 'bank' to nature."""
    tokens, vectors = WORDS.encode(RIVER_SENTENCE)
    w, problem = as_answer(weights, (len(tokens),))
    if w is not None:
        if (w < 0).any():
            problem, w = f"every weight must be >= 0 (the smallest is {w.min():.3g})", None
        elif not np.isclose(w.sum(), 1):
            problem, w = f"the weights must sum to 1 (they sum to {w.sum():.3f})", None
        else:
            out = w @ vectors
            nature, finance = out[WORDS.axis("nature")], out[WORDS.axis("finance")]
            if nature < 0.5 or nature < finance + 0.3:
                problem, w = f"the blend has nature {nature:.2f} and finance {finance:.2f}", None
    return report(w is not None, "Right: your 'bank' is now a river bank.", problem,
                  f"one weight per token ({len(tokens)}), most of it on words about water and fishing.")


@exercise("02_softmax")
def check_softmax(function: Callable) -> Verdict:
    """Lesson 02: a softmax that is correct and does not overflow."""
    cases = [np.array([1.0, 2.0, 3.0]), np.array([0.0, 0.0]), np.array([1000.0, 1001.0, 999.0]),
             np.array([-1000.0, -1002.0]), np.array([0.0, 1000.0]), np.array([-1000.0, 1000.0, 0.0])]
    for scores in cases:
        result, problem = call_safely(function, scores.copy())
        if not problem:
            got, problem = as_answer(result, scores.shape)
            if got is not None and not np.allclose(got, softmax(scores), atol=1e-9):
                problem = f"for scores {scores.tolist()} you returned {np.round(got, 4).tolist()}"
        if problem:
            return report(False, "", problem, "subtract one constant from every score so the largest exponent is e**0, then normalise.")
    return report(True, "Right, and it survives scores of 1000 too.", "", "")


@exercise("02_softmax")
def check_temperature(temperature: Any) -> Verdict:
    """Lesson 02: a temperature that gives 'money' at least 0.9 of the weight."""
    if (isinstance(temperature, bool) or not isinstance(temperature, numbers.Real)
            or not 0 < temperature < float("inf")):
        return report(False, "", f"temperature must be a finite number > 0, got {temperature!r}",
                      "try values below 1: a lower temperature sharpens the weights.")
    top = softmax(np.array([2.0, 1.0, 0.5]), temperature=float(temperature))[0]
    return report(top >= 0.9, f"Right: 'money' now gets {top:.3f}.", f"'money' gets only {top:.3f}",
                  "lower the temperature; watch the explorer's top bar as you do.")


def _sentence_matrices() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    vectors = WORDS.vectors(BANK_SENTENCE)
    scores = vectors @ vectors.T
    weights = softmax(scores, axis=1)
    return scores, weights, weights @ vectors


@exercise("03_scores_from_content")
def check_scores(answer: Any) -> Verdict:
    """Lesson 03: the dot-product score matrix of the bank sentence."""
    return check_array(answer, _sentence_matrices()[0], success="Right: one score for every pair of tokens.",
                       hint="every score is a dot product of two rows of vectors: one matrix product with a transpose gives all of them.")


@exercise("03_scores_from_content")
def check_weight_matrix(answer: Any) -> Verdict:
    """Lesson 03: softmax of the scores, row by row."""
    return check_array(answer, _sentence_matrices()[1], success="Right: every row now sums to 1.",
                       hint="softmax must normalise each row (one row per token), not each column: mind the axis.")


@exercise("03_scores_from_content")
def check_outputs(answer: Any) -> Verdict:
    """Lesson 03: the attention outputs of the bank sentence."""
    return check_array(answer, _sentence_matrices()[2], success="Right: every token got its new vector at once.",
                       hint="row i of the outputs blends all the vectors with row i of the weights: one matrix product.")


@exercise("03_scores_from_content")
def check_permutation_prediction(answer: Any) -> Verdict:
    """Lesson 03: predict whether reversing the tokens just reverses the outputs."""
    if not isinstance(answer, (bool, np.bool_)):
        return report(False, "", f"answer True or False, got {answer!r}",
                      "nothing in the computation knows where a word sits in the sentence.")
    return report(bool(answer), "Right: without positions, attention sees a set of words, so the "
                  "outputs are reversed and otherwise unchanged. Now run the experiment below.",
                  "reversing the tokens does not change any single output vector",
                  "each output depends on its own vector and the *set* of all vectors, not on their order.")


def _stable_softmax(scores: np.ndarray) -> np.ndarray:
    exps = np.exp(scores - scores.max())
    return exps / exps.sum()


def _river_weights() -> np.ndarray:
    tokens = WORDS.encode(RIVER_SENTENCE)[0]
    return hand_weights(tokens, {"fished": 0.4, "river": 0.4}, 0.2)


SOLUTIONS: dict[str, Callable[[], Any]] = {
    "check_warmup": lambda: (2 + 4 + 9) / 3,
    "check_plain_mean": lambda: WORDS.vectors(BANK_SENTENCE).mean(axis=0),
    "check_bank_blend": lambda: (
        hand_weights(tokenize(BANK_SENTENCE), BANK_HAND_WEIGHTS, 0.20) @ WORDS.vectors(BANK_SENTENCE)
    ),
    "check_river_weights": _river_weights,
    "check_softmax": lambda: _stable_softmax,
    "check_temperature": lambda: 0.25,
    "check_scores": lambda: _sentence_matrices()[0],
    "check_weight_matrix": lambda: _sentence_matrices()[1],
    "check_outputs": lambda: _sentence_matrices()[2],
    "check_permutation_prediction": lambda: True,
}
"""The answer that passes each check (for testing the checks, not for learners)."""
