"""How a transformer can know word order: absolute position vectors, RoPE and ALiBi.

Self-attention without positions treats a sentence as a set. These functions
build the three common ways of adding order back, small enough to read.
"""
from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ._validate import as_count, as_float_array, as_positive


def sinusoidal_positions(n: int, d: int, *, base: float = 10000.0) -> np.ndarray:
    """(n, d) the original transformer's position vectors, for even ``d``.

    ``PE[p, 2i] = sin(p / base**(2i/d))`` and ``PE[p, 2i+1] = cos(p / base**(2i/d))``:
    each pair of columns turns at its own speed, fast on the left, slow on the right.
    """
    n, d = as_count(n, "n"), as_count(d, "d")
    if d % 2:
        raise ValueError(f"d must be even (sine and cosine come in pairs), got {d}")
    angles = _angles(np.arange(n), d, as_positive(base, "base"))
    table = np.empty((n, d))
    table[:, 0::2], table[:, 1::2] = np.sin(angles), np.cos(angles)
    return table


def _angles(positions: np.ndarray, d: int, base: float) -> np.ndarray:
    """(n, d/2): position p times each pair's speed 1 / base**(2i/d)."""
    return positions[:, None] / base ** (np.arange(0, d, 2) / d)


def rope(vectors: ArrayLike, positions: ArrayLike, *, base: float = 10000.0) -> np.ndarray:
    """Rotary position embedding: turn each pair of coordinates by an angle that grows with position.

    Parameters
    ----------
    vectors : (n, d) queries or keys, d even
    positions : (n,) each vector's position in the sentence

    Returns
    -------
    (n, d) the rotated vectors. The dot product of a query rotated at p and a key
    rotated at q depends on p - q only, not on p and q themselves.
    """
    x = as_float_array(vectors, "vectors", ndim=2)
    if x.shape[1] % 2:
        raise ValueError(f"vectors must have an even number of columns, got {x.shape[1]}")
    p = as_float_array(positions, "positions", ndim=1)
    if len(p) != len(x):
        raise ValueError(f"positions must give one position per row of vectors ({len(x)}), got {len(p)}")
    angles = _angles(p, x.shape[1], as_positive(base, "base"))
    cos, sin = np.cos(angles), np.sin(angles)
    even, odd = x[:, 0::2], x[:, 1::2]
    turned = np.empty_like(x, dtype=np.result_type(x, np.float64))
    turned[:, 0::2], turned[:, 1::2] = even * cos - odd * sin, even * sin + odd * cos
    return turned


def alibi_bias(n: int, slope: float) -> np.ndarray:
    """(n, n) ALiBi's score penalty: ``-slope * |i - j|``, added to head scores before the softmax."""
    n = as_count(n, "n")
    slope = as_positive(slope, "slope")
    where = np.arange(n)
    return -slope * np.abs(where[:, None] - where[None, :]).astype(float)


def cosine_matrix(vectors: ArrayLike) -> np.ndarray:
    """(n, n) cosine similarity of every row of ``vectors`` with every other row."""
    x = as_float_array(vectors, "vectors", ndim=2)
    lengths = np.linalg.norm(x, axis=1, keepdims=True)
    if (lengths == 0).any():
        raise ValueError("vectors has a row of zeros: its direction (and cosine) is undefined")
    unit = x / lengths
    return unit @ unit.T


def offset_scores(attentions: ArrayLike, offset: int) -> np.ndarray:
    """(..., ) the mean weight each token puts on the token ``offset`` places away (-1: the one before).

    ``attentions`` is (..., n, n); rows whose partner would fall outside the sentence are left out.
    """
    maps = as_float_array(attentions, "attentions")
    if maps.ndim < 2 or maps.shape[-1] != maps.shape[-2]:
        raise ValueError(f"attentions must be (..., n, n), got shape {maps.shape}")
    if isinstance(offset, bool) or not isinstance(offset, (int, np.integer)) or offset == 0:
        raise ValueError(f"offset must be a non-zero integer, got {offset!r}")
    n = maps.shape[-1]
    if abs(offset) >= n:
        raise ValueError(f"offset must be smaller than the sentence ({n} tokens), got {offset}")
    rows = np.arange(max(0, -offset), min(n, n - offset))
    return maps[..., rows, rows + offset].mean(axis=-1)


def similarity_figure(panels: dict[str, ArrayLike], *, every: int = 8):
    """(n, n) cosine-similarity matrices side by side on one -1..1 colour scale (position p vs q)."""
    from . import plots

    if not panels:
        raise ValueError("panels must hold at least one titled (n, n) matrix")
    fig = plots.new_figure(3.9 * len(panels) + 0.7, 3.7)
    axes = np.atleast_1d(fig.subplots(1, len(panels)))
    for k, (ax, (title, matrix)) in enumerate(zip(axes, panels.items())):
        s = as_float_array(matrix, "panels", ndim=2)
        image = ax.imshow(s, cmap=plots.HEATMAP_CMAP, vmin=-1, vmax=1)
        ticks = np.arange(0, len(s), every)
        ax.set_xticks(ticks, [str(t) for t in ticks])
        ax.set_yticks(ticks, [str(t) for t in ticks])
        ax.set_title(title)
        ax.set_xlabel("position q")
        if k == 0:
            ax.set_ylabel("position p")
    fig.colorbar(image, ax=list(axes), label="cosine similarity", shrink=0.9)
    return fig


def offset_profile(similarity: ArrayLike, offsets) -> tuple[np.ndarray, np.ndarray]:
    """For each offset k: the mean and the spread (max - min) of similarity[p, p + k] over p."""
    s = as_float_array(similarity, "similarity", ndim=2)
    means, spreads = [], []
    for k in offsets:
        diagonal = np.diagonal(s, offset=int(k))
        means.append(diagonal.mean())
        spreads.append(diagonal.max() - diagonal.min())
    return np.array(means), np.array(spreads)
