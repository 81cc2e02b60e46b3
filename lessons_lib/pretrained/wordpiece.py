"""BERT's uncased WordPiece tokenizer, written out in a few short steps.

1. Clean: drop control characters, turn every kind of space into " ".
2. Put spaces around Chinese/Japanese ideographs (each becomes its own word).
3. Strip accents (Unicode NFD, then drop the combining marks) and lower-case.
4. Split on whitespace, and make every punctuation character its own word.
5. WordPiece: cut each word into the longest pieces found in the vocabulary,
   left to right; pieces after the first start with "##". A word that cannot
   be cut (or longer than 100 characters) becomes [UNK].
6. Add [CLS] in front and [SEP] at the end.

Special tokens typed in the text (e.g. "[SEP]") are kept whole, as the
reference tokenizer does.
"""
from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Iterable

import numpy as np

SPECIALS = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")
_SPECIAL_SPLIT = re.compile("(" + "|".join(re.escape(s) for s in SPECIALS) + ")")
_IDEOGRAPHS = (
    (0x4E00, 0x9FFF), (0x3400, 0x4DBF), (0x20000, 0x2A6DF), (0x2A700, 0x2B73F),
    (0x2B740, 0x2B81F), (0x2B820, 0x2CEAF), (0xF900, 0xFAFF), (0x2F800, 0x2FA1F),
)


def _is_space(char: str) -> bool:
    return char in " \t\n\r" or unicodedata.category(char) == "Zs"


def _is_control(char: str) -> bool:
    return char not in "\t\n\r" and unicodedata.category(char).startswith("C")


def _is_punctuation(char: str) -> bool:
    code = ord(char)
    ascii_punct = 33 <= code <= 47 or 58 <= code <= 64 or 91 <= code <= 96 or 123 <= code <= 126
    return ascii_punct or unicodedata.category(char).startswith("P")


def _is_ideograph(char: str) -> bool:
    code = ord(char)
    return any(low <= code <= high for low, high in _IDEOGRAPHS)


def normalize(text: str) -> str:
    """Steps 1-3: cleaned, ideographs spaced, accents stripped, lower-cased."""
    if not isinstance(text, str):
        raise TypeError(f"text must be a string, got {type(text).__name__}")
    kept = (" " if _is_space(c) else c for c in text if c != "\ufffd" and c != "\0" and not _is_control(c))
    spaced = "".join(f" {c} " if _is_ideograph(c) else c for c in kept)
    decomposed = unicodedata.normalize("NFD", spaced)
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn").lower()


def split_words(text: str) -> list[str]:
    """Steps 1-4: the words of ``text``, each punctuation character on its own."""
    words: list[str] = []
    for chunk in normalize(text).split():
        current = ""
        for char in chunk:
            if _is_punctuation(char):
                words += [current, char] if current else [char]
                current = ""
            else:
                current += char
        if current:
            words.append(current)
    return words


class WordPiece:
    """Uncased WordPiece tokenizer over a fixed vocabulary.

    Parameters
    ----------
    vocab : the vocabulary in id order (token ``k`` has id ``k``), e.g. the lines of vocab.txt
    max_chars : longer words become [UNK] without being cut
    """

    def __init__(self, vocab: Iterable[str], *, max_chars: int = 100) -> None:
        if isinstance(vocab, str):
            raise TypeError("vocab must be a list of tokens, not one string")
        self.tokens = list(vocab)
        self.ids = {token: index for index, token in enumerate(self.tokens)}
        missing = [s for s in SPECIALS if s not in self.ids]
        if missing:
            raise ValueError(f"vocab lacks the special token(s) {', '.join(missing)}")
        self.max_chars = max_chars

    @classmethod
    def from_file(cls, path: str | Path) -> "WordPiece":
        """Read a vocab.txt file: one token per line, line number = id."""
        lines = Path(path).read_text(encoding="utf-8").split("\n")
        return cls(lines[:-1] if lines and lines[-1] == "" else lines)

    def pieces(self, word: str) -> list[str]:
        """Step 5 for one word: its longest-first pieces, or ["[UNK]"]."""
        if len(word) > self.max_chars:
            return ["[UNK]"]
        pieces, start = [], 0
        while start < len(word):
            for end in range(len(word), start, -1):
                piece = word[start:end] if start == 0 else "##" + word[start:end]
                if piece in self.ids:
                    break
            else:
                return ["[UNK]"]
            pieces.append(piece)
            start = end
        return pieces

    def tokenize(self, text: str) -> list[str]:
        """All six steps: the tokens of ``text`` between [CLS] and [SEP]."""
        if not isinstance(text, str):
            raise TypeError(f"text must be a string, got {type(text).__name__}")
        tokens = ["[CLS]"]
        for part in _SPECIAL_SPLIT.split(text):
            if part in SPECIALS:
                tokens.append(part)
            else:
                tokens += [p for word in split_words(part) for p in self.pieces(word)]
        return tokens + ["[SEP]"]

    def encode(self, text: str) -> tuple[list[str], np.ndarray]:
        """The tokens of ``text`` and their ids (int64)."""
        tokens = self.tokenize(text)
        return tokens, np.array([self.ids[t] for t in tokens], dtype=np.int64)
