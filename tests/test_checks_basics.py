"""The self-checks of lessons 00-03: the right answer passes, wrong answers fail politely."""
import numpy as np
import pytest

from lessons_lib import WORDS, softmax
from lessons_lib.checks import Verdict, as_answer, call_safely, check_array, report
from lessons_lib.checks import basics
from lessons_lib.vocab import BANK_HAND_WEIGHTS, BANK_SENTENCE, RIVER_SENTENCE, hand_weights, tokenize

CHECKS = sorted(
    name for name, value in vars(basics).items()
    if name.startswith("check_") and getattr(value, "__module__", "") == basics.__name__
)


def bank_matrices():
    vectors = WORDS.vectors(BANK_SENTENCE)
    scores = vectors @ vectors.T
    return vectors, scores, softmax(scores, axis=1)


def _wrong_answers():
    """For each check: (a wrong-shaped answer, a plausible wrong answer)."""
    vectors, scores, weights = bank_matrices()
    river = tokenize(RIVER_SENTENCE)
    return {
        "check_warmup": ([5.0, 5.0], 2 + 4 + 9),
        "check_plain_mean": (vectors, hand_weights(tokenize(BANK_SENTENCE), BANK_HAND_WEIGHTS, 0.2) @ vectors),
        "check_bank_blend": (hand_weights(tokenize(BANK_SENTENCE), BANK_HAND_WEIGHTS, 0.2), vectors.mean(axis=0)),
        "check_river_weights": (np.full(7, 1 / 7), np.full(len(river), 1 / len(river))),
        "check_softmax": (lambda s: np.exp(s).sum(), lambda s: s / s.sum()),
        "check_temperature": ([0.25], 2.0),
        "check_scores": (scores[:3], weights),
        "check_weight_matrix": (weights[0], softmax(scores, axis=0)),
        "check_outputs": (weights, scores @ vectors),
        "check_permutation_prediction": ("True", False),
    }


WRONG = _wrong_answers()


def passed(result):
    """A check returns a Verdict: truthy exactly when it passed."""
    assert isinstance(result, Verdict)
    return result.passed


def assert_failed(result, capsys):
    out = capsys.readouterr().out
    assert not passed(result) and not result
    assert out.startswith("❌ Not yet:") and "Hint:" in out and "✅" not in out
    return out


def test_every_check_has_a_solution_and_a_wrong_answer_under_test():
    assert CHECKS == sorted(basics.SOLUTIONS) == sorted(WRONG)


@pytest.mark.parametrize("name", CHECKS)
def test_the_solution_passes_the_check(name, capsys):
    result = getattr(basics, name)(basics.SOLUTIONS[name]())
    out = capsys.readouterr().out
    assert passed(result) and result
    assert out.startswith("✅") and "❌" not in out


@pytest.mark.parametrize("stub", [..., None], ids=["ellipsis", "None"])
@pytest.mark.parametrize("name", CHECKS)
def test_the_stub_fails_the_check_without_raising(name, stub, capsys):
    assert_failed(getattr(basics, name)(stub), capsys)


@pytest.mark.parametrize("name", CHECKS)
def test_a_wrong_shaped_answer_fails_the_check(name, capsys):
    assert_failed(getattr(basics, name)(WRONG[name][0]), capsys)


@pytest.mark.parametrize("name", CHECKS)
def test_a_plausible_wrong_answer_fails_the_check(name, capsys):
    assert_failed(getattr(basics, name)(WRONG[name][1]), capsys)


@pytest.mark.parametrize("answer", ["five", {"a": 1}, [[1.0], [1.0, 2.0]], float("nan"), 1j], ids=repr)
@pytest.mark.parametrize("name", [n for n in CHECKS if n not in ("check_softmax", "check_temperature")])
def test_odd_answers_fail_the_check_without_raising(name, answer, capsys):
    assert_failed(getattr(basics, name)(answer), capsys)


def test_the_stub_message_says_the_answer_is_still_empty(capsys):
    basics.check_plain_mean(...)
    assert "the answer is still empty" in capsys.readouterr().out


def test_a_wrong_value_names_the_entry_and_the_expected_value(capsys):
    basics.check_bank_blend(np.zeros(6))
    out = capsys.readouterr().out
    assert "entry (0,) is 0, which is too low" in out and "0.69" not in out


def test_a_wrong_single_number_is_described_as_your_answer(capsys):
    basics.check_warmup(6)
    out = capsys.readouterr().out
    assert "your answer is 6, which is too high" in out and "5" not in out.split("Hint")[0]


# --- check_softmax -------------------------------------------------------------------


def stable_softmax(scores):
    exps = np.exp(scores - scores.max())
    return exps / exps.sum()


def test_check_softmax_passes_a_stable_softmax(capsys):
    assert passed(basics.check_softmax(stable_softmax))
    assert "survives scores of 1000" in capsys.readouterr().out


def test_check_softmax_passes_the_library_softmax(capsys):
    assert passed(basics.check_softmax(softmax))


def test_check_softmax_fails_the_naive_softmax_that_overflows(capsys):
    with np.errstate(over="ignore", invalid="ignore"):
        result = basics.check_softmax(lambda s: np.exp(s) / np.exp(s).sum())
    out = assert_failed(result, capsys)
    assert "NaN or inf" in out


def test_check_softmax_reports_an_exception_instead_of_raising(capsys):
    def broken(scores):
        raise ZeroDivisionError("oops")

    out = assert_failed(basics.check_softmax(broken), capsys)
    assert "your function raised ZeroDivisionError: oops" in out


def test_check_softmax_fails_a_softmax_over_the_wrong_numbers(capsys):
    out = assert_failed(basics.check_softmax(lambda s: np.exp(s - s.max()) / 2), capsys)
    assert "for scores [1.0, 2.0, 3.0]" in out


def test_check_softmax_fails_something_that_is_not_a_function(capsys):
    out = assert_failed(basics.check_softmax(np.array([0.1, 0.2, 0.7])), capsys)
    assert "expected a function" in out


def test_check_softmax_gives_the_learner_a_copy_of_the_scores(capsys):
    def in_place(scores):
        scores -= scores.max()
        np.exp(scores, out=scores)
        scores /= scores.sum()
        return scores

    assert passed(basics.check_softmax(in_place))


# --- check_temperature and check_river_weights -------------------------------------------


@pytest.mark.parametrize("temperature", [0, -0.5, float("nan"), float("inf"), True, "0.2"], ids=repr)
def test_check_temperature_fails_values_that_are_not_a_positive_number(temperature, capsys):
    assert_failed(basics.check_temperature(temperature), capsys)


def test_check_temperature_accepts_a_numpy_number(capsys):
    assert passed(basics.check_temperature(np.float32(0.25)))


def test_check_temperature_fails_the_default_temperature(capsys):
    out = assert_failed(basics.check_temperature(1.0), capsys)
    assert "'money' gets only 0.629" in out


@pytest.mark.parametrize(
    "weights",
    [np.array([0.0, 0.6, 0.0, 0.0, 0.0, 0.0, 0.0, 0.6]), np.array([0.0, 1.5, 0.0, 0.0, 0.0, 0.0, 0.0, -0.5])],
    ids=["sum-above-one", "negative"],
)
def test_check_river_weights_fails_weights_that_are_not_a_distribution(weights, capsys):
    out = assert_failed(basics.check_river_weights(weights), capsys)
    assert "must be >= 0" in out if (weights < 0).any() else "must sum to 1 (they sum to 1.200)" in out


def test_check_river_weights_fails_weights_that_leave_bank_financial(capsys):
    weights = np.eye(8)[4]  # all weight on "bank": nature 0.5, finance 0.5
    out = assert_failed(basics.check_river_weights(weights), capsys)
    assert "nature 0.50 and finance 0.50" in out


# --- the shared helpers ----------------------------------------------------------------------


def test_report_returns_its_verdict_and_prints_the_hint_only_on_failure(capsys):
    assert passed(report(True, "yes", "no", "try"))
    assert capsys.readouterr().out == "✅ yes\n"
    assert not passed(report(False, "yes", "no", "try"))
    assert capsys.readouterr().out == "❌ Not yet: no\n   Hint: try\n"


def test_as_answer_explains_a_wrong_shape():
    assert as_answer([1, 2], (3,)) == (None, "expected shape (3,), got (2,)")


def test_check_array_uses_an_absolute_tolerance(capsys):
    assert passed(check_array(np.array([1.0 + 1e-8]), np.array([1.0]), success="ok", hint="h"))
    assert not passed(check_array(np.array([1.001]), np.array([1.0]), success="ok", hint="h"))


def test_call_safely_returns_the_result_or_the_error():
    assert call_safely(len, [1, 2]) == (2, "")
    assert call_safely(int, "x")[1].startswith("your function raised ValueError")


def test_a_verdict_equals_the_bool_it_stands_for_and_shows_nothing_as_a_cell_value():
    assert Verdict(True) == True and Verdict(False) == False  # noqa: E712 - the comparison is the point
    assert Verdict(True) != Verdict(False)
    assert Verdict(False)._ipython_display_() is None
