"""Lessons 10-11: multi-head attention, positions, and the self-check of the multi-head exercise."""
from __future__ import annotations

import contextlib
import io

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from lessons_lib import attend, causal_mask, multi_head_attention, sinusoidal_positions
from lessons_lib.checks import transformer as checks
from lessons_lib.multihead import heads_figure, merge_heads, split_heads, toy_two_relations
from lessons_lib.positions import alibi_bias, cosine_matrix, offset_profile, offset_scores, rope, similarity_figure

FINITE = st.floats(-3, 3, allow_nan=False, width=64)


@st.composite
def layers(draw, max_tokens: int = 6):
    """A random (n, width) input and four (width, width) matrices, with a head count dividing width."""
    heads = draw(st.sampled_from([1, 2, 3]))
    width = heads * draw(st.integers(1, 3))
    n = draw(st.integers(1, max_tokens))
    x = draw(arrays(np.float64, (n, width), elements=FINITE))
    matrices = [draw(arrays(np.float64, (width, width), elements=FINITE)) for _ in range(4)]
    return x, matrices, heads


def loop_over_heads(x, matrices, heads, mask=None):
    """The slow, obvious version: one attend call per head on its column slice."""
    w_query, w_key, w_value, w_out = matrices
    size = x.shape[1] // heads
    outputs = []
    for h in range(heads):
        cols = slice(h * size, (h + 1) * size)
        outputs.append(attend(x @ w_query[:, cols], x @ w_key[:, cols], x @ w_value[:, cols], mask=mask)[0])
    return np.concatenate(outputs, axis=1) @ w_out


# --- the mechanism ------------------------------------------------------------------
@given(layers())
def test_multi_head_attention_equals_a_loop_over_contiguous_head_slices(case):
    x, matrices, heads = case
    np.testing.assert_allclose(multi_head_attention(x, *matrices, heads=heads),
                               loop_over_heads(x, matrices, heads), atol=1e-9)


@given(layers(), st.randoms(use_true_random=False))
def test_permuting_the_tokens_permutes_the_outputs(case, random):
    x, matrices, heads = case
    order = np.array(random.sample(range(len(x)), len(x)))
    np.testing.assert_allclose(multi_head_attention(x[order], *matrices, heads=heads),
                               multi_head_attention(x, *matrices, heads=heads)[order], atol=1e-9)


@given(layers(), arrays(np.float64, (3, 9), elements=FINITE))
def test_with_a_causal_mask_later_tokens_do_not_move_earlier_outputs(case, extra):
    x, matrices, heads = case
    longer = np.vstack([x, extra[:, : x.shape[1]]])
    short = multi_head_attention(x, *matrices, heads=heads, mask=causal_mask(len(x)))
    long = multi_head_attention(longer, *matrices, heads=heads, mask=causal_mask(len(longer)))
    np.testing.assert_allclose(long[: len(x)], short, atol=1e-9)


@given(layers(max_tokens=4), st.integers(0, 2), arrays(np.float64, (8, 9), elements=FINITE))
def test_a_padded_batch_with_a_key_mask_equals_one_sentence_at_a_time(case, pads, junk):
    x, matrices, heads = case
    other = np.vstack([x, x[:1]])  # a second sentence, one token longer
    n = len(other) + pads
    batch = junk[None, :n, : x.shape[1]].repeat(2, axis=0)  # whatever sits in the padded places
    batch[0, : len(x)], batch[1, : len(other)] = x, other
    real = np.arange(n)[None, :] < np.array([[len(x)], [len(other)]])
    out, weights = multi_head_attention(batch, *matrices, heads=heads, mask=real[:, None, :], return_weights=True)
    np.testing.assert_allclose(out[0, : len(x)], multi_head_attention(x, *matrices, heads=heads), atol=1e-9)
    np.testing.assert_allclose(out[1, : len(other)], multi_head_attention(other, *matrices, heads=heads), atol=1e-9)
    assert (weights[0][..., len(x):] == 0).all() and (weights[1][..., len(other):] == 0).all()


def test_return_weights_gives_one_row_stochastic_matrix_per_head():
    rng = np.random.default_rng(0)
    x, matrices = rng.normal(size=(5, 6)), list(rng.normal(size=(4, 6, 6)))
    out, weights = multi_head_attention(x, *matrices, heads=3, return_weights=True)
    assert out.shape == (5, 6) and weights.shape == (3, 5, 5)
    np.testing.assert_allclose(weights.sum(axis=-1), 1)


def test_biases_are_added_after_each_projection():
    rng = np.random.default_rng(1)
    x, (wq, wk, wv, wo), biases = rng.normal(size=(4, 6)), rng.normal(size=(4, 6, 6)), list(rng.normal(size=(4, 6)))
    ones = np.hstack([x, np.ones((4, 1))])  # a bias is a weight on a constant 1
    size = 3
    outs = []
    for h in range(2):
        cols = slice(h * size, (h + 1) * size)
        q, k, v = ((ones @ np.vstack([w, b[None]]))[:, cols] for w, b in zip((wq, wk, wv), biases[:3]))
        outs.append(attend(q, k, v)[0])
    expected = np.concatenate(outs, axis=1) @ wo + biases[3]
    np.testing.assert_allclose(multi_head_attention(x, wq, wk, wv, wo, heads=2, biases=biases), expected, atol=1e-9)


def test_split_and_merge_heads_undo_each_other_and_use_contiguous_slices():
    x = np.arange(24.0).reshape(2, 12)
    split = split_heads(x, 3)
    assert split.shape == (3, 2, 4)
    np.testing.assert_array_equal(split[1, 0], x[0, 4:8])
    np.testing.assert_array_equal(merge_heads(split), x)


def test_float32_inputs_stay_float32():
    rng = np.random.default_rng(2)
    x, matrices = rng.normal(size=(3, 4)).astype(np.float32), list(rng.normal(size=(4, 4, 4)).astype(np.float32))
    assert multi_head_attention(x, *matrices, heads=2).dtype == np.float32


# --- input checks name the argument ---------------------------------------------------
@pytest.fixture
def case():
    rng = np.random.default_rng(3)
    return rng.normal(size=(4, 6)), list(rng.normal(size=(4, 6, 6)))


def test_heads_that_do_not_divide_the_width_are_rejected(case):
    x, matrices = case
    with pytest.raises(ValueError, match="heads must divide the width 6"):
        multi_head_attention(x, *matrices, heads=4)


@pytest.mark.parametrize("heads", [0, -2, 2.0, True])
def test_heads_must_be_a_positive_whole_number(case, heads):
    x, matrices = case
    with pytest.raises((TypeError, ValueError), match="heads"):
        multi_head_attention(x, *matrices, heads=heads)


@pytest.mark.parametrize("position, name", [(0, "w_query"), (1, "w_key"), (2, "w_value"), (3, "w_out")])
def test_a_matrix_of_the_wrong_shape_is_named(case, position, name):
    x, matrices = case
    matrices[position] = matrices[position][:, :4]
    with pytest.raises(ValueError, match=name):
        multi_head_attention(x, *matrices, heads=2)


def test_nan_in_x_is_rejected(case):
    x, matrices = case
    x[1, 2] = np.nan
    with pytest.raises(ValueError, match="x must not contain NaN"):
        multi_head_attention(x, *matrices, heads=2)


def test_x_must_be_a_matrix_or_a_batch(case):
    _, matrices = case
    with pytest.raises(ValueError, match="x must be 2-D or 3-D"):
        multi_head_attention(np.ones(6), *matrices, heads=2)


def test_a_mask_of_numbers_is_rejected(case):
    x, matrices = case
    with pytest.raises(TypeError, match="mask must be an array of booleans"):
        multi_head_attention(x, *matrices, heads=2, mask=np.ones((4, 4)))


def test_a_mask_of_the_wrong_shape_is_rejected(case):
    x, matrices = case
    with pytest.raises(ValueError, match=r"mask must have shape \(4, 4\)"):
        multi_head_attention(x, *matrices, heads=2, mask=causal_mask(3))


def test_a_mask_row_without_any_key_is_rejected(case):
    x, matrices = case
    mask = causal_mask(4)
    mask[2] = False
    with pytest.raises(ValueError, match="mask has a row with no True entry"):
        multi_head_attention(x, *matrices, heads=2, mask=mask)


def test_biases_must_be_four_vectors_of_the_width(case):
    x, matrices = case
    with pytest.raises(ValueError, match="biases must be four"):
        multi_head_attention(x, *matrices, heads=2, biases=[np.zeros(6)] * 3)
    with pytest.raises(ValueError, match=r"biases\[2\] must have length 6"):
        multi_head_attention(x, *matrices, heads=2, biases=[np.zeros(6), np.zeros(6), np.zeros(5), np.zeros(6)])


# --- the hand-built toy -----------------------------------------------------------------
def test_toy_two_heads_each_find_their_word_while_one_head_splits_between_them():
    toy = toy_two_relations()
    args = [toy[k] for k in ("x", "w_query", "w_key", "w_value", "w_out")]
    _, two = multi_head_attention(*args, heads=2, return_weights=True)
    _, one = multi_head_attention(*args, heads=1, return_weights=True)
    cat, black, chased = (toy["tokens"].index(w) for w in ("cat", "black", "chased"))
    assert two[0, cat, black] > 0.9 and two[1, cat, chased] > 0.9
    assert 0.4 < one[0, cat, black] < 0.5 and 0.4 < one[0, cat, chased] < 0.5


def test_heads_figure_draws_one_panel_per_matrix_and_checks_titles():
    toy = toy_two_relations()
    fig = heads_figure(np.full((2, 6, 6), 1 / 6), toy["tokens"], ["a", "b"])
    assert [ax.get_title() for ax in fig.axes[:2]] == ["a", "b"]
    with pytest.raises(ValueError, match="titles"):
        heads_figure(np.full((2, 6, 6), 1 / 6), toy["tokens"], ["a"])


# --- positions ----------------------------------------------------------------------------
def test_sinusoidal_positions_follow_the_original_formula():
    table = sinusoidal_positions(50, 16)
    p, i = 37, 3
    assert table.shape == (50, 16)
    assert table[p, 2 * i] == pytest.approx(np.sin(p / 10000 ** (2 * i / 16)))
    assert table[p, 2 * i + 1] == pytest.approx(np.cos(p / 10000 ** (2 * i / 16)))


def test_sinusoidal_similarity_depends_only_on_the_offset():
    _, spread = offset_profile(cosine_matrix(sinusoidal_positions(40, 64)), [1, 3, 7])
    assert (spread < 1e-9).all()


@pytest.mark.parametrize("n, d, name", [(4, 5, "d must be even"), (0, 4, "n must be >= 1"), (3, 0, "d must be >= 1")])
def test_sinusoidal_positions_check_their_arguments(n, d, name):
    with pytest.raises(ValueError, match=name):
        sinusoidal_positions(n, d)


@given(st.integers(0, 40), st.integers(0, 40), st.integers(-5, 5))
def test_rope_scores_depend_only_on_the_offset(p, q, shift):
    rng = np.random.default_rng(4)
    query, key = rng.normal(size=(2, 1, 8))
    score = (rope(query, [p]) @ rope(key, [q]).T)[0, 0]
    shifted = (rope(query, [p + shift + 5]) @ rope(key, [q + shift + 5]).T)[0, 0]
    assert score == pytest.approx(shifted, abs=1e-9)


def test_rope_keeps_vector_lengths():
    x = np.random.default_rng(5).normal(size=(6, 10))
    np.testing.assert_allclose(np.linalg.norm(rope(x, np.arange(6)), axis=1), np.linalg.norm(x, axis=1))


def test_rope_rejects_an_odd_width_and_a_wrong_number_of_positions():
    with pytest.raises(ValueError, match="even number of columns"):
        rope(np.ones((2, 3)), [0, 1])
    with pytest.raises(ValueError, match="positions must give one position per row"):
        rope(np.ones((2, 4)), [0])


def test_alibi_penalises_distance_linearly_and_symmetrically():
    bias = alibi_bias(5, 0.5)
    assert bias[2, 2] == 0 and bias[2, 0] == bias[2, 4] == -1.0
    with pytest.raises(ValueError, match="slope"):
        alibi_bias(5, 0)


def test_offset_scores_read_the_diagonal_next_to_the_main_one():
    maps = np.eye(4, k=-1)
    maps[0, 0] = 1
    assert offset_scores(maps, -1) == 1.0 and offset_scores(maps, 1) == 0.0
    with pytest.raises(ValueError, match="offset must be a non-zero integer"):
        offset_scores(maps, 0)


def test_cosine_matrix_rejects_a_zero_row():
    with pytest.raises(ValueError, match="row of zeros"):
        cosine_matrix(np.array([[1.0, 0.0], [0.0, 0.0]]))


def test_similarity_figure_has_one_panel_per_matrix():
    fig = similarity_figure({"a": np.eye(5), "b": np.eye(5)})
    assert [ax.get_title() for ax in fig.axes[:2]] == ["a", "b"]


# --- the self-check of the exercise -------------------------------------------------------
def run_check(function) -> tuple[bool, str]:
    with contextlib.redirect_stdout(io.StringIO()) as printed:
        verdict = checks.check_multi_head_attention(function)
    return bool(verdict), printed.getvalue()


def test_the_worked_solution_passes_on_the_real_model():
    passed, text = run_check(checks.SOLUTIONS["check_multi_head_attention"]())
    assert passed and text.startswith("✅") and "biases left out" in text


@pytest.mark.parametrize("mistake", ["wrong axis", "√(head size)", "√(width)", "W_O", "one head", "biases"])
def test_each_usual_mistake_fails_with_its_own_hint(mistake):
    x, matrices = checks._case()
    variants = checks._variants(x, matrices)
    (hint, wrong), = [(h, w) for h, w in variants.items() if mistake in h]
    passed, text = run_check(lambda *args: wrong)
    assert not passed and hint in text


def test_the_check_never_prints_the_expected_values():
    passed, text = run_check(lambda x, *rest: x * 1.01)
    assert not passed and "differs from the expected one" in text
    expected = multi_head_attention(*checks._case()[:1], *checks._case()[1], heads=12)
    assert f"{expected[0, 0]:.4f}" not in text


def test_a_wrong_shape_and_an_error_fail_politely():
    assert not run_check(lambda *a: np.zeros((2, 2)))[0]
    passed, text = run_check(lambda *a: 1 / 0)
    assert not passed and "ZeroDivisionError" in text
