"""A hand-built toy vocabulary: word vectors with named, readable dimensions.

These vectors were written by hand for teaching. They are *not* learned
embeddings: they make the mechanism of attention visible, and say nothing
about what a trained model would learn.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Iterable

import numpy as np

_TOKEN = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")


def tokenize(sentence: str | Iterable[str]) -> list[str]:
    """Lower-case words of a sentence, punctuation dropped ("wouldn't" stays whole).

    A list of tokens is accepted too and returned lower-cased.
    """
    if isinstance(sentence, str):
        tokens = _TOKEN.findall(sentence.lower().replace("\u2019", "'"))
    elif isinstance(sentence, Iterable):
        tokens = [str(token).lower() for token in sentence]
    else:
        raise TypeError(f"sentence must be a string or a list of words, got {type(sentence).__name__}")
    if not tokens:
        raise ValueError(f"sentence must contain at least one word, got {sentence!r}")
    return tokens


class LookupMessageError(KeyError):
    """A KeyError whose message prints as plain text (not in quotes)."""

    def __str__(self) -> str:
        return str(self.args[0])


class UnknownWordError(LookupMessageError):
    """A word that is not in the vocabulary; the message lists close known words."""


@dataclass(frozen=True)
class Vocabulary:
    """Word vectors whose dimensions have names.

    Parameters
    ----------
    dimensions : the name of each coordinate, e.g. ("finance", "nature", ...)
    entries : word -> sequence of len(dimensions) numbers
    """

    dimensions: tuple[str, ...]
    entries: dict[str, tuple[float, ...]] = field(repr=False)

    def __post_init__(self) -> None:
        for word, values in self.entries.items():
            if len(values) != len(self.dimensions):
                raise ValueError(
                    f"entries[{word!r}] must have {len(self.dimensions)} numbers, got {len(values)}"
                )

    @property
    def words(self) -> list[str]:
        """Every known word, alphabetically."""
        return sorted(self.entries)

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and word.lower() in self.entries

    def closest(self, word: str, count: int = 5) -> list[str]:
        """Known words spelled most like ``word`` (for 'did you mean' messages)."""
        return difflib.get_close_matches(word.lower(), self.words, n=count, cutoff=0.5)

    def vector(self, word: str) -> np.ndarray:
        """The (d,) vector of one word; unknown words raise :class:`UnknownWordError`."""
        if not isinstance(word, str):
            raise TypeError(f"word must be a string, got {type(word).__name__}")
        key = word.lower()
        if key not in self.entries:
            near = self.closest(key)
            hint = f"closest known words: {', '.join(near)}" if near else "no known word is close"
            raise UnknownWordError(f"unknown word {word!r}; {hint}")
        return np.array(self.entries[key], dtype=np.float64)

    def vectors(self, sentence: str | Iterable[str]) -> np.ndarray:
        """(n, d) matrix, one row per token of ``sentence``."""
        return np.stack([self.vector(token) for token in tokenize(sentence)])

    def encode(self, sentence: str | Iterable[str]) -> tuple[list[str], np.ndarray]:
        """Tokens of ``sentence`` and their (n, d) vectors."""
        tokens = tokenize(sentence)
        return tokens, self.vectors(tokens)

    def axis(self, name: str) -> int:
        """Index of the dimension called ``name``."""
        if not isinstance(name, str) or name.lower() not in self.dimensions:
            raise LookupMessageError(f"name must be one of {', '.join(self.dimensions)}; got {name!r}")
        return self.dimensions.index(name.lower())


DIMENSIONS = ("finance", "nature", "motion", "function", "object", "container")

# finance: money and banking; nature: rivers, water, outdoors; motion: movement
# or action; function: grammatical glue ("the", "to"); object: a thing that is
# carried or put into something; container: a thing other things go into.
_ENTRIES: dict[str, tuple[float, ...]] = {
    # function words and pronouns
    "i": (0, 0, 0, 0.6, 0, 0),
    "we": (0, 0, 0, 0.6, 0, 0),
    "he": (0, 0, 0, 0.6, 0, 0),
    "she": (0, 0, 0, 0.6, 0, 0),
    "they": (0, 0, 0, 0.6, 0, 0),
    "my": (0, 0, 0, 0.7, 0, 0),
    "the": (0, 0, 0, 1.0, 0, 0),
    "a": (0, 0, 0, 1.0, 0, 0),
    "to": (0, 0, 0.1, 1.0, 0, 0),
    "at": (0, 0, 0, 0.9, 0, 0),
    "by": (0, 0.1, 0, 0.9, 0, 0),
    "of": (0, 0, 0, 1.0, 0, 0),
    "on": (0, 0, 0, 0.9, 0, 0.1),
    "in": (0, 0, 0, 0.8, 0, 0.3),
    "and": (0, 0, 0, 1.0, 0, 0),
    "because": (0, 0, 0, 0.9, 0, 0),
    "was": (0, 0, 0, 0.8, 0, 0),
    "is": (0, 0, 0, 0.8, 0, 0),
    "too": (0, 0, 0, 0.6, 0, 0),
    "wouldn't": (0, 0, 0, 0.8, 0, 0),
    # the two senses of "bank"
    "bank": (0.5, 0.5, 0, 0, 0, 0),
    "deposit": (0.9, 0, 0.3, 0, 0, 0),
    "deposited": (0.9, 0, 0.3, 0, 0, 0),
    "money": (1.0, 0, 0, 0, 0.3, 0),
    "cash": (0.9, 0, 0, 0, 0.3, 0),
    "loan": (0.9, 0, 0, 0, 0, 0),
    "account": (0.8, 0, 0, 0.1, 0, 0),
    "paid": (0.8, 0, 0.3, 0, 0, 0),
    "river": (0, 1.0, 0.2, 0, 0, 0),
    "water": (0, 1.0, 0.3, 0, 0, 0),
    "fished": (0, 0.9, 0.3, 0, 0, 0),
    "fish": (0, 0.9, 0.4, 0, 0.2, 0),
    "boat": (0, 0.7, 0.6, 0, 0.3, 0.3),
    "muddy": (0, 0.8, 0, 0, 0, 0),
    "grass": (0, 0.8, 0, 0, 0, 0),
    # verbs of motion
    "went": (0, 0, 0.9, 0.2, 0, 0),
    "walked": (0, 0, 0.9, 0.1, 0, 0),
    "sat": (0, 0, 0.2, 0.1, 0, 0),
    # the trophy and the suitcase
    "trophy": (0, 0, 0, 0, 1.0, 0.1),
    "ball": (0, 0, 0.3, 0, 0.9, 0),
    "suitcase": (0, 0, 0.1, 0, 0.2, 1.0),
    "box": (0, 0, 0, 0, 0.3, 0.9),
    "bag": (0, 0, 0, 0, 0.3, 0.8),
    "fit": (0, 0, 0.3, 0.1, 0.3, 0.3),
    "it": (0, 0, 0, 0.5, 0.4, 0.4),
    "big": (0, 0, 0, 0, 0.9, 0),
    "small": (0, 0, 0, 0, 0, 0.9),
    # filler adverbs for lesson 05 (they can sit almost anywhere in a sentence);
    # light glue words: a little function, nothing else
    "frankly": (0, 0, 0, 0.2, 0, 0),
    "honestly": (0, 0, 0, 0.2, 0, 0),
    "really": (0, 0, 0, 0.2, 0, 0),
    "truly": (0, 0, 0, 0.2, 0, 0),
    "clearly": (0, 0, 0, 0.2, 0, 0),
    "sadly": (0, 0, 0, 0.2, 0, 0),
    "simply": (0, 0, 0, 0.2, 0, 0),
    "surely": (0, 0, 0, 0.2, 0, 0),
}

WORDS = Vocabulary(DIMENSIONS, _ENTRIES)
"""The course's English toy vocabulary (hand-built, not learned)."""

BANK_SENTENCE = "I went to the bank to deposit money."

RIVER_SENTENCE = "We fished by the bank of the river."


def hand_weights(tokens: list[str], chosen: dict[str, float], rest: float) -> np.ndarray:
    """Weights with fixed values for chosen words and ``rest`` shared by all others.

    ``hand_weights(tokens, {"deposit": 0.35, "money": 0.30, "bank": 0.15}, 0.20)``
    gives the lesson's hand-set weights for the bank sentence.
    """
    missing = [word for word in chosen if word not in tokens]
    if missing:
        raise KeyError(f"chosen names words not in tokens: {', '.join(missing)}")
    others = [t for t in tokens if t not in chosen]
    if not others and rest:
        raise ValueError("rest must be 0 when every token is chosen")
    share = rest / len(others) if others else 0.0
    weights = np.array([chosen.get(t, share) for t in tokens])
    if not np.isclose(weights.sum(), 1):
        raise ValueError(
            f"chosen and rest must add up to 1 over the tokens, got {weights.sum():.3g} "
            "(a repeated chosen word counts once per occurrence)"
        )
    return weights


BANK_HAND_WEIGHTS = {"deposit": 0.35, "money": 0.30, "bank": 0.15}
"""The lesson's hand-set weights for "bank"; the other words share 0.20."""
