"""Self-checks for the exercises.

A check prints one clear line, ``✅ ...`` or ``❌ Not yet: ...`` plus a hint,
and returns a :class:`Verdict` (truthy when it passed). It never lets a traceback escape: if the learner's
code raises, the check reports the error as a message. The topical modules
(:mod:`.basics`, ...) hold the checks of each group of lessons.
"""
from __future__ import annotations

import sys
from typing import Any, Callable

import numpy as np

PASS, FAIL = "✅", "❌"


class Verdict:
    """The result of a check: truthy when it passed.

    It shows nothing when it is a cell's value (the check already printed its
    message), so a notebook does not display a stray ``True`` or ``False``.
    """

    def __init__(self, passed: bool) -> None:
        self.passed = bool(passed)

    def __bool__(self) -> bool:
        return self.passed

    def __eq__(self, other: object) -> bool:
        return bool(self) == bool(other) if isinstance(other, (bool, Verdict)) else NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Verdict(passed={self.passed})"

    def _ipython_display_(self) -> None:
        """Display nothing: the message is already printed."""


def report(passed: bool, success: str, problem: str, hint: str) -> Verdict:
    """Print the verdict of a check and return it (truthy when passed)."""
    message = f"{PASS} {success}" if passed else f"{FAIL} Not yet: {problem}\n   Hint: {hint}"
    sys.stdout.write(message + "\n")  # one write: the notebook stores it as one stream output
    return Verdict(passed)


def as_answer(answer: Any, shape: tuple[int, ...]) -> tuple[np.ndarray | None, str]:
    """Turn a learner's answer into a float array of ``shape``, or explain why not."""
    if answer is None or answer is Ellipsis:
        return None, "the answer is still empty (replace the ... or None with your code)"
    if isinstance(answer, (str, bytes)):
        return None, "expected numbers, got text in quotes"
    try:
        array = np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        return None, f"expected numbers, got {type(answer).__name__}"
    if array.shape != shape:
        return None, f"expected shape {shape}, got {array.shape}"
    if not np.isfinite(array).all():
        return None, "the answer contains NaN or inf"
    return array, ""


def check_array(answer: Any, expected: np.ndarray, *, success: str, hint: str, atol: float = 1e-6) -> Verdict:
    """Pass when ``answer`` has the expected shape and values (within ``atol``)."""
    array, problem = as_answer(answer, expected.shape)
    if array is not None and not np.allclose(array, expected, atol=atol, rtol=0):
        problem, array = largest_gap(array, expected), None
    return report(array is not None, success, problem, hint)


def largest_gap(got: np.ndarray, expected: np.ndarray, *, digits: int = 6) -> str:
    """Where an answer is furthest off, and in which direction (never the expected value)."""
    worst = np.unravel_index(np.argmax(np.abs(got - expected)), expected.shape)
    direction = "too high" if got[worst] > expected[worst] else "too low"
    where = f"entry {tuple(int(i) for i in worst)}" if expected.ndim else "your answer"
    return f"{where} is {got[worst]:.{digits}g}, which is {direction}"


def call_safely(function: Callable, *args: Any) -> tuple[Any, str]:
    """Call the learner's function; return (result, "") or (None, what went wrong)."""
    if not callable(function):
        return None, f"expected a function, got {type(function).__name__}"
    try:
        return function(*args), ""
    except Exception as err:  # the learner's code: report, don't crash
        return None, f"your function raised {type(err).__name__}: {err}"
