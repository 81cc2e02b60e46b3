"""attend_blockwise: the output of attend, one block of keys at a time, without the n×m matrix."""
import tracemalloc

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lessons_lib import Partial, attend, attend_blockwise, causal_mask, merge_partials, partial_attention
from lessons_lib import attention


@st.composite
def problems(draw, dtype=np.float64, max_scale=1e4):
    """Random queries, keys, values, a block size, a mask (none, random or causal) and a score scale."""
    n, m = draw(st.integers(1, 40)), draw(st.integers(1, 40))
    d, dv = draw(st.integers(1, 6)), draw(st.integers(1, 4))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    scale = draw(st.sampled_from([s for s in (1e-3, 1.0, 10.0, 100.0, 1e4) if s <= max_scale]))
    queries = (rng.standard_normal((n, d)) * scale).astype(dtype)
    keys, values = rng.standard_normal((m, d)).astype(dtype), rng.standard_normal((m, dv)).astype(dtype)
    kind = draw(st.sampled_from(["none", "random", "causal"] if n == m else ["none", "random"]))
    mask = None
    if kind == "causal":
        mask = causal_mask(n)
    elif kind == "random":
        mask = rng.random((n, m)) < draw(st.sampled_from([0.05, 0.5, 0.9]))
        mask[np.arange(n), rng.integers(0, m, n)] = True  # every row keeps one key
    return queries, keys, values, draw(st.integers(1, 50)), mask


@given(problems())
@settings(max_examples=150)
def test_blockwise_equals_attend_in_float64_within_1e_10(problem):
    queries, keys, values, block, mask = problem
    expected = attend(queries, keys, values, mask=mask)[0]
    got = attend_blockwise(queries, keys, values, block=block, mask=mask)
    assert got.dtype == np.float64
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-10)


@given(problems(dtype=np.float32, max_scale=10.0))
@settings(max_examples=100)
def test_blockwise_keeps_float32_and_equals_attend_within_2e_5(problem):
    queries, keys, values, block, mask = problem
    expected = attend(queries, keys, values, mask=mask)[0]
    got = attend_blockwise(queries, keys, values, block=block, mask=mask)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, expected, rtol=0, atol=2e-5)


@pytest.mark.parametrize("scale", [1e4, 1e100, 1e150])
def test_blockwise_equals_attend_for_huge_scores(scale):
    rng = np.random.default_rng(3)
    queries, keys, values = rng.standard_normal((30, 4)) * scale, rng.standard_normal((30, 4)), rng.standard_normal((30, 2))
    expected = attend(queries, keys, values)[0]
    got = attend_blockwise(queries, keys, values, block=7)
    assert np.isfinite(got).all()
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-10)


def test_rows_whose_first_blocks_are_fully_masked_still_get_the_right_output():
    rng = np.random.default_rng(4)
    queries, keys, values = rng.standard_normal((6, 3)), rng.standard_normal((20, 3)), rng.standard_normal((20, 2))
    mask = np.zeros((6, 20), dtype=bool)
    mask[:, 17:] = True  # blocks of 4: rows see nothing in the first four blocks
    mask[0, 2] = True  # except row 0, in the first block only
    np.testing.assert_allclose(attend_blockwise(queries, keys, values, block=4, mask=mask),
                               attend(queries, keys, values, mask=mask)[0], rtol=0, atol=1e-12)


@pytest.mark.parametrize("block", [1, 3, 10, 11, 1000])
def test_block_may_be_larger_than_or_not_divide_the_number_of_keys(block):
    rng = np.random.default_rng(5)
    queries, keys, values = rng.standard_normal((9, 3)), rng.standard_normal((10, 3)), rng.standard_normal((10, 4))
    np.testing.assert_allclose(attend_blockwise(queries, keys, values, block=block),
                               attend(queries, keys, values)[0], rtol=0, atol=1e-12)


def test_blockwise_handles_batch_and_head_axes_like_attend():
    rng = np.random.default_rng(6)
    queries, keys, values = rng.normal(size=(2, 3, 70, 5)), rng.normal(size=(2, 3, 40, 5)), rng.normal(size=(2, 3, 40, 2))
    mask = rng.random((70, 40)) < 0.5
    mask[:, 0] = True
    np.testing.assert_allclose(attend_blockwise(queries, keys, values, block=16, mask=mask),
                               attend(queries, keys, values, mask=mask)[0], rtol=0, atol=1e-12)


def test_blockwise_without_scaling_equals_attend_without_scaling():
    rng = np.random.default_rng(7)
    queries, keys, values = rng.normal(size=(12, 4)), rng.normal(size=(12, 4)), rng.normal(size=(12, 3))
    np.testing.assert_allclose(attend_blockwise(queries, keys, values, block=5, scale=False),
                               attend(queries, keys, values, scale=False)[0], rtol=0, atol=1e-12)


def test_the_thread_pool_does_not_change_a_single_bit(monkeypatch):
    rng = np.random.default_rng(8)
    queries, keys, values = (rng.standard_normal((300, 8), dtype=np.float32) for _ in range(3))
    monkeypatch.setattr(attention, "_workers", lambda: 3)
    pooled = attend_blockwise(queries, keys, values, block=32, mask=causal_mask(300))
    monkeypatch.setattr(attention, "_workers", lambda: 1)
    alone = attend_blockwise(queries, keys, values, block=32, mask=causal_mask(300))
    assert np.array_equal(pooled, alone)


def peak_mib(call) -> float:
    call()  # warm up
    tracemalloc.start()
    try:
        call()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def test_peak_memory_stays_near_n_times_block_not_n_times_m():
    n, d, block = 2048, 16, 64
    rng = np.random.default_rng(9)
    queries, keys, values = (rng.standard_normal((n, d), dtype=np.float32) for _ in range(3))
    peak = peak_mib(lambda: attend_blockwise(queries, keys, values, block=block))
    scores_bound = n * block * 4 / 2**20  # 0.5 MiB: at most n × block scores alive
    input_sized = 4 * n * (d + 1) * 4 / 2**20  # scaled queries, values with ones, output, sums
    full_matrix = n * n * 4 / 2**20  # 16 MiB
    assert peak <= scores_bound + input_sized, f"peak {peak:.2f} MiB"
    assert peak < full_matrix / 8
    assert peak_mib(lambda: attend(queries, keys, values)) > full_matrix  # the control: attend does hold it


def test_peak_memory_with_a_causal_mask_stays_near_n_times_block():
    n, block = 1024, 32
    rng = np.random.default_rng(10)
    x = rng.standard_normal((n, 8), dtype=np.float32)
    mask = causal_mask(n)  # made outside: it is the caller's n×n array
    peak = peak_mib(lambda: attend_blockwise(x, x, x, block=block, mask=mask))
    scores_bound, input_sized = n * block * 4 / 2**20, 4 * n * 9 * 4 / 2**20  # 0.125 and 0.14 MiB
    assert peak <= 2 * (scores_bound + input_sized), f"peak {peak:.2f} MiB"  # room for the threads' turns
    assert peak < n * n * 4 / 2**20 / 8  # the n×n float32 matrix would be 4 MiB


BAD_INPUTS = [
    ({"queries": np.ones(3), "keys": np.ones(3), "values": np.ones(3)}, ValueError),
    ({"keys": np.ones((5, 4))}, ValueError),
    ({"values": np.ones((6, 2))}, ValueError),
    ({"queries": np.full((4, 3), np.nan)}, ValueError),
    ({"keys": [[1.0, np.inf, 0.0]] * 5}, ValueError),
    ({"values": "abc"}, TypeError),
    ({"mask": np.ones((4, 5))}, TypeError),
    ({"mask": np.ones((3, 5), dtype=bool)}, ValueError),
    ({"mask": np.eye(4, 5, k=4, dtype=bool) & False}, ValueError),
]


@pytest.mark.parametrize(("change", "error"), BAD_INPUTS,
                         ids=["vectors", "keys-width", "values-rows", "nan", "inf", "text", "mask-dtype",
                              "mask-shape", "mask-empty-row"])
def test_blockwise_rejects_bad_input_with_the_same_error_as_attend(change, error):
    rng = np.random.default_rng(11)
    args = {"queries": rng.normal(size=(4, 3)), "keys": rng.normal(size=(5, 3)), "values": rng.normal(size=(5, 2))}
    args.update(change)
    mask = args.pop("mask", None)
    with pytest.raises(error) as from_attend:
        attend(*args.values(), mask=mask)
    with pytest.raises(error) as from_blockwise:
        attend_blockwise(*args.values(), mask=mask, block=2)
    assert str(from_blockwise.value) == str(from_attend.value)


@pytest.mark.parametrize(("block", "error"), [(0, ValueError), (-4, ValueError), (2.5, TypeError),
                                               (True, TypeError), ("8", TypeError), (None, TypeError)])
def test_blockwise_rejects_a_block_that_is_not_a_positive_integer_naming_it(block, error):
    with pytest.raises(error, match="block"):
        attend_blockwise(np.ones((2, 2)), np.ones((3, 2)), np.ones((3, 2)), block=block)


# --- partials and their merge -----------------------------------------------------------


def split_partials(seed: int, split: int, scale: float = 1.0):
    rng = np.random.default_rng(seed)
    queries, keys, values = rng.normal(size=(3, 4)) * scale, rng.normal(size=(9, 4)), rng.normal(size=(9, 2))
    first = partial_attention(queries, keys[:split], values[:split])
    second = partial_attention(queries, keys[split:], values[split:])
    return first, second, partial_attention(queries, keys, values), attend(queries, keys, values)[0]


@pytest.mark.parametrize(("split", "scale"), [(1, 1.0), (4, 1.0), (8, 1.0), (4, 1e3)])
def test_merging_two_partials_gives_the_partial_over_all_the_keys(split, scale):
    first, second, whole, output = split_partials(12, split, scale)
    merged = merge_partials(first, second)
    for got, expected in zip(merged, whole):
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(merged.weighted / merged.total, output, rtol=0, atol=1e-12)


def test_merging_is_symmetric():
    first, second, _, _ = split_partials(13, 3)
    for a, b in zip(merge_partials(first, second), merge_partials(second, first)):
        np.testing.assert_allclose(a, b, rtol=1e-14)


def test_a_partial_of_all_masked_keys_merges_as_nothing():
    first, second, _, _ = split_partials(14, 5)
    empty = Partial(np.full_like(first.maximum, -np.inf), np.zeros_like(first.total), np.zeros_like(first.weighted))
    for a, b in zip(merge_partials(first, empty), first):
        np.testing.assert_array_equal(a, b)


def test_merge_partials_names_a_bad_argument():
    first, _, _, _ = split_partials(15, 4)
    with pytest.raises(TypeError, match="second must be a Partial"):
        merge_partials(first, (1.0, 2.0, 3.0))
    with pytest.raises(ValueError, match="first.total must not contain NaN"):
        merge_partials(first._replace(total=np.full_like(first.total, np.nan)), first)


def test_attend_docstring_says_when_to_reach_for_the_blockwise_one():
    assert "attend_blockwise" in attend.__doc__


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_blocks_whose_scores_keep_growing_are_reshifted_not_overflowed(dtype):
    keys = np.linspace(0, 1, 64)[:, None].astype(dtype)  # scores rise by about 1000 from block to block
    queries, values = np.array([[8000.0], [-8000.0], [0.5]], dtype=dtype), np.arange(64.0)[:, None].astype(dtype)
    got = attend_blockwise(queries, keys, values, block=8, scale=False)
    expected = attend(queries, keys, values, scale=False)[0]
    assert np.isfinite(got).all() and got.dtype == dtype
    np.testing.assert_allclose(got, expected, rtol=1e-5 if dtype == np.float32 else 1e-12)


def test_a_row_that_sees_only_very_low_scores_after_masked_blocks_keeps_its_output():
    queries, keys = np.array([[1.0], [1.0]]), np.concatenate([np.full((8, 1), 5.0), np.full((8, 1), -1e4)])
    values = np.arange(16.0)[:, None]
    mask = np.ones((2, 16), dtype=bool)
    mask[1, :8] = False  # row 1: its first block is all masked, then scores of -1e4 only
    got = attend_blockwise(queries, keys, values, block=8, scale=False, mask=mask)
    np.testing.assert_allclose(got, attend(queries, keys, values, scale=False, mask=mask)[0], rtol=1e-12)
    assert got[1, 0] == pytest.approx(11.5)
