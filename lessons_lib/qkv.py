"""Queries, keys and values; why scores are divided by sqrt(d); a causal mask (lesson 09).

Each token's vector is projected three ways: a query (what it looks for), a
key (what it offers) and a value (what it passes on). Scores are query-key
dot products, and the rest is the attention of the earlier lessons: the
functions here reuse :mod:`lessons_lib.attention` (``attend``, ``softmax``,
``dot_scores``, ``causal_mask``).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
from numpy.typing import ArrayLike

from . import plots
from ._validate import as_matrix
from .attention import attend, causal_mask, dot_scores, softmax
from .vocab import DIMENSIONS, WORDS, Vocabulary

Figure = plots.Figure

HEAD_DIMENSIONS = ("money topic", "water topic", "thing topic")
"""Names of the three query/key coordinates of the hand-built projections."""


def hand_projections(gain: float = 3.0, *, verbs_ask: bool = False) -> dict[str, np.ndarray]:
    """Hand-built (not learned) query, key and value matrices for the toy vocabulary.

    Query and key keep the topic dimensions (finance, nature, object + container)
    and drop motion and function words, times ``gain``; the value is the identity,
    so outputs keep the vocabulary's named dimensions. With ``verbs_ask`` the query
    (only) also maps motion onto the money and water topics, "where did it
    happen?", so query and key differ and the scores are no longer symmetric.
    """
    if not isinstance(verbs_ask, (bool, np.bool_)):
        raise ValueError(f"verbs_ask must be True or False, got {verbs_ask!r}")
    topic = np.zeros((len(DIMENSIONS), len(HEAD_DIMENSIONS)))
    for dim, head in (("finance", 0), ("nature", 1), ("object", 2), ("container", 2)):
        topic[DIMENSIONS.index(dim), head] = gain
    query = topic.copy()
    if verbs_ask:
        query[DIMENSIONS.index("motion"), :2] = gain
    return {"query": query, "key": topic, "value": np.eye(len(DIMENSIONS))}


def project(vectors: ArrayLike, query: ArrayLike, key: ArrayLike, value: ArrayLike) -> tuple[np.ndarray, ...]:
    """Queries, keys and values of every token: ``vectors @ query``, ``@ key``, ``@ value``.

    Parameters
    ----------
    vectors : (n, d) one row per token
    query, key : (d, h) projection matrices (the same h for both)
    value : (d, dv)
    """
    x = as_matrix(vectors, "vectors")
    wq = as_matrix(query, "query", rows=x.shape[1])
    wk = as_matrix(key, "key", rows=x.shape[1], cols=wq.shape[1])
    wv = as_matrix(value, "value", rows=x.shape[1])
    return x @ wq, x @ wk, x @ wv


def qkv_attention(sentence: str, projections: dict[str, np.ndarray] | None = None, *, vocab: Vocabulary = WORDS,
                  causal: bool = False) -> dict[str, object]:
    """Tokens, queries, keys, values, scaled scores, weights and outputs of a sentence."""
    p = hand_projections() if projections is None else projections
    tokens, vectors = vocab.encode(sentence)
    queries, keys, values = project(vectors, p["query"], p["key"], p["value"])
    scores = dot_scores(queries, keys, scale=True)
    mask = causal_mask(len(tokens)) if causal else None
    if causal:
        scores = np.where(mask, scores, -np.inf)  # a masked pair can never get weight
    outputs, weights = attend(queries, keys, values, scale=True, mask=mask)
    return {"tokens": tokens, "queries": queries, "keys": keys, "values": values,
            "scores": scores, "weights": weights, "outputs": outputs}


# --- why divide by sqrt(d) -----------------------------------------------------------
@dataclass(frozen=True)
class Saturation:
    """Measured over seeded random vectors, per dimension d (means over trials).

    The slopes are ``w(1 - w)`` at the largest weight ``w`` of each draw (how much
    that weight still responds to its own score), averaged over the draws.
    """

    dims: np.ndarray
    score_spread: np.ndarray  # standard deviation of q.k
    largest_unscaled: np.ndarray  # mean largest softmax weight, scores q.k
    largest_scaled: np.ndarray  # the same with scores q.k / sqrt(d)
    keys: int
    slope_unscaled: np.ndarray  # mean over draws of w(1 - w), w the draw's largest weight
    slope_scaled: np.ndarray  # the same with scores q.k / sqrt(d)


def random_scores(dim: int, *, keys: int = 8, trials: int = 200, seed: int = 0) -> np.ndarray:
    """(trials, keys) dot products of a random query with random keys, entries ~ N(0, 1)."""
    for name, value in (("dim", dim), ("keys", keys), ("trials", trials)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")
    rng = np.random.default_rng([seed, dim])  # each d its own reproducible stream
    queries = rng.standard_normal((trials, 1, dim))
    key_vectors = rng.standard_normal((trials, keys, dim))
    return (queries * key_vectors).sum(axis=-1)


def saturation(dims: Sequence[int] = (1, 4, 16, 64, 256, 1024), *, keys: int = 8, trials: int = 200,
               seed: int = 0) -> Saturation:
    """How the spread of scores and the largest softmax weight grow with d, with and without scaling."""
    if len(dims) == 0:
        raise ValueError("dims must name at least one dimension")
    spread, largest, slopes = [], [], []
    for d in dims:
        scores = random_scores(d, keys=keys, trials=trials, seed=seed)
        spread.append(scores.std())
        top = [softmax(s, axis=-1).max(axis=-1) for s in (scores, scores / np.sqrt(d))]  # per draw
        largest.append([w.mean() for w in top])
        slopes.append([(w * (1 - w)).mean() for w in top])
    (unscaled, scaled), (slope_unscaled, slope_scaled) = np.array(largest).T, np.array(slopes).T
    return Saturation(np.array(dims), np.array(spread), unscaled, scaled, keys, slope_unscaled, slope_scaled)


def saturation_plot(result: Saturation) -> Figure:
    """Left: spread of scores against d. Right: mean largest weight, unscaled and scaled."""
    fig = plots.new_figure(10.0, 3.6)
    spread_ax, weight_ax = fig.subplots(1, 2)
    d = result.dims
    spread_ax.loglog(d, result.score_spread, "o-", color=plots.VERMILLION, label="q·k (measured)")
    spread_ax.loglog(d, np.sqrt(d), ":", color="black", label="√d")
    spread_ax.loglog(d, result.score_spread / np.sqrt(d), "s--", color=plots.BLUE, label="q·k / √d (measured)")
    spread_ax.set(xlabel="dimension d (log scale)", ylabel="spread of the scores (std, log scale)",
                  title="scores spread out as d grows")
    weight_ax.semilogx(d, result.largest_unscaled, "o-", color=plots.VERMILLION, label="without scaling")
    weight_ax.semilogx(d, result.largest_scaled, "s--", color=plots.BLUE, label="divided by √d")
    weight_ax.axhline(1 / result.keys, color=plots.GREY, ls=":", lw=1)
    weight_ax.annotate(f"uniform: 1/{result.keys}", (d[-1], 1 / result.keys), xytext=(0, 4),
                       textcoords="offset points", ha="right", fontsize=8, color="dimgray")
    weight_ax.set(xlabel="dimension d (log scale)", ylabel="largest weight (mean)", ylim=(0, 1.05),
                  title=f"softmax over {result.keys} keys saturates")
    plots.plain_log_labels(spread_ax, weight_ax)
    for ax in (spread_ax, weight_ax):
        ax.set_xticks(d, [str(v) for v in d])
        ax.minorticks_off()
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8, loc="center right" if ax is weight_ax else "upper left")
    return fig


def saturation_table(result: Saturation) -> str:
    """The measurements as text, one row per d."""
    body = [[str(d), f"{s:.2f}", f"{u:.3f}", f"{c:.3f}", f"{su:.3f}", f"{sc:.3f}"]
            for d, s, u, c, su, sc in zip(result.dims, result.score_spread, result.largest_unscaled,
                                          result.largest_scaled, result.slope_unscaled, result.slope_scaled)]
    header = ["d", "score std", "largest w", "largest w (÷√d)", "slope w(1-w)", "slope (÷√d)"]
    note = (f"means over the random draws ({result.keys} keys each); "
            "slope = w(1 - w) of each draw's largest weight w, averaged")
    return note + "\n" + plots.text_table(header, body)


# --- causal mask --------------------------------------------------------------------------
def masked_scores(scores: ArrayLike) -> np.ndarray:
    """Scores with every future position (j > i) set to -inf: a decoder's view."""
    s = as_matrix(scores, "scores")
    if s.shape[0] != s.shape[1]:
        raise ValueError(f"scores must be square (n, n), got shape {s.shape}")
    return np.where(causal_mask(len(s)), s, -np.inf)


def scores_table(scores: ArrayLike, tokens: Sequence[str]) -> str:
    """A square score matrix as text; masked entries print as -inf."""
    s = np.asarray(scores, dtype=float)
    labels = [str(t) for t in tokens]
    if s.ndim != 2 or s.shape != (len(labels), len(labels)):
        raise ValueError(f"scores must have shape ({len(labels)}, {len(labels)}), got {s.shape}")
    return plots.text_table([""] + labels, [[t] + [f"{v:.2f}" for v in row] for t, row in zip(labels, s)])
