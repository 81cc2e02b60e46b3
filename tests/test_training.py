"""Lesson 08: the toy task, the tiny attention model, its gradients and its training."""
import numpy as np
import pytest

from lessons_lib import training as tr
from lessons_lib.plots import Figure
from lessons_lib.sequence_widgets import TrainingProgress


@pytest.fixture(scope="module")
def split():
    return tr.train_test_split(train=600, test=300, seed=0)


@pytest.fixture(scope="module")
def trained(split):
    return tr.train(tr.init_params(seed=0), split[0], steps=400)


def test_encode_token_sets_the_owner_and_the_pet():
    vector = tr.encode_token("ben:dog")
    assert vector[tr.FEATURES.index("ben")] == 1 and vector[tr.FEATURES.index("dog")] == 1
    assert vector.sum() == 2


def test_encode_token_marks_a_question():
    vector = tr.encode_token("eva?")
    assert vector[tr.FEATURES.index("question")] == 1 and vector[tr.FEATURES.index("eva")] == 1


def test_encode_token_rejects_an_unknown_name():
    with pytest.raises(ValueError, match="token"):
        tr.encode_token("zoe:cat")


def test_every_example_counts_all_questions_and_answers_them_correctly():
    examples = tr.every_example()
    assert len(examples) == 60 * 60 * 3
    for tokens, answer in zip(examples.tokens[:50], examples.answers[:50]):
        asked = tokens[0][:-1]
        pair = next(t for t in tokens[1:] if t.startswith(asked + ":"))
        assert pair.split(":")[1] == tr.PETS[answer]


def test_answer_position_points_at_the_matching_pair():
    examples = tr.every_example().subset(range(40))
    for tokens, where in zip(examples.tokens, examples.answer_position()):
        assert tokens[where].startswith(tokens[0][:-1] + ":")


def test_train_and_test_sets_do_not_overlap(split):
    train_rows = {" ".join(t) for t in split[0].tokens}
    assert not train_rows & {" ".join(t) for t in split[1].tokens}


def test_split_rejects_more_examples_than_exist():
    with pytest.raises(ValueError, match="train"):
        tr.train_test_split(train=10_000, test=1_000)


def test_forward_weights_are_a_distribution_over_the_tokens(split):
    run = tr.forward(tr.init_params(seed=1), split[0].inputs[:5])
    assert run.weights.shape == (5, 4)
    np.testing.assert_allclose(run.weights.sum(axis=1), 1)
    np.testing.assert_allclose(run.probs.sum(axis=1), 1)


def test_uniform_control_gives_every_token_the_same_weight(split):
    run = tr.forward(tr.init_params(), split[0].inputs[:3], uniform=True)
    np.testing.assert_allclose(run.weights, 0.25)


def test_forward_rejects_inputs_with_the_wrong_features():
    with pytest.raises(ValueError, match="inputs"):
        tr.forward(tr.init_params(), np.ones((2, 4, 3)))


def test_forward_rejects_params_without_a_query(split):
    params = tr.init_params()
    del params["query"]
    with pytest.raises(KeyError, match="query"):
        tr.forward(params, split[0].inputs[:2])


@pytest.mark.parametrize("name", tr.PARAMETER_NAMES)
def test_backward_matches_finite_differences_for_every_parameter(split, name):
    params, batch = tr.init_params(head=4, seed=2, size=0.8), split[0].subset(range(6))
    run = tr.forward(params, batch.inputs)
    exact = tr.backward(params, batch.inputs, batch.answers, run)[name]
    approx = tr.numerical_gradient(params, batch, name)
    assert np.abs(exact).max() > 1e-4  # a real gradient, not two zeros agreeing
    np.testing.assert_allclose(exact, approx, atol=1e-7, rtol=1e-5)


def test_backward_matches_finite_differences_for_the_uniform_control(split):
    errors = tr.gradient_check(tr.init_params(head=4, seed=3), split[0].subset(range(5)), uniform=True)
    assert max(errors.values()) < 1e-6


def test_gradient_check_catches_a_wrong_gradient(split, monkeypatch):
    real = tr.backward

    def off_by_a_factor(*args, **kwargs):
        grads = real(*args, **kwargs)
        grads["key"] = 2 * grads["key"]
        return grads

    monkeypatch.setattr(tr, "backward", off_by_a_factor)
    errors = tr.gradient_check(tr.init_params(head=4), split[0].subset(range(5)))
    assert errors["key"] > 0.5 and errors["query"] < 1e-6


def test_relative_difference_is_scaled_by_the_largest_reference_entry():
    assert tr.relative_difference([1.0, 2.02], [1.0, 2.0]) == pytest.approx(0.01)
    assert tr.relative_difference(1.001 * np.arange(1.0, 5.0), np.arange(1.0, 5.0)) == pytest.approx(1e-3)


def test_relative_difference_rejects_gradients_of_different_shapes():
    with pytest.raises(ValueError, match="gradient"):
        tr.relative_difference(np.ones(3), np.ones(4))


def test_a_gradient_off_by_a_tenth_of_a_percent_stands_far_above_the_noise(split):
    params, batch = tr.init_params(head=8, seed=0), split[0].subset(range(8))
    exact = tr.backward(params, batch.inputs, batch.answers, tr.forward(params, batch.inputs))["key"]
    approx = tr.numerical_gradient(params, batch, "key")
    assert tr.relative_difference(exact, approx) < 1e-6
    assert tr.relative_difference(1.001 * exact, approx) == pytest.approx(1e-3, rel=0.01)


def test_swapping_two_pets_leaves_the_average_token_unchanged_but_changes_the_answer():
    first, second = "ben? anna:cat ben:dog cleo:fish".split(), "ben? anna:dog ben:cat cleo:fish".split()
    averages = [np.mean([tr.encode_token(t) for t in tokens], axis=0) for tokens in (first, second)]
    np.testing.assert_array_equal(*averages)
    examples = tr.every_example()
    answers = {" ".join(t): tr.PETS[a] for t, a in zip(examples.tokens, examples.answers)}
    assert answers[" ".join(first)] == "dog" and answers[" ".join(second)] == "cat"


def test_numerical_gradient_rejects_an_unknown_name(split):
    with pytest.raises(KeyError, match="name"):
        tr.numerical_gradient(tr.init_params(), split[0].subset([0]), "bias")


def test_training_solves_the_task_on_unseen_examples(split, trained):
    loss, accuracy = tr.loss_and_accuracy(trained.params, split[1])
    assert accuracy == 1.0 and loss < 0.05


def test_training_moves_the_weight_onto_the_matching_pair(split, trained):
    examples = split[1]
    rows = np.arange(len(examples))
    before = tr.forward(tr.init_params(seed=0), examples.inputs).weights[rows, examples.answer_position()]
    after = tr.forward(trained.params, examples.inputs).weights[rows, examples.answer_position()]
    assert before.mean() < 0.4 and after.mean() > 0.8


def test_uniform_control_stays_near_the_ceiling_of_averaging(split):
    control = tr.train(tr.init_params(seed=0), split[0], steps=400, uniform=True)
    loss, accuracy = tr.loss_and_accuracy(control.params, split[1], uniform=True)
    assert accuracy < 0.45 and loss > np.log(3) - 0.05


def test_training_is_deterministic(split):
    first = tr.train(tr.init_params(), split[0], steps=30, seed=4)
    second = tr.train(tr.init_params(), split[0], steps=30, seed=4)
    assert first.losses == second.losses
    for name in tr.PARAMETER_NAMES:
        np.testing.assert_array_equal(first.params[name], second.params[name])


def test_training_leaves_the_starting_params_unchanged(split):
    params = tr.init_params()
    copy = {k: v.copy() for k, v in params.items()}
    tr.train(params, split[0], steps=5)
    for name in params:
        np.testing.assert_array_equal(params[name], copy[name])


def test_sgd_also_lowers_the_loss(split):
    history = tr.train(tr.init_params(), split[0], steps=300, optimizer="sgd", learning_rate=1.0)
    assert np.mean(history.losses[-20:]) < 0.5 * np.mean(history.losses[:20])


def test_callback_is_called_every_ten_steps_and_at_the_end(split):
    calls = []
    tr.train(tr.init_params(), split[0], steps=25, callback=lambda step, loss: calls.append(step))
    assert calls == [10, 20, 25]


def test_train_rejects_an_unknown_optimizer(split):
    with pytest.raises(ValueError, match="optimizer"):
        tr.train(tr.init_params(), split[0], steps=2, optimizer="rmsprop")


def test_train_rejects_a_negative_learning_rate(split):
    with pytest.raises(ValueError, match="learning_rate"):
        tr.train(tr.init_params(), split[0], steps=2, learning_rate=-0.1)


def test_smoothed_is_a_running_mean():
    np.testing.assert_allclose(tr.smoothed([1.0, 3.0, 5.0, 7.0], window=2), [1, 2, 4, 6])


def test_progress_bar_follows_the_training_callback(split):
    progress = TrainingProgress(steps=20)
    tr.train(tr.init_params(), split[0], steps=20, callback=progress)
    assert progress.bar.value == 20 and progress.step == 20
    assert progress.status.value.startswith("step 20 of 20: batch loss ")


def test_progress_bar_rejects_zero_steps():
    with pytest.raises(ValueError, match="steps"):
        TrainingProgress(steps=0)


def test_plots_and_tables(split, trained):
    shown = split[1].subset(range(3))
    before = tr.forward(tr.init_params(), shown.inputs).weights
    after = tr.forward(trained.params, shown.inputs).weights
    assert isinstance(tr.weights_before_after_plot(before, after, shown), Figure)
    assert isinstance(tr.loss_curve_plot({"a": trained.losses}, floor=np.log(3)), Figure)
    raw = tr.loss_curve_plot({"a": trained.losses}, smooth=False)
    assert [line.get_label() for line in raw.axes[0].get_lines()] == ["a"]
    table = tr.weights_before_after_table(before, after, shown)
    assert len(table.splitlines()) == 4
    loss_table = tr.loss_table({"a": trained.losses}).splitlines()
    assert "mean over the 20 steps" in loss_table[0] and loss_table[-1].startswith("400")
