"""Self-checks for lessons 04-06: bank, the trophy and the suitcase, translation."""
from __future__ import annotations

import numbers
from collections import Counter
from functools import lru_cache
from typing import Any, Callable

import numpy as np

from ..attention import softmax
from ..examples import (
    BILINGUAL, ENGLISH_SENTENCE, FISHING_SENTENCE, FRENCH_SENTENCE, MONEY_SENTENCE, ROLE_DIMENSIONS,
    TRANSLATION_TEMPERATURE,
    ROLE_SWAP_SENTENCE, TROPHY_SENTENCE, bank_sense, bottleneck_measurement, coreference_attention,
    first_length_below, fit_roles, focus_blend, referent_answer, role_query, sentence_problem,
)
from ..vocab import WORDS, tokenize
from . import Verdict, as_answer, check_array, report
from .progress import exercise

LESSON_05_SENTENCES = (
    TROPHY_SENTENCE, TROPHY_SENTENCE.replace("big", "small"), ROLE_SWAP_SENTENCE,
    ROLE_SWAP_SENTENCE.replace("big", "small"),
)
"""Sentences lesson 05 already shows (a learner's own control must be new)."""

LESSON_04_IDEAS = ("I walked by the bank to the river", "the boat sat by the bank")
"""The explorer ideas lesson 04 prints (a learner's own sentence must be new)."""


def _check_numbers(answer: Any, expected: np.ndarray, *, success: str, hint: str) -> Verdict:
    """:func:`check_array`, but an answer that is only rounded says so instead of "too high"."""
    array, _ = as_answer(answer, expected.shape)
    if array is not None and not np.allclose(array, expected, atol=1e-6, rtol=0) and \
            np.allclose(array, expected, atol=6e-3, rtol=0):
        return report(False, success, "very close, but not exact: did you round? Keep every digit",
                      "pass the computed array itself, not numbers copied from a printed table.")
    return check_array(answer, expected, success=success, hint=hint)


# --- lesson 04 ---------------------------------------------------------------------
@exercise("04_bank_two_meanings")
def check_river_blend(answer: Any) -> Verdict:
    """Lesson 04: the blended 'bank' of the fishing sentence (dot products, softmax, blend)."""
    return _check_numbers(answer, focus_blend(FISHING_SENTENCE)[2],
                          success="Right: this 'bank' sits on the nature side.",
                          hint="three steps, one row: which vector does every token's score compare with? "
                               "Did you use the lesson's temperature? (Don't round.)")


def _bag_edits(first: list[str], second: list[str]) -> int:
    """Words to add, remove or change to turn one sentence into the other, in any order."""
    extra, missing = Counter(first) - Counter(second), Counter(second) - Counter(first)
    return max(sum(extra.values()), sum(missing.values()))


def _content_words(tokens: list[str]) -> list[str]:
    """The words of ``tokens`` that carry meaning (not glue such as 'the', 'of', 'by')."""
    return [t for t in tokens if WORDS.vector(t)[WORDS.axis("function")] < 0.5]


def _copied(tokens: list[str]) -> str:
    """Why a river sentence is not the learner's own, or ""."""
    if len(tokens) < 5:
        return f"only {len(tokens)} words: write a whole sentence (at least 5 words)"
    if any(_bag_edits(tokens, tokenize(shown)) <= 1 for shown in (FISHING_SENTENCE, *LESSON_04_IDEAS)):
        return ("that is one of the lesson's sentences, reordered or with one word added, removed "
                "or changed: write one of your own")
    content = _content_words(tokens)
    if not Counter(content) - Counter(_content_words(tokenize(FISHING_SENTENCE))):  # glue words added don't count
        return ("its words that carry meaning all come from the lesson's fishing sentence: "
                "write one of your own")
    if len(content) != len(set(content)):
        return "a word is repeated: write a sentence a person might say"
    glue = [t for t in tokens if WORDS.vector(t)[WORDS.axis("function")] >= 0.5]
    if not glue or any(a == b for a, b in zip(tokens, tokens[1:])):
        return "that reads like a list of words: write a sentence a person might say"
    return ""


def _not_text(answer: Any) -> str:
    """Why an answer that should be a sentence is not one."""
    if answer is Ellipsis or answer is None:
        return "the answer is still empty"
    return f"expected a sentence as a string, got {type(answer).__name__}"


@exercise("04_bank_two_meanings")
def check_river_sentence(sentence: Any) -> Verdict:
    """Lesson 04: a sentence of the learner's own in which 'bank' takes the river sense."""
    if not isinstance(sentence, str):
        return report(False, "", _not_text(sentence), 'write it in quotes, e.g. "... bank ...".')
    problem = sentence_problem(sentence) or _copied(tokenize(sentence))
    if not problem:
        tokens, _, blended = focus_blend(sentence)
        if bank_sense(blended) != "nature":
            finance, nature = blended[WORDS.axis("finance")], blended[WORDS.axis("nature")]
            problem = f"'bank' has finance {finance:.2f} and nature {nature:.2f}: not the river sense yet"
    return report(not problem, "Right: your sentence pulls 'bank' to the river.", problem,
                  "which dimension must win, and which words of the vocabulary carry it?")


# --- lesson 05 ---------------------------------------------------------------------
def _small_query() -> np.ndarray:
    return role_query(tokenize(TROPHY_SENTENCE.replace("big", "small")))


@exercise("05_trophy_and_suitcase")
def check_small_query(answer: Any) -> Verdict:
    """Lesson 05: the role-toy query of 'it' when the suitcase is 'too small' (8 numbers)."""
    return _check_numbers(answer, _small_query(),
                          success="Right: the six features of 'it', then a request for the thing that holds.",
                          hint="8 numbers: the word features of 'it', then (goes in, holds). "
                               "Which role is to blame when something is too small?")


def _fit_story(tokens: list[str]) -> tuple[str, str, str]:
    """(the thing that goes in, the thing that holds, big or small) of a fit sentence."""
    roles = fit_roles(tokens)
    return (*(tokens[roles.index(role)] for role in ROLE_DIMENSIONS), tokens[-1])


def _not_new_control(tokens: list[str]) -> str:
    """Why a control sentence is not a new one with two different things, or ""."""
    thing, holder, size = _fit_story(tokens)
    if thing == holder:
        return f"both things are '{thing}': with one noun twice, nobody can say what 'it' is"
    if (thing, holder, size) in {_fit_story(tokenize(shown)) for shown in LESSON_05_SENTENCES}:
        return "the lesson already tells that story (same two things, same size): change the things"
    return ""


SHORTCUT_MARGIN = 0.01
"""How far the other noun's weight must lead every other word's (no ties)."""


def _shortcut_problem(tokens: list[str], answer: str) -> tuple[str, str]:
    """(why toy 1 is not fooled by picking the other noun, or "", the word it looks at most)."""
    thing, holder, _ = _fit_story(tokens)
    other = holder if answer == thing else thing
    words, weights, here = coreference_attention(tokens)
    row = weights[here]
    picked = words[int(np.argmax(row))]
    if picked == answer:
        return f"the word toy gets this one right ('it' looks most at {picked})", picked
    rival = max(w for word, w in zip(words, row) if word != other)
    lead = row[words.index(other)] - rival
    if picked != other:
        return (f"'it' looks most at {picked!r}, not at the other noun {other!r}: toy 1 is "
                "fooled only when the features point it to the wrong noun"), picked
    if lead < SHORTCUT_MARGIN:
        return (f"'{other}' only ties with another word (it must lead by {SHORTCUT_MARGIN} or "
                "more): a tie is no clear win for the shortcut"), picked
    return "", picked


@exercise("05_trophy_and_suitcase")
def check_shortcut_sentence(sentence: Any) -> Verdict:
    """Lesson 05: a new control sentence on which the word-feature toy picks the other noun."""
    if not isinstance(sentence, str):
        return report(False, "", _not_text(sentence),
                      "write a sentence in quotes, in the pattern of the lesson's control.")
    problem, answer, picked = sentence_problem(sentence, "it"), "", ""
    if not problem:
        tokens = tokenize(sentence)
        try:
            answer = referent_answer(tokens)
        except ValueError:
            problem = "use the pattern 'The X wouldn't fit in the Y because it was too big' (or small)"
    if not problem:
        problem = _not_new_control(tokens)
    if not problem:
        problem, picked = _shortcut_problem(tokens, answer)
    return report(not problem, f"Right: the word toy's 'it' looks most at {picked!r}, a person says {answer!r}.",
                  problem, "which features of the nouns and the adjective does the word toy compare? "
                           "Choose nouns whose features point 'it' to the other noun.")


# --- lesson 06 ---------------------------------------------------------------------
def _cross_weights() -> np.ndarray:
    english, french = BILINGUAL.vectors(ENGLISH_SENTENCE), BILINGUAL.vectors(FRENCH_SENTENCE)
    return softmax(english @ french.T, axis=1, temperature=TRANSLATION_TEMPERATURE)


@exercise("06_translation_spotlight")
def check_cross_weights(answer: Any) -> Verdict:
    """Lesson 06: the (7, 7) cross-attention weights, English rows over French columns."""
    return _check_numbers(answer, _cross_weights(), success="Right: one spotlight (row) per English word.",
                          hint="rows are English words, columns French words: which way round must the "
                               "product go, and along which axis does each row sum to 1? (Don't round.)")


@lru_cache(maxsize=1)
def _bottleneck_128():
    return bottleneck_measurement(dim=128)


def _bottleneck_answer() -> int:
    return first_length_below(_bottleneck_128(), 0.5)


@exercise("06_translation_spotlight")
def check_bottleneck_length(answer: Any) -> Verdict:
    """Lesson 06: shortest measured length where a 128-number mean falls below 50 %."""
    expected = _bottleneck_answer()
    if isinstance(answer, bool) or not isinstance(answer, numbers.Integral):
        return report(False, "", "the answer is still empty" if answer is None or answer is Ellipsis else
                      f"expected a whole number (a length), got {answer!r}",
                      "measure with dim=128 and compare its mean_accuracy with 0.5, length by length.")
    result = _bottleneck_128()
    lengths = [int(n) for n in result.lengths]
    problem = "" if answer == expected else (
        f"length {answer} was not measured (lengths: {lengths})" if answer not in lengths else
        f"at length {answer} the mean summary recovers {result.mean_accuracy[lengths.index(answer)]:.0%} of the words")
    return report(not problem, f"Right: with 128 numbers the mean first drops below 50 % at length {expected}.",
                  problem, "read mean_accuracy next to lengths from the left: where does it first drop under 0.5?")


SOLUTIONS: dict[str, Callable[[], Any]] = {
    "check_river_blend": lambda: focus_blend(FISHING_SENTENCE)[2],
    "check_river_sentence": lambda: "She sat on the grass by the muddy bank of the water",
    "check_small_query": _small_query,
    "check_shortcut_sentence": lambda: "The box wouldn't fit in the ball because it was too small.",
    "check_cross_weights": _cross_weights,
    "check_bottleneck_length": _bottleneck_answer,
}
"""The answer that passes each check (for testing the checks, not for learners)."""

WRONG_ANSWERS: dict[str, Callable[[], Any]] = {
    "check_river_blend": lambda: focus_blend(MONEY_SENTENCE)[2],
    "check_river_sentence": lambda: MONEY_SENTENCE,
    "check_small_query": lambda: role_query(tokenize(TROPHY_SENTENCE)),
    "check_shortcut_sentence": lambda: TROPHY_SENTENCE.replace("trophy", "ball"),
    "check_cross_weights": lambda: _cross_weights().T,
    "check_bottleneck_length": lambda: first_length_below(bottleneck_measurement(dim=64), 0.5),
}
"""A plausible wrong answer for each check (each must fail)."""
