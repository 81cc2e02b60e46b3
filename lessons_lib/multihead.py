"""Multi-head attention: split the width into heads, attend in each, concatenate, mix with W_O.

One implementation, used by the lessons and by the real model's layers
(:mod:`lessons_lib.pretrained.model`). Weight matrices follow the lessons'
convention ``x @ w`` (rows are input features, columns output features).
Heads are contiguous slices of the width, as in BERT-style models: head h
owns columns ``h * width/heads`` up to ``(h + 1) * width/heads``.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
from numpy.typing import ArrayLike

from ._validate import as_count, as_float_array, as_matrix, as_positive, as_vector
from .attention import _checked_mask, attend


def split_heads(x: ArrayLike, heads: int) -> np.ndarray:
    """(..., n, width) -> (..., heads, n, width / heads): head h gets the h-th contiguous slice."""
    array = as_float_array(x, "x")
    heads = _as_heads(heads, array.shape[-1])
    *lead, n, width = array.shape
    return np.moveaxis(array.reshape(*lead, n, heads, width // heads), -2, -3)


def merge_heads(x: ArrayLike) -> np.ndarray:
    """(..., heads, n, size) -> (..., n, heads * size): the heads' outputs side by side."""
    array = as_float_array(x, "x")
    if array.ndim < 3:
        raise ValueError(f"x must be (..., heads, n, size), got shape {array.shape}")
    *lead, heads, n, size = array.shape
    return np.moveaxis(array, -3, -2).reshape(*lead, n, heads * size)


def _as_heads(heads: int, width: int) -> int:
    count = as_count(heads, "heads")
    if width % count:
        raise ValueError(f"heads must divide the width {width} into equal slices, got heads={count}")
    return count


def _as_key_mask(mask: ArrayLike, lead: tuple[int, ...], n: int) -> np.ndarray:
    """``mask`` broadcast to (*lead, 1, n, n), ready for the heads axis; True = may attend."""
    return _checked_mask(mask, (*lead, n, n))[..., None, :, :]


def multi_head_attention(
    x: ArrayLike,
    w_query: ArrayLike,
    w_key: ArrayLike,
    w_value: ArrayLike,
    w_out: ArrayLike,
    *,
    heads: int,
    mask: ArrayLike | None = None,
    biases: Sequence[ArrayLike] | None = None,
    return_weights: bool = False,
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """Self-attention with several heads, the way a transformer layer does it.

    Parameters
    ----------
    x : (n, width) token vectors, or (batch, n, width)
    w_query, w_key, w_value, w_out : (width, width) matrices, used as ``x @ w``
    heads : how many heads; must divide ``width``
    mask : optional booleans of shape (n, n) (or (batch, n, n), or anything that
        broadcasts to it): True = may attend, as :func:`~lessons_lib.attention.causal_mask`
    biases : optional four (width,) vectors added after the query, key, value and
        output projections
    return_weights : also return every head's weights

    Returns
    -------
    output : (n, width) (or (batch, n, width))
    weights : (heads, n, n) (or (batch, heads, n, n)), only with ``return_weights=True``
    """
    tokens = as_float_array(x, "x", ndim=(2, 3))
    *lead, n, width = tokens.shape
    heads = _as_heads(heads, width)
    matrices = [as_matrix(w, name, rows=width, cols=width) for w, name in
                ((w_query, "w_query"), (w_key, "w_key"), (w_value, "w_value"), (w_out, "w_out"))]
    if biases is None:
        shifts = [None] * 4
    elif isinstance(biases, (str, bytes)) or len(biases) != 4:
        raise ValueError("biases must be four (width,) vectors: query, key, value and output")
    else:
        shifts = [as_vector(b, f"biases[{k}]", size=width) for k, b in enumerate(biases)]
    q, k, v = (_project(tokens, w, b) for w, b in zip(matrices[:3], shifts[:3]))
    key_mask = None if mask is None else _as_key_mask(mask, tuple(lead), n)
    mixed, weights = attend(split_heads(q, heads), split_heads(k, heads), split_heads(v, heads),
                            scale=True, mask=key_mask)
    output = _project(merge_heads(mixed), matrices[3], shifts[3])
    return (output, weights) if return_weights else output


def _project(x: np.ndarray, w: np.ndarray, b: np.ndarray | None) -> np.ndarray:
    return x @ w if b is None else x @ w + b


# --- a hand-built toy: two relations at once ----------------------------------------
TOY_TOKENS = ("the", "black", "cat", "chased", "a", "mouse")
TOY_FEATURES = ("colour", "animal", "action", "other")


def toy_two_relations(gain: float = 6.0) -> dict[str, object]:
    """Hand-built vectors and projections (a toy, not learned) where two heads do two jobs.

    Each token's vector marks one of four named features. Head 1 (columns 0-1)
    lets an animal look for a colour word; head 2 (columns 2-3) lets it look for
    an action word. Each head's value passes on the feature it looked for, and
    W_O is the identity, so head 1 writes "colour" and head 2 "action".

    Returns
    -------
    {"tokens", "features", "x": (6, 4), "w_query", "w_key", "w_value", "w_out": (4, 4)}
    """
    g = as_positive(gain, "gain")
    x = np.zeros((len(TOY_TOKENS), 4))
    for row, feature in enumerate([3, 0, 1, 2, 3, 1]):  # the: other, black: colour, cat: animal, ...
        x[row, feature] = 1.0
    w_query, w_key, w_value = np.zeros((4, 4)), np.zeros((4, 4)), np.zeros((4, 4))
    w_query[1, 0] = w_query[1, 2] = g  # head 1 and head 2: an animal asks
    w_key[0, 0] = 1.0  # head 1 answers with "colour"
    w_key[2, 2] = 1.0  # head 2 answers with "action"
    w_value[0, 0] = w_value[2, 2] = 1.0  # pass on colour (head 1) and action (head 2)
    return {"tokens": list(TOY_TOKENS), "features": list(TOY_FEATURES), "x": x, "w_query": w_query,
            "w_key": w_key, "w_value": w_value, "w_out": np.eye(4)}


def heads_figure(weights: ArrayLike, tokens: Sequence[str], titles: Sequence[str], *, row: int | None = None):
    """Several (n, n) weight matrices side by side on one 0-1 colour scale.

    Parameters
    ----------
    weights : (panels, n, n)
    tokens : the n token labels
    titles : one title per panel
    row : show only this query row of each matrix (one row of cells per panel)
    """
    from . import plots

    maps = as_float_array(weights, "weights", ndim=3)
    if len(titles) != len(maps):
        raise ValueError(f"titles must name each of the {len(maps)} panels, got {len(titles)}")
    fig = plots.new_figure(3.6 * len(maps) + 0.6, 3.6 if row is None else 1.8)
    for k, (ax, matrix, title) in enumerate(zip(np.atleast_1d(fig.subplots(1, len(maps))), maps, titles)):
        shown, rows = (matrix, list(tokens)) if row is None else (matrix[row:row + 1], [tokens[row]])
        plots.heatmap_plot(shown, rows, list(tokens), ax=ax, title=title, ylabel="token" if k == 0 else "")
        if k < len(maps) - 1:
            fig.axes[-1].remove()  # one colour bar, on the last panel
    return fig
