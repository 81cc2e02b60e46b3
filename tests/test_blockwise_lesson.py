"""Lesson 07's blockwise section: the trace, the causal block count, the worker measurement."""
import numpy as np
import pytest

from lessons_lib import blockwise as bw
from lessons_lib import measuring
from lessons_lib import sequence_models as sm
from lessons_lib.attention import softmax
from lessons_lib.plots import Figure


@pytest.mark.parametrize("block", [1, 3, 4, 12, 50])
def test_the_trace_ends_at_the_softmax_output(block):
    rng = np.random.default_rng(0)
    scores, values = rng.normal(size=12) * 3, rng.normal(size=12)
    trace = bw.online_softmax_trace(scores, values, block)
    assert trace[-1]["output"] == pytest.approx(softmax(scores) @ values, abs=1e-12)
    assert trace[-1]["running max"] == scores.max()
    assert trace[-1]["sum"] == pytest.approx(np.exp(scores - scores.max()).sum())


def test_the_trace_rescales_only_when_the_maximum_grows():
    trace = bw.online_softmax_trace([1.0, 0.0, 3.0, 2.0, 0.5, 0.0], [1, 2, 3, 4, 5, 6], 2)
    assert [row["rescale"] for row in trace] == pytest.approx([0.0, np.exp(-2.0), 1.0])
    assert "running max" in bw.online_softmax_trace_table(trace)


def test_causal_blocks_skip_everything_above_the_diagonal():
    assert bw.causal_blocks(4096, 256) == (136, 256)  # 16 · 17 / 2 of 16²
    assert bw.causal_blocks(10, 4) == (6, 9)
    assert bw.causal_blocks(5, 10) == (1, 1)


def test_causal_blocks_match_the_mask_itself():
    n, block = 23, 5
    mask = np.tril(np.ones((n, n), dtype=bool))
    starts = range(0, n, block)
    expected = sum(mask[r:r + block, c:c + block].any() for r in starts for c in starts)
    assert bw.causal_blocks(n, block)[0] == expected


def test_the_measurement_shows_n_squared_memory_for_attend_and_not_for_blockwise():
    cost = bw.blockwise_cost(bw.start_blockwise_measurement(sizes=(512, 2048), dim=8, block=64))
    assert (cost.attend_peak >= cost.weight_matrix).all()
    assert (cost.blockwise_peak <= cost.blockwise_bound).all()
    assert cost.blockwise_peak[-1] < cost.weight_matrix[-1] / 8
    assert "yes" in bw.blockwise_memory_table(cost) and "NO" not in bw.blockwise_memory_table(cost)
    assert isinstance(bw.blockwise_cost_plot(cost), Figure)
    assert "blockwise ÷ attend" in bw.blockwise_time_table(cost)


def test_the_memory_table_says_no_when_a_peak_exceeds_its_bound():
    cost = bw.BlockwiseCost(np.array([1024]), np.array([0.1]), np.array([0.1]), np.array([5 * 2**20]),
                            np.array([50 * 2**20]), dim=16, block=256, workers=2)
    assert bw.blockwise_memory_table(cost).splitlines()[1].split()[-1] == "NO"


def test_blockwise_cost_rejects_something_that_is_not_a_started_measurement():
    with pytest.raises(TypeError, match="pending"):
        bw.blockwise_cost({"sizes": [1]})


def test_a_failing_worker_is_reported(monkeypatch):
    monkeypatch.setattr(measuring, "_WORKER_CODE", "raise SystemExit('no numbers today')")
    with pytest.raises(RuntimeError, match="no numbers today"):
        bw.blockwise_cost(bw.start_blockwise_measurement(sizes=(8,)))


def test_the_diagram_is_a_figure():
    assert isinstance(bw.blockwise_diagram(), Figure)


# --- one worker, two measurements; attend only up to attend_up_to ---------------------------


def test_one_worker_runs_both_measurements_in_turn_and_each_result_is_read_by_name():
    pending = measuring.start_worker(measuring.cost_task(sizes=(32, 64), repeats=1),
                                     measuring.blockwise_task(sizes=(256, 512), dim=8, block=64, attend_up_to=256))
    cost = bw.blockwise_cost(pending)  # the second task first: the first is read on the way
    assert cost.sizes.tolist() == [256, 512] and cost.sizes.dtype.kind == "i"
    assert sm.cost_result(pending).sizes.tolist() == [32, 64]
    assert pending.process.returncode == 0  # both answers read: the process has ended


def test_attend_is_skipped_above_attend_up_to_and_the_tables_say_so():
    cost = bw.blockwise_cost(bw.start_blockwise_measurement(sizes=(256, 512), dim=8, block=64, attend_up_to=256))
    assert np.isfinite(cost.attend_peak[0]) and np.isnan(cost.attend_peak[1]) and np.isnan(cost.attend_seconds[1])
    assert np.isfinite(cost.blockwise_peak).all()
    assert bw.blockwise_memory_table(cost).splitlines()[-1].split()[2:4] == ["not", "run"]
    assert bw.blockwise_time_table(cost).splitlines()[-1].split()[1:3] == ["not", "run"]
    line = bw.blockwise_cost_plot(cost).axes[1].lines[-1]  # the n² guide runs through blockwise's last point
    assert np.isclose(line.get_ydata()[-1], cost.blockwise_seconds[-1] * 1e3)


def test_a_result_asked_of_a_worker_that_does_not_run_it_is_refused():
    pending = measuring.start_worker(measuring.cost_task(sizes=(32,), repeats=1))
    with pytest.raises(ValueError, match="blockwise_task"):
        bw.blockwise_cost(pending)
    assert sm.cost_result(pending).sizes.tolist() == [32]


def test_a_worker_needs_at_least_one_known_task():
    with pytest.raises(ValueError, match="task must be one of"):
        measuring.start_worker()
    with pytest.raises(ValueError, match="attend_up_to"):
        measuring.blockwise_task(attend_up_to=0)


def test_the_worker_module_loads_no_plotting_library():
    import subprocess
    import sys
    code = "import sys, lessons_lib.measuring; print('matplotlib' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip() == "False"
