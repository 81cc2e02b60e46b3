"""Self-checks of lessons 07-09: the solution passes, the stub and wrong answers fail."""
import numpy as np
import pytest

from lessons_lib import Partial
from lessons_lib.checks import beyond

def _no_rescale(first, second):  # the tempting slip: add the parts as they are
    return Partial(np.maximum(first.maximum, second.maximum), first.total + second.total,
                   first.weighted + second.weighted)


WRONG = {
    "check_merge_partials": _no_rescale,
    "check_dilated_receptive_field": lambda layers, kernel: 1 + layers * (kernel - 1),  # the undilated stack
    "check_layers_kernel_7": 16,
    "check_weight_matrix_bytes": 8192 * 8192 * 8,
    "check_softmax_jacobian": lambda weights: np.diag(weights),
    "check_chance_accuracy": 0.2,
    "check_scaled_scores": "unscaled",
    "check_score_spread": 8,  # the lesson's sqrt(d), for coordinates of spread 1
    "check_causal_mask": np.triu(np.ones((5, 5), dtype=bool)),
}


def checks():
    """The check functions defined in the module (not the imported helpers)."""
    return sorted(name for name, f in vars(beyond).items()
                  if name.startswith("check_") and callable(f) and f.__module__ == beyond.__name__)


def test_every_check_has_a_solution_and_a_wrong_answer():
    assert set(checks()) == set(beyond.SOLUTIONS) == set(WRONG)


@pytest.mark.parametrize("name", checks())
def test_the_solution_passes(name, capsys):
    assert getattr(beyond, name)(beyond.SOLUTIONS[name]())
    assert capsys.readouterr().out.startswith("✅")


@pytest.mark.parametrize("name", checks())
def test_the_stub_fails(name, capsys):
    assert not getattr(beyond, name)(...)
    assert capsys.readouterr().out.startswith("❌")


@pytest.mark.parametrize("name", checks())
def test_a_wrong_answer_fails(name, capsys):
    wrong = WRONG[name]
    if isinstance(wrong, str):  # the scaled-scores check: the unscaled scores are wrong
        wrong = beyond.SOLUTIONS[name]() * np.sqrt(3)
    assert not getattr(beyond, name)(wrong)
    assert "Hint" in capsys.readouterr().out


def test_a_function_that_raises_is_reported_not_raised(capsys):
    def broken(layers, kernel):
        raise ZeroDivisionError("oops")

    assert not beyond.check_dilated_receptive_field(broken)
    assert "ZeroDivisionError" in capsys.readouterr().out


def test_causal_mask_check_accepts_ones_and_zeros():
    assert beyond.check_causal_mask(np.tril(np.ones((5, 5))))


def test_causal_mask_check_rejects_other_numbers():
    assert not beyond.check_causal_mask(2 * np.tril(np.ones((5, 5))))


def test_softmax_jacobian_times_the_gradient_is_the_softmax_backward_line():
    weights, d_weights = np.array([0.1, 0.2, 0.3, 0.4]), np.array([1.0, -2.0, 0.5, 3.0])
    jacobian = beyond.SOLUTIONS["check_softmax_jacobian"]()(weights)
    backward_line = weights * (d_weights - (weights * d_weights).sum())
    np.testing.assert_allclose(jacobian.T @ d_weights, backward_line)


def test_softmax_jacobian_solution_matches_finite_differences():
    scores, step = np.array([0.3, -1.0, 2.0]), 1e-6
    softmax = lambda s: np.exp(s) / np.exp(s).sum()  # noqa: E731
    numeric = np.column_stack([(softmax(scores + step * e) - softmax(scores - step * e)) / (2 * step)
                               for e in np.eye(3)])
    np.testing.assert_allclose(beyond.SOLUTIONS["check_softmax_jacobian"]()(softmax(scores)), numeric, atol=1e-9)


def test_softmax_jacobian_check_never_prints_the_expected_values(capsys):
    assert not beyond.check_softmax_jacobian(WRONG["check_softmax_jacobian"])
    out = capsys.readouterr().out
    assert "expected" not in out and ("too high" in out or "too low" in out)


def test_layers_check_does_not_reveal_the_answer(capsys):
    assert not beyond.check_layers_kernel_7(16)
    assert "17" not in capsys.readouterr().out


def test_chance_accuracy_wants_the_exact_fraction_not_the_measured_accuracy():
    assert beyond.check_chance_accuracy(0.333)
    assert not beyond.check_chance_accuracy(0.34)
    assert not beyond.check_chance_accuracy(0.351)


def test_score_spread_wants_the_exact_value_not_a_simulation_estimate():
    assert beyond.check_score_spread(32)
    assert not beyond.check_score_spread(32.3)


@pytest.mark.parametrize("slip", [8, 16, 1024, 256, 4])
def test_score_spread_rejects_each_slip_without_revealing_the_answer(slip, capsys):
    assert not beyond.check_score_spread(slip)
    out = capsys.readouterr().out
    assert "Hint" in out and "32" not in out


def test_score_spread_solution_matches_a_seeded_simulation():
    rng = np.random.default_rng(0)
    q, k = rng.normal(0.0, 2.0, size=(2, 20_000, 64))
    assert abs((q * k).sum(axis=1).std() - beyond.SOLUTIONS["check_score_spread"]()) < 0.5


def test_scaled_scores_exercise_is_not_symmetric():
    scores = beyond.SOLUTIONS["check_scaled_scores"]()
    assert not np.allclose(scores, scores.T, atol=0.1)


def test_scaled_scores_with_queries_and_keys_swapped_fail(capsys):
    assert not beyond.check_scaled_scores(beyond.SOLUTIONS["check_scaled_scores"]().T)
    out = capsys.readouterr().out
    assert "flipped" in out and "Hint" in out


def test_scaled_scores_with_the_lesson_projections_fail():
    from lessons_lib import qkv
    from lessons_lib.vocab import RIVER_SENTENCE

    assert not beyond.check_scaled_scores(qkv.qkv_attention(RIVER_SENTENCE)["scores"])


def test_dilated_field_solution_agrees_with_running_dilated_convolutions():
    from lessons_lib import sequence_models as sm

    solution = beyond.SOLUTIONS["check_dilated_receptive_field"]()
    for layers in range(7):
        for kernel in (2, 3, 4, 5):
            assert solution(layers, kernel) == sm.measured_receptive_field(layers, kernel, dilated=True)


@pytest.mark.parametrize("wrong", [lambda layers, kernel: 1 + (kernel - 1) * 2**layers,
                                   lambda layers, kernel: kernel**layers,
                                   lambda layers, kernel: (kernel - 1) * 2**layers])
def test_dilated_field_rejects_near_misses(wrong):
    assert not beyond.check_dilated_receptive_field(wrong)


def test_dilated_field_check_does_not_reveal_the_expected_count(capsys):
    assert not beyond.check_dilated_receptive_field(WRONG["check_dilated_receptive_field"])
    out = capsys.readouterr().out
    assert "expected" not in out and ("too many" in out or "too few" in out)


def test_causal_mask_hint_does_not_contain_the_code(capsys):
    beyond.check_causal_mask(...)
    assert "tril" not in capsys.readouterr().out


def _merge_with(factor):
    """A merge that rescales each part by ``factor(own maximum, common maximum)``."""
    def merge(first, second):
        m = np.maximum(first.maximum, second.maximum)
        a, b = factor(first.maximum, m), factor(second.maximum, m)
        return Partial(m, first.total * a + second.total * b, first.weighted * a + second.weighted * b)
    return merge


PLAUSIBLE_MERGES = {
    "no rescale": (_no_rescale, "added as they are"),
    "exponent the wrong way round": (_merge_with(lambda own, m: np.exp(m - own)), "above 1"),
    "rescaled by exp(own maximum), no common shift": (_merge_with(lambda own, m: np.exp(own)), ""),
    "only the total rescaled": (lambda f, s: Partial(np.maximum(f.maximum, s.maximum),
                                                     *_merge_with(lambda own, m: np.exp(own - m))(f, s)[1:2],
                                                     f.weighted + s.weighted), "weighted needs the same"),
    "the first part's maximum kept": (lambda f, s: Partial(f.maximum, *_merge_with(
        lambda own, m: np.exp(own - f.maximum))(f, s)[1:]), "larger of the two"),
    "the two outputs averaged": (lambda f, s: Partial(np.maximum(f.maximum, s.maximum), np.ones_like(f.total),
                                                      (f.weighted / f.total + s.weighted / s.total) / 2), ""),
    "a tuple of two": (lambda f, s: (f.maximum, f.total), "return Partial"),
}


@pytest.mark.parametrize("name", PLAUSIBLE_MERGES)
def test_merge_check_fails_plausible_wrong_merges_and_names_the_slip(name, capsys):
    merge, words = PLAUSIBLE_MERGES[name]
    assert not beyond.check_merge_partials(merge)
    out = capsys.readouterr().out
    assert out.startswith("❌") and "Hint" in out and words in out


def test_merge_check_passes_a_learner_style_merge(capsys):
    assert beyond.check_merge_partials(_merge_with(lambda own, m: np.exp(own - m)))
    assert capsys.readouterr().out.startswith("✅")


def test_merge_check_names_the_stub_left_in_the_fields(capsys):
    assert not beyond.check_merge_partials(lambda f, s: Partial(np.maximum(f.maximum, s.maximum), ..., ...))
    assert "still empty" in capsys.readouterr().out
