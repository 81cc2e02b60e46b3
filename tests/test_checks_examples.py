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


@pytest.mark.parametrize("sentence, reason", [
    ("bank river", "at least 5 words"),
    ("the bank of the river", "fishing sentence"),
    ("We fished by the bank of the river river", "lesson's sentences"),
    ("I walked by the bank to the river", "lesson's sentences"),
    ("We fished by a bank of the river", "lesson's sentences"),
    ("the boat sat by the muddy bank", "lesson's sentences"),
    ("water grass bank river fish", "list of words"),
    ("she walked to the the muddy bank", "list of words"),
    ("she sat by the water and the bank and the water", "repeated"),
])
def test_a_river_sentence_that_is_not_really_your_own_fails(sentence, reason, capsys):
    out = assert_failed(checks.check_river_sentence(sentence), capsys)
    assert reason in out


def test_any_river_sentence_of_your_own_passes(capsys):
    assert checks.check_river_sentence("the boat sat in the water by the bank")
    assert checks.check_river_sentence("We walked on the grass by the muddy bank.")


def test_the_fishing_sentence_reordered_does_not_count_as_your_own(capsys):
    out = assert_failed(checks.check_river_sentence("river bank the of fished we"), capsys)
    assert "fishing sentence" in out


def test_the_fishing_sentence_padded_with_glue_words_does_not_count_as_your_own(capsys):
    out = assert_failed(checks.check_river_sentence("the we fished by the bank of the river the"), capsys)
    assert "fishing sentence" in out


def test_the_fishing_sentence_with_one_word_changed_and_reordered_does_not_count(capsys):
    out = assert_failed(checks.check_river_sentence("We fished the river by the muddy bank"), capsys)
    assert "reordered or with one word" in out


def test_a_new_sentence_two_words_away_from_an_idea_passes(capsys):
    assert checks.check_river_sentence("the water is by the bank")


def test_a_rounded_answer_is_told_not_to_round(capsys):
    rounded = np.round(checks.SOLUTIONS["check_river_blend"](), 3)
    out = assert_failed(checks.check_river_blend(rounded), capsys)
    assert "round" in out and "too high" not in out and "too low" not in out


def test_a_river_blend_at_temperature_one_fails(capsys):
    from lessons_lib.examples import focus_blend
    assert_failed(checks.check_river_blend(focus_blend(FISHING_SENTENCE, temperature=1.0)[2]), capsys)


@pytest.mark.parametrize("sentence", [
    "The suitcase wouldn't fit in the box because it was too small.",
    "The box wouldn't fit in the ball because it was too small.",
    "The bag wouldn't fit in the trophy because it was too big.",
])
def test_a_new_sentence_that_fools_the_word_toy_passes(sentence, capsys):
    assert checks.check_shortcut_sentence(sentence)


@pytest.mark.parametrize("sentence, adjective", [
    ("The trophy wouldn't fit in the bag because it was too small.", "small"),  # shortcut agrees: bag
    ("The ball wouldn't fit in the bag because it was too small.", "small"),
    ("The box wouldn't fit in the suitcase because it was too big.", "big"),
])
def test_a_sentence_where_the_adjective_wins_does_not_fool_the_toy(sentence, adjective, capsys):
    out = assert_failed(checks.check_shortcut_sentence(sentence), capsys)
    assert f"looks most at '{adjective}', not at the other noun" in out


def test_a_tie_between_the_other_noun_and_the_adjective_fails(capsys):
    sentence = "The suitcase wouldn't fit in the ball because it was too big."
    out = assert_failed(checks.check_shortcut_sentence(sentence), capsys)
    assert "only ties" in out


def test_the_lessons_own_control_sentence_does_not_count(capsys):
    out = assert_failed(checks.check_shortcut_sentence(checks.ROLE_SWAP_SENTENCE), capsys)
    assert "the lesson already tells that story" in out


@pytest.mark.parametrize("sentence", [
    "The suitcase wouldn't fit in the trophy because it was truly too big.",  # one word added
    "A suitcase wouldn't fit in a trophy because it was too big.",  # articles changed
])
def test_a_lightly_edited_lesson_control_does_not_count(sentence, capsys):
    out = assert_failed(checks.check_shortcut_sentence(sentence), capsys)
    assert "the lesson already tells that story" in out


def test_a_control_with_the_same_noun_twice_fails(capsys):
    out = assert_failed(checks.check_shortcut_sentence("The box wouldn't fit in the box because it was too small."), capsys)
    assert "nobody can say" in out


def test_a_sentence_the_word_toy_gets_right_fails(capsys):
    sentence = "The ball wouldn't fit in the bag because it was too big"
    out = assert_failed(checks.check_shortcut_sentence(sentence), capsys)
    assert "gets this one right" in out


def test_a_sentence_without_the_pattern_is_told_the_pattern(capsys):
    out = assert_failed(checks.check_shortcut_sentence("it was the trophy"), capsys)
    assert "wouldn't fit in" in out


def test_the_hints_do_not_give_the_answer_away(capsys):
    checks.check_small_query(...)
    checks.check_cross_weights(...)
    checks.check_bottleneck_length(...)
    out = capsys.readouterr().out
    assert "WORDS.vector" not in out and "first_length_below" not in out and ".T" not in out


def test_a_length_that_was_not_measured_is_named(capsys):
    out = assert_failed(checks.check_bottleneck_length(10), capsys)
    assert "not measured" in out


def test_the_small_query_check_names_the_wrong_entry_without_the_answer(capsys):
    out = assert_failed(checks.check_small_query(np.concatenate([WORDS.vector("it"), [1, 0]])), capsys)
    assert "entry (6,)" in out and "too high" in out


def test_the_word_toy_query_is_the_wrong_size_for_the_small_query(capsys):
    out = assert_failed(checks.check_small_query(WORDS.vector("it") + WORDS.vector("small")), capsys)
    assert "shape (8,)" in out
