"""Lesson 09: projections, the sqrt(d) saturation measurement, the explorer, the causal mask."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import svg_reader
from lessons_lib import qkv
from lessons_lib.attention import attend, causal_mask, softmax
from lessons_lib.plots import Figure
from lessons_lib.sequence_widgets import DIM_CHOICES, ScalingExplorer
from lessons_lib.vocab import BANK_SENTENCE, RIVER_SENTENCE, WORDS


def test_project_multiplies_by_each_matrix():
    x = np.array([[1.0, 2.0]])
    q, k, v = qkv.project(x, np.eye(2), 2 * np.eye(2), [[1.0], [1.0]])
    np.testing.assert_allclose(q, [[1, 2]])
    np.testing.assert_allclose(k, [[2, 4]])
    np.testing.assert_allclose(v, [[3]])


def test_project_rejects_a_key_matrix_of_another_width():
    with pytest.raises(ValueError, match="key"):
        qkv.project(np.ones((2, 3)), np.ones((3, 2)), np.ones((3, 4)), np.ones((3, 3)))


def test_hand_projections_ignore_function_words():
    p = qkv.hand_projections()
    q, k, _ = qkv.project(WORDS.vectors("the to"), p["query"], p["key"], p["value"])
    assert not q.any() and not k.any()


def test_verbs_ask_changes_only_the_query():
    plain, asking = qkv.hand_projections(), qkv.hand_projections(verbs_ask=True)
    np.testing.assert_array_equal(asking["key"], plain["key"])
    np.testing.assert_array_equal(asking["value"], plain["value"])
    assert not np.array_equal(asking["query"], asking["key"])


def test_verbs_ask_makes_fished_look_for_bank_more_than_bank_looks_for_fished():
    result = qkv.qkv_attention(RIVER_SENTENCE, qkv.hand_projections(verbs_ask=True))
    fished, bank = result["tokens"].index("fished"), result["tokens"].index("bank")
    assert result["scores"][fished, bank] > result["scores"][bank, fished] + 1


def test_verbs_ask_must_be_a_boolean():
    with pytest.raises(ValueError, match="verbs_ask"):
        qkv.hand_projections(verbs_ask="yes")


def test_qkv_attention_sends_bank_to_deposit_and_money():
    result = qkv.qkv_attention(BANK_SENTENCE)
    row = result["weights"][result["tokens"].index("bank")]
    top = {result["tokens"][j] for j in np.argsort(row)[-3:]}
    assert top == {"bank", "deposit", "money"}


def test_qkv_attention_equals_the_three_steps_written_out():
    result = qkv.qkv_attention(BANK_SENTENCE)
    q, k, v = result["queries"], result["keys"], result["values"]
    np.testing.assert_allclose(result["outputs"], softmax(q @ k.T / np.sqrt(3), axis=1) @ v)


def test_causal_attention_gives_no_weight_to_later_tokens():
    result = qkv.qkv_attention(BANK_SENTENCE, causal=True)
    n = len(result["tokens"])
    assert not result["weights"][~causal_mask(n)].any()
    np.testing.assert_allclose(result["weights"].sum(axis=1), 1)
    assert np.isneginf(result["scores"][0, 1])


def test_masked_scores_hide_the_upper_triangle():
    masked = qkv.masked_scores(np.arange(9.0).reshape(3, 3))
    assert np.isneginf(masked[0, 1]) and np.isneginf(masked[1, 2]) and masked[2, 0] == 6


def test_masked_scores_reject_a_non_square_matrix():
    with pytest.raises(ValueError, match="scores"):
        qkv.masked_scores(np.ones((2, 3)))


def test_scores_table_prints_minus_infinity():
    table = qkv.scores_table(qkv.masked_scores(np.zeros((2, 2))), ["a", "b"])
    assert "-inf" in table.splitlines()[1]


@given(st.sampled_from([1, 4, 16, 64]))
def test_scaled_scores_match_attend_with_scale(dim):
    rng = np.random.default_rng(dim)
    q, k, v = rng.standard_normal((3, 5, dim))
    out, weights = attend(q, k, v, scale=True)
    np.testing.assert_allclose(weights, softmax(q @ k.T / np.sqrt(dim), axis=1))


def test_random_scores_spread_like_the_square_root_of_d():
    for dim in (16, 256):
        spread = qkv.random_scores(dim, trials=400).std()
        assert spread == pytest.approx(np.sqrt(dim), rel=0.1)


def test_random_scores_are_reproducible_and_differ_by_seed():
    np.testing.assert_array_equal(qkv.random_scores(8, seed=1), qkv.random_scores(8, seed=1))
    assert not np.array_equal(qkv.random_scores(8, seed=1), qkv.random_scores(8, seed=2))


def test_random_scores_reject_a_zero_dimension():
    with pytest.raises(ValueError, match="dim"):
        qkv.random_scores(0)


def test_unscaled_softmax_saturates_and_scaling_prevents_it():
    result = qkv.saturation(dims=(1, 1024))
    assert result.largest_unscaled[-1] > 0.95
    assert result.largest_scaled[-1] < 0.5
    assert result.largest_scaled[0] == pytest.approx(result.largest_unscaled[0])
    assert result.slope_unscaled[-1] < 0.05 < result.slope_scaled[-1]


def test_saturation_slope_is_measured_per_draw_not_from_the_mean_weight():
    result = qkv.saturation(dims=(64,), trials=50)
    top = softmax(qkv.random_scores(64, trials=50), axis=-1).max(axis=-1)
    assert result.slope_unscaled[0] == pytest.approx((top * (1 - top)).mean())
    mean = result.largest_unscaled[0]
    assert result.slope_unscaled[0] < mean * (1 - mean) - 0.01  # Jensen: the two differ


def test_saturation_rejects_no_dimensions():
    with pytest.raises(ValueError, match="dims"):
        qkv.saturation(dims=())


def test_saturation_plot_and_table():
    result = qkv.saturation(dims=(1, 4))
    assert isinstance(qkv.saturation_plot(result), Figure)
    table = qkv.saturation_table(result).splitlines()
    assert "averaged" in table[0] and table[2].split()[0] == "1"


def test_explorer_shows_the_largest_weight_with_and_without_scaling():
    explorer = ScalingExplorer(d=4)
    picture = explorer.view.svg
    explorer.slider.value = 1024
    assert explorer.d == 1024
    assert explorer.largest_unscaled > 0.95 and explorer.largest_scaled < 0.5
    assert explorer.weights_unscaled.max() > explorer.weights_scaled.max()
    assert "d = 1024" in explorer.view.text
    assert f"{explorer.largest_scaled:.3f}" in explorer.view.text
    assert explorer.view.svg != picture
    unscaled, scaled = svg_reader.panels(svg_reader.parse(explorer.view.svg))
    assert svg_reader.values(unscaled) == [f"{w:.2f}" for w in explorer.weights_unscaled]
    assert svg_reader.values(scaled) == [f"{w:.2f}" for w in explorer.weights_scaled]


def test_explorer_numbers_match_the_saturation_measurement():
    explorer = ScalingExplorer(d=64)
    measured = qkv.saturation(DIM_CHOICES)
    row = DIM_CHOICES.index(64)
    assert explorer.largest_unscaled == pytest.approx(measured.largest_unscaled[row])
    np.testing.assert_allclose(explorer.weights_scaled.sum(), 1)


def test_explorer_rejects_a_dimension_not_on_the_slider():
    with pytest.raises(ValueError, match="d must be"):
        ScalingExplorer(d=3)
