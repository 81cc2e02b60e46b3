"""Headless tests of the fast update paths. A slider step changes what is shown; an
explorer's SVG picture is one widget update a step and builds no matplotlib figure;
a live figure (LiveFigure) reuses the figure, its artists and its canvas, and
re-runs the layout only when the text around the axes changes; a live heatmap
(an HTML table) shows exactly the explorer's weights. (No timings here: see benchmarks/.)"""
import html
import io
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine
from PIL import Image

import svg_reader
from heatmap_reader import read_heatmap
from lessons_lib import diagrams, plots, softmax
from lessons_lib.example_widgets import TranslationExplorer, TrophyExplorer
from lessons_lib.sequence_widgets import ScalingExplorer
from lessons_lib.widgets import AttentionExplorer, LiveFigure, SoftmaxExplorer, TextStamps, WeightMatrixExplorer


def pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def tokens_and_vectors(n):
    rng = np.random.default_rng(0)
    return [f"tok{i}" for i in range(n)], rng.normal(size=(n, 4))


TITLE = "attention weights (rows sum to 1)"


class LiveHeatmapFigure:
    """A matplotlib heatmap shown through LiveFigure (cell values pasted from text stamps)."""

    def __init__(self, n: int) -> None:
        self.tokens, vectors = tokens_and_vectors(n)
        self.scores = vectors @ vectors.T
        self.fig = plots.heatmap_plot(softmax(self.scores), self.tokens, title=TITLE)
        self.view = LiveFigure(self.fig, moving=lambda: plots.moving_artists(*self.fig.axes))
        self.show(1.0)

    def show(self, temperature: float) -> None:
        self.weights = softmax(self.scores, temperature=temperature)
        plots.update_heatmap(self.fig.axes[0], self.weights)
        self.view.refresh("")


@pytest.fixture(params=[10, 40], ids=["10x10", "40x40"])
def heatmap_figure(request):
    return LiveHeatmapFigure(request.param)


@pytest.fixture(params=[10, 40], ids=["10x10", "40x40"])
def heatmap(request):
    return WeightMatrixExplorer(*tokens_and_vectors(request.param))


@pytest.fixture
def counters(monkeypatch):
    """Count Figure constructions and constrained-layout runs while the test moves sliders."""
    counts = {"figures": 0, "layouts": 0}
    make_figure, run_layout = Figure.__init__, ConstrainedLayoutEngine.execute

    def counting_figure(self, *args, **kwargs):
        counts["figures"] += 1
        make_figure(self, *args, **kwargs)

    def counting_layout(self, fig):
        counts["layouts"] += 1
        return run_layout(self, fig)

    monkeypatch.setattr(Figure, "__init__", counting_figure)
    monkeypatch.setattr(ConstrainedLayoutEngine, "execute", counting_layout)
    return counts


class LiveBars:
    """A matplotlib bar chart shown through LiveFigure, redrawing only its bars and values."""

    def __init__(self, labels=tuple("abcd")) -> None:
        self.labels = list(labels)
        self.fig = plots.weights_bar_plot(np.full(len(self.labels), 1 / len(self.labels)), self.labels)
        self.view = LiveFigure(self.fig, moving=lambda: plots.moving_artists(*self.fig.axes))
        self.show(0)

    def show(self, k: int) -> None:
        self.weights = softmax(np.sin(np.arange(len(self.labels)) + k))
        plots.update_bars(self.fig.axes[0], self.weights)
        self.view.refresh("")


class LiveAlignment:
    """The alignment diagram through LiveFigure, redrawing only its lines and words."""

    def __init__(self) -> None:
        from lessons_lib.examples import cross_attention

        self.targets, self.sources, self.matrix = cross_attention()
        self.fig = diagrams.alignment_plot(self.matrix, self.targets, self.sources, highlight=0)
        self.view = LiveFigure(self.fig, moving=lambda: plots.moving_artists(*self.fig.axes,
                                                                            gids=diagrams.ALIGNMENT_MOVING))
        self.show(0)

    def show(self, k: int) -> None:
        diagrams.update_alignment(self.fig.axes[0], self.matrix, k % len(self.targets))
        self.view.refresh("")


def move_each(live, steps=5):
    """Show ``steps`` new states of a LiveFigure-based view; the PNGs shown."""
    shown = []
    for k in range(1, steps + 1):
        live.show(k)
        shown.append(live.view.image.value)
    return shown


LIVE_FIGURES = {"bars": LiveBars, "alignment": LiveAlignment}


@pytest.fixture(params=list(LIVE_FIGURES))
def live(request):
    return LIVE_FIGURES[request.param]()


SVG_EXPLORERS = {  # explorer, its main slider, five values to move it to
    "attention": (AttentionExplorer, lambda e: e.sliders[0], [0.1, 0.3, 0.5, 0.7, 0.9]),
    "softmax": (lambda: SoftmaxExplorer(list("abcd"), [2.0, 1.0, 0.0, -1.0]), lambda e: e.temperature_slider,
                [0.3, 0.6, 1.2, 2.4, 4.8]),
    "scaling": (ScalingExplorer, lambda e: e.slider, [1, 4, 16, 256, 1024]),
    "trophy": (TrophyExplorer, lambda e: e.slider, [1, 2, 3, 4, 5]),
    "translation": (TranslationExplorer, lambda e: e.slider, [1, 2, 3, 4, 5]),
}


@pytest.fixture(params=list(SVG_EXPLORERS))
def svg_explorer(request):
    make, slider, values = SVG_EXPLORERS[request.param]
    return make(), slider, values


def test_every_svg_explorer_step_is_one_update_showing_a_new_picture(svg_explorer):
    explorer, slider, values = svg_explorer
    widget, updates = explorer.view.widget, []
    widget.observe(lambda change: updates.append(change["new"]), names="value")
    for value in values:
        slider(explorer).value = value
    assert explorer.view.widget is widget and len(updates) == len(values)  # picture, caption and table together
    pictures = [svg_reader.parse(markup) for markup in updates]
    assert len({ET.tostring(p) for p in pictures}) == len(values)
    assert all(p.get("role") == "img" and p.get("aria-label") for p in pictures)
    assert explorer.view.text and f"<pre>{html.escape(explorer.view.text)}</pre>" in updates[-1]


def test_svg_explorer_steps_build_no_figure_and_run_no_layout(svg_explorer, counters):
    explorer, slider, values = svg_explorer
    for value in values:
        slider(explorer).value = value
    assert counters["figures"] == 0 and counters["layouts"] == 0


def test_every_heatmap_explorer_step_shows_the_new_weights(heatmap):
    shown = [heatmap.view.table.value]
    for temperature in np.geomspace(0.3, 3.0, 5):
        heatmap.temperature_slider.value = float(temperature)
        shown.append(heatmap.view.table.value)
        table = read_heatmap(heatmap.view.table.value)
        np.testing.assert_allclose(table.values, heatmap.weights, atol=0.005 + 1e-9)
        assert table.rows == table.columns == heatmap.tokens
    assert len(set(shown)) == len(shown) and heatmap.view.renders == 6


def test_heatmap_explorer_steps_build_no_figure(heatmap, counters):
    heatmap.temperature_slider.value = 0.5
    assert counters["figures"] == 0 and "temperature = 0.50" in heatmap.view.caption


def test_every_live_figure_heatmap_step_shows_different_pixels(heatmap_figure):
    shown = [heatmap_figure.view.image.value]
    for temperature in np.geomspace(0.3, 3.0, 5):
        heatmap_figure.show(float(temperature))
        shown.append(heatmap_figure.view.image.value)
    decoded = [pixels(png) for png in shown]
    for before, after in zip(decoded, decoded[1:]):
        assert before.shape == after.shape
        assert (before != after).any()


def test_the_shown_heatmap_matches_a_fresh_drawing_of_the_same_weights(heatmap_figure):
    heatmap_figure.show(0.4)
    weights, tokens, dpi = heatmap_figure.weights, heatmap_figure.tokens, heatmap_figure.view.dpi
    expected = pixels(plots.figure_png(plots.heatmap_plot(weights, tokens, title=TITLE), dpi=dpi)).astype(int)
    shown = pixels(heatmap_figure.view.image.value).astype(int)
    if len(tokens) > plots.ANNOTATE_MAX:  # no cell values: the same pixels exactly
        np.testing.assert_array_equal(shown, expected)
    else:  # pasted cell values differ from drawn ones only in anti-aliasing
        blank = plots.heatmap_plot(weights, tokens, title=TITLE)
        for cell in blank.axes[0].texts:
            cell.set_text("")
        without_values = pixels(plots.figure_png(blank, dpi=dpi)).astype(int)
        assert shown.shape == expected.shape
        near, far = np.abs(shown - expected).mean(), np.abs(shown - without_values).mean()
        assert near < 4 and near < 0.75 * far  # the values are there, where matplotlib puts them


def test_pasted_text_stamps_land_where_matplotlib_draws_the_text():
    fig = LiveHeatmapFigure(10).fig
    renderer, stamps = fig.canvas.get_renderer(), TextStamps()
    for text in fig.axes[0].texts:
        left, top = stamps._corner(renderer, text, *stamps.size(renderer, text))
        box = text.get_window_extent(renderer)
        assert abs(left - box.x0) < 1 and abs(top - box.y1) < 1


def test_a_live_figure_step_redraws_only_the_moving_artists(monkeypatch):
    live = LiveBars()
    drawn = []
    monkeypatch.setattr(Figure, "draw", lambda self, renderer: drawn.append(self))
    live.show(3)
    assert drawn == []  # the still part comes from the cached background


def test_live_figure_steps_construct_no_new_figure(live, counters):
    move_each(live)
    assert counters["figures"] == 0


def test_live_figure_steps_keep_the_same_figure_axes_artists_and_canvas(live):
    fig, canvas = live.view.fig, live.view.fig.canvas
    axes = list(fig.axes)
    artists = [list(ax.get_children()) for ax in axes]
    renders = live.view.renders
    shown = move_each(live)
    assert live.view.fig is fig and fig.canvas is canvas
    assert list(fig.axes) == axes
    assert [list(ax.get_children()) for ax in axes] == artists
    assert live.view.renders == renders + 5 and len(set(shown)) == 5


def test_the_heatmap_image_artist_gets_the_new_weights_in_place(heatmap_figure):
    image = heatmap_figure.fig.axes[0].images[0]
    heatmap_figure.show(0.5)
    assert heatmap_figure.fig.axes[0].images[0] is image
    np.testing.assert_allclose(image.get_array(), heatmap_figure.weights)


def test_live_figure_steps_do_not_rerun_the_layout(live, counters):
    move_each(live)
    assert counters["layouts"] == 0


def test_a_new_title_reruns_the_layout_once(counters):
    view = LiveFigure(plots.weights_bar_plot([0.2, 0.8], ["a", "b"], title="short"))
    view.refresh("first")
    assert counters["layouts"] == 1
    view.fig.axes[0].set_title("a much longer title that needs the layout again")
    view.refresh("second")
    view.refresh("third")
    assert counters["layouts"] == 2


def test_the_live_image_is_an_rgb_png_of_the_figure_size_at_the_view_dpi():
    view = LiveFigure(plots.weights_bar_plot([0.2, 0.8], ["a", "b"]), dpi=50)
    view.refresh("")
    image = Image.open(io.BytesIO(view.image.value))
    width, height = view.fig.get_size_inches() * 50
    assert image.format == "PNG" and image.mode == "RGB"
    assert image.size == (round(width), round(height))


def test_a_swapped_in_figure_is_drawn_on_the_next_refresh():
    view = LiveFigure(plots.weights_bar_plot([0.2, 0.8], ["a", "b"]))
    view.refresh("")
    first = pixels(view.image.value)
    view.fig = plots.heatmap_plot(np.eye(3), ["x", "y", "z"])
    view.refresh("")
    assert pixels(view.image.value).shape != first.shape
    np.testing.assert_array_equal(pixels(view.image.value), pixels(plots.figure_png(view.fig, dpi=view.dpi)))


def full_redraw(view) -> np.ndarray:
    """What the view would show if it drew the whole figure from scratch."""
    moving, view.moving = view.moving, None
    try:
        return pixels(view._render()).astype(int)
    finally:
        view.moving = moving


@pytest.mark.parametrize("make", [LiveBars, LiveAlignment, lambda: LiveHeatmapFigure(10)],
                         ids=["bars", "alignment", "heatmap"])
def test_redrawing_only_the_moving_artists_leaves_nothing_stale(make):
    live = make()
    for step in (3, 1, 2):
        if isinstance(live, LiveHeatmapFigure):
            live.show(0.3 * step)
        else:
            live.show(step)
        shown = pixels(live.view.image.value).astype(float)
        # Compare 4x4-pixel averages: anti-aliasing of pasted texts averages out
        # (differences up to about 40 here), a stale number or bar does not (70 and more).
        difference = np.abs(block_means(shown) - block_means(full_redraw(live.view).astype(float)))
        assert difference.max() < 55


def block_means(picture: np.ndarray, size: int = 4) -> np.ndarray:
    height, width = picture.shape[0] // size * size, picture.shape[1] // size * size
    return picture[:height, :width].reshape(height // size, size, width // size, size, -1).mean(axis=(1, 3))


def test_a_live_figure_without_relayout_lays_out_once_and_still_matches_a_fresh_drawing(counters):
    """Words reordered at each step take the same room: LiveFigure(relayout=False) keeps the first layout."""
    from lessons_lib.examples import it_weights

    def arcs(adjective, between):
        tokens, weights = it_weights(adjective, between=between, fillers=8)
        fig = diagrams.arc_plot(weights, tokens, tokens.index("it"), title="arcs")
        fig.set_size_inches(11.5, 3.6)
        return fig, tokens, weights

    fig, _, _ = arcs("big", 0)
    view = LiveFigure(fig, relayout=False)
    view.refresh("")
    layouts = counters["layouts"]
    for adjective, between in [("small", 3), ("big", 8), ("small", 1)]:
        _, tokens, weights = arcs(adjective, between)
        diagrams.update_arcs(fig.axes[0], weights, tokens.index("it"), tokens)
        view.refresh("")
        fresh = LiveFigure(arcs(adjective, between)[0], relayout=False)
        fresh.refresh("")
        np.testing.assert_array_equal(pixels(view.image.value), pixels(fresh.image.value))
    assert counters["layouts"] - layouts == 3  # one for each fresh figure, none for the live one's steps
