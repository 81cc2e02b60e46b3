"""Lesson 07's blockwise section: the trace, the causal block count, the worker measurement."""
import numpy as np
import pytest

from lessons_lib import blockwise as bw
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
    monkeypatch.setattr(sm, "_WORKER_CODE", "raise SystemExit('no numbers today')")
    with pytest.raises(RuntimeError, match="no numbers today"):
        bw.blockwise_cost(bw.start_blockwise_measurement(sizes=(8,)))


def test_the_diagram_is_a_figure():
    assert isinstance(bw.blockwise_diagram(), Figure)
