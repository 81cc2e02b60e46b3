"""Figures and their text twins: labels, scales, in-place updates, bad input."""
import io

import matplotlib.colors
import numpy as np
import pytest
from PIL import Image
from matplotlib.figure import Figure

from lessons_lib import WORDS, mean_vector, self_attention, softmax
from lessons_lib import plots
from lessons_lib.vocab import BANK_HAND_WEIGHTS, BANK_SENTENCE, hand_weights

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def bank():
    tokens, vectors = WORDS.encode(BANK_SENTENCE)
    return tokens, vectors, hand_weights(tokens, BANK_HAND_WEIGHTS, 0.20)


@pytest.fixture
def matrix(bank):
    tokens, vectors, _ = bank
    return self_attention(vectors)[0]


def tick_texts(labels):
    return [label.get_text() for label in labels]


def cells(ax):
    return [t for t in ax.texts if t.get_gid() == "cell"]


def heatmap_image(ax):
    return next(image for image in ax.images if image.get_gid() == "heatmap")


# --- figure_png and LessonFigure ----------------------------------------------------


def test_figure_png_returns_png_bytes(matrix, bank):
    assert plots.figure_png(plots.heatmap_plot(matrix, bank[0])).startswith(PNG_SIGNATURE)


def rgb_pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


@pytest.mark.parametrize("kind", ["heatmap", "masked heatmap", "bars"])
def test_figure_png_draws_what_savefig_draws_and_leaves_the_figure_as_it_was(kind, matrix, bank):
    """One drawing pass (the figure lays itself out) gives savefig's pixels; dpi, colour and canvas are restored."""
    tokens = bank[0]
    make = {
        "heatmap": lambda: plots.heatmap_plot(matrix, tokens, title="a title"),
        "masked heatmap": lambda: plots.heatmap_plot(matrix, tokens, masked=np.triu(np.ones_like(matrix), 1)),
        "bars": lambda: plots.weights_bar_plot(bank[2], tokens),
    }[kind]
    buffer = io.BytesIO()
    make().savefig(buffer, format="png", dpi=72, facecolor="white")
    fig = make()
    fig.set_facecolor("#123456")
    canvas, dpi = fig.canvas, fig.dpi
    png = plots.figure_png(fig, dpi=72)
    np.testing.assert_array_equal(rgb_pixels(png), rgb_pixels(buffer.getvalue()))
    assert (fig.canvas, fig.dpi, fig.get_facecolor()) == (canvas, dpi, matplotlib.colors.to_rgba("#123456"))


@pytest.mark.parametrize("low, high, expected", [
    (1e-3, 1e3, ["10⁻⁴", "10⁻³", "10⁻²", "10⁻¹", "10⁰", "10¹", "10²", "10³", "10⁴"]),
    (1, 40, ["10⁻¹", "10⁰", "10¹", "10²"]),
    (0.3, 3, ["10⁻¹", "10⁰", "10¹", "2×10⁻¹", "3×10⁻¹", "4×10⁻¹", "6×10⁻¹", "2×10⁰", "3×10⁰", "4×10⁰", "6×10⁰"]),
])
def test_plain_log_labels_label_the_same_ticks_as_matplotlib_without_mathtext(low, high, expected):
    def labels(plain: bool) -> list[str]:
        fig = plots.new_figure(4, 3)
        ax = fig.add_subplot()
        ax.loglog([low, high], [low, high])
        if plain:
            plots.plain_log_labels(ax)
        plots.figure_png(fig)
        return [t.get_text() for t in ax.get_yticklabels() + ax.get_yticklabels(minor=True) if t.get_text()]

    mathtext = labels(False)
    assert all(label.startswith("$") for label in mathtext) and len(mathtext) == len(expected)
    assert labels(True) == expected


def test_a_lesson_figure_shows_itself_as_png_in_a_notebook():
    fig = plots.new_figure(2, 2)
    fig.add_subplot().plot([0, 1])
    assert fig._repr_png_().startswith(PNG_SIGNATURE)


def test_new_axes_reuses_the_axes_it_is_given():
    fig = plots.new_figure(4, 3)
    ax = fig.add_subplot()
    assert plots.new_axes(1, 1, ax) == (fig, ax)


# --- heatmap ------------------------------------------------------------------------


def test_heatmap_plot_returns_a_figure_labelled_with_the_tokens(matrix, bank):
    tokens = bank[0]
    fig = plots.heatmap_plot(matrix, tokens, title="weights")
    ax = fig.axes[0]
    assert isinstance(fig, Figure)
    assert tick_texts(ax.get_xticklabels()) == tokens
    assert tick_texts(ax.get_yticklabels()) == tokens
    assert (ax.get_xlabel(), ax.get_ylabel(), ax.get_title()) == ("attends to", "token", "weights")
    assert fig.axes[1].get_ylabel() == "weight"  # the colour bar


def test_heatmap_plot_uses_separate_column_labels_for_a_rectangular_matrix(matrix, bank):
    tokens = bank[0]
    ax = plots.heatmap_plot(matrix[:2], ["a", "b"], tokens).axes[0]
    assert tick_texts(ax.get_yticklabels()) == ["a", "b"]
    assert tick_texts(ax.get_xticklabels()) == tokens


def test_heatmap_plot_fixes_the_colour_scale_to_zero_and_one_by_default():
    image = heatmap_image(plots.heatmap_plot([[0.4, 0.6], [0.5, 0.5]], ["a", "b"]).axes[0])
    assert image.get_clim() == (0.0, 1.0)


def test_heatmap_plot_fits_the_colour_scale_to_the_data_when_asked():
    image = heatmap_image(plots.heatmap_plot([[0.4, 0.6], [0.5, 0.5]], ["a", "b"], fixed_scale=False).axes[0])
    assert image.get_clim() == (0.4, 0.6)


def test_heatmap_plot_writes_every_value_into_its_cell_for_small_matrices(matrix, bank):
    texts = [t.get_text() for t in cells(plots.heatmap_plot(matrix, bank[0]).axes[0])]
    assert texts == [f"{v:.2f}" for v in matrix.ravel()]


def test_heatmap_plot_leaves_cells_empty_above_twelve_tokens():
    weights = np.full((13, 13), 1 / 13)
    assert cells(plots.heatmap_plot(weights, [f"w{k}" for k in range(13)]).axes[0]) == []


def test_heatmap_plot_annotates_twelve_tokens():
    weights = np.full((12, 12), 1 / 12)
    assert len(cells(plots.heatmap_plot(weights, [f"w{k}" for k in range(12)]).axes[0])) == 144


def test_heatmap_annotations_are_dark_on_bright_cells_and_light_on_dark_cells():
    texts = cells(plots.heatmap_plot([[0.9, 0.1], [0.2, 0.8]], ["a", "b"]).axes[0])
    assert [t.get_color() for t in texts] == ["black", "white", "white", "black"]


def test_update_heatmap_changes_the_image_and_the_cell_texts_in_place(matrix, bank):
    fig = plots.heatmap_plot(matrix, bank[0])
    ax = fig.axes[0]
    image, texts = heatmap_image(ax), cells(ax)
    new = np.eye(8)
    plots.update_heatmap(ax, new)
    assert heatmap_image(ax) is image and cells(ax) == texts
    np.testing.assert_array_equal(image.get_array(), new)
    assert texts[0].get_text() == "1.00" and texts[1].get_text() == "0.00"


def test_heatmap_table_holds_the_same_numbers_as_the_heatmap(matrix, bank):
    tokens = bank[0]
    table = plots.heatmap_table(matrix, tokens)
    lines = table.splitlines()
    assert lines[0].split() == tokens
    for line, token, row in zip(lines[1:], tokens, matrix):
        assert line.split() == [token] + [f"{v:.2f}" for v in row]


def test_heatmap_table_respects_the_number_of_digits():
    assert plots.heatmap_table([[1 / 3]], ["a"], digits=4).splitlines()[1].split() == ["a", "0.3333"]


def test_heatmap_plot_rejects_a_vector_of_weights():
    with pytest.raises(ValueError, match="weights must be 2-D"):
        plots.heatmap_plot([0.5, 0.5], ["a", "b"])


def test_heatmap_plot_rejects_the_wrong_number_of_row_labels(matrix):
    with pytest.raises(ValueError, match="row_labels must have 8 entries, got 2"):
        plots.heatmap_plot(matrix, ["a", "b"])


def test_heatmap_plot_rejects_the_wrong_number_of_column_labels(matrix, bank):
    with pytest.raises(ValueError, match="col_labels must have 8 entries, got 1"):
        plots.heatmap_plot(matrix, bank[0], ["a"])


def test_heatmap_table_rejects_a_single_string_as_labels():
    with pytest.raises(TypeError, match="row_labels"):
        plots.heatmap_table([[1.0]], "a")


# --- bar chart ------------------------------------------------------------------------


def bar_labels(ax):
    return [t for t in ax.texts if t.get_gid() == "barlabel"]


def test_weights_bar_plot_draws_one_labelled_bar_per_word(bank):
    tokens, _, weights = bank
    fig = plots.weights_bar_plot(weights, tokens, title="hand weights")
    ax = fig.axes[0]
    assert isinstance(fig, Figure)
    assert tick_texts(ax.get_xticklabels()) == tokens
    np.testing.assert_allclose([bar.get_height() for bar in ax.patches], weights)
    assert [t.get_text() for t in bar_labels(ax)] == [f"{w:.2f}" for w in weights]
    assert ax.get_ylim() == (0.0, 1.0) and ax.get_ylabel() == "weight" and ax.get_title() == "hand weights"


def test_update_bars_changes_heights_and_labels_in_place(bank):
    tokens, _, weights = bank
    ax = plots.weights_bar_plot(weights, tokens).axes[0]
    bars, labels = list(ax.patches), bar_labels(ax)
    new = np.full(8, 0.125)
    plots.update_bars(ax, new)
    assert list(ax.patches) == bars and bar_labels(ax) == labels
    np.testing.assert_allclose([bar.get_height() for bar in bars], new)
    assert {t.get_text() for t in labels} == {"0.12"}


def test_update_bars_keeps_the_label_of_a_full_bar_inside_the_axes():
    ax = plots.weights_bar_plot([1.0, 0.0], ["a", "b"]).axes[0]
    assert bar_labels(ax)[0].get_position()[1] < 1.0


def test_weights_table_lists_each_word_with_its_weight(bank):
    tokens, _, weights = bank
    lines = plots.weights_table(weights, tokens).splitlines()
    assert lines[0].split() == ["word", "weight"]
    assert [line.split() for line in lines[1:]] == [[t, f"{w:.2f}"] for t, w in zip(tokens, weights)]


def test_weights_bar_plot_names_its_ticks_when_asked():
    ax = plots.weights_bar_plot([0.2, 0.8], ["1000", "1001"], xlabel="score").axes[0]
    assert ax.get_xlabel() == "score"
    assert plots.weights_bar_plot([0.2, 0.8], ["a", "b"]).axes[0].get_xlabel() == ""


def test_weights_bar_plot_rejects_the_wrong_number_of_labels(bank):
    with pytest.raises(ValueError, match="labels must have 8 entries, got 3"):
        plots.weights_bar_plot(bank[2], ["a", "b", "c"])


def test_weights_bar_plot_rejects_a_matrix_of_weights():
    with pytest.raises(ValueError, match="weights must be 1-D"):
        plots.weights_bar_plot([[0.5, 0.5]], ["a", "b"])


# --- blend plot ---------------------------------------------------------------------


def star_of(ax):
    return next(c for c in ax.collections if c.get_gid() == "blend")


def words_of(ax):
    return next(c for c in ax.collections if c.get_gid() == "words")


def test_blend_plot_puts_the_star_at_the_blend_in_the_named_dimensions(bank):
    tokens, vectors, weights = bank
    fig = plots.blend_plot(vectors, tokens, weights, extra={"plain mean": mean_vector(vectors)})
    ax = fig.axes[0]
    assert isinstance(fig, Figure)
    np.testing.assert_allclose(star_of(ax).get_offsets()[0], (weights @ vectors)[[0, 1]])
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("finance", "nature")
    labels = {t.get_text() for t in ax.texts}
    assert {"bank", "deposit", "money", "i, went,\nto ×2, the", "plain mean", "blend"} <= labels


def test_blend_plot_draws_other_dimensions_when_asked(bank):
    tokens, vectors, weights = bank
    ax = plots.blend_plot(vectors, tokens, weights, dims=(2, 3), dim_names=("motion", "function")).axes[0]
    np.testing.assert_allclose(star_of(ax).get_offsets()[0], (weights @ vectors)[[2, 3]])
    spots = {tuple(p) for p in np.round(vectors[:, [2, 3]], 3)}
    assert {tuple(p) for p in np.round(words_of(ax).get_offsets(), 3)} == spots


def test_blend_plot_gives_words_on_one_spot_one_dot_sized_by_their_total_weight(bank):
    tokens, vectors, weights = bank  # i, went, to, the, to share the origin of finance-nature
    words = words_of(plots.blend_plot(vectors, tokens, weights).axes[0])
    origin = [k for k, p in enumerate(words.get_offsets()) if np.allclose(p, 0)]
    assert len(words.get_offsets()) == 4 and len(origin) == 1
    shared = sum(w for w, v in zip(weights, vectors) if np.allclose(v[:2], 0))
    assert words.get_sizes()[origin[0]] == pytest.approx(30 + 600 * shared)


def test_update_blend_moves_the_star_and_resizes_the_points_in_place(bank):
    tokens, vectors, weights = bank
    ax = plots.blend_plot(vectors, tokens, weights).axes[0]
    star, words = star_of(ax), words_of(ax)
    new = np.zeros(8)
    new[4] = 1.0  # all weight on "bank"
    plots.update_blend(ax, new, new @ vectors)
    assert star_of(ax) is star and words_of(ax) is words
    np.testing.assert_allclose(star.get_offsets()[0], [0.5, 0.5])
    sizes = dict(zip(map(tuple, np.round(words.get_offsets(), 3)), words.get_sizes()))
    assert sizes[(0.5, 0.5)] == pytest.approx(630) and sizes[(0.0, 0.0)] == pytest.approx(30)
    label = next(t for t in ax.texts if t.get_gid() == "blendlabel")
    assert label.xy == (0.5, 0.5)


def test_vector_table_names_each_dimension(bank):
    tokens, vectors, weights = bank
    output = weights @ vectors
    lines = plots.vector_table(output, WORDS.dimensions, name="bank").splitlines()
    assert lines[0].split() == ["dimension", "bank"]
    assert [line.split() for line in lines[1:]] == [[d, f"{x:.3f}"] for d, x in zip(WORDS.dimensions, output)]


def test_matrix_table_shows_word_vectors_by_dimension(bank):
    tokens, vectors, _ = bank
    lines = plots.matrix_table(vectors, tokens, WORDS.dimensions).splitlines()
    assert lines[0].split() == list(WORDS.dimensions)
    assert lines[5].split() == ["bank", "0.50", "0.50", "0.00", "0.00", "0.00", "0.00"]


def test_blend_plot_rejects_weights_of_the_wrong_length(bank):
    tokens, vectors, _ = bank
    with pytest.raises(ValueError, match="weights must have length 8, got 2"):
        plots.blend_plot(vectors, tokens, [0.5, 0.5])


def test_blend_plot_rejects_the_wrong_number_of_labels(bank):
    _, vectors, weights = bank
    with pytest.raises(ValueError, match="labels must have 8 entries"):
        plots.blend_plot(vectors, ["bank"], weights)


def test_vector_table_rejects_the_wrong_number_of_dimension_names():
    with pytest.raises(ValueError, match="dim_names must have 2 entries"):
        plots.vector_table([1.0, 2.0], ["finance"])


def test_matrix_table_rejects_a_vector():
    with pytest.raises(ValueError, match="matrix must be 2-D"):
        plots.matrix_table([1.0, 2.0], ["a"], ["x", "y"])


@pytest.mark.parametrize("kind", ["heatmap", "bars", "blend"])
def test_every_plot_renders_to_png(kind, bank, matrix):
    tokens, vectors, weights = bank
    fig = {
        "heatmap": lambda: plots.heatmap_plot(matrix, tokens),
        "bars": lambda: plots.weights_bar_plot(weights, tokens),
        "blend": lambda: plots.blend_plot(vectors, tokens, weights),
    }[kind]()
    png = plots.figure_png(fig, dpi=50)
    assert png.startswith(PNG_SIGNATURE) and len(png) > 1000


def test_convex_hull_2d_keeps_only_the_corners():
    corners = plots.convex_hull_2d([[0, 0], [1, 0], [0, 1], [0.2, 0.2], [1, 1], [0.5, 0]])
    assert {tuple(c) for c in corners} == {(0, 0), (1, 0), (1, 1), (0, 1)}


def test_convex_hull_2d_rejects_points_that_are_not_pairs():
    with pytest.raises(ValueError, match="points"):
        plots.convex_hull_2d([[0, 0, 0], [1, 1, 1]])


def test_movement_plot_draws_an_arrow_per_token_and_the_hull(bank):
    tokens, vectors, _ = bank
    outputs = softmax(vectors @ vectors.T, axis=1) @ vectors
    ax = plots.movement_plot(vectors, outputs, tokens).axes[0]
    arrows = [t for t in ax.texts if t.arrow_patch is not None]
    assert len(arrows) == len(tokens)
    assert len(ax.patches) >= 1  # the shaded hull
    np.testing.assert_allclose(ax.collections[-1].get_offsets(), outputs[:, :2])


def test_movement_plot_rejects_outputs_of_the_wrong_shape(bank):
    tokens, vectors, _ = bank
    with pytest.raises(ValueError, match="outputs"):
        plots.movement_plot(vectors, vectors[:3], tokens)


def test_blend_plot_counts_a_repeated_word_in_its_shared_label(bank):
    tokens, vectors, weights = bank  # five tokens at the origin: i, went, to, the, to
    labels = {t.get_text() for t in plots.blend_plot(vectors, tokens, weights).axes[0].texts}
    origin = next(label for label in labels if label.startswith("i,"))
    assert origin.replace("\n", " ") == "i, went, to ×2, the"


def test_blend_plot_legend_names_the_star_the_dots_and_only_the_marks_drawn(bank):
    tokens, vectors, weights = bank
    plain = plots.blend_plot(vectors, tokens, weights).axes[0]
    full = plots.blend_plot(vectors, tokens, weights, extra={"mean": mean_vector(vectors)}, show_hull=True).axes[0]
    names = [[t.get_text() for t in ax.get_legend().get_texts()] for ax in (plain, full)]
    assert names[0] == ["blend (the weighted average)", "word vector (area grows with weight)"]
    assert names[1][2:] == ["other blend, for comparison", "region between the words"]


def test_movement_plot_names_every_output_spot_in_an_enlarged_panel(bank):
    tokens, vectors, _ = bank
    outputs = softmax(vectors @ vectors.T, axis=1) @ vectors
    zoom = plots.movement_plot(vectors, outputs, tokens).axes[1]
    names = sorted(t.get_text().replace("\n", " ") for t in zoom.texts)
    assert names == sorted(["bank", "deposit", "i", "money", "to ×2, the", "went"])
    np.testing.assert_allclose(zoom.collections[0].get_offsets(), outputs[:, :2])


def test_heatmap_plot_hatches_masked_cells_and_leaves_them_without_a_number():
    weights = np.array([[1.0, 0.0], [0.4, 0.6]])
    ax = plots.heatmap_plot(weights, ["a", "b"], masked=[[False, True], [False, False]]).axes[0]
    hatched = [p for p in ax.patches if p.get_gid() == "maskedcell"]
    assert len(hatched) == 1 and hatched[0].get_xy() == (0.5, -0.5) and hatched[0].get_hatch() == "///"
    cells = [t.get_text() for t in ax.texts if t.get_gid() == "cell"]
    assert cells == ["1.00", "", "0.40", "0.60"]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["masked: weight 0"]


def test_heatmap_plot_rejects_a_mask_of_another_shape():
    with pytest.raises(ValueError, match="masked"):
        plots.heatmap_plot(np.eye(2), ["a", "b"], masked=np.ones((3, 3), dtype=bool))
