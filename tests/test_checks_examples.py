"""The self-checks of lessons 04-06: the right answer passes, wrong answers fail politely."""
import numpy as np
import pytest

from lessons_lib import WORDS
from lessons_lib.checks import Verdict
from lessons_lib.checks import examples as checks
from lessons_lib.examples import FISHING_SENTENCE

CHECKS = sorted(
    name for name, value in vars(checks).items()
    if name.startswith("check_") and getattr(value, "__module__", "") == checks.__name__
)

ODD_ANSWERS = [None, "bank", np.zeros((2, 2)), 3.5, True, [1, 2]]


def assert_failed(result, capsys):
    out = capsys.readouterr().out
    assert isinstance(result, Verdict) and not result
    assert out.startswith("❌ Not yet:") and "Hint:" in out and "✅" not in out
    return out


def test_every_check_has_a_solution_and_a_wrong_answer():
    assert CHECKS == sorted(checks.SOLUTIONS) == sorted(checks.WRONG_ANSWERS)


@pytest.mark.parametrize("name", CHECKS)
def test_the_solution_passes_the_check(name, capsys):
    result = getattr(checks, name)(checks.SOLUTIONS[name]())
    assert isinstance(result, Verdict) and result
    assert capsys.readouterr().out.startswith("✅")


@pytest.mark.parametrize("name", CHECKS)
def test_the_stub_fails_the_check(name, capsys):
    out = assert_failed(getattr(checks, name)(...), capsys)
    assert "still empty" in out


@pytest.mark.parametrize("name", CHECKS)
def test_a_plausible_wrong_answer_fails_the_check(name, capsys):
    assert_failed(getattr(checks, name)(checks.WRONG_ANSWERS[name]()), capsys)


@pytest.mark.parametrize("answer", ODD_ANSWERS, ids=repr)
@pytest.mark.parametrize("name", CHECKS)
def test_odd_answers_fail_the_check_without_raising(name, answer, capsys):
    assert_failed(getattr(checks, name)(answer), capsys)


def test_the_lessons_fishing_sentence_does_not_count_as_your_own(capsys):
    out = assert_failed(checks.check_river_sentence(FISHING_SENTENCE), capsys)
    assert "your own" in out


def test_a_river_sentence_with_a_typo_gets_close_words(capsys):
    out = assert_failed(checks.check_river_sentence("we fished by the bank of the rivr"), capsys)
    assert "river" in out


def test_any_river_sentence_of_your_own_passes(capsys):
    assert checks.check_river_sentence("the boat sat in the water by the bank")
    assert checks.check_river_sentence("We walked on the grass by the muddy bank.")


def test_the_box_answer_ignores_case_and_spaces(capsys):
    assert checks.check_box_referent("  Box ")


def test_a_length_that_was_not_measured_is_named(capsys):
    out = assert_failed(checks.check_bottleneck_length(10), capsys)
    assert "not measured" in out


def test_the_small_query_check_names_the_wrong_entry(capsys):
    out = assert_failed(checks.check_small_query(WORDS.vector("it")), capsys)
    assert "entry (5,)" in out
