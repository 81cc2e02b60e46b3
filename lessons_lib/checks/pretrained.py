"""Self-checks for lesson 12: reading a real pretrained model's attention."""
from __future__ import annotations

from functools import lru_cache
from typing import Any, Callable

import numpy as np

from ..pretrained.model import Forward, MiniLM, load_model
from ..pretrained.reading import BANK_RIVER, TROPHY_BIG, find_token, head_scores
from . import Verdict, as_answer, call_safely, report
from .progress import exercise

RIVER_HEAD = (0, 4)  # the head the first exercise asks about


@lru_cache(maxsize=1)
def _model() -> MiniLM:
    # load_model hands back the model the lesson already loaded: no second copy, no second hash.
    return load_model(low_memory=True)


@lru_cache(maxsize=4)
def _run(text: str) -> Forward:
    return _model().run(text)


def _river_weight() -> float:
    run = _run(BANK_RIVER)
    return float(run.head(*RIVER_HEAD)[find_token(run.tokens, "bank"), find_token(run.tokens, "river")])


@exercise("12_pretrained_model")
def check_river_weight(answer: Any) -> Verdict:
    """The weight 'bank' gives 'river' in layer 0, head 4 of the river sentence."""
    value, problem = as_answer(answer, ())
    if value is not None and abs(float(value) - _river_weight()) > 0.005:
        value, problem = None, f"{float(value):.3g} is not the weight from 'bank' to 'river' in that head"
    return report(value is not None, "Right: you read row 'bank', column 'river' of layer 0, head 4.", problem,
                  "use the river sentence's run, river_run, and its head(layer, head) matrix. Which axis "
                  "is the token that attends, which the token attended to? find_token turns a word into a position.")


def _scores_cases() -> list[tuple[np.ndarray, int, list[int]]]:
    rng = np.random.default_rng(10)
    made_up = rng.dirichlet(np.ones(5), size=(2, 3, 5))  # (layers, heads, n, n), rows sum to 1
    real = _run(BANK_RIVER).attentions
    return [(made_up, 1, [0, 3]), (made_up, 4, [2]), (real, 5, [2, 8])]


@exercise("12_pretrained_model")
def check_head_scores(function: Callable) -> Verdict:
    """A function (attentions, query, keys) -> (layers, heads) summed weights."""
    for attentions, query, keys in _scores_cases():
        result, problem = call_safely(function, attentions.copy(), query, list(keys))
        expected = head_scores(attentions, query, keys)
        if not problem:
            got, problem = as_answer(result, expected.shape)
            if got is not None and not np.allclose(got, expected, atol=1e-6):
                problem = f"for query {query} and keys {keys} your scores differ from the expected ones"
        if problem:
            return report(False, "", problem,
                          "the four axes are (layer, head, row, column). Keep every layer and head, "
                          "take one row and only the listed columns, then add along the right axis. "
                          "Print the shape after each step.")
    return report(True, "Right: one score per (layer, head), all 72 heads at once.", "", "")


def previous_token_head() -> tuple[int, int]:
    """The head whose tokens, on average, give the most weight to the token just before them."""
    maps = _run(TROPHY_BIG).attentions
    n = maps.shape[-1]
    scores = maps[:, :, np.arange(1, n), np.arange(n - 1)].mean(axis=-1)
    layer, head = np.unravel_index(np.argmax(scores), scores.shape)
    return int(layer), int(head)


def _as_pair(answer: Any) -> tuple[int, int] | None:
    """``answer`` as (layer, head) when it is two whole numbers (no rounding of 0.9 or 2.7)."""
    if isinstance(answer, (str, bytes)):
        return None
    try:
        values = list(answer)
    except TypeError:
        return None
    whole = all(isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_)) for v in values)
    return (int(values[0]), int(values[1])) if whole and len(values) == 2 else None


@exercise("12_pretrained_model")
def check_previous_token_head(answer: Any) -> Verdict:
    """(layer, head) of the 'look at the previous token' head in the trophy sentence."""
    expected, given = previous_token_head(), _as_pair(answer)
    nudge = ("each token's weight on the token before it lies just below the diagonal of a head's "
             "matrix; score every head by the average of those weights and let best_head pick.")
    if given is None:
        return report(False, "", f"expected a pair of whole numbers (layer, head), got {answer!r}", nudge)
    return report(given == expected, f"Right: layer {expected[0]}, head {expected[1]} looks one token back.",
                  f"({given[0]}, {given[1]}) is not the head that looks most at the previous token", nudge)


SOLUTIONS = {
    "check_river_weight": _river_weight,
    "check_head_scores": lambda: (lambda attentions, query, keys: np.asarray(attentions)[:, :, query, keys].sum(axis=-1)),
    "check_previous_token_head": previous_token_head,
}
