"""Self-checks of lessons 07-09: the solution passes, the stub and wrong answers fail."""
import numpy as np
import pytest

from lessons_lib.checks import beyond

WRONG = {
    "check_receptive_field": lambda layers, kernel: layers * kernel,
    "check_layers_kernel_7": 16,
    "check_weight_matrix_bytes": 8192 * 8192 * 8,
    "check_softmax_backward": lambda weights, d_weights: weights * d_weights,
    "check_chance_accuracy": 0.2,
    "check_scaled_scores": "unscaled",
    "check_score_spread": 256,
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

    assert not beyond.check_receptive_field(broken)
    assert "ZeroDivisionError" in capsys.readouterr().out


def test_causal_mask_check_accepts_ones_and_zeros():
    assert beyond.check_causal_mask(np.tril(np.ones((5, 5))))


def test_causal_mask_check_rejects_other_numbers():
    assert not beyond.check_causal_mask(2 * np.tril(np.ones((5, 5))))
