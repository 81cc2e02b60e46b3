"""The maths of attention: hand-computed examples and properties that must always hold."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, arrays

from lessons_lib import (
    attend,
    attention_output,
    attention_weights,
    blend,
    causal_mask,
    dot_scores,
    mean_vector,
    self_attention,
    softmax,
)

E = np.e
moderate = st.floats(-50, 50, allow_nan=False, allow_infinity=False)


@st.composite
def scores_and_axis(draw, elements=st.floats(-1e6, 1e6)):
    scores = draw(arrays(np.float64, array_shapes(min_dims=1, max_dims=3, max_side=5), elements=elements))
    return scores, draw(st.integers(-scores.ndim, scores.ndim - 1))


@st.composite
def token_matrix(draw, min_rows=1, max_rows=6, max_cols=4, elements=st.floats(-3, 3)):
    n = draw(st.integers(min_rows, max_rows))
    d = draw(st.integers(1, max_cols))
    return draw(arrays(np.float64, (n, d), elements=elements))


# --- softmax: properties --------------------------------------------------------------


@given(scores_and_axis())
def test_softmax_weights_are_non_negative_and_sum_to_one_along_the_axis(case):
    scores, axis = case
    weights = softmax(scores, axis=axis)
    assert weights.shape == scores.shape
    assert (weights >= 0).all()
    np.testing.assert_allclose(weights.sum(axis=axis), 1.0, atol=1e-12)


@given(arrays(np.float64, (3, 4), elements=moderate), arrays(np.float64, (3, 1), elements=st.floats(-100, 100)))
def test_softmax_is_unchanged_by_adding_a_constant_to_each_row(scores, shift):
    np.testing.assert_allclose(softmax(scores + shift), softmax(scores), atol=1e-12)


@given(arrays(np.float64, st.integers(1, 8), elements=moderate))
def test_softmax_keeps_the_order_of_the_scores(scores):
    weights = softmax(scores)
    higher = scores[:, None] > scores[None, :]
    assert (weights[:, None] >= weights[None, :])[higher].all()
    equal = scores[:, None] == scores[None, :]
    assert (weights[:, None] == weights[None, :])[equal].all()


def test_softmax_gives_strictly_more_weight_to_a_strictly_higher_score():
    weights = softmax([0.5, 2.0, 1.0])
    assert weights[1] > weights[2] > weights[0]


@given(arrays(np.float64, st.integers(1, 8), elements=st.floats(-1.7e308, 1.7e308)))
def test_softmax_never_returns_nan_even_for_scores_near_the_float_limit(scores):
    weights = softmax(scores)
    assert np.isfinite(weights).all()
    assert np.isclose(weights.sum(), 1.0)
    assert weights[np.argmax(scores)] == weights.max()


def test_softmax_of_opposite_extreme_scores_puts_all_weight_on_the_larger():
    np.testing.assert_array_equal(softmax([1e308, -1e308, 1e308]), [0.5, 0.0, 0.5])


def test_softmax_with_a_tiny_temperature_approaches_argmax():
    np.testing.assert_allclose(softmax([1.0, 3.0, 2.0], temperature=1e-3), [0, 1, 0], atol=1e-12)


def test_softmax_with_a_huge_temperature_approaches_uniform():
    np.testing.assert_allclose(softmax([1.0, 3.0, 2.0], temperature=1e6), [1 / 3] * 3, atol=1e-6)


def test_softmax_temperature_divides_the_scores():
    np.testing.assert_allclose(softmax([2.0, 4.0], temperature=2.0), softmax([1.0, 2.0]))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("temperature", [1e-300, 1e-50, 1e40, 1e300])
def test_softmax_gives_no_nan_for_extreme_temperatures_in_float32_or_float64(dtype, temperature):
    scores = np.array([1.0, 2.0, -np.inf, 0.5], dtype=dtype)
    weights = softmax(scores, temperature=temperature)
    assert np.isfinite(weights).all() and weights[2] == 0
    assert np.isclose(weights.sum(), 1.0)


def test_softmax_gives_minus_inf_scores_zero_weight():
    weights = softmax([1.0, -np.inf, 2.0])
    assert weights[1] == 0.0
    np.testing.assert_allclose(weights[[0, 2]], [1 / (1 + E), E / (1 + E)])


def test_softmax_rejects_a_row_that_is_all_minus_inf():
    with pytest.raises(ValueError, match="scores has a row that is all -inf"):
        softmax([[1.0, 2.0], [-np.inf, -np.inf]])


def test_softmax_allows_an_all_minus_inf_column_when_the_rows_are_fine():
    weights = softmax([[1.0, -np.inf], [2.0, -np.inf]], axis=-1)
    np.testing.assert_array_equal(weights, [[1.0, 0.0], [1.0, 0.0]])


@pytest.mark.parametrize(
    ("dtype", "expected"),
    [(np.float32, np.float32), (np.float64, np.float64), (np.int64, np.float64), (np.int32, np.float64)],
)
def test_softmax_keeps_float32_and_float64_and_turns_integers_into_float64(dtype, expected):
    assert softmax(np.array([1, 2, 3], dtype=dtype)).dtype == expected


def test_softmax_accepts_a_plain_list_of_ints():
    np.testing.assert_allclose(softmax([0, 0]), [0.5, 0.5])


@pytest.mark.parametrize("temperature", [0, -1.0, np.nan, np.inf])
def test_softmax_rejects_a_temperature_that_is_not_a_positive_number(temperature):
    with pytest.raises(ValueError, match="temperature"):
        softmax([1.0, 2.0], temperature=temperature)


@pytest.mark.parametrize("temperature", [True, "1", None])
def test_softmax_rejects_a_temperature_that_is_not_a_real_number(temperature):
    with pytest.raises(TypeError, match="temperature"):
        softmax([1.0, 2.0], temperature=temperature)


@pytest.mark.parametrize("axis", [1, -2, 0.5, "0", None])
def test_softmax_rejects_an_axis_the_scores_do_not_have(axis):
    with pytest.raises(ValueError, match="axis"):
        softmax([1.0, 2.0], axis=axis)


def test_softmax_does_not_modify_its_input():
    scores = np.array([3.0, 1.0])
    softmax(scores, temperature=0.5)
    np.testing.assert_array_equal(scores, [3.0, 1.0])


# --- blend and mean_vector ----------------------------------------------------------


def test_blend_matches_a_hand_computed_weighted_average():
    np.testing.assert_allclose(blend([0.25, 0.75], [[0.0, 4.0], [8.0, 0.0]]), [6.0, 1.0])


def test_blend_with_normalize_rescales_raw_relevances():
    np.testing.assert_allclose(blend([1, 3], [[0.0, 4.0], [8.0, 0.0]], normalize=True), [6.0, 1.0])


def test_blend_rejects_weights_that_do_not_sum_to_one_and_mentions_normalize():
    with pytest.raises(ValueError, match="weights must sum to 1.*normalize=True"):
        blend([1, 3], [[0.0, 4.0], [8.0, 0.0]])


def test_blend_rejects_negative_weights():
    with pytest.raises(ValueError, match="weights must be non-negative"):
        blend([1.5, -0.5], [[0.0, 4.0], [8.0, 0.0]])


def test_mean_vector_is_the_average_of_the_rows():
    np.testing.assert_allclose(mean_vector([[1.0, 2.0], [3.0, 6.0]]), [2.0, 4.0])


def test_mean_vector_equals_a_blend_with_equal_weights():
    vectors = np.arange(12.0).reshape(4, 3)
    np.testing.assert_allclose(mean_vector(vectors), blend(np.full(4, 0.25), vectors))


@given(token_matrix(), st.data())
def test_blend_stays_inside_the_range_of_each_column(vectors, data):
    raw = data.draw(arrays(np.float64, len(vectors), elements=st.floats(0, 10)).filter(lambda w: w.sum() > 0))
    output = blend(raw, vectors, normalize=True)
    tolerance = 1e-9 * (1 + np.abs(vectors).max())
    assert (output >= vectors.min(axis=0) - tolerance).all()
    assert (output <= vectors.max(axis=0) + tolerance).all()
    weights = raw / raw.sum()
    assert (weights >= 0).all() and np.isclose(weights.sum(), 1)
    np.testing.assert_allclose(output, weights @ vectors, atol=1e-12)


@given(token_matrix(min_rows=2), st.data())
def test_attention_outputs_stay_inside_the_range_of_each_value_column(values, data):
    n = data.draw(st.integers(1, 4))
    raw = data.draw(arrays(np.float64, (n, len(values)), elements=st.floats(0.01, 10)))
    weights = raw / raw.sum(axis=1, keepdims=True)
    outputs = attention_output(weights, values)
    assert outputs.shape == (n, values.shape[1])
    assert (outputs >= values.min(axis=0) - 1e-9).all()
    assert (outputs <= values.max(axis=0) + 1e-9).all()


def test_blend_keeps_float32():
    weights = np.array([0.5, 0.5], dtype=np.float32)
    assert blend(weights, np.ones((2, 3), dtype=np.float32)).dtype == np.float32


# --- scores, weights, outputs -----------------------------------------------------------


def test_dot_scores_match_hand_computed_dot_products():
    scores = dot_scores([[1.0, 0.0], [0.0, 2.0]], [[1.0, 1.0], [2.0, 0.0], [0.0, -1.0]])
    np.testing.assert_allclose(scores, [[1.0, 2.0, 0.0], [2.0, 0.0, -2.0]])


def test_dot_scores_with_scale_divide_by_the_square_root_of_the_dimension():
    queries, keys = np.ones((1, 4)), np.ones((2, 4))
    np.testing.assert_allclose(dot_scores(queries, keys, scale=True), [[2.0, 2.0]])


def test_dot_scores_of_a_single_query_is_a_vector():
    np.testing.assert_allclose(dot_scores([1.0, 2.0], [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]), [1.0, 2.0, 3.0])


def test_dot_scores_keep_float32():
    assert dot_scores(np.ones((2, 3), np.float32), np.ones((2, 3), np.float32), scale=True).dtype == np.float32


def test_causal_mask_lets_each_token_see_itself_and_earlier_tokens():
    expected = np.array([[1, 0, 0], [1, 1, 0], [1, 1, 1]], dtype=bool)
    np.testing.assert_array_equal(causal_mask(3), expected)


@pytest.mark.parametrize("n", [0, -2, 2.5, True, "3"])
def test_causal_mask_rejects_a_size_that_is_not_a_positive_integer(n):
    with pytest.raises(ValueError, match="n must be a positive integer"):
        causal_mask(n)


def test_attention_weights_are_the_softmax_of_the_dot_scores():
    weights = attention_weights([[1.0, 0.0]], [[1.0, 0.0], [0.0, 1.0]])
    np.testing.assert_allclose(weights, [[E / (E + 1), 1 / (E + 1)]])


def test_attention_weights_with_temperature_and_scale_divide_the_scores():
    queries, keys = np.array([[2.0, 0.0, 0.0, 0.0]]), np.eye(4)
    weights = attention_weights(queries, keys, scale=True, temperature=0.5)  # scores [2,0,0,0] / 2 / 0.5
    np.testing.assert_allclose(weights, softmax([[2.0, 0.0, 0.0, 0.0]]))


def test_attention_weights_with_a_causal_mask_give_future_tokens_zero_weight():
    weights = attention_weights(np.eye(3), np.eye(3), mask=causal_mask(3))
    np.testing.assert_allclose(weights[0], [1.0, 0.0, 0.0])
    np.testing.assert_allclose(weights[1], [1 / (E + 1), E / (E + 1), 0.0])  # token 1 matches itself
    assert np.triu(weights, k=1).sum() == 0


@pytest.mark.parametrize(
    ("mask", "error"),
    [(np.ones((2, 2), dtype=int), TypeError), (np.ones((2, 3), dtype=bool), ValueError),
     (np.array([[True, False], [False, False]]), ValueError)],
    ids=["not-bool", "wrong-shape", "empty-row"],
)
def test_attention_weights_reject_a_bad_mask(mask, error):
    with pytest.raises(error, match="mask"):
        attention_weights(np.eye(2), np.eye(2), mask=mask)


def test_attention_output_blends_values_row_by_row():
    outputs = attention_output([[1.0, 0.0], [0.5, 0.5]], [[2.0, 4.0], [6.0, 8.0]])
    np.testing.assert_allclose(outputs, [[2.0, 4.0], [4.0, 6.0]])


def test_attention_output_rejects_a_row_of_weights_that_does_not_sum_to_one():
    with pytest.raises(ValueError, match="weights must sum to 1"):
        attention_output([[1.0, 0.0], [0.5, 0.4]], np.ones((2, 2)))


def test_self_attention_matches_a_hand_computed_example():
    weights, outputs = self_attention([[1.0, 0.0], [0.0, 1.0]])
    expected = np.array([[E, 1.0], [1.0, E]]) / (E + 1)
    np.testing.assert_allclose(weights, expected)
    np.testing.assert_allclose(outputs, expected)  # the vectors are the identity


def test_self_attention_equals_attention_weights_then_output():
    vectors = np.array([[1.0, 0.5, 0.0], [0.0, 1.0, 0.3], [0.7, 0.0, 1.0], [0.2, 0.2, 0.2]])
    weights, outputs = self_attention(vectors, scale=True)
    expected_weights = attention_weights(vectors, vectors, scale=True)
    np.testing.assert_allclose(weights, expected_weights)
    np.testing.assert_allclose(outputs, attention_output(expected_weights, vectors))


# --- attend ----------------------------------------------------------------------------


def test_attend_with_equal_scores_averages_the_values():
    output, weights = attend([[0.0, 0.0]], [[1.0, 2.0], [3.0, -1.0]], [[1.0, 2.0], [3.0, 4.0]])
    np.testing.assert_allclose(weights, [[0.5, 0.5]])
    np.testing.assert_allclose(output, [[2.0, 3.0]])


@pytest.fixture
def qkv():
    rng = np.random.default_rng(0)
    return rng.normal(size=(4, 3)), rng.normal(size=(5, 3)), rng.normal(size=(5, 2))


@pytest.mark.parametrize("scale", [True, False])
def test_attend_equals_attention_weights_then_attention_output(qkv, scale):
    queries, keys, values = qkv
    output, weights = attend(queries, keys, values, scale=scale)
    expected = attention_weights(queries, keys, scale=scale)
    np.testing.assert_allclose(weights, expected)
    np.testing.assert_allclose(output, attention_output(expected, values))


def test_attend_with_a_causal_mask_equals_masked_attention_weights():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(4, 3))
    output, weights = attend(x, x, x, mask=causal_mask(4))
    expected = attention_weights(x, x, scale=True, mask=causal_mask(4))
    np.testing.assert_allclose(weights, expected)
    np.testing.assert_allclose(output, expected @ x)
    assert np.triu(weights, k=1).sum() == 0


def test_attend_on_a_batch_equals_attend_on_each_item():
    rng = np.random.default_rng(2)
    queries, keys, values = rng.normal(size=(2, 3, 4, 5)), rng.normal(size=(2, 3, 6, 5)), rng.normal(size=(2, 3, 6, 2))
    output, weights = attend(queries, keys, values, mask=np.ones((4, 6), dtype=bool))
    assert output.shape == (2, 3, 4, 2) and weights.shape == (2, 3, 4, 6)
    for b in range(2):
        for h in range(3):
            expected = attention_weights(queries[b, h], keys[b, h], scale=True)
            np.testing.assert_allclose(weights[b, h], expected)
            np.testing.assert_allclose(output[b, h], expected @ values[b, h])


def test_attend_keeps_float32(qkv):
    output, weights = attend(*(a.astype(np.float32) for a in qkv), mask=np.ones((4, 5), dtype=bool))
    assert output.dtype == np.float32 and weights.dtype == np.float32


def test_attend_rejects_a_mask_row_with_no_true_entry(qkv):
    mask = np.ones((4, 5), dtype=bool)
    mask[2] = False
    with pytest.raises(ValueError, match="mask has a row with no True entry"):
        attend(*qkv, mask=mask)


@pytest.mark.parametrize(
    ("mask", "error"),
    [(np.ones((4, 5)), TypeError), (np.ones((3, 5), dtype=bool), ValueError)],
    ids=["not-bool", "does-not-broadcast"],
)
def test_attend_rejects_a_bad_mask_naming_it(qkv, mask, error):
    with pytest.raises(error, match="mask"):
        attend(*qkv, mask=mask)


def test_attend_rejects_vector_queries_naming_the_shapes():
    with pytest.raises(ValueError, match=r"queries \(\.\.\., n, d\)"):
        attend(np.ones(3), np.ones(3), np.ones(3))


# --- permutation equivariance -----------------------------------------------------------


@given(token_matrix(min_rows=2), st.data())
@settings(max_examples=40)
def test_self_attention_permutes_its_outputs_the_way_its_tokens_are_permuted(vectors, data):
    order = np.array(data.draw(st.permutations(range(len(vectors)))))
    weights, outputs = self_attention(vectors)
    moved_weights, moved_outputs = self_attention(vectors[order])
    np.testing.assert_allclose(moved_outputs, outputs[order], atol=1e-12)
    np.testing.assert_allclose(moved_weights, weights[np.ix_(order, order)], atol=1e-12)


@given(token_matrix(min_rows=2), st.data())
@settings(max_examples=40)
def test_attend_permutes_its_outputs_the_way_its_tokens_are_permuted(x, data):
    order = np.array(data.draw(st.permutations(range(len(x)))))
    values = x[:, ::-1] * 2
    output, weights = attend(x, x, values)
    moved_output, moved_weights = attend(x[order], x[order], values[order])
    np.testing.assert_allclose(moved_output, output[order], atol=1e-12)
    np.testing.assert_allclose(moved_weights, weights[np.ix_(order, order)], atol=1e-12)


@given(token_matrix(min_rows=2), st.data())
@settings(max_examples=40)
def test_attend_output_does_not_depend_on_the_order_of_the_keys_and_values(x, data):
    order = np.array(data.draw(st.permutations(range(len(x)))))
    output, weights = attend(x, x, x)
    moved_output, moved_weights = attend(x, x[order], x[order])
    np.testing.assert_allclose(moved_output, output, atol=1e-12)
    np.testing.assert_allclose(moved_weights, weights[:, order], atol=1e-12)


def test_blend_names_both_lengths_when_weights_and_vectors_disagree():
    with pytest.raises(ValueError, match=r"weights has 5 entries but vectors has 8 rows"):
        blend(np.full(5, 0.2), np.ones((8, 3)))


def test_softmax_rejects_a_single_number_asking_for_one_score_per_word():
    with pytest.raises(ValueError, match="scores must be at least 1-D"):
        softmax(3.0)


def test_attention_output_can_normalise_rows_when_asked():
    weights = np.array([[1.0, 3.0], [2.0, 2.0]])
    values = np.array([[0.0, 4.0], [8.0, 0.0]])
    np.testing.assert_allclose(attention_output(weights, values, normalize=True), [[6.0, 1.0], [4.0, 2.0]])


def test_attention_output_names_both_sizes_when_weights_and_values_disagree():
    with pytest.raises(ValueError, match="weights has 2 columns but values has 3 rows"):
        attention_output(np.full((2, 2), 0.5), np.ones((3, 4)))


def test_additive_scores_equal_v_dot_tanh_of_the_projected_pair_for_every_pair():
    from lessons_lib.attention import additive_scores
    rng = np.random.default_rng(0)
    q, k = rng.standard_normal((3, 4)), rng.standard_normal((5, 2))
    wq, wk, v = rng.standard_normal((4, 6)), rng.standard_normal((2, 6)), rng.standard_normal(6)
    expected = [[v @ np.tanh(q[i] @ wq + k[j] @ wk) for j in range(5)] for i in range(3)]
    np.testing.assert_allclose(additive_scores(q, k, wq, wk, v), expected)


def test_additive_scores_reject_projections_into_different_hidden_sizes():
    from lessons_lib.attention import additive_scores
    with pytest.raises(ValueError, match="w_key"):
        additive_scores(np.ones((2, 3)), np.ones((2, 3)), np.ones((3, 4)), np.ones((3, 5)), np.ones(4))
