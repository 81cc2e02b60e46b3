"""Lesson 07: recurrent decay, receptive fields, kernel vs attention, cost measurement."""
import time

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from lessons_lib import measuring
from lessons_lib import sequence_models as sm
from lessons_lib.plots import Figure
from lessons_lib.vocab import BANK_SENTENCE, RIVER_SENTENCE, WORDS


def test_recurrent_signal_starts_at_one_and_fades_over_many_steps():
    survival = sm.recurrent_signal(50, gain=0.9)
    assert survival[0] == 1.0
    assert survival[50] < 1e-6


def test_recurrent_signal_fades_faster_with_a_smaller_gain():
    assert sm.recurrent_signal(30, gain=0.8)[30] < sm.recurrent_signal(30, gain=1.5)[30]


def test_recurrent_signal_matches_a_finite_nudge_for_a_few_steps():
    size, steps, nudge = 16, 5, 1e-6
    w, u = sm.random_recurrent_weights(size, gain=0.9, seed=0)
    rng = np.random.default_rng(1)
    inputs = rng.standard_normal((steps + 1, size))
    direction = rng.standard_normal(size)
    nudged = inputs.copy()
    nudged[0] += nudge * direction
    gap = np.linalg.norm(sm.recurrent_states(nudged, w, u) - sm.recurrent_states(inputs, w, u), axis=1)
    np.testing.assert_allclose(gap / gap[0], sm.recurrent_signal(steps, gain=0.9, seed=0), rtol=1e-4)


def test_recurrent_signal_is_the_same_every_run():
    np.testing.assert_array_equal(sm.recurrent_signal(20, seed=3), sm.recurrent_signal(20, seed=3))


def test_recurrent_weights_shrink_every_direction_by_the_gain():
    w, _ = sm.random_recurrent_weights(8, gain=0.7)
    np.testing.assert_allclose(np.linalg.svd(w, compute_uv=False), 0.7)


def test_recurrent_states_run_one_step_per_token():
    w = np.zeros((2, 2))
    u = np.eye(2)
    states = sm.recurrent_states([[1.0, 0.0], [0.0, 2.0]], w, u)
    np.testing.assert_allclose(states, np.tanh([[1.0, 0.0], [0.0, 2.0]]))


def test_recurrent_states_reject_a_mismatched_matrix():
    with pytest.raises(ValueError, match="recurrent"):
        sm.recurrent_states(np.ones((3, 2)), np.eye(3), np.eye(2))


def test_recurrent_signal_rejects_a_negative_step_count():
    with pytest.raises(ValueError, match="steps"):
        sm.recurrent_signal(-1)


def test_path_lengths_from_token_1_to_100():
    lengths = list(sm.path_lengths(99).values())
    assert lengths == [99, 50, 25, 1]


@given(st.integers(0, 40), st.sampled_from([2, 3, 5, 7]))
def test_receptive_field_formula_agrees_with_running_the_convolutions(layers, kernel):
    assert sm.receptive_field(layers, kernel) == sm.measured_receptive_field(layers, kernel)


def test_linking_positions_1_and_100_takes_50_layers_of_width_3_and_25_of_width_5():
    assert sm.layers_to_connect(99, 3) == 50
    assert sm.layers_to_connect(99, 5) == 25
    assert sm.receptive_field(49, 3) < 100 <= sm.receptive_field(50, 3)


def test_receptive_field_rejects_a_non_integer_kernel():
    with pytest.raises(TypeError, match="kernel"):
        sm.receptive_field(2, 3.0)


def test_layers_to_connect_rejects_a_kernel_of_one():
    with pytest.raises(ValueError, match="kernel"):
        sm.layers_to_connect(10, 1)


def test_kernel_weights_are_centred_and_cut_at_the_edges():
    np.testing.assert_allclose(sm.kernel_weights(4, 0, [0.25, 0.5, 0.25]), [0.5, 0.25, 0, 0])
    np.testing.assert_allclose(sm.kernel_weights(5, 2, [1, 2, 3]), [0, 1, 2, 3, 0])


def test_kernel_weights_reject_an_even_kernel():
    with pytest.raises(ValueError, match="kernel"):
        sm.kernel_weights(5, 2, [0.5, 0.5])


def test_kernel_weights_reject_a_position_past_the_end():
    with pytest.raises(ValueError, match="position"):
        sm.kernel_weights(3, 3)


def test_convolution_weights_are_identical_for_both_sentences_but_attention_differs():
    bank, river = sm.compare_kernel_and_attention([BANK_SENTENCE, RIVER_SENTENCE])
    np.testing.assert_array_equal(bank.convolution, river.convolution)
    assert not np.allclose(bank.attention, river.attention)
    assert bank.attention[bank.tokens.index("money")] > 0.2
    assert river.attention[river.tokens.index("river")] > 0.2
    assert bank.convolution[bank.tokens.index("money")] == 0


def test_content_weights_are_a_distribution():
    weights = sm.content_weights(np.eye(3), 1)
    assert weights.sum() == pytest.approx(1)
    assert weights.argmax() == 1


def test_soft_routing_slope_matches_finite_differences():
    response = sm.routing_response(nudges=[-1e-6, 0.0, 1e-6])
    assert response.slope[1] == pytest.approx((response.soft[2] - response.soft[0]) / 2e-6, rel=1e-6)
    assert response.slope[1] > 0.01


def test_soft_routing_moves_smoothly_while_hard_routing_jumps():
    response = sm.routing_response()
    assert np.abs(np.diff(response.soft)).max() < 0.01  # steps of 0.05 in the score
    assert np.abs(np.diff(response.hard)).max() == pytest.approx(0.4)  # bank (0.5) to deposit (0.9)
    assert np.count_nonzero(np.diff(response.hard)) == 1
    assert (response.slope > 0).all()


def test_routing_weights_are_the_content_weights_without_a_nudge():
    tokens, vectors = WORDS.encode(BANK_SENTENCE)
    response = sm.routing_response(nudges=[0.0])
    expected = sm.content_weights(vectors, tokens.index("bank"))[tokens.index("deposit")]
    assert response.target_weight[0] == pytest.approx(expected)


def test_routing_rejects_a_target_not_in_the_sentence():
    with pytest.raises(ValueError, match="target"):
        sm.routing_response(target="river")


def test_routing_rejects_an_unknown_dimension():
    with pytest.raises(ValueError, match="dimension"):
        sm.routing_response(dimension="colour")


def test_average_step_factor_is_the_geometric_mean():
    assert sm.average_step_factor([1.0, 0.5, 0.25]) == pytest.approx(0.5)
    survival = sm.recurrent_signal(99, gain=1.0)
    assert sm.average_step_factor(survival) ** 99 == pytest.approx(survival[-1])


def test_average_step_factor_needs_one_step():
    with pytest.raises(ValueError, match="survival"):
        sm.average_step_factor([1.0])


def test_compare_rejects_a_sentence_without_the_focus_word():
    with pytest.raises(ValueError, match="focus"):
        sm.compare_kernel_and_attention(["the river"], focus="bank")


def test_weight_matrix_bytes_grow_with_the_square_of_n():
    assert sm.weight_matrix_bytes(4096) == 64 * 2**20
    assert sm.weight_matrix_bytes(2048) * 4 == sm.weight_matrix_bytes(4096)


def test_weight_matrix_bytes_rejects_zero_tokens():
    with pytest.raises(ValueError, match="n"):
        sm.weight_matrix_bytes(0)


def test_measure_cost_reports_memory_at_least_one_weight_matrix():
    cost = sm.measure_cost(sizes=(32, 64), repeats=1)
    assert list(cost.sizes) == [32, 64]
    assert (cost.attention_seconds > 0).all() and (cost.recurrent_seconds > 0).all()
    assert (cost.attention_peak >= cost.weight_matrix).all()
    assert cost.recurrent_peak[1] < cost.attention_peak[1]


def test_attention_peak_is_one_weight_matrix_plus_thin_arrays_not_two_matrices():
    cost = sm.measure_cost(sizes=(1024,), dim=32, repeats=1)
    thin = 1024 * 32 * 4  # one (n, d) float32 array: the outputs, or the queries scaled by 1/sqrt(d)
    assert cost.weight_matrix[0] + thin <= cost.attention_peak[0] < cost.weight_matrix[0] + 2 * thin + 16_384


def test_memory_peaks_are_the_same_on_every_run():
    first, second = (sm.measure_cost(sizes=(64, 512), repeats=1) for _ in range(2))
    np.testing.assert_array_equal(first.attention_peak, second.attention_peak)
    np.testing.assert_array_equal(first.recurrent_peak, second.recurrent_peak)


def test_loop_peak_grows_linearly_with_n():
    cost = sm.measure_cost(sizes=(1024, 2048), repeats=1)
    states = cost.sizes * 32 * 4  # one float32 state vector per token
    assert (cost.recurrent_peak >= states).all() and (cost.recurrent_peak < states + 4096).all()


def test_best_time_runs_every_repeat_and_keeps_the_fastest():
    calls = []
    sm.best_time(lambda: (calls.append(1), time.sleep(0.01)), repeats=4, budget=0.001)
    assert len(calls) == 4
    delays = iter([0.02, 0.0, 0.01])
    assert sm.best_time(lambda: time.sleep(next(delays)), repeats=3, budget=0.001) < 0.01


def test_one_blas_thread_limits_blas_to_one_thread_and_restores_it_afterwards():
    from threadpoolctl import threadpool_info

    def blas_threads() -> list[int]:
        return [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"]

    before = blas_threads()
    with sm.one_blas_thread() as limited:
        assert limited and all(n == 1 for n in blas_threads())
    assert blas_threads() == before


def test_best_time_gives_quick_functions_extra_runs_within_the_budget():
    calls = []
    sm.best_time(lambda: calls.append(1), repeats=3, budget=1.0)
    assert len(calls) == 100


def test_best_time_rejects_a_zero_budget():
    with pytest.raises(ValueError, match="budget"):
        sm.best_time(lambda: None, budget=0)


def test_measure_cost_rejects_a_zero_size():
    with pytest.raises(ValueError, match="sizes"):
        sm.measure_cost(sizes=(0,))


def test_peak_bytes_sees_a_numpy_allocation():
    assert sm.peak_bytes(lambda: np.ones(1_000_000)) >= 8_000_000


def test_best_time_rejects_zero_repeats():
    with pytest.raises(ValueError, match="repeats"):
        sm.best_time(lambda: None, repeats=0)


def test_tables_show_the_key_numbers():
    assert "101" in sm.receptive_field_table()
    assert "67,108,864" in sm.memory_table()
    table = sm.signal_decay_table({"gain 0.9": sm.recurrent_signal(10)})
    assert table.splitlines()[1].split() == ["0", "1.00e+00"]


def test_every_plot_returns_a_figure():
    survival = {"gain 0.9": sm.recurrent_signal(10)}
    cost = sm.CostMeasurement(np.array([8, 16]), np.array([1e-4, 2e-4]), np.array([1e-4, 1e-4]),
                              np.array([512, 2048]), np.array([100, 200]))
    comparison = sm.compare_kernel_and_attention([BANK_SENTENCE])
    for fig in (sm.signal_decay_plot(survival), sm.receptive_field_plot(), sm.cost_plot(cost),
                sm.kernel_vs_attention_plot(comparison), sm.routing_plot(sm.routing_response())):
        assert isinstance(fig, Figure)
    assert "attention ms" in sm.cost_table(cost)
    assert sm.time_table(cost).splitlines()[1].split() == ["8", "0.10", "0.10"]
    assert sm.peak_memory_table(cost).splitlines()[2].split() == ["16", "0.00", "0.00", "0.00"]
    assert "soft slope" in sm.routing_table(sm.routing_response())


def test_memory_columns_share_one_precision():
    cost = sm.CostMeasurement(np.array([4096]), np.array([0.1]), np.array([0.01]),
                              np.array([64.5 * 2**20]), np.array([0.5 * 2**20]))
    assert sm.peak_memory_table(cost).splitlines()[1].split() == ["4096", "64.50", "64.00", "0.50"]


def test_measure_cost_in_a_worker_gives_the_same_memory_peaks_as_in_this_process():
    elsewhere = sm.measure_cost(sizes=(64, 1024), repeats=1)
    here = sm.measure_cost(sizes=(64, 1024), repeats=1, worker=False)
    np.testing.assert_array_equal(elsewhere.sizes, here.sizes)
    # this test process has more Python bookkeeping going on: allow a few hundred bytes
    np.testing.assert_allclose(elsewhere.attention_peak, here.attention_peak, rtol=0, atol=1024)
    np.testing.assert_allclose(elsewhere.recurrent_peak, here.recurrent_peak, rtol=0, atol=1024)


def test_measure_cost_in_a_worker_never_allocates_the_big_matrix_here():
    matrix = sm.weight_matrix_bytes(2048)  # 16 MiB
    results = []
    here = sm.peak_bytes(lambda: results.append(sm.measure_cost(sizes=(2048,), repeats=1)))
    assert results[0].attention_peak[0] > matrix > 16 * here  # measured there, not allocated here


def test_measure_cost_reports_a_failing_worker(monkeypatch):
    monkeypatch.setattr(measuring, "_WORKER_CODE", "raise SystemExit('no numbers today')")
    with pytest.raises(RuntimeError, match="no numbers today"):
        sm.measure_cost(sizes=(64,), repeats=1)


def test_measure_cost_rejects_a_worker_flag_that_is_not_a_bool():
    with pytest.raises(ValueError, match="worker"):
        sm.measure_cost(sizes=(64,), worker="yes")


def test_measure_cost_rejects_a_negative_seed():
    with pytest.raises(ValueError, match="seed"):
        sm.measure_cost(sizes=(64,), seed=-1)


# --- issue 13: fading or growing, arithmetic per layer, routing wording --------------------


def test_with_weak_inputs_gain_one_keeps_most_of_the_nudge_and_gain_above_one_grows_it():
    assert sm.recurrent_signal(99, gain=1.0, input_scale=0.01)[99] > 0.5
    assert sm.recurrent_signal(99, gain=1.5, input_scale=0.01)[99] > 100
    assert sm.recurrent_signal(99, gain=1.5, input_scale=1.0)[99] < 1e-6  # strong inputs saturate tanh


def test_recurrent_signal_rejects_a_non_positive_input_scale():
    with pytest.raises(ValueError, match="input_scale"):
        sm.recurrent_signal(5, input_scale=0)


def test_multiply_adds_favour_attention_exactly_while_n_is_below_d():
    for n in (8, 31, 32, 33, 128):
        counts = sm.multiply_adds(n, 32)
        assert (counts["attention"] < counts["recurrent"]) == (n < 32)
    assert sm.multiply_adds(10, 4, kernel=5) == {"attention": 800, "recurrent": 320, "convolution, kernel 5": 800}
    assert "attention = recurrent" in sm.multiply_adds_table(sizes=(32,), d=32)


def test_routing_plot_says_the_change_is_added_to_the_temperature_scaled_score():
    fig = sm.routing_plot(sm.routing_response())
    assert "temperature-scaled score" in fig.axes[0].get_xlabel()


def test_soft_slope_shrinks_towards_zero_as_the_softmax_saturates():
    slope = sm.routing_response(nudges=[0.0, 5.0, 10.0]).slope
    assert slope[0] > slope[1] > slope[2] > 0 and slope[2] < 0.01 * slope[0]


def test_a_worker_rejects_an_unknown_task():
    with pytest.raises(ValueError, match="task must be one of"):
        sm.start_worker(("nap", {}))


def test_the_decay_plot_draws_a_weight_band_for_attention_not_a_line_at_one():
    survival = {"gain 0.9, strong input": sm.recurrent_signal(10), "gain 0.9, weak input":
                sm.recurrent_signal(10, input_scale=0.01)}
    ax = sm.signal_decay_plot(survival, distance=99).axes[1]
    band = [p for p in ax.patches if p.get_height() != 0]
    assert any(np.isclose(p.get_y(), 0.01) and np.isclose(p.get_y() + p.get_height(), 1.0) for p in band)
    assert [line.get_linestyle() for line in ax.get_lines()[:2]] == ["-", "--"]
