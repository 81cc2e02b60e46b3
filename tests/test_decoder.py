"""Lesson 11: the tiny next-token model, with and without the causal mask."""
from __future__ import annotations

import numpy as np
import pytest

from lessons_lib.decoder import (
    generate, generation_accuracy, gradients, init_params, loss, make_task, teacher_forced_accuracy, train,
)


@pytest.fixture(scope="module")
def task():
    return make_task(noise=0.3, seed=0)


@pytest.fixture(scope="module")
def trained(task):
    return {causal: train(task, causal=causal)[0] for causal in (True, False)}


def test_the_rule_is_one_cycle_through_every_symbol(task):
    seen, symbol = [], 0
    for _ in range(len(task.rule)):
        seen.append(symbol)
        symbol = task.rule[symbol]
    assert sorted(seen) == list(range(len(task.rule))) and symbol == 0


@pytest.mark.parametrize("causal", [True, False])
def test_gradients_match_finite_differences(task, causal):
    rng = np.random.default_rng(1)
    params = {"offsets": rng.normal(size=13), "readout": rng.normal(size=(8, 8))}
    sequences = task.sequences[:20]
    analytic = gradients(params, sequences, causal=causal)
    for name in params:
        for index in [(0,), (6,), (9,)] if name == "offsets" else [(0, 0), (3, 5)]:
            up = {k: v.copy() for k, v in params.items()}
            down = {k: v.copy() for k, v in params.items()}
            up[name][index] += 1e-6
            down[name][index] -= 1e-6
            numeric = (loss(up, sequences, causal=causal) - loss(down, sequences, causal=causal)) / 2e-6
            assert analytic[name][index] == pytest.approx(numeric, abs=1e-6)


def test_without_the_mask_the_model_learns_to_look_at_the_answer(trained):
    middle = len(trained[False]["offsets"]) // 2
    assert np.argmax(trained[False]["offsets"]) - middle == 1
    assert np.argmax(trained[True]["offsets"]) - middle == 0


def test_the_leaky_model_looks_better_in_training_and_fails_at_generation(task, trained):
    leaky, masked = trained[False], trained[True]
    assert teacher_forced_accuracy(leaky, task.sequences, causal=False) > teacher_forced_accuracy(
        masked, task.sequences, causal=True)
    assert loss(leaky, task.sequences, causal=False) < loss(masked, task.sequences, causal=True)
    assert generation_accuracy(masked, task, causal=True) == 1.0
    assert generation_accuracy(leaky, task, causal=False) < 0.2


def test_with_the_mask_earlier_predictions_ignore_later_tokens(trained, task):
    from lessons_lib.decoder import forward
    sequence = task.sequences[:1, :-1]  # the 7 inputs the model was trained on
    changed = sequence.copy()
    changed[0, -1] = (changed[0, -1] + 1) % 8
    _, _, before = forward(trained[True], sequence, causal=True)
    _, _, after = forward(trained[True], changed, causal=True)
    np.testing.assert_allclose(before[0, :-1], after[0, :-1])


def test_generate_starts_from_the_given_symbol_and_adds_steps(trained):
    made = generate(trained[True], 3, 5, causal=True)
    assert made[0] == 3 and len(made) == 6


def test_make_task_checks_its_arguments():
    with pytest.raises(ValueError, match="length"):
        make_task(length=1)
    with pytest.raises(TypeError, match="count"):
        make_task(count=2.5)


def test_initial_weights_are_nearly_uniform():
    params = init_params(7, 8)
    assert params["offsets"].shape == (13,) and np.abs(params["offsets"]).max() < 0.5
