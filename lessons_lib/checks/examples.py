"""Self-checks for lessons 04-06: bank, the trophy and the suitcase, translation."""
from __future__ import annotations

import numbers
from functools import lru_cache
from typing import Any, Callable

import numpy as np

from ..attention import softmax
from ..examples import (
    BILINGUAL, ENGLISH_SENTENCE, FISHING_SENTENCE, FRENCH_SENTENCE, MONEY_SENTENCE, TRANSLATION_TEMPERATURE,
    bank_sense, bottleneck_measurement, coreference_attention, first_length_below, focus_blend, sentence_problem,
)
from ..vocab import WORDS, tokenize
from . import Verdict, check_array, report

BALL_SENTENCE = "The ball wouldn't fit in the box because it was too small."


# --- lesson 04 ---------------------------------------------------------------------
def check_river_blend(answer: Any) -> Verdict:
    """Lesson 04: the blended 'bank' of the fishing sentence (dot products, softmax, blend)."""
    return check_array(answer, focus_blend(FISHING_SENTENCE)[2], success="Right: this 'bank' sits on the nature side.",
                       hint="scores = vectors @ vectors[i] for i the position of 'bank'; softmax; weights @ vectors.")


def check_river_sentence(sentence: Any) -> Verdict:
    """Lesson 04: a sentence of the learner's own in which 'bank' takes the river sense."""
    if not isinstance(sentence, str):
        problem = "the answer is still empty" if sentence is Ellipsis or sentence is None else (
            f"expected a sentence as a string, got {type(sentence).__name__}")
        return report(False, "", problem, 'write it in quotes, e.g. "... bank ...".')
    problem = sentence_problem(sentence)
    if not problem and tokenize(sentence) == tokenize(FISHING_SENTENCE):
        problem = "that is the lesson's fishing sentence: write one of your own"
    if not problem:
        tokens, _, blended = focus_blend(sentence)
        if bank_sense(blended) != "nature":
            finance, nature = blended[WORDS.axis("finance")], blended[WORDS.axis("nature")]
            problem = f"'bank' has finance {finance:.2f} and nature {nature:.2f}: not the river sense yet"
    return report(not problem, "Right: your sentence pulls 'bank' to the river.", problem,
                  "add words about water and fishing (river, water, fished, boat, muddy, grass).")


# --- lesson 05 ---------------------------------------------------------------------
def check_small_query(answer: Any) -> Verdict:
    """Lesson 05: the in-context query of 'it' when the suitcase is 'too small'."""
    expected = WORDS.vector("it") + WORDS.vector("small")
    return check_array(answer, expected, success="Right: 'too small' adds the container feature to the query.",
                       hint='WORDS.vector("it") + WORDS.vector("small").')


def check_box_referent(answer: Any) -> Verdict:
    """Lesson 05: which noun 'it' weights most in the ball-and-box sentence."""
    tokens, weights, here = coreference_attention(BALL_SENTENCE)
    nouns = {"ball": weights[here, tokens.index("ball")], "box": weights[here, tokens.index("box")]}
    expected = max(nouns, key=nouns.get)
    if not isinstance(answer, str):
        return report(False, "", "the answer is still empty" if answer is None or answer is Ellipsis else
                      f"expected a word as a string, got {type(answer).__name__}", 'answer "ball" or "box".')
    word = answer.strip().lower()
    problem = "" if word == expected else (f"'{word}' is not one of the two nouns" if word not in nouns else
                                           f"'it' gives {word} only {nouns[word]:.2f}")
    return report(not problem, f"Right: {expected} gets {nouns[expected]:.2f}: 'too small' looks for the container.",
                  problem, "run coreference_attention(BALL_SENTENCE) and read the row of 'it'.")


# --- lesson 06 ---------------------------------------------------------------------
def _cross_weights() -> np.ndarray:
    english, french = BILINGUAL.vectors(ENGLISH_SENTENCE), BILINGUAL.vectors(FRENCH_SENTENCE)
    return softmax(english @ french.T, axis=1, temperature=TRANSLATION_TEMPERATURE)


def check_cross_weights(answer: Any) -> Verdict:
    """Lesson 06: the (7, 7) cross-attention weights, English rows over French columns."""
    return check_array(answer, _cross_weights(), success="Right: one spotlight (row) per English word.",
                       hint="english @ french.T, then softmax(..., axis=1, temperature=TRANSLATION_TEMPERATURE).")


@lru_cache(maxsize=1)
def _bottleneck_128():
    return bottleneck_measurement(dim=128)


def _bottleneck_answer() -> int:
    return first_length_below(_bottleneck_128(), 0.5)


def check_bottleneck_length(answer: Any) -> Verdict:
    """Lesson 06: shortest measured length where a 128-number mean falls below 50 %."""
    expected = _bottleneck_answer()
    if isinstance(answer, bool) or not isinstance(answer, numbers.Integral):
        return report(False, "", "the answer is still empty" if answer is None or answer is Ellipsis else
                      f"expected a whole number (a length), got {answer!r}",
                      "run bottleneck_measurement(dim=128) and read its mean_accuracy.")
    result = _bottleneck_128()
    lengths = [int(n) for n in result.lengths]
    problem = "" if answer == expected else (
        f"length {answer} was not measured (lengths: {lengths})" if answer not in lengths else
        f"at length {answer} the mean summary recovers {result.mean_accuracy[lengths.index(answer)]:.0%} of the words")
    return report(not problem, f"Right: with 128 numbers the mean first drops below 50 % at length {expected}.",
                  problem, "find the first length whose mean_accuracy is below 0.5 (first_length_below does it).")


SOLUTIONS: dict[str, Callable[[], Any]] = {
    "check_river_blend": lambda: focus_blend(FISHING_SENTENCE)[2],
    "check_river_sentence": lambda: "We fished the river by the muddy bank",
    "check_small_query": lambda: WORDS.vector("it") + WORDS.vector("small"),
    "check_box_referent": lambda: "box",
    "check_cross_weights": _cross_weights,
    "check_bottleneck_length": _bottleneck_answer,
}
"""The answer that passes each check (for testing the checks, not for learners)."""

WRONG_ANSWERS: dict[str, Callable[[], Any]] = {
    "check_river_blend": lambda: focus_blend(MONEY_SENTENCE)[2],
    "check_river_sentence": lambda: MONEY_SENTENCE,
    "check_small_query": lambda: WORDS.vector("it") + WORDS.vector("big"),
    "check_box_referent": lambda: "ball",
    "check_cross_weights": lambda: _cross_weights().T,
    "check_bottleneck_length": lambda: first_length_below(bottleneck_measurement(dim=64), 0.5),
}
"""A plausible wrong answer for each check (each must fail)."""
