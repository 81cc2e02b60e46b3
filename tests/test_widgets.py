"""Headless widget tests: move a slider, read the numbers, see the picture change."""
import ipywidgets as widgets
import numpy as np
import pytest

import svg_reader
from lessons_lib import WORDS, softmax
from lessons_lib.vocab import BANK_HAND_WEIGHTS, BANK_SENTENCE, hand_weights
from heatmap_reader import read_heatmap
from lessons_lib.widgets import AttentionExplorer, SoftmaxExplorer, WeightMatrixExplorer, environment_check


@pytest.fixture
def explorer():
    return AttentionExplorer()


def table_rows(text):
    return [line.split() for line in text.splitlines()]


def bars(view, panel=0):
    """Bar heights as drawn (pixels) and the values written above them, in one panel of the picture."""
    drawn = svg_reader.panels(svg_reader.parse(view.widget.value))[panel]
    return np.array(svg_reader.bar_heights(drawn)), svg_reader.values(drawn)


def assert_bars_show(view, weights, panel=0):
    """The bars are as tall as the weights (on one scale from 0) and labelled with them."""
    heights, written = bars(view, panel)
    np.testing.assert_allclose(heights / heights.max(), weights / weights.max(), atol=1e-3)
    assert written == [f"{w:.2f}" for w in weights]


# --- AttentionExplorer ------------------------------------------------------------------


def test_attention_explorer_starts_with_equal_weights_and_the_plain_mean(explorer):
    np.testing.assert_allclose(explorer.weights, np.full(8, 1 / 8))
    np.testing.assert_allclose(explorer.output, WORDS.vectors(BANK_SENTENCE).mean(axis=0))
    assert explorer.tokens == ["i", "went", "to", "the", "bank", "to", "deposit", "money"]
    assert [s.description for s in explorer.sliders] == explorer.tokens


def test_moving_one_slider_updates_weights_output_picture_and_table(explorer):
    picture, text = explorer.view.svg, explorer.view.text
    explorer.sliders[6].value = 1.0  # "deposit"
    relevance = np.full(8, 0.5)
    relevance[6] = 1.0
    expected = relevance / relevance.sum()
    np.testing.assert_allclose(explorer.weights, expected)
    assert np.isclose(explorer.weights.sum(), 1.0)
    np.testing.assert_allclose(explorer.output, expected @ explorer.vectors)
    assert explorer.view.svg != picture and explorer.view.svg in explorer.view.widget.value
    assert explorer.view.text != text
    assert ["deposit", f"{expected[6]:.2f}"] in table_rows(explorer.view.text)
    assert_bars_show(explorer.view, expected)


def test_the_bar_chart_and_star_follow_the_sliders(explorer):
    picture = svg_reader.parse(explorer.view.svg)
    before, blend = svg_reader.star_centre(svg_reader.marks(picture, "blend")[0]), explorer.output[list(explorer.dims)]
    explorer.sliders[7].value = 1.0  # "money": the blend moves right, along finance
    assert_bars_show(explorer.view, explorer.weights)
    star = svg_reader.marks(svg_reader.parse(explorer.view.svg), "blend")[0]
    moved = explorer.output[list(explorer.dims)] - blend
    np.testing.assert_allclose([float(star.get("data-x")), float(star.get("data-y"))], blend + moved, atol=1e-4)
    after = svg_reader.star_centre(star)
    # one scale on both axes (a square plot), y drawn downwards
    pixels_per_unit = (after[0] - before[0]) / moved[0]
    assert after[1] - before[1] == pytest.approx(-pixels_per_unit * moved[1], abs=0.2)  # coordinates: 0.1 px
    assert after[0] > before[0] + 5


def test_all_sliders_at_zero_give_equal_weights_and_a_note(explorer):
    explorer.set_relevance(np.zeros(8))
    np.testing.assert_allclose(explorer.weights, np.full(8, 1 / 8))
    assert "All relevances are 0" in explorer.view.text


def test_the_note_disappears_when_a_slider_moves_off_zero(explorer):
    explorer.set_relevance(np.zeros(8))
    explorer.sliders[4].value = 0.5
    assert "All relevances are 0" not in explorer.view.text
    np.testing.assert_allclose(explorer.weights, np.eye(8)[4])


def test_set_relevance_moves_every_slider_with_one_redraw(explorer):
    before = explorer.view.renders
    weights = hand_weights(explorer.tokens, BANK_HAND_WEIGHTS, 0.20)
    explorer.set_relevance(weights)
    assert explorer.view.renders == before + 1
    np.testing.assert_allclose(explorer.relevance, weights)
    np.testing.assert_allclose(explorer.weights, weights)


def test_one_slider_change_is_one_redraw(explorer):
    before = explorer.view.renders
    explorer.sliders[0].value = 0.9
    assert explorer.view.renders == before + 1


def test_the_explorer_updates_one_widget_in_place(explorer):
    shown, updates = explorer.view.widget, []
    shown.observe(updates.append, names="value")
    explorer.sliders[1].value = 0.0
    explorer.set_relevance(np.linspace(0, 1, 8))
    assert explorer.view.widget is shown and len(updates) == 2  # one update a step, picture and table together
    assert len(svg_reader.panels(svg_reader.parse(shown.value))) == 2


def test_the_explorer_accepts_starting_relevance(explorer):
    weights = hand_weights(explorer.tokens, BANK_HAND_WEIGHTS, 0.20)
    started = AttentionExplorer(BANK_SENTENCE, relevance=weights)
    np.testing.assert_allclose(started.weights, weights)


@pytest.mark.parametrize(
    "relevance", [[0.5, 0.5], np.full(8, -0.1), np.full(8, 1.5)], ids=["too-few", "negative", "above-one"]
)
def test_the_explorer_rejects_bad_starting_relevance(relevance):
    with pytest.raises(ValueError, match="relevance"):
        AttentionExplorer(BANK_SENTENCE, relevance=relevance)


def test_the_explorer_rejects_starting_relevance_with_nan():
    with pytest.raises(ValueError, match="relevance must not contain NaN"):
        AttentionExplorer(BANK_SENTENCE, relevance=[np.nan] * 8)


@pytest.mark.parametrize(
    "values", [[0.5] * 3, [-0.5] + [0.5] * 7, [2.0] + [0.5] * 7], ids=["too-few", "negative", "above-one"]
)
def test_set_relevance_rejects_values_the_sliders_cannot_show(explorer, values):
    renders = explorer.view.renders
    with pytest.raises(ValueError, match="values"):
        explorer.set_relevance(values)
    assert explorer.view.renders == renders
    np.testing.assert_allclose(explorer.relevance, 0.5)


def test_the_explorer_displays_as_its_widget(explorer):
    bundle = explorer._repr_mimebundle_()
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == explorer.widget.model_id


def test_the_explorer_draws_other_named_dimensions():
    explorer = AttentionExplorer("the trophy wouldn't fit in the suitcase", focus="it", dims=("object", "container"))
    assert explorer.dims == (4, 5)
    plane = svg_reader.panels(svg_reader.parse(explorer.view.svg))[1]
    assert "object" in svg_reader.texts(plane) and "container" in svg_reader.texts(plane)


def test_the_explorer_reports_an_unknown_word():
    with pytest.raises(KeyError, match="zoo"):
        AttentionExplorer("the zoo")


# --- SoftmaxExplorer ----------------------------------------------------------------------


@pytest.fixture
def softmax_explorer():
    return SoftmaxExplorer(["money", "deposit", "the"], [2.0, 1.0, 0.5])


def test_softmax_explorer_starts_with_the_softmax_of_its_scores(softmax_explorer):
    np.testing.assert_allclose(softmax_explorer.weights, softmax([2.0, 1.0, 0.5]))


def test_moving_a_score_slider_gives_softmax_of_scores_over_temperature(softmax_explorer):
    picture = softmax_explorer.view.svg
    softmax_explorer.temperature_slider.value = 2.0
    softmax_explorer.sliders[2].value = 3.0
    np.testing.assert_allclose(softmax_explorer.weights, softmax([2.0, 1.0, 3.0], temperature=2.0))
    assert softmax_explorer.view.svg != picture
    assert_bars_show(softmax_explorer.view, softmax_explorer.weights)
    assert ["the", "3.00", f"{softmax_explorer.weights[2]:.3f}"] in table_rows(softmax_explorer.view.text)


def test_lowering_the_temperature_sharpens_the_weights(softmax_explorer):
    tops = []
    for temperature in [10.0, 1.0, 0.1]:
        softmax_explorer.temperature_slider.value = temperature
        tops.append(softmax_explorer.weights.max())
    assert tops[0] < tops[1] < tops[2] and tops[2] > 0.99
    assert "temperature = 0.10" in softmax_explorer.view.text


def test_the_softmax_explorer_updates_one_widget_in_place(softmax_explorer):
    shown, updates = softmax_explorer.view.widget, []
    shown.observe(updates.append, names="value")
    softmax_explorer.sliders[0].value = -4.0
    assert softmax_explorer.view.widget is shown and len(updates) == 1


def test_the_softmax_explorer_table_shows_that_the_weights_sum_to_one(softmax_explorer):
    softmax_explorer.sliders[1].value = 4.0
    assert "sum of weights = 1.000" in softmax_explorer.view.text


def test_the_softmax_explorer_rejects_a_bad_temperature():
    with pytest.raises(ValueError, match="temperature"):
        SoftmaxExplorer(["a", "b"], [1.0, 2.0], temperature=0)


def test_the_softmax_explorer_rejects_mismatched_labels():
    with pytest.raises(ValueError, match="labels must have 2 entries"):
        SoftmaxExplorer(["a"], [1.0, 2.0])


def test_the_softmax_explorer_clips_starting_scores_to_the_slider_range():
    explorer = SoftmaxExplorer(["a", "b"], [100.0, 0.0])
    np.testing.assert_allclose(explorer.scores, [5.0, 0.0])
    np.testing.assert_allclose(explorer.weights, softmax([5.0, 0.0]))


# --- environment_check ----------------------------------------------------------------------


def test_environment_check_returns_a_slider_whose_label_follows_it(capsys):
    box = environment_check()
    assert "ipywidgets are ready" in capsys.readouterr().out
    assert isinstance(box, widgets.VBox)
    slider, label = box.children
    assert label.value == "the kernel says: 3 squared is 9"
    slider.value = 7
    assert label.value == "the kernel says: 7 squared is 49"


# --- WeightMatrixExplorer -------------------------------------------------------------------


@pytest.fixture
def matrix_explorer():
    tokens, vectors = WORDS.encode(BANK_SENTENCE)
    return WeightMatrixExplorer(tokens, vectors)


def test_weight_matrix_explorer_shows_the_softmax_of_dot_scores(matrix_explorer):
    vectors = matrix_explorer.vectors
    np.testing.assert_allclose(matrix_explorer.weights, softmax(vectors @ vectors.T, axis=1))
    table = read_heatmap(matrix_explorer.view.table.value)
    assert table.rows == table.columns == matrix_explorer.tokens
    np.testing.assert_allclose(table.values, matrix_explorer.weights, atol=0.005 + 1e-9)


def test_lowering_the_matrix_explorer_temperature_sharpens_every_row(matrix_explorer):
    before = matrix_explorer.weights.max(axis=1)
    matrix_explorer.temperature_slider.value = 0.1
    vectors = matrix_explorer.vectors
    np.testing.assert_allclose(matrix_explorer.weights, softmax(vectors @ vectors.T, axis=1, temperature=0.1))
    assert (matrix_explorer.weights.max(axis=1) > before).all()
    shown = read_heatmap(matrix_explorer.view.table.value).values
    np.testing.assert_allclose(shown, matrix_explorer.weights, atol=0.005 + 1e-9)
    assert "temperature = 0.10" in matrix_explorer.view.caption


def test_weight_matrix_explorer_rejects_mismatched_tokens():
    with pytest.raises(ValueError, match="tokens must have 2 entries"):
        WeightMatrixExplorer(["a"], np.eye(2))
