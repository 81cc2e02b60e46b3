"""The shared input checks: every bad input is refused with a message naming the argument."""
import numpy as np
import pytest

from lessons_lib import attend, attention_output, attention_weights, blend, dot_scores, mean_vector, softmax
from lessons_lib._validate import (
    as_distribution,
    as_float_array,
    as_labels,
    as_matrix,
    as_positive,
    as_vector,
)

# --- as_float_array ------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    ["1, 2, 3", b"123", None, np.array([1, "a"], dtype=object), ["a", "b"], [1 + 2j, 3j], {"a": 1}],
    ids=["string", "bytes", "None", "object-array", "list-of-strings", "complex", "dict"],
)
def test_as_float_array_rejects_non_numbers_with_a_type_error_naming_the_argument(value):
    with pytest.raises(TypeError, match="scores"):
        as_float_array(value, "scores")


def test_as_float_array_rejects_a_ragged_list_naming_the_argument():
    with pytest.raises(ValueError, match="vectors must be a rectangular array"):
        as_float_array([[1.0, 2.0], [3.0]], "vectors")


@pytest.mark.parametrize("value", [[], np.zeros((0, 3)), np.zeros((2, 0))], ids=["list", "0x3", "2x0"])
def test_as_float_array_rejects_empty_arrays(value):
    with pytest.raises(ValueError, match="values must not be empty"):
        as_float_array(value, "values")


@pytest.mark.parametrize(
    ("bad", "what"), [(np.nan, "NaN"), (np.inf, r"\+inf"), (-np.inf, "-inf")], ids=["nan", "+inf", "-inf"]
)
def test_as_float_array_rejects_non_finite_entries(bad, what):
    with pytest.raises(ValueError, match=f"keys must not contain {what}"):
        as_float_array([1.0, bad, 2.0], "keys")


def test_as_float_array_allows_minus_inf_only_when_asked():
    array = as_float_array([1.0, -np.inf], "scores", allow_neg_inf=True)
    assert np.isneginf(array[1])


@pytest.mark.parametrize("bad", [np.nan, np.inf], ids=["nan", "+inf"])
def test_as_float_array_still_rejects_nan_and_plus_inf_when_minus_inf_is_allowed(bad):
    with pytest.raises(ValueError, match="scores"):
        as_float_array([1.0, bad], "scores", allow_neg_inf=True)


def test_as_float_array_rejects_the_wrong_number_of_dimensions_and_shows_the_shape():
    with pytest.raises(ValueError, match=r"queries must be 1-D or 2-D, got 3-D with shape \(1, 1, 2\)"):
        as_float_array(np.ones((1, 1, 2)), "queries", ndim=(1, 2))


@pytest.mark.parametrize(
    ("value", "dtype"),
    [
        (np.ones(2, dtype=np.float32), np.float32),
        (np.ones(2, dtype=np.float64), np.float64),
        (np.ones(2, dtype=np.int64), np.float64),
        (np.ones(2, dtype=np.float16), np.float64),
        ([True, False], np.float64),
    ],
    ids=["float32", "float64", "int", "float16", "bool"],
)
def test_as_float_array_keeps_float32_and_float64_and_turns_the_rest_into_float64(value, dtype):
    assert as_float_array(value, "x").dtype == dtype


# --- as_vector / as_matrix -------------------------------------------------------


def test_as_vector_rejects_a_matrix_naming_the_argument():
    with pytest.raises(ValueError, match="weights must be 1-D"):
        as_vector([[1.0, 2.0]], "weights")


def test_as_vector_rejects_the_wrong_length():
    with pytest.raises(ValueError, match="weights must have length 3, got 2"):
        as_vector([0.5, 0.5], "weights", size=3)


def test_as_matrix_rejects_a_vector_naming_the_argument():
    with pytest.raises(ValueError, match="vectors must be 2-D, got 1-D"):
        as_matrix([1.0, 2.0], "vectors")


def test_as_matrix_rejects_the_wrong_number_of_rows():
    with pytest.raises(ValueError, match="values must have 3 rows, got 2"):
        as_matrix(np.ones((2, 4)), "values", rows=3)


def test_as_matrix_rejects_the_wrong_number_of_columns():
    with pytest.raises(ValueError, match="keys must have 5 columns, got 4"):
        as_matrix(np.ones((2, 4)), "keys", cols=5)


# --- as_distribution -------------------------------------------------------------


def test_as_distribution_rejects_negative_weights():
    with pytest.raises(ValueError, match=r"weights must be non-negative \(smallest is -0.2\)"):
        as_distribution([1.2, -0.2])


def test_as_distribution_rejects_weights_not_summing_to_one_and_suggests_normalize():
    with pytest.raises(ValueError, match=r"weights must sum to 1 \(got 1.35\); pass normalize=True"):
        as_distribution([0.5, 0.85])


def test_as_distribution_checks_every_row_of_a_matrix():
    with pytest.raises(ValueError, match=r"sum to 1 \(got 0.5\)"):
        as_distribution([[0.5, 0.5], [0.25, 0.25]])


def test_as_distribution_with_normalize_rescales_a_vector_to_sum_to_one():
    np.testing.assert_allclose(as_distribution([1.0, 3.0], normalize=True), [0.25, 0.75])


def test_as_distribution_with_normalize_rescales_each_row_separately():
    result = as_distribution([[1.0, 1.0], [0.0, 2.0]], normalize=True)
    np.testing.assert_allclose(result, [[0.5, 0.5], [0.0, 1.0]])


def test_as_distribution_with_normalize_refuses_a_row_of_zeros():
    with pytest.raises(ValueError, match="weights cannot be normalised: a row sums to 0"):
        as_distribution([[1.0, 1.0], [0.0, 0.0]], normalize=True)


def test_as_distribution_with_normalize_still_rejects_negative_weights():
    with pytest.raises(ValueError, match="weights must be non-negative"):
        as_distribution([2.0, -1.0], normalize=True)


def test_as_distribution_accepts_float32_rounding_of_a_valid_distribution():
    weights = np.full(7, 1 / 7, dtype=np.float32)
    assert as_distribution(weights).dtype == np.float32


def test_as_distribution_rejects_three_dimensional_weights_by_default():
    with pytest.raises(ValueError, match="weights must be 1-D or 2-D"):
        as_distribution(np.full((2, 2, 2), 0.5))


def test_as_distribution_uses_the_given_name_in_its_messages():
    with pytest.raises(ValueError, match="row_weights must sum to 1"):
        as_distribution([0.2, 0.2], "row_weights")


# --- as_positive -------------------------------------------------------------------


@pytest.mark.parametrize("value", [0, 0.0, -1.0, np.nan, np.inf, -np.inf], ids=str)
def test_as_positive_rejects_numbers_that_are_not_finite_and_positive(value):
    with pytest.raises(ValueError, match="temperature must be a finite number > 0"):
        as_positive(value, "temperature")


@pytest.mark.parametrize("value", [True, False, "1", None, [1.0], 1 + 0j], ids=repr)
def test_as_positive_rejects_non_real_values_with_a_type_error(value):
    with pytest.raises(TypeError, match="temperature must be a real number"):
        as_positive(value, "temperature")


@pytest.mark.parametrize("value", [2, 0.5, np.float32(0.5), np.int64(3)], ids=repr)
def test_as_positive_returns_a_plain_float(value):
    result = as_positive(value, "temperature")
    assert type(result) is float and result == float(value)


# --- as_labels -----------------------------------------------------------------------


def test_as_labels_rejects_one_string_instead_of_a_list():
    with pytest.raises(TypeError, match="labels must be a list of strings, not one string"):
        as_labels("bank", "labels", count=4)


def test_as_labels_rejects_something_that_is_not_a_sequence():
    with pytest.raises(TypeError, match="row_labels must be a list of strings"):
        as_labels(3, "row_labels", count=3)


def test_as_labels_rejects_the_wrong_count():
    with pytest.raises(ValueError, match="col_labels must have 3 entries, got 2"):
        as_labels(["a", "b"], "col_labels", count=3)


def test_as_labels_turns_every_entry_into_a_string():
    assert as_labels(("a", 1, 2.5), "labels", count=3) == ["a", "1", "2.5"]


# --- the public functions pass the right argument names ---------------------------------


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: blend([0.5, 0.5], np.ones((3, 2))), "vectors"),
        (lambda: blend([0.5, 0.6], np.ones((2, 2))), "weights"),
        (lambda: blend([[0.5, 0.5]], np.ones((2, 2))), "weights"),
        (lambda: blend([0.5, 0.5], [[1.0, np.nan], [0.0, 1.0]]), "vectors"),
        (lambda: mean_vector([1.0, 2.0]), "vectors"),
        (lambda: softmax([1.0, np.nan]), "scores"),
        (lambda: softmax([1.0, np.inf]), "scores"),
        (lambda: softmax([]), "scores"),
        (lambda: dot_scores(np.ones((2, 3)), np.ones((2, 4))), "keys"),
        (lambda: dot_scores(np.ones((1, 2, 3)), np.ones((2, 3))), "queries"),
        (lambda: dot_scores(np.ones(3), [[1.0, -np.inf, 0.0]]), "keys"),
        (lambda: attention_weights(np.ones(3), np.ones((2, 3))), "queries"),
        (lambda: attention_output([[0.5, 0.5]], np.ones((3, 2))), "values"),
        (lambda: attention_output([[0.5, 0.6]], np.ones((2, 2))), "weights"),
        (lambda: attend(np.ones((2, 3)), np.ones((2, 4)), np.ones((2, 1))), "queries"),
        (lambda: attend(np.ones((2, 3)), np.ones((2, 3)), np.ones((4, 1))), "values"),
        (lambda: attend(np.ones((2, 3)), np.ones((2, 3, 1)), np.ones((2, 1))), "keys"),
    ],
    ids=[
        "blend-rows", "blend-sum", "blend-2d", "blend-nan", "mean-1d", "softmax-nan", "softmax-inf",
        "softmax-empty", "scores-cols", "scores-3d", "scores-keys-inf", "weights-1d", "output-rows",
        "output-sum", "attend-d", "attend-m", "attend-ndim",
    ],
)
def test_public_functions_name_the_bad_argument(call, name):
    with pytest.raises(ValueError, match=name):
        call()


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: blend(None, np.ones((2, 2))), "weights"),
        (lambda: mean_vector("abc"), "vectors"),
        (lambda: softmax(["a", "b"]), "scores"),
        (lambda: dot_scores(np.array([object()]), np.ones((1, 1))), "queries"),
    ],
    ids=["blend-None", "mean-string", "softmax-strings", "scores-object"],
)
def test_public_functions_raise_a_type_error_for_non_numbers(call, name):
    with pytest.raises(TypeError, match=f"^{name} must"):
        call()


def test_as_count_rejects_bools_and_floats_naming_the_argument():
    from lessons_lib._validate import as_count

    for bad in (True, 2.0, "3"):
        with pytest.raises(TypeError, match="steps must be an integer"):
            as_count(bad, "steps")


def test_as_count_rejects_numbers_below_the_lower_bound():
    from lessons_lib._validate import as_count

    with pytest.raises(ValueError, match="layers must be >= 1, got 0"):
        as_count(0, "layers")
    assert as_count(0, "steps", low=0) == 0
