"""Shared input checks: one place for every error message.

Each helper takes the value and the *name* of the argument it came from, so a
learner who passes something odd reads which argument was wrong and what was
expected, instead of a traceback from deep inside numpy.
"""
from __future__ import annotations

import numbers

import numpy as np
from numpy.typing import ArrayLike

FLOAT_TYPES = (np.float32, np.float64)


def as_float_array(
    value: ArrayLike,
    name: str,
    *,
    ndim: int | tuple[int, ...] | None = None,
    allow_neg_inf: bool = False,
) -> np.ndarray:
    """Convert ``value`` to a non-empty float array, keeping float32/float64.

    Integers and other real dtypes become float64. NaN and +inf are always
    rejected; -inf only when ``allow_neg_inf`` (used as a mask in scores).
    """
    if isinstance(value, (str, bytes)) or value is None:
        raise TypeError(f"{name} must be an array of numbers, got {type(value).__name__}")
    try:
        array = np.asarray(value)
    except (ValueError, TypeError) as err:
        raise ValueError(f"{name} must be a rectangular array of numbers ({err})") from None
    if array.dtype == object or not (
        np.issubdtype(array.dtype, np.number) or array.dtype == bool
    ) or np.issubdtype(array.dtype, np.complexfloating):
        raise TypeError(f"{name} must hold real numbers, got dtype {array.dtype}")
    if array.dtype not in FLOAT_TYPES:
        array = array.astype(np.float64)
    allowed = (ndim,) if isinstance(ndim, int) else ndim
    if allowed is not None and array.ndim not in allowed:
        wanted = " or ".join(f"{d}-D" for d in allowed)
        raise ValueError(f"{name} must be {wanted}, got {array.ndim}-D with shape {array.shape}")
    if array.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {array.shape}")
    _check_finite(array, name, allow_neg_inf)
    return array


def _check_finite(array: np.ndarray, name: str, allow_neg_inf: bool) -> None:
    if np.isfinite(array).all():  # the usual case, in one pass; the messages below need three
        return
    if np.isnan(array).any():
        raise ValueError(f"{name} must not contain NaN")
    if np.isposinf(array).any():
        raise ValueError(f"{name} must not contain +inf")
    if not allow_neg_inf and np.isneginf(array).any():
        raise ValueError(f"{name} must not contain -inf")


def as_vector(value: ArrayLike, name: str, *, size: int | None = None) -> np.ndarray:
    """A finite 1-D float array, optionally of a given length."""
    vector = as_float_array(value, name, ndim=1)
    if size is not None and vector.shape[0] != size:
        raise ValueError(f"{name} must have length {size}, got {vector.shape[0]}")
    return vector


def as_matrix(
    value: ArrayLike, name: str, *, rows: int | None = None, cols: int | None = None
) -> np.ndarray:
    """A finite 2-D float array, optionally with a given number of rows/columns."""
    matrix = as_float_array(value, name, ndim=2)
    if rows is not None and matrix.shape[0] != rows:
        raise ValueError(f"{name} must have {rows} rows, got {matrix.shape[0]} (shape {matrix.shape})")
    if cols is not None and matrix.shape[1] != cols:
        raise ValueError(f"{name} must have {cols} columns, got {matrix.shape[1]} (shape {matrix.shape})")
    return matrix


def as_distribution(
    weights: ArrayLike,
    name: str = "weights",
    *,
    normalize: bool = False,
    ndim: int | tuple[int, ...] = (1, 2),
) -> np.ndarray:
    """Weights that are non-negative and sum to 1 along the last axis.

    With ``normalize=True`` each row is rescaled to sum to 1 instead of being
    rejected (a row of zeros still cannot be rescaled).
    """
    array = as_float_array(weights, name, ndim=ndim)
    if (array < 0).any():
        raise ValueError(f"{name} must be non-negative (smallest is {array.min():.3g})")
    totals = array.sum(axis=-1, keepdims=True)
    if normalize:
        if (totals == 0).any():
            raise ValueError(f"{name} cannot be normalised: a row sums to 0")
        return array / totals
    tolerance = 1e-4 if array.dtype == np.float32 else 1e-6
    bad = np.abs(totals - 1) > tolerance
    if bad.any():
        raise ValueError(
            f"{name} must sum to 1 (got {totals[bad].flat[0]:.6g}); "
            "pass normalize=True to rescale them"
        )
    return array


def as_positive(value: float, name: str) -> float:
    """A finite real number greater than zero."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a finite number > 0, got {value}")
    return float(value)


def as_labels(labels, name: str, *, count: int) -> list[str]:
    """A list of ``count`` strings (token labels for a plot or table)."""
    if isinstance(labels, str):
        raise TypeError(f"{name} must be a list of strings, not one string")
    try:
        result = [str(label) for label in labels]
    except TypeError:
        raise TypeError(f"{name} must be a list of strings, got {type(labels).__name__}") from None
    if len(result) != count:
        raise ValueError(f"{name} must have {count} entries, got {len(result)}")
    return result


def as_count(value: int, name: str, *, low: int = 1) -> int:
    """A whole number >= ``low`` (bools are rejected: ``True`` is not a count)."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__}")
    if value < low:
        raise ValueError(f"{name} must be >= {low}, got {value}")
    return int(value)
