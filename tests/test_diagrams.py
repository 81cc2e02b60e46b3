"""Tests for lessons_lib.diagrams: arcs, alignment, sense plane, bottleneck curve."""
import numpy as np
import pytest
from matplotlib.figure import Figure

from lessons_lib import diagrams
from lessons_lib.plots import GREY, VERMILLION, figure_png


def _arcs(fig):
    return [line for line in fig.axes[0].lines if line.get_gid() == "arc"]


def _links(fig):
    return [line for line in fig.axes[0].lines if line.get_gid() == "link"]


WORDS4 = ["the", "trophy", "it", "big"]
W4 = np.array([0.1, 0.6, 0.1, 0.2])
CROSS = np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]])


# --- arcs -------------------------------------------------------------------------
def test_arc_plot_draws_one_arc_per_word():
    fig = diagrams.arc_plot(W4, WORDS4, 2)
    assert isinstance(fig, Figure)
    assert len(_arcs(fig)) == 4


def test_arc_thickness_and_opacity_grow_with_weight():
    arcs = _arcs(diagrams.arc_plot(W4, WORDS4, 2))
    widths = [a.get_linewidth() for a in arcs]
    alphas = [a.get_alpha() for a in arcs]
    assert np.argmax(widths) == 1 and np.argmax(alphas) == 1
    assert widths[3] > widths[0] and alphas[3] > alphas[0]


def test_arc_to_a_farther_word_is_higher():
    arcs = _arcs(diagrams.arc_plot(np.full(6, 1 / 6), list("abcdef"), 5))
    heights = [a.get_ydata().max() for a in arcs[:5]]
    assert heights == sorted(heights, reverse=True)


def test_arc_values_are_written_only_from_the_threshold_up():
    fig = diagrams.arc_plot(np.array([0.02, 0.6, 0.3, 0.08]), WORDS4, 2)
    texts = [t.get_text() for t in fig.axes[0].texts if t.get_gid() == "arcvalue"]
    assert texts == ["", "0.60", "0.30", "0.08"]


def test_the_self_weight_is_written_under_the_loop_clear_of_the_arcs():
    fig = diagrams.arc_plot(np.array([0.1, 0.6, 0.1, 0.2]), WORDS4, 2)
    texts = [t for t in fig.axes[0].texts if t.get_gid() == "arcvalue"]
    lowest = min(line.get_ydata().min() for line in _arcs(fig))
    assert texts[2].get_text() == "0.10" and texts[2].get_position()[1] < lowest
    assert all(t.get_position()[1] > lowest for k, t in enumerate(texts) if k != 2)


def test_arc_plot_leaves_no_empty_band_above_the_highest_arc():
    fig = diagrams.arc_plot(W4, WORDS4, 3)
    highest = max(line.get_ydata().max() for line in _arcs(fig))
    assert fig.axes[0].get_ylim()[1] - highest < 0.15


def test_arc_values_sit_above_their_line_however_thick():
    fig = diagrams.arc_plot(np.array([0.05, 0.9, 0.05]), ["a", "b", "c"], 0)
    figure_png(fig)
    ax = fig.axes[0]
    thick = next(t for t in ax.texts if t.get_gid() == "arcvalue" and t.get_text() == "0.90")
    line = _arcs(fig)[1]
    top_of_line = ax.transData.transform((0.5, line.get_ydata().max()))[1] + line.get_linewidth() / 2 * fig.dpi / 72
    assert thick.get_window_extent().y0 >= top_of_line - 0.5


def test_arc_plot_boxes_only_the_source_word():
    fig = diagrams.arc_plot(W4, WORDS4, 2)
    boxed = [label.get_text() for label in fig.axes[0].get_xticklabels() if label.get_bbox_patch() is not None]
    assert boxed == ["it"]


def test_update_arcs_restyles_the_same_lines_in_place():
    fig = diagrams.arc_plot(W4, WORDS4, 2)
    before = _arcs(fig)
    diagrams.update_arcs(fig.axes[0], np.array([0.7, 0.1, 0.1, 0.1]), 1, ["a", "b", "c", "d"])
    after = _arcs(fig)
    assert after == before
    assert np.argmax([a.get_linewidth() for a in after]) == 0
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["a", "b", "c", "d"]


def test_update_arcs_moves_the_arcs_to_a_new_source():
    fig = diagrams.arc_plot(W4, WORDS4, 2)
    diagrams.update_arcs(fig.axes[0], W4, 0)
    assert _arcs(fig)[3].get_xdata()[0] == pytest.approx(0)


def test_update_arcs_rejects_a_different_number_of_words():
    fig = diagrams.arc_plot(W4, WORDS4, 2)
    with pytest.raises(ValueError, match="weights"):
        diagrams.update_arcs(fig.axes[0], np.full(5, 0.2), 2)


def test_arc_plot_rejects_a_source_outside_the_sentence():
    with pytest.raises(ValueError, match="source"):
        diagrams.arc_plot(W4, WORDS4, 4)


def test_arc_plot_rejects_weights_that_do_not_sum_to_one():
    with pytest.raises(ValueError, match="weights"):
        diagrams.arc_plot([0.5, 0.6, 0.1, 0.1], WORDS4, 0)


def test_arc_plot_rejects_labels_of_the_wrong_length():
    with pytest.raises(ValueError, match="labels"):
        diagrams.arc_plot(W4, WORDS4[:3], 0)


def test_arc_labels_do_not_overlap_for_twenty_words():
    words = ["suitcase", "trophy", "wouldn't", "because"] * 5
    fig = diagrams.arc_plot(np.full(20, 0.05), words, 10)
    figure_png(fig)  # lays the figure out
    ax, labels = fig.axes[0], fig.axes[0].get_xticklabels()
    angle = np.radians(labels[0].get_rotation())
    assert angle > 0
    # rotated labels are parallel: they clear each other when the gap across them exceeds a line
    step = np.diff(ax.transData.transform([(0, 0), (1, 0)])[:, 0])[0]
    line_height = labels[0].get_fontsize() * fig.dpi / 72
    assert step * np.sin(angle) > 1.5 * line_height


def test_arc_table_lists_position_distance_and_weight():
    table = diagrams.arc_table(W4, WORDS4, 2)
    lines = table.splitlines()
    assert lines[0] == "weights of 'it' (position 2)"
    assert lines[3].split() == ["trophy", "1", "1", "0.60"]
    assert len(lines) == 2 + 4


def test_arc_table_rejects_a_bad_source():
    with pytest.raises(ValueError, match="source"):
        diagrams.arc_table(W4, WORDS4, -1)


# --- alignment --------------------------------------------------------------------------
def test_alignment_plot_draws_a_line_for_every_pair():
    fig = diagrams.alignment_plot(CROSS, ["black", "cat"], ["chat", "noir", "le"])
    assert len(_links(fig)) == 6


def test_alignment_line_width_grows_with_weight():
    links = _links(diagrams.alignment_plot(CROSS, ["black", "cat"], ["chat", "noir", "le"]))
    widths = np.array([line.get_linewidth() for line in links]).reshape(2, 3)
    assert (np.argsort(widths, axis=1) == np.argsort(CROSS, axis=1)).all()


def test_alignment_highlight_fades_the_other_rows_and_writes_values():
    fig = diagrams.alignment_plot(CROSS, ["black", "cat"], ["chat", "noir", "le"], highlight=1)
    colours = [line.get_color() for line in _links(fig)]
    assert colours[:3] == [GREY] * 3 and colours[3:] == [VERMILLION] * 3
    values = [t.get_text() for t in fig.axes[0].texts if t.get_gid() == "linkvalue"]
    assert values == ["0.10", "0.10", "0.80"]


def test_update_alignment_moves_the_highlight_in_place():
    fig = diagrams.alignment_plot(CROSS, ["black", "cat"], ["chat", "noir", "le"], highlight=1)
    before = _links(fig)
    diagrams.update_alignment(fig.axes[0], CROSS, 0)
    assert _links(fig) == before
    assert [line.get_color() for line in before][:3] == [VERMILLION] * 3
    values = [t.get_text() for t in fig.axes[0].texts if t.get_gid() == "linkvalue"]
    assert values == ["0.70", "0.20", "0.10"]


def test_update_alignment_rejects_a_highlight_outside_the_rows():
    fig = diagrams.alignment_plot(CROSS, ["black", "cat"], ["chat", "noir", "le"])
    with pytest.raises(ValueError, match="highlight"):
        diagrams.update_alignment(fig.axes[0], CROSS, 2)


def test_update_alignment_rejects_weights_of_another_shape():
    fig = diagrams.alignment_plot(np.full((2, 3), 1 / 3), ["black", "cat"], ["chat", "noir", "le"])
    with pytest.raises(ValueError, match="weights"):
        diagrams.update_alignment(fig.axes[0], np.full((3, 2), 0.5))


def test_alignment_plot_rejects_rows_that_do_not_sum_to_one():
    with pytest.raises(ValueError, match="weights"):
        diagrams.alignment_plot([[0.5, 0.4, 0.0]], ["a"], ["x", "y", "z"])


def test_alignment_plot_rejects_source_labels_of_the_wrong_length():
    with pytest.raises(ValueError, match="source_labels"):
        diagrams.alignment_plot(CROSS, ["black", "cat"], ["chat", "noir"])


def test_alignment_table_names_the_strongest_source_word_of_each_row():
    table = diagrams.alignment_table(CROSS, ["black", "cat"], ["chat", "noir", "le"])
    rows = [line.split() for line in table.splitlines()[1:]]
    assert rows == [["black", "chat", "0.70", "noir", "0.20"], ["cat", "le", "0.80", "chat", "0.10"]]


# --- sense plane, bottleneck, heatmap pair ------------------------------------------------
def test_sense_plane_table_says_which_side_each_point_is_on():
    table = diagrams.sense_plane_table({"money": [0.5, 0.1, 0], "river": [0.1, 0.4, 0], "mid": [0.3, 0.3, 0]})
    sides = [line.split()[-1] for line in table.splitlines()[1:]]
    assert sides == ["finance", "nature", "line"]


def test_sense_plane_plot_draws_every_point_and_reference():
    fig = diagrams.sense_plane_plot({"a": [0.5, 0.1], "b": [0.1, 0.5]}, reference={"start": [0.5, 0.5]})
    assert len(fig.axes[0].collections) == 3


def test_sense_plane_plot_names_the_points_in_a_legend_under_the_plot():
    fig = diagrams.sense_plane_plot({"bank in the money sentence": [0.7, 0.2], "b": [0.1, 0.5]})
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["bank in the money sentence", "b"]
    figure_png(fig)
    assert ax.get_legend().get_window_extent().y1 < ax.get_window_extent().y0


def test_sense_plane_plot_groups_words_at_one_spot_and_leaves_out_the_corner():
    words = {"river": [0, 1.0], "water": [0, 1.0], "the": [0, 0], "money": [1.0, 0]}
    fig = diagrams.sense_plane_plot({"new": [0.3, 0.6]}, words=words)
    labels = sorted(t.get_text() for t in fig.axes[0].texts if t.get_text() in ("river, water", "money", "the"))
    assert labels == ["money", "river, water"]


def test_sense_plane_plot_rejects_a_word_vector_that_is_not_numbers():
    with pytest.raises(TypeError, match="words"):
        diagrams.sense_plane_plot({"a": [0.5, 0.1]}, words={"x": ["a", "b"]})


def test_sense_plane_plot_rejects_an_empty_mapping():
    with pytest.raises(ValueError, match="points"):
        diagrams.sense_plane_plot({})


def test_bottleneck_plot_draws_both_readers_and_chance():
    fig = diagrams.bottleneck_plot([2, 4, 8], [1, 0.5, 0.2], [1, 1, 1], chance=0.01)
    lines = fig.axes[0].lines
    assert len(lines) == 3
    assert list(lines[1].get_ydata()) == [1, 0.5, 0.2]


def test_bottleneck_plot_rejects_accuracies_of_another_length():
    with pytest.raises(ValueError, match="mean_accuracy"):
        diagrams.bottleneck_plot([2, 4, 8], [1, 0.5], [1, 1, 1])


def test_bottleneck_table_has_one_row_per_length():
    table = diagrams.bottleneck_table([2, 64], [1.0, 0.03], [1.0, 0.99])
    assert [line.split() for line in table.splitlines()] == [
        ["length", "mean", "summary", "attention"], ["2", "1.00", "1.00"], ["64", "0.03", "0.99"]]


def test_heatmap_pair_plot_draws_one_heatmap_per_panel():
    fig = diagrams.heatmap_pair_plot([(np.eye(2), ["a", "b"], "one"), (np.full((3, 3), 1 / 3), list("xyz"), "two")])
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert titles == ["one", "two"]


def test_heatmap_pair_plot_can_fit_each_colour_scale_to_its_panel():
    panels = [(np.array([[0.2, 0.8], [0.5, 0.5]]), ["a", "b"], "one"),
              (np.array([[0.4, 0.6], [0.45, 0.55]]), ["c", "d"], "two")]
    fixed = diagrams.heatmap_pair_plot(panels)
    fitted = diagrams.heatmap_pair_plot(panels, fixed_scale=False)
    assert fixed.axes[0].images[0].get_clim() == (0.0, 1.0)
    assert fitted.axes[1].images[0].get_clim() == pytest.approx((0.4, 0.6))


def test_heatmap_pair_plot_rejects_no_panels():
    with pytest.raises(ValueError, match="panels"):
        diagrams.heatmap_pair_plot([])


def test_bottleneck_plot_says_the_attention_reader_was_given_the_query_and_the_axis_is_logarithmic():
    ax = diagrams.bottleneck_plot([2, 4, 8], [1, 0.5, 0.2], [1, 1, 1]).axes[0]
    assert "given the right query" in ax.get_legend().get_texts()[0].get_text()
    assert ax.get_xscale() == "log" and "log scale" in ax.get_xlabel()


def test_heatmap_pair_plot_shares_the_fixed_scale_by_default():
    panels = [(np.array([[0.2, 0.8], [0.5, 0.5]]), ["a", "b"], "one"),
              (np.array([[0.4, 0.6], [0.45, 0.55]]), ["c", "d"], "two")]
    fig = diagrams.heatmap_pair_plot(panels)
    assert [fig.axes[k].images[0].get_clim() for k in (0, 1)] == [(0.0, 1.0), (0.0, 1.0)]


def test_bottleneck_sweep_plot_draws_one_line_per_size_on_a_log_axis():
    ax = diagrams.bottleneck_sweep_plot([16, 32], [0.125, 0.25], [[0.6, 0.2], [0.5, 0.1]]).axes[0]
    assert [line.get_label() for line in ax.lines if line.get_label().startswith("d =")] == ["d = 16", "d = 32"]
    assert ax.get_xscale() == "log" and "log scale" in ax.get_xlabel()
    assert [t.get_text() for t in ax.get_xticklabels()] == ["d/8", "d/4"]


def test_bottleneck_sweep_plot_rejects_a_table_of_the_wrong_shape():
    with pytest.raises(ValueError, match="mean_accuracy"):
        diagrams.bottleneck_sweep_plot([16, 32], [0.125, 0.25], [[0.6, 0.2]])
