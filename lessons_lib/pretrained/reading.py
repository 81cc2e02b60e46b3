"""Read a real model's attention: score every head, find the best, test it with controls.

The sentences are the course's own (lessons 04-05), now fed to the pretrained
model. Every function works on the arrays of a :class:`~.model.Forward`.
"""
from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
from matplotlib.patches import Rectangle
from numpy.typing import ArrayLike

from .. import plots
from .._validate import as_float_array
from .model import Forward

BANK_MONEY = "I deposited money at the bank"
BANK_RIVER = "We fished by the bank of the river"
TROPHY_BIG = "The trophy wouldn't fit in the suitcase because it was too big."
TROPHY_SMALL = "The trophy wouldn't fit in the suitcase because it was too small."
SWAPPED_BIG = "The suitcase wouldn't fit in the trophy because it was too big."
SWAPPED_SMALL = "The suitcase wouldn't fit in the trophy because it was too small."


def find_token(tokens: Sequence[str], word: str) -> int:
    """Position of the first token equal to ``word`` (a clear error if there is none)."""
    if not isinstance(word, str):
        raise TypeError(f"word must be a string, got {type(word).__name__}")
    try:
        return list(tokens).index(word)
    except ValueError:
        raise ValueError(f"word {word!r} is not a token here; the tokens are {' '.join(tokens)}") from None


def _as_attentions(attentions: ArrayLike) -> np.ndarray:
    maps = as_float_array(attentions, "attentions", ndim=4)
    if maps.shape[2] != maps.shape[3]:
        raise ValueError(f"attentions must be (layers, heads, n, n), got shape {maps.shape}")
    return maps


def head_scores(attentions: ArrayLike, query: int, keys: Sequence[int]) -> np.ndarray:
    """(layers, heads): the total weight token ``query`` gives to the ``keys`` in every head.

    Parameters
    ----------
    attentions : (layers, heads, n, n) weights, e.g. ``Forward.attentions``
    query : position of the attending token (a row)
    keys : positions of the attended tokens (columns), summed
    """
    maps = _as_attentions(attentions)
    n = maps.shape[-1]
    columns = [keys] if isinstance(keys, (int, np.integer)) else list(keys)
    for name, positions in (("query", [query]), ("keys", columns)):
        if not positions or not all(isinstance(p, (int, np.integer)) and 0 <= p < n for p in positions):
            raise ValueError(f"{name} must be token positions from 0 to {n - 1}, got {positions!r}")
    return maps[:, :, query, columns].sum(axis=-1)


def word_scores(forward: Forward, query: str, keys: Sequence[str]) -> np.ndarray:
    """:func:`head_scores` with words instead of positions."""
    return head_scores(forward.attentions, find_token(forward.tokens, query),
                       [find_token(forward.tokens, k) for k in keys])


def best_head(scores: ArrayLike) -> tuple[int, int]:
    """(layer, head) of the largest score (the first one on a tie)."""
    s = as_float_array(scores, "scores", ndim=2)
    layer, head = np.unravel_index(np.argmax(s), s.shape)
    return int(layer), int(head)


def _labels(shape: tuple[int, ...]) -> tuple[list[str], list[str]]:
    return [f"layer {k}" for k in range(shape[0])], [f"h{k}" for k in range(shape[1])]


def heads_plot(scores: ArrayLike, *, title: str, mark: tuple[int, int] | None = None) -> plots.Figure:
    """Heatmap of one score per head (rows = layers, columns = heads); ``mark`` frames one cell."""
    s = as_float_array(scores, "scores", ndim=2)
    rows, cols = _labels(s.shape)
    fig = plots.heatmap_plot(s, rows, cols, title=title, xlabel="head", ylabel="layer")
    fig.set_size_inches(8.6, 3.6)
    if mark is not None:
        layer, head = mark
        fig.axes[0].add_patch(Rectangle((head - 0.5, layer - 0.5), 1, 1, fill=False,
                                              edgecolor=plots.VERMILLION, linewidth=3))
    return fig


def heads_table(scores: ArrayLike, *, digits: int = 2) -> str:
    """The numbers of :func:`heads_plot` as text."""
    s = as_float_array(scores, "scores", ndim=2)
    rows, cols = _labels(s.shape)
    return plots.heatmap_table(s, rows, cols, digits=digits)


def referent_weights(forwards: Mapping[str, Forward], layer: int, head: int, query: str,
                     candidates: Sequence[str]) -> np.ndarray:
    """(sentences, candidates): the weight ``query`` gives each candidate word in one head."""
    return np.array([[f.head(layer, head)[find_token(f.tokens, query), find_token(f.tokens, c)]
                      for c in candidates] for f in forwards.values()])


def referent_table(labels: Sequence[str], weights: ArrayLike, candidates: Sequence[str],
                   correct: Sequence[str], *, digits: int = 2) -> str:
    """Per sentence: the weight on each candidate, the head's pick and a reader's answer."""
    w = as_float_array(weights, "weights", ndim=2)
    body = [[label, *(f"{v:.{digits}f}" for v in row), candidates[int(np.argmax(row))], answer,
             "yes" if candidates[int(np.argmax(row))] == answer else "NO"]
            for label, row, answer in zip(labels, w, correct)]
    return plots.text_table(["sentence", *candidates, "head picks", "reader picks", "agree"], body)


def referent_plot(labels: Sequence[str], weights: ArrayLike, candidates: Sequence[str], *,
                  title: str) -> plots.Figure:
    """Grouped bars: per sentence, the weight on each candidate (hatching tells them apart too)."""
    w = as_float_array(weights, "weights", ndim=2)
    fig, ax = plots.new_axes(8.0, 3.6)
    width = 0.8 / len(candidates)
    for k, (name, colour, hatch) in enumerate(zip(candidates, (plots.BLUE, plots.ORANGE), ("", "//"))):
        x = np.arange(len(labels)) + (k - (len(candidates) - 1) / 2) * width
        bars = ax.bar(x, w[:, k], width, color=colour, hatch=hatch, edgecolor="black", label=f"weight on {name!r}")
        ax.bar_label(bars, fmt="%.2f", fontsize=8)
    ax.set_xticks(np.arange(len(labels)), labels)
    ax.set(ylim=(0, 1.05), ylabel="weight from 'it'", title=title)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(frameon=False, loc="upper left")
    return fig


def cosine(a: ArrayLike, b: ArrayLike) -> float:
    """Cosine similarity of two vectors: 1 = same direction, 0 = unrelated."""
    u, v = as_float_array(a, "a", ndim=1), as_float_array(b, "b", ndim=1)
    if u.shape != v.shape:
        raise ValueError(f"a and b must have the same length, got {len(u)} and {len(v)}")
    return float(u @ v / (np.linalg.norm(u) * np.linalg.norm(v)))


def token_vector(forward: Forward, word: str) -> np.ndarray:
    """The last layer's vector of the first token equal to ``word``."""
    return forward.hidden[find_token(forward.tokens, word)]


def preference(forwards: Mapping[str, Forward], query: str, wanted: Sequence[str],
               pair: tuple[str, str] = ("trophy", "suitcase")) -> np.ndarray:
    """(sentences, layers, heads): weight of ``query`` on the wanted word of ``pair`` minus on the other.

    ``wanted`` names one word of ``pair`` per sentence; a head *follows* that choice
    in a sentence when the difference is positive.
    """
    if len(wanted) != len(forwards) or any(w not in pair for w in wanted):
        raise ValueError(f"wanted must name one of {pair} for each of the {len(forwards)} sentences")
    return np.stack([word_scores(f, query, [w]) - word_scores(f, query, [pair[1 - pair.index(w)]])
                     for f, w in zip(forwards.values(), wanted)])


def similarity_plot(similarity: ArrayLike, labels: Sequence[str], *, title: str) -> plots.Figure:
    """Heatmap of a cosine-similarity matrix, its colour scale fitted to the data."""
    s = as_float_array(similarity, "similarity", ndim=2)
    fig = plots.heatmap_plot(s, labels, title=title, fixed_scale=False, xlabel="sentence", ylabel="sentence")
    fig.axes[1].set_ylabel("cosine similarity (scale fitted to the data)")
    fig.set_size_inches(5.6, 4.4)
    return fig
