"""The maths of attention: blends, softmax, scores, weight matrices, outputs.

Every function is vectorised numpy, keeps float32 as float32 (anything else
becomes float64) and checks its inputs through :mod:`lessons_lib._validate`.
"""
from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ._validate import as_distribution, as_float_array, as_matrix, as_positive, as_vector


def blend(weights: ArrayLike, vectors: ArrayLike, *, normalize: bool = False) -> np.ndarray:
    """Weighted average of row vectors.

    Parameters
    ----------
    weights : (n,) non-negative, summing to 1 (or any non-negative numbers
        with ``normalize=True``)
    vectors : (n, d) one row per word

    Returns
    -------
    (d,) the blended vector, inside the convex hull of ``vectors``.
    """
    w = as_distribution(weights, "weights", normalize=normalize, ndim=1)
    v = as_matrix(vectors, "vectors")
    if len(w) != len(v):
        raise ValueError(f"weights has {len(w)} entries but vectors has {len(v)} rows: give one weight per row")
    return w @ v


def mean_vector(vectors: ArrayLike) -> np.ndarray:
    """The plain mean of the rows of ``vectors``: every word counts the same."""
    v = as_matrix(vectors, "vectors")
    return v.mean(axis=0)


def softmax(scores: ArrayLike, axis: int = -1, temperature: float = 1.0) -> np.ndarray:
    """Turn real-valued scores into weights that are >= 0 and sum to 1.

    Parameters
    ----------
    scores : array of any shape; ``-inf`` entries act as a mask (weight 0) as
        long as every slice along ``axis`` keeps one finite score
    axis : the axis the weights sum over
    temperature : > 0; small values sharpen towards argmax, large towards uniform

    Returns
    -------
    Array of the same shape and float dtype as ``scores``.
    """
    s = as_float_array(scores, "scores", allow_neg_inf=True)
    if s.ndim == 0:
        raise ValueError("scores must be at least 1-D (one score per word), got a single number")
    t = as_positive(temperature, "temperature")
    if not isinstance(axis, (int, np.integer)) or not -s.ndim <= axis < s.ndim:
        raise ValueError(f"axis must be an integer in [{-s.ndim}, {s.ndim - 1}], got {axis!r}")
    if np.isneginf(s.max(axis=axis)).any():
        raise ValueError("scores has a row that is all -inf: every row needs one finite score")
    return _softmax(s, axis, t)


def _softmax(s: np.ndarray, axis: int = -1, temperature: float = 1.0, *, in_place: bool = False) -> np.ndarray:
    """Softmax without input checks (the caller has validated ``s``).

    ``in_place=True`` overwrites ``s`` with the weights (no second n×m array):
    only for arrays the caller made itself, such as fresh scores.
    """
    with np.errstate(over="ignore"):  # 1e308 - (-1e308) is -inf after the shift: weight 0
        # The largest score becomes 0: no overflow.
        shifted = np.subtract(s, s.max(axis=axis, keepdims=True), out=s if in_place else None)
        if temperature != 1.0:  # clip so the dtype can hold it (float32 1e-50 would be 0)
            info = np.finfo(s.dtype)
            shifted /= np.asarray(np.clip(temperature, info.tiny, info.max), dtype=s.dtype)
    np.exp(shifted, out=shifted)
    shifted *= 1 / shifted.sum(axis=axis, keepdims=True)  # one division per row, not per entry
    return shifted


def dot_scores(queries: ArrayLike, keys: ArrayLike, *, scale: bool = False) -> np.ndarray:
    """Relevance scores: the dot product of every query with every key.

    Parameters
    ----------
    queries : (n, d) or (d,) for a single query
    keys : (m, d)
    scale : divide by sqrt(d), as scaled dot-product attention does

    Returns
    -------
    (n, m) scores, or (m,) for a single query.
    """
    q = as_float_array(queries, "queries", ndim=(1, 2))
    k = as_matrix(keys, "keys", cols=q.shape[-1])
    scores = q @ k.T
    return scores / np.sqrt(q.shape[-1]).astype(scores.dtype) if scale else scores


def additive_scores(queries: ArrayLike, keys: ArrayLike, w_query: ArrayLike, w_key: ArrayLike,
                    v: ArrayLike) -> np.ndarray:
    """Additive ("Bahdanau", 2014) scores: ``v · tanh(q @ w_query + k @ w_key)`` for every pair.

    Parameters
    ----------
    queries : (n, d) one row per query (in 2014: the decoder's state)
    keys : (m, e) one row per key (in 2014: the encoder's state at each word)
    w_query : (d, h), w_key : (e, h) project both into one hidden layer of h units
    v : (h,) weighs the hidden units into one score

    Returns
    -------
    (n, m) scores. Unlike :func:`dot_scores` the score passes through a small
    network with parameters of its own, and every pair gets its own tanh layer.
    """
    q = as_matrix(queries, "queries")
    k = as_matrix(keys, "keys")
    wq = as_matrix(w_query, "w_query", rows=q.shape[1])
    wk = as_matrix(w_key, "w_key", rows=k.shape[1], cols=wq.shape[1])
    weights = as_vector(v, "v", size=wq.shape[1])
    hidden = np.tanh((q @ wq)[:, None, :] + (k @ wk)[None, :, :])  # (n, m, h)
    return hidden @ weights


def causal_mask(n: int) -> np.ndarray:
    """(n, n) boolean mask: True where token i may look at token j (j <= i)."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a positive integer, got {n!r}")
    return np.tril(np.ones((n, n), dtype=bool))


def attention_weights(
    queries: ArrayLike,
    keys: ArrayLike,
    *,
    scale: bool = False,
    temperature: float = 1.0,
    mask: ArrayLike | None = None,
) -> np.ndarray:
    """The attention weight matrix: softmax over keys of query-key scores.

    Parameters
    ----------
    queries : (n, d)
    keys : (m, d)
    scale : divide scores by sqrt(d) before the softmax
    temperature : > 0, divides the scores
    mask : optional (n, m) booleans; False entries get weight 0

    Returns
    -------
    (n, m) weights; row i is how much token i attends to each key.
    """
    q = as_matrix(queries, "queries")
    scores = dot_scores(q, keys, scale=scale)
    if mask is not None:
        scores = np.where(_as_mask(mask, scores.shape), scores, -np.inf).astype(scores.dtype)
    return softmax(scores, axis=-1, temperature=temperature)


def _as_mask(mask: ArrayLike, shape: tuple[int, ...]) -> np.ndarray:
    m = np.asarray(mask)
    if m.dtype != bool:
        raise TypeError(f"mask must be an array of booleans, got dtype {m.dtype}")
    if m.shape != shape:
        raise ValueError(f"mask must have shape {shape}, got {m.shape}")
    if not m.any(axis=-1).all():
        raise ValueError("mask has a row with no True entry: every token must see one key")
    return m


def attention_output(weights: ArrayLike, values: ArrayLike, *, normalize: bool = False) -> np.ndarray:
    """Blend the values with every row of weights at once: ``weights @ values``.

    Parameters
    ----------
    weights : (n, m), each row non-negative and summing to 1 (or any
        non-negative rows with ``normalize=True``)
    values : (m, d)

    Returns
    -------
    (n, d) one blended vector per query token.
    """
    w = as_distribution(weights, "weights", normalize=normalize, ndim=2)
    v = as_matrix(values, "values")
    if w.shape[1] != len(v):
        raise ValueError(f"weights has {w.shape[1]} columns but values has {len(v)} rows: one value per key")
    return w @ v


def attend(
    queries: ArrayLike,
    keys: ArrayLike,
    values: ArrayLike,
    *,
    scale: bool = True,
    mask: ArrayLike | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Full (scaled) dot-product attention in one call.

    Checks the inputs once, then computes scores, softmax and the output
    without re-checking the (n, m) intermediate arrays.

    Parameters
    ----------
    queries : (n, d) or (..., n, d) with leading batch/head axes
    keys : (..., m, d)
    values : (..., m, dv)
    scale : divide scores by sqrt(d)
    mask : optional booleans broadcastable to (..., n, m); False = weight 0

    Returns
    -------
    output : (..., n, dv)
    weights : (..., n, m)
    """
    q = as_float_array(queries, "queries")
    k = as_float_array(keys, "keys", ndim=q.ndim)
    v = as_float_array(values, "values", ndim=q.ndim)
    if (
        q.ndim < 2
        or k.shape[-1] != q.shape[-1]
        or k.shape[-2] != v.shape[-2]
        or not q.shape[:-2] == k.shape[:-2] == v.shape[:-2]
    ):
        raise ValueError(
            "queries (..., n, d), keys (..., m, d) and values (..., m, dv) do not fit: "
            f"got {q.shape}, {k.shape}, {v.shape}"
        )
    if scale:  # scaling the (n, d) queries is cheaper than the (n, m) scores
        q = q * np.asarray(1 / np.sqrt(q.shape[-1]), dtype=q.dtype)
    scores = q @ np.swapaxes(k, -1, -2)
    if mask is not None:
        m = np.asarray(mask)
        if m.dtype != bool:
            raise TypeError(f"mask must be an array of booleans, got dtype {m.dtype}")
        try:
            m = np.broadcast_to(m, scores.shape)
        except ValueError:
            raise ValueError(f"mask must broadcast to {scores.shape}, got {m.shape}") from None
        if not m.any(axis=-1).all():
            raise ValueError("mask has a row with no True entry: every token must see one key")
        np.copyto(scores, np.asarray(-np.inf, dtype=scores.dtype), where=~m)
    weights = _softmax(scores, in_place=True)  # the scores are ours: reuse their memory
    return weights @ v, weights


def self_attention(vectors: ArrayLike, *, scale: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Every token attends to every token, using its own vector as query, key and value.

    Returns
    -------
    weights : (n, n) and outputs : (n, d)
    """
    x = as_matrix(vectors, "vectors")
    weights = attention_weights(x, x, scale=scale)
    return weights, weights @ x
