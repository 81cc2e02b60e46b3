"""The HTML heatmap: what a browser (or a screen reader) gets back out of it."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from matplotlib import colormaps
from matplotlib.colors import Normalize, to_hex

from heatmap_reader import read_heatmap
from lessons_lib.html_heatmap import ANNOTATE_MAX, heatmap_html

TOKENS = ["the", "cat", "sat", "down"]


def viridis(values, low=0.0, high=1.0):
    return [[to_hex(c) for c in row] for row in colormaps["viridis"](Normalize(low, high)(values))]


def test_every_cell_shows_its_weight_with_the_row_and_column_labels():
    weights = np.array([[0.7, 0.1, 0.1, 0.1], [0.25, 0.25, 0.25, 0.25], [0, 0, 1, 0], [0.4, 0.3, 0.2, 0.1]])
    table = read_heatmap(heatmap_html(weights, TOKENS, title="who looks at whom"))
    assert table.rows == TOKENS and table.columns == TOKENS
    np.testing.assert_array_equal(table.values, weights)
    assert table.hovers[0][1] == "the → cat: 0.10" and table.hovers[2][2] == "sat → sat: 1.00"
    assert table.caption.splitlines() == ["who looks at whom", "rows: token · columns: attends to"]


@given(arrays(np.float64, st.tuples(st.integers(1, 8), st.integers(1, 8)), elements=st.floats(0, 1, width=32)))
def test_cell_colours_are_matplotlibs_viridis_for_the_same_weights(weights):
    n, m = weights.shape
    table = read_heatmap(heatmap_html(weights, [f"r{i}" for i in range(n)], [f"c{j}" for j in range(m)]))
    assert table.backgrounds == viridis(weights)
    assert np.abs(table.values - weights).max() <= 0.005 + 1e-9  # two decimals, rounded


@given(arrays(np.float64, st.tuples(st.integers(1, 6), st.integers(2, 6)),
              elements=st.floats(-50, 50, width=32), unique=True))
def test_a_fitted_scale_runs_from_the_smallest_to_the_largest_weight(weights):
    table = read_heatmap(heatmap_html(weights, list("abcdef")[:weights.shape[0]], list("uvwxyz")[:weights.shape[1]],
                                      fixed_scale=False))
    darkest, brightest = np.unravel_index(weights.argmin(), weights.shape), np.unravel_index(weights.argmax(), weights.shape)
    assert table.backgrounds[darkest[0]][darkest[1]] == to_hex(colormaps["viridis"](0.0))
    assert table.backgrounds[brightest[0]][brightest[1]] == to_hex(colormaps["viridis"](1.0))


def test_a_flat_matrix_on_a_fitted_scale_gets_one_colour():
    table = read_heatmap(heatmap_html(np.full((3, 3), 0.5), list("abc"), fixed_scale=False))
    assert len({c for row in table.backgrounds for c in row}) == 1


def test_numbers_are_dark_on_bright_cells_and_light_on_dark_cells():
    table = read_heatmap(heatmap_html(np.array([[0.9, 0.1]]), ["q"], ["bright", "dark"]))
    assert table.inks == [["#000", "#fff"]]


def test_small_heatmaps_print_their_numbers_and_large_ones_keep_them_in_the_tooltips():
    small, large = ANNOTATE_MAX, ANNOTATE_MAX + 1
    for n, size in ((small, "n"), (large, "s")):
        weights = np.full((n, n), 1 / n)
        table = read_heatmap(heatmap_html(weights, [f"t{i}" for i in range(n)]))
        assert table.table_class == size
        tooltips = np.array([[float(h.rsplit(": ", 1)[1]) for h in row] for row in table.hovers])
        np.testing.assert_allclose(tooltips, np.round(weights, 2))
        assert all(text == ("" if size == "s" else f"{1 / n:.2f}") for row in table.texts for text in row)


def test_labels_are_shown_as_text_not_markup():
    markup = heatmap_html(np.eye(2), ["<b>bold</b>", 'say "hi"'], title="a < b")
    table = read_heatmap(markup)
    assert "<b>" not in markup and table.rows == ["<b>bold</b>", 'say "hi"']
    assert table.caption.startswith("a < b") and table.hovers[1][0] == 'say "hi" → <b>bold</b>: 0.00'


def test_rows_and_columns_can_differ():
    table = read_heatmap(heatmap_html(np.full((2, 3), 1 / 3), ["le", "chat"], ["the", "cat", "."],
                                      xlabel="English", ylabel="French"))
    assert table.rows == ["le", "chat"] and table.columns == ["the", "cat", "."]
    assert table.values.shape == (2, 3) and "rows: French · columns: English" in table.caption


@pytest.mark.parametrize("weights, rows, cols, error, words", [
    (np.eye(2), ["a"], None, ValueError, "row_labels must have 2 entries"),
    (np.ones((2, 3)), ["a", "b"], ["x"], ValueError, "col_labels must have 3 entries"),
    (np.ones(3), ["a", "b", "c"], None, ValueError, "weights"),
    (np.array([[np.nan]]), ["a"], None, ValueError, "weights"),
    (np.eye(2), "ab", None, TypeError, "row_labels must be a list of strings"),
])
def test_bad_input_names_the_argument(weights, rows, cols, error, words):
    with pytest.raises(error, match=words):
        heatmap_html(weights, rows, cols)


def test_a_title_that_is_not_text_is_rejected():
    with pytest.raises(TypeError, match="title must be a string"):
        heatmap_html(np.eye(2), ["a", "b"], title=3)
