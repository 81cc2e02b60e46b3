"""Read a real model's attention: score every head, find the best, test it with controls.

The sentences are the course's own, word for word (lessons 04-06), now fed to
the pretrained model. Every function works on the arrays of a
:class:`~.model.Forward`.
"""
from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
from matplotlib.patches import Rectangle
from numpy.typing import ArrayLike

from .. import plots
from .._validate import as_float_array
from ..attention import dot_scores
from .model import Forward, MiniLM

BANK_MONEY = "I deposited money at the bank."
BANK_RIVER = "We fished by the bank of the river."
FRENCH = "Le chat noir dort sur le canapé."
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


def similarity_plot(panels: Mapping[str, ArrayLike], labels: Sequence[str]) -> plots.Figure:
    """Cosine-similarity matrices side by side, one titled panel each, on one 0-1 colour scale."""
    if not panels:
        raise ValueError("panels must hold at least one titled similarity matrix")
    fig = plots.new_figure(4.6 * len(panels), 4.4)
    for k, (ax, (title, similarity)) in enumerate(zip(np.atleast_1d(fig.subplots(1, len(panels))), panels.items())):
        s = as_float_array(similarity, "panels", ndim=2)
        plots.heatmap_plot(s, labels, ax=ax, title=title, xlabel="sentence", ylabel="" if k else "sentence")
        fig.axes[-1].set_ylabel("cosine similarity")
    return fig


def first_layer_scores(model: MiniLM, forward: Forward, word: str, head: int) -> np.ndarray:
    """(n,) the scores of ``word``'s row in one head of layer 0, before the softmax.

    In layer 0 each token's query and key come from that token and its position
    only, so a score does not depend on the rest of the sentence; the weight
    (the softmax of the row) does.
    """
    queries, keys, _ = model.projections(model.embed(forward.ids), layer=0)
    forward.head(0, head)  # validates head
    return dot_scores(queries[head][find_token(forward.tokens, word)], keys[head], scale=True)


def score_table(tokens: Sequence[str], scores: ArrayLike, weights: ArrayLike, words: Sequence[str]) -> str:
    """Score, exp(score) and weight of some words of one row, and the row's sum of exp(score)."""
    s = as_float_array(scores, "scores", ndim=1)
    w = as_float_array(weights, "weights", ndim=1)
    if len(s) != len(tokens) or len(w) != len(tokens):
        raise ValueError(f"scores and weights must have one value per token ({len(tokens)})")
    body = [[word, f"{s[j]:.2f}", f"{np.exp(s[j]):.1f}", f"{w[j]:.2f}"]
            for word, j in ((word, find_token(tokens, word)) for word in words)]
    body.append(["(all tokens)", "", f"{np.exp(s).sum():.1f}", "1.00"])
    return plots.text_table(["key", "score", "exp(score)", "weight"], body)


def vector_similarity(forwards: Sequence[Forward], word: str, *, offset: int = 0) -> np.ndarray:
    """(k, k) cosine similarity of the last-layer vectors at ``word`` (+ ``offset`` tokens) in k runs."""
    vectors = []
    for forward in forwards:
        position = find_token(forward.tokens, word) + offset
        if not 0 <= position < len(forward.tokens):
            raise ValueError(f"offset {offset} from {word!r} leaves the sentence")
        vectors.append(forward.hidden[position])
    return np.array([[cosine(a, b) for b in vectors] for a in vectors])


def within_between(similarity: ArrayLike, groups: Sequence[int]) -> tuple[float, float]:
    """Mean similarity of pairs in the same group and of pairs in different groups (diagonal left out)."""
    s = as_float_array(similarity, "similarity", ndim=2)
    g = np.asarray(groups)
    if s.shape != (len(g), len(g)):
        raise ValueError(f"groups must give one group per row of similarity ({s.shape[0]}), got {len(g)}")
    same, off_diagonal = g[:, None] == g[None, :], ~np.eye(len(g), dtype=bool)
    return float(s[same & off_diagonal].mean()), float(s[~same].mean())


def crossed_means(similarity: ArrayLike, first: Sequence[str], second: Sequence[str]) -> dict[tuple[bool, bool], float]:
    """Mean similarity of pairs, split by whether they share their ``first`` label and their ``second`` label.

    Returns {(same first, same second): mean over those pairs}, diagonal left out;
    used to cross two explanations (e.g. topic and wording) on the same sentences.
    """
    s = as_float_array(similarity, "similarity", ndim=2)
    a, b = np.asarray(first), np.asarray(second)
    if not s.shape == (len(a), len(a)) == (len(b), len(b)):
        raise ValueError(f"first and second must give one label per row of similarity ({s.shape[0]}), "
                         f"got {len(a)} and {len(b)}")
    pairs = ~np.eye(len(a), dtype=bool)
    same_a, same_b = a[:, None] == a[None, :], b[:, None] == b[None, :]
    return {(x, y): float(s[pairs & (same_a == x) & (same_b == y)].mean())
            for x in (True, False) for y in (True, False) if (pairs & (same_a == x) & (same_b == y)).any()}


def value_sizes(forward: Forward) -> np.ndarray:
    """(layers, heads, n): the length of every token's value vector in every head."""
    return np.linalg.norm(forward.values, axis=-1)


def contribution_share(forward: Forward, column: int = 0) -> np.ndarray:
    """(layers, heads): the share of weight x value size that goes to one token, averaged over rows.

    For row i a head adds up ``w[i, j] * v[j]``; ``w[i, j] * |v[j]|`` measures how much
    token j can move the result. A large weight on a short value vector moves little.
    """
    maps = _as_attentions(forward.attentions)
    if not 0 <= column < maps.shape[-1]:
        raise ValueError(f"column must be a token position from 0 to {maps.shape[-1] - 1}, got {column!r}")
    moved = maps * value_sizes(forward)[:, :, None, :]  # (layers, heads, rows, columns)
    return (moved[..., column] / moved.sum(axis=-1)).mean(axis=-1)


def heads_pair_plot(panels: Mapping[str, ArrayLike]) -> plots.Figure:
    """Two per-head heatmaps (rows = layers, columns = heads) one above the other, on one 0-1 scale."""
    if len(panels) != 2:
        raise ValueError(f"panels must hold exactly two titled (layers, heads) arrays, got {len(panels)}")
    fig = plots.new_figure(8.6, 6.6)
    axes = fig.subplots(2, 1)
    for ax, (title, scores) in zip(axes, panels.items()):
        s = as_float_array(scores, "panels", ndim=2)
        rows, cols = _labels(s.shape)
        plots.heatmap_plot(s, rows, cols, ax=ax, title=title, xlabel="head", ylabel="layer")
        fig.axes[-1].set_ylabel("share")
    return fig


def head_sharpness(forward: Forward) -> tuple[np.ndarray, np.ndarray]:
    """(layers, heads) twice: each head's mean largest weight per row, and its mean row entropy in bits.

    A one-hot row has largest weight 1 and entropy 0; a uniform row over n tokens has
    largest weight 1/n and entropy log2(n).
    """
    maps = _as_attentions(forward.attentions).astype(np.float64)
    logs = np.log2(np.where(maps > 0, maps, 1.0))  # 0 * log 0 counts as 0
    return maps.max(axis=-1).mean(axis=-1), -(maps * logs).sum(axis=-1).mean(axis=-1)
