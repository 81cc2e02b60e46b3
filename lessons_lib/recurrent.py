"""A plain recurrent network (lesson 07): seeded weights, its states, and how a nudge survives.

numpy only, so the measuring worker (:mod:`lessons_lib.measuring`) can run the loop
without loading the plotting libraries.
"""
from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ._validate import as_count, as_matrix, as_positive


def random_recurrent_weights(size: int = 16, *, gain: float = 0.9, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A seeded recurrent matrix ``W`` (orthogonal times ``gain``) and input matrix ``U``.

    An orthogonal matrix keeps every length (a rotation or a reflection), so ``W``
    scales every direction by exactly ``gain`` (before tanh): < 1 shrinks, > 1 stretches.
    """
    size = as_count(size, "size")
    gain = as_positive(gain, "gain")
    rng = np.random.default_rng(seed)
    orthogonal, _ = np.linalg.qr(rng.standard_normal((size, size)))
    return gain * orthogonal, rng.standard_normal((size, size)) / np.sqrt(size)


def recurrent_states(inputs: ArrayLike, recurrent: ArrayLike, input_weights: ArrayLike) -> np.ndarray:
    """Run ``h_t = tanh(W h_(t-1) + U x_t)`` one token at a time, from ``h_(-1) = 0``.

    Parameters
    ----------
    inputs : (n, d) one row per token
    recurrent : (d, d) the matrix W
    input_weights : (d, d) the matrix U

    Returns
    -------
    (n, d) the state after each token. Step t cannot start before step t-1 ends.
    """
    x = as_matrix(inputs, "inputs")
    w = as_matrix(recurrent, "recurrent", rows=x.shape[1], cols=x.shape[1])
    u = as_matrix(input_weights, "input_weights", rows=x.shape[1], cols=x.shape[1])
    state = np.zeros(x.shape[1], dtype=x.dtype)
    states = np.empty_like(x)
    for t in range(len(x)):  # sequential: each step needs the previous state
        state = np.tanh(w @ state + u @ x[t])
        states[t] = state
    return states


def recurrent_signal(steps: int, *, gain: float = 0.9, input_scale: float = 1.0, size: int = 16,
                     seed: int = 0) -> np.ndarray:
    """How much of a tiny nudge to token 1 is still in the state k steps later.

    The effect of the nudge is carried forward with the chain rule, step by
    step, exactly as the state is: ``change_t = tanh'(...) * (W @ change_(t-1))``
    (tanh' = 1 - tanh^2), so each step multiplies by diag(tanh')·W. Strong inputs
    (``input_scale`` 1) saturate tanh and make tanh' small: the nudge fades unless the
    gain is large (2.5 with seed 0). Weak inputs (0.01) with gain <= 1 leave tanh' near 1, and
    the gain decides; with gain 1.5 the nudge grows until the state saturates, then slows.
    Returns ``|change_k| / |change_0|`` for k = 0 .. ``steps``.
    """
    steps = as_count(steps, "steps", low=0)
    input_scale = as_positive(input_scale, "input_scale")
    w, u = random_recurrent_weights(size, gain=gain, seed=seed)
    rng = np.random.default_rng(seed + 1)
    states = recurrent_states(input_scale * rng.standard_normal((steps + 1, size)), w, u)
    change = (1 - states[0] ** 2) * (u @ rng.standard_normal(size))  # token 1 nudged
    sizes = [np.linalg.norm(change)]
    for state in states[1:]:
        change = (1 - state**2) * (w @ change)  # what reaches the next step
        sizes.append(np.linalg.norm(change))
    return np.array(sizes) / sizes[0]


__all__ = ["random_recurrent_weights", "recurrent_states", "recurrent_signal"]
