"""Unit tests of the SVG pictures: marks follow the numbers, words are escaped, labels do not collide."""
import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import svg_reader
from lessons_lib import svg_views
from lessons_lib.svg_views import (
    LivePicture, alignment_panel, arcs_panel, bar_panel, nice_ticks, plane_panel, sense_panel, svg_figure,
)


def picture(markup: str, width: float = 400, height: float = 300):
    return svg_reader.parse(svg_figure([(markup, width, height)], label="test picture"))


def test_bars_are_as_tall_as_their_weights_and_labelled_with_them():
    weights = np.array([0.1, 0.6, 0.3])
    drawn = picture(bar_panel(weights, ["a", "b", "c"], width=300, height=250))
    heights = np.array(svg_reader.bar_heights(drawn))
    np.testing.assert_allclose(heights / heights[1], weights / 0.6, atol=1e-3)
    assert svg_reader.values(drawn) == ["0.10", "0.60", "0.30"]
    assert svg_reader.texts(drawn)[-3:] == ["a", "b", "c"]


def test_a_bar_above_the_axis_is_clipped_and_keeps_its_true_value_written():
    drawn = picture(bar_panel([0.9, 0.1], ["a", "b"], width=300, height=250, ylim=(0.0, 0.5)))
    tall, short = svg_reader.bar_heights(drawn)
    assert tall / short == pytest.approx(5, abs=0.05) and svg_reader.values(drawn) == ["0.90", "0.10"]


def test_words_are_escaped_so_the_picture_stays_valid():
    drawn = picture(bar_panel([0.5, 0.5], ["<b>", "a&b"], width=300, height=250, title='say "hi"'))
    assert {"<b>", "a&b", 'say "hi"'} <= set(svg_reader.texts(drawn))


def test_a_long_row_of_words_is_slanted():
    drawn = bar_panel(np.full(8, 1 / 8), [f"word{k}" for k in range(8)], width=400, height=260)
    assert len(re.findall(r"rotate\(-40 ", drawn)) == 8


def test_the_picture_announces_itself_to_screen_readers():
    root = svg_reader.parse(svg_figure([("", 10, 10), ("", 20, 30)], label="two <empty> panels"))
    assert root.get("role") == "img" and root.get("aria-label") == "two <empty> panels"
    assert (root.get("width"), root.get("height")) == ("46", "30")  # 10 + 16 + 20 wide


def test_arcs_follow_the_weights_and_box_the_source_word():
    weights = np.array([0.7, 0.02, 0.08, 0.2])
    drawn = picture(arcs_panel(weights, ["w", "x", "y", "z"], 3, width=400, height=200))
    arcs = svg_reader.marks(drawn, "arc")
    assert [float(a.get("data-weight")) for a in arcs] == pytest.approx(weights)
    widths = [float(a.get("stroke-width")) for a in arcs]
    assert list(np.argsort(widths)) == list(np.argsort(weights))  # thicker for a larger weight
    assert svg_reader.values(drawn) == ["0.70", "0.08", "0.20"]  # 0.02 is too small to write
    assert [t.get("font-weight") for t in drawn.iter(f"{svg_reader.SVG}text") if t.text == "z"] == ["bold"]


def test_alignment_lights_the_highlighted_words_lines():
    weights = np.array([[0.9, 0.1], [0.3, 0.7]])
    drawn = picture(alignment_panel(weights, ["the", "cat"], ["le", "chat"], highlight=1, width=400, height=240))
    lit = svg_reader.marks(drawn, "lit")
    assert [float(line.get("data-weight")) for line in lit] == pytest.approx([0.3, 0.7])
    assert len(svg_reader.marks(drawn, "link")) == 4
    assert svg_reader.values(drawn) == ["0.30", "0.70"]
    assert "weights of 'cat'" in svg_reader.texts(drawn)


def test_words_on_one_spot_share_a_dot_sized_by_their_total_weight():
    points = np.array([[0.0, 0.0], [0.0, 0.0], [1.0, 0.0]])
    drawn = picture(plane_panel(points, ["i", "the", "money"], [0.25, 0.25, 0.5], [0.5, 0.0], width=300, height=300))
    dots = svg_reader.marks(drawn, "word")
    assert len(dots) == 2 and dots[0].get("r") == dots[1].get("r")  # 0.25 + 0.25 and 0.5
    assert "i, the" in svg_reader.texts(drawn)


def test_labels_of_nearby_dots_do_not_overlap():
    points = np.array([[0.0, 0.0], [0.9, 0.0], [1.0, 0.0]])
    names = ["i, went, to, the, a, long, group", "deposit", "money"]
    markup = plane_panel(points, names, [0.2, 0.4, 0.4], [0.6, 0.0], width=300, height=300)
    boxes = []
    for x, y, anchor, text in re.findall(r'<text x="([\d.-]+)" y="([\d.-]+)" text-anchor="(\w+)" font-size="11">([^<]*)<',
                                         markup):
        width = svg_views.text_width(text, 11)
        left = float(x) - (width if anchor == "end" else 0)
        boxes.append((left, left + width, float(y) - 11, float(y) + 2))
    assert len(boxes) == 3
    for k, a in enumerate(boxes):
        for b in boxes[k + 1:]:
            assert not (a[0] < b[1] and b[0] < a[1] and a[2] < b[3] and b[2] < a[3]), (a, b)


def test_the_sense_plane_names_its_star_and_leaves_out_words_at_the_origin():
    drawn = picture(sense_panel([0.7, 0.2], "new 'bank'", width=330, height=350, words={"the": [0, 0], "money": [1, 0]},
                                reference={"bank alone": [0.5, 0.5]}), 330, 350)
    words = svg_reader.texts(drawn)
    assert "new 'bank'" in words and "bank alone" in words and "money" in words and "the" not in words
    point = svg_reader.marks(drawn, "point")[0]
    assert (point.get("data-x"), point.get("data-y")) == ("0.7000", "0.2000")


@pytest.mark.parametrize("call, message", [
    (lambda: bar_panel([0.5, 0.5], ["a"], width=100, height=100), "labels must have 2 entries"),
    (lambda: arcs_panel([0.5, 0.5], ["a", "b"], 2, width=100, height=100), "source must be a position from 0 to 1"),
    (lambda: arcs_panel([0.5, 0.6], ["a", "b"], 0, width=100, height=100), "weights"),
    (lambda: alignment_panel(np.eye(2), ["a", "b"], ["c", "d"], highlight=5, width=100, height=100), "highlight"),
    (lambda: plane_panel(np.zeros((2, 3)), ["a", "b"], [0.5, 0.5], [0, 0], width=100, height=100), "points"),
])
def test_bad_input_is_named(call, message):
    with pytest.raises((ValueError, TypeError), match=message):
        call()


@given(st.floats(-100, 100), st.floats(0.01, 200))
def test_nice_ticks_are_round_inside_the_range_and_few(low, span):
    ticks = nice_ticks(low, low + span)
    assert 1 <= len(ticks) <= 9
    assert all(low - 1e-9 <= t <= low + span + 1e-9 for t in ticks)
    steps = np.diff(ticks)
    assert len(steps) == 0 or np.allclose(steps, steps[0])


def test_a_live_picture_sends_picture_caption_and_table_in_one_update():
    view, updates = LivePicture(), []
    view.widget.observe(updates.append, names="value")
    view.refresh(svg_figure([("", 10, 10)], label="x"), "word  weight\n<a>   1.00", caption="<b>hello</b>")
    assert len(updates) == 1 and view.renders == 1
    shown = view.widget.value
    assert "<p><b>hello</b></p>" in shown and "&lt;a&gt;   1.00" in shown and view.svg in shown


def test_a_shared_label_counts_repeated_words_two_a_line_and_a_legend_names_the_marks():
    points = np.array([[0.0, 0.0]] * 4 + [[1.0, 0.0]])
    drawn = picture(plane_panel(points, ["i", "to", "the", "to", "money"], np.full(5, 0.2), [0.2, 0.0],
                                width=320, height=320), 320, 320)
    lines = [span.text for span in drawn.iter(f"{svg_reader.SVG}tspan")]
    assert lines == ["i, to ×2,", "the"]
    assert {"blend (the weighted average)", "word vector (area grows with weight)"} <= set(svg_reader.texts(drawn))
