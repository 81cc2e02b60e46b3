"""The maths of attention: blends, softmax, scores, weight matrices, outputs.

``attend`` is the plain reference; ``attend_blockwise`` computes the same output
one block of keys at a time (online softmax), without the n×m weight matrix.

Every function is vectorised numpy, keeps float32 as float32 (anything else
becomes float64) and checks its inputs through :mod:`lessons_lib._validate`.
"""
from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike
from threadpoolctl import threadpool_limits

from ._validate import as_count, as_distribution, as_float_array, as_matrix, as_positive, as_vector


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
    without re-checking the (n, m) intermediate arrays. It builds the whole
    (..., n, m) weight matrix: the plain reference to read. When only the
    output is needed and n × m numbers are too many to hold (thousands of
    tokens), :func:`attend_blockwise` gives the same output in n × block memory.

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
    q, k, v = _checked_qkv(queries, keys, values, scale)
    scores = q @ np.swapaxes(k, -1, -2)
    if mask is not None:
        m = _checked_mask(mask, scores.shape)
        np.copyto(scores, np.asarray(-np.inf, dtype=scores.dtype), where=~m)
    weights = _softmax(scores, in_place=True)  # the scores are ours: reuse their memory
    return weights @ v, weights


def _checked_qkv(queries: ArrayLike, keys: ArrayLike, values: ArrayLike,
                 scale: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Validated float arrays of matching shapes; the queries divided by sqrt(d) when ``scale``."""
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
    return q, k, v


def _checked_mask(mask: ArrayLike, shape: tuple[int, ...]) -> np.ndarray:
    """A boolean mask broadcast (as a view, no copy) to ``shape``, every row with one True entry."""
    m = np.asarray(mask)
    if m.dtype != bool:
        raise TypeError(f"mask must be an array of booleans (True = may attend), got dtype {m.dtype}")
    try:
        m = np.broadcast_to(m, shape)
    except ValueError:
        raise ValueError(f"mask must have shape {shape} (or broadcast to it), got {m.shape}") from None
    if not m.any(axis=-1).all():
        raise ValueError("mask has a row with no True entry: every token must see one key")
    return m


# --- exact attention without the n×m matrix: online softmax ---------------------------
class Partial(NamedTuple):
    """Softmax attention over *some* of the keys, in a form that merges exactly.

    For the scores s_j and values v_j of those keys, with M = max_j s_j:

    - ``maximum`` (..., 1): M (``-inf`` when every one of those keys is masked);
    - ``total`` (..., 1): sum_j exp(s_j - M);
    - ``weighted`` (..., dv): sum_j exp(s_j - M) v_j.

    ``weighted / total`` is the attention output over those keys alone.
    """

    maximum: np.ndarray
    total: np.ndarray
    weighted: np.ndarray


def _partial(scores: np.ndarray, values: np.ndarray) -> Partial:
    """The :class:`Partial` of one set of keys; overwrites ``scores`` (the caller's own array)."""
    maximum = scores.max(axis=-1, keepdims=True)
    with np.errstate(over="ignore"):  # 1e308 - (-1e308) is -inf: weight 0, as in _softmax
        np.subtract(scores, _finite(maximum), out=scores)
    np.exp(scores, out=scores)
    return Partial(maximum, scores.sum(axis=-1, keepdims=True), scores @ values)


def _finite(maximum: np.ndarray) -> np.ndarray:
    """The maximum to subtract: 0 in rows whose keys are all masked so far (their exps are 0 anyway)."""
    return np.where(np.isneginf(maximum), 0, maximum)


def _rescale_factor(old: np.ndarray, new: np.ndarray) -> np.ndarray:
    """exp(old - new) <= 1: turns sums of exp(s - old) into sums of exp(s - new), never overflowing."""
    with np.errstate(over="ignore"):
        return np.exp(old - _finite(new))


def _merge(first: Partial, second: Partial) -> Partial:
    """Two partials over disjoint keys -> the partial over all of them (no input checks).

    Both are rescaled to their common maximum M, then their totals and weighted
    sums simply add: exp(s - a) * exp(a - M) = exp(s - M) for every score s.
    """
    maximum = np.maximum(first.maximum, second.maximum)
    a, b = _rescale_factor(first.maximum, maximum), _rescale_factor(second.maximum, maximum)
    return Partial(maximum, first.total * a + second.total * b, first.weighted * a + second.weighted * b)


def merge_partials(first: Partial, second: Partial) -> Partial:
    """Merge the softmax attention of two disjoint sets of keys into that of all of them.

    Parameters
    ----------
    first, second : :class:`Partial` of the same queries, each over its own keys

    Returns
    -------
    The :class:`Partial` over both sets of keys: exactly what one softmax over all
    of them gives (``merged.weighted / merged.total`` is the attention output).
    """
    parts = []
    for name, part in (("first", first), ("second", second)):
        if not isinstance(part, Partial):
            raise TypeError(f"{name} must be a Partial (maximum, total, weighted), got {type(part).__name__}")
        parts.append(Partial(as_float_array(part.maximum, f"{name}.maximum", allow_neg_inf=True),
                             as_float_array(part.total, f"{name}.total"),
                             as_float_array(part.weighted, f"{name}.weighted")))
    return _merge(*parts)


def partial_attention(queries: ArrayLike, keys: ArrayLike, values: ArrayLike, *, scale: bool = True) -> Partial:
    """The :class:`Partial` of scaled dot-product attention over the given keys.

    Parameters
    ----------
    queries : (n, d) ; keys : (m, d) ; values : (m, dv), as for :func:`attend`

    Returns
    -------
    :class:`Partial` with ``maximum`` and ``total`` (n, 1) and ``weighted`` (n, dv).
    """
    q, k, v = _checked_qkv(queries, keys, values, scale)
    return _partial(q @ np.swapaxes(k, -1, -2), v)


def attend_blockwise(
    queries: ArrayLike,
    keys: ArrayLike,
    values: ArrayLike,
    *,
    block: int = 256,
    scale: bool = True,
    mask: ArrayLike | None = None,
) -> np.ndarray:
    """The output of :func:`attend`, computed one block of keys at a time (online softmax).

    Each block of ``block`` keys adds its exponentials and weighted values to running
    sums, taken against a running maximum and rescaled when that maximum moves (as
    :func:`merge_partials` does). The maximum is moved only when a block would otherwise
    overflow, which saves a pass over each block's scores; any shift gives the same
    output. No (n, m) array ever exists: at most n × ``block`` scores at once.
    Blocks of query rows run on a small thread pool (numpy's matrix products and
    exponentials release the GIL). A block that the mask hides completely, such as
    one above the diagonal of a causal mask, is skipped.

    Parameters
    ----------
    queries : (n, d) or (..., n, d) ; keys : (..., m, d) ; values : (..., m, dv)
    block : keys per block, a positive integer (any size; the last block may be shorter)
    scale : divide scores by sqrt(d)
    mask : optional booleans broadcastable to (..., n, m); False = weight 0

    Returns
    -------
    (..., n, dv) the same output as ``attend(queries, keys, values)[0]``.
    """
    q, k, v = _checked_qkv(queries, keys, values, scale)
    block = as_count(block, "block")
    m = None if mask is None else _checked_mask(mask, q.shape[:-1] + k.shape[-2:-1])
    n, workers = q.shape[-2], _workers()
    row_blocks = [slice(start, start + block) for start in range(0, n, block)]
    output = np.empty(q.shape[:-1] + v.shape[-1:], dtype=np.result_type(q, k, v))
    v1 = np.concatenate([v, np.ones(v.shape[:-1] + (1,), dtype=v.dtype)], axis=-1)  # values | 1 (see _attend_rows)
    k1 = np.concatenate([k, np.ones(k.shape[:-1] + (1,), dtype=k.dtype)], axis=-1)  # keys | 1 (see _attend_rows)

    def rows_output(rows: slice) -> None:  # one block of query rows against every key block
        output[..., rows, :] = _attend_rows(q[..., rows, :], k1, v1, None if m is None else m[..., rows, :], block)

    if workers == 1 or len(row_blocks) == 1:
        for rows in row_blocks:
            rows_output(rows)
    else:  # each thread runs its own products, so numpy's BLAS keeps to one thread
        with threadpool_limits(limits=1, user_api="blas"), ThreadPoolExecutor(workers) as pool:
            list(pool.map(rows_output, row_blocks))
    return output


def _workers() -> int:
    """Threads for :func:`attend_blockwise`: the cores this process may use, at most 4."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(1, min(4, cores))


_HEADROOM = 1e30  # the largest block sum taken without re-shifting (float32 overflows near 3.4e38)


def _attend_rows(q: np.ndarray, k1: np.ndarray, v1: np.ndarray, mask: np.ndarray | None, block: int) -> np.ndarray:
    """Online softmax for some query rows: visit the keys block by block, merging as it goes.

    ``k1`` and ``v1`` hold the keys and the values with a column of ones appended. So one
    matrix product of the values gives both the weighted sum of the values and, in its
    last column, the sum of the exponentials; and with the queries' own last column
    set to ``-shift``, one product of the keys gives the scores minus ``shift``. Every
    exp is taken as exp(score - shift), where ``shift`` plays the running maximum's part:
    any shift gives the same output as long as nothing overflows (see :func:`_merge`).
    So a block is first tried with the shift kept so far, without a pass to find its own
    maximum; only when that would overflow (or a row has seen no key yet) is it redone
    the textbook way: shift = max(shift, block max), and the sums so far rescaled by
    exp(old shift - new shift).
    """
    shift = shifted_q = None  # shifted_q: the queries | -shift
    sums = np.zeros(q.shape[:-1] + v1.shape[-1:], dtype=np.result_type(q, k1, v1))  # weighted | total
    for start in range(0, k1.shape[-2], block):
        keys = slice(start, start + block)
        if mask is not None and not mask[..., keys].any():  # e.g. above a causal mask's diagonal
            continue
        if shifted_q is not None:  # a row that has seen no key yet has shift -inf: it fails the test below
            part = _shifted_part(shifted_q, k1, v1, mask, keys)
            if np.isfinite(part).all() and (part[..., -1] <= _HEADROOM).all():
                sums += part
                continue
        scores = _block_scores(q, k1[..., :-1], mask, keys)  # rare: find this block's maximum first
        new_shift = scores.max(axis=-1, keepdims=True)  # -inf in rows that have seen no key yet
        if shift is not None:
            new_shift = np.maximum(shift, new_shift)
            sums *= _rescale_factor(shift, new_shift)  # the old sums, on the new shift's scale
        sums += _exps(scores, _finite(new_shift)) @ v1[..., keys, :]
        del scores  # one block of scores alive at a time: free it before the next is made
        shift = new_shift
        shifted_q = np.concatenate([q, -shift], axis=-1)
    return sums[..., :-1] / sums[..., -1:]


def _shifted_part(shifted_q: np.ndarray, k1: np.ndarray, v1: np.ndarray, mask: np.ndarray | None,
                  keys: slice) -> np.ndarray:
    """exp(score - shift) @ (values | 1) for one block of keys; its block of scores is freed on return."""
    with np.errstate(over="ignore", invalid="ignore"):  # inf or NaN: the caller redoes the block
        scores = _block_scores(shifted_q, k1, mask, keys)  # score - shift, in the product
        return np.exp(scores, out=scores) @ v1[..., keys, :]


def _block_scores(q: np.ndarray, k: np.ndarray, mask: np.ndarray | None, keys: slice) -> np.ndarray:
    """(rows, block) scores of the queries against one block of keys, -inf where masked."""
    scores = q @ np.swapaxes(k[..., keys, :], -1, -2)  # the only scores alive for these rows
    if mask is not None:
        np.copyto(scores, np.asarray(-np.inf, dtype=scores.dtype), where=~mask[..., keys])
    return scores


def _exps(scores: np.ndarray, shift: np.ndarray) -> np.ndarray:
    """exp(scores - shift), in place (the scores are the caller's own)."""
    with np.errstate(over="ignore", invalid="ignore"):  # inf or NaN is caught by the caller, never kept
        np.subtract(scores, shift, out=scores)
        return np.exp(scores, out=scores)


def self_attention(vectors: ArrayLike, *, scale: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Every token attends to every token, using its own vector as query, key and value.

    Returns
    -------
    weights : (n, n) and outputs : (n, d)
    """
    x = as_matrix(vectors, "vectors")
    weights = attention_weights(x, x, scale=scale)
    return weights, weights @ x
