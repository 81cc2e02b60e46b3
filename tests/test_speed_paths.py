"""Headless tests of the fast update paths. A slider step changes what is shown; a
live figure reuses the figure, its artists and its canvas, and re-runs the layout
only when the text around the axes changes; a live heatmap (an HTML table) shows
exactly the explorer's weights. (No timings here: see benchmarks/.)"""
import io

import numpy as np
import pytest
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine
from PIL import Image

from heatmap_reader import read_heatmap
from lessons_lib import plots, softmax
from lessons_lib.example_widgets import TranslationExplorer
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


def move_each(explorer, steps=5):
    """Move the explorer's main slider ``steps`` times to new values."""
    if isinstance(explorer, AttentionExplorer):
        slider, values = explorer.sliders[0], np.linspace(0.1, 0.9, steps)
    else:
        slider, values = explorer.temperature_slider, np.geomspace(0.3, 3.0, steps)
    shown = []
    for value in values:
        slider.value = float(value)
        shown.append(explorer.view.image.value)
    return shown


EXPLORERS = {
    "attention": AttentionExplorer,
    "softmax": lambda: SoftmaxExplorer(list("abcd"), [2.0, 1.0, 0.0, -1.0]),
}


@pytest.fixture(params=list(EXPLORERS))
def explorer(request):
    return EXPLORERS[request.param]()


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
    assert counters["figures"] == 0 and "temperature = 0.50" in heatmap.view.text.value


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


def test_a_slider_step_redraws_only_the_moving_artists(monkeypatch):
    explorer = AttentionExplorer()
    drawn = []
    monkeypatch.setattr(Figure, "draw", lambda self, renderer: drawn.append(self))
    explorer.sliders[0].value = 0.9
    assert drawn == []  # the still part comes from the cached background


def test_slider_steps_construct_no_new_figure(explorer, counters):
    move_each(explorer)
    assert counters["figures"] == 0


def test_slider_steps_keep_the_same_figure_axes_artists_and_canvas(explorer):
    fig, canvas = explorer.view.fig, explorer.view.fig.canvas
    axes = list(fig.axes)
    artists = [list(ax.get_children()) for ax in axes]
    renders = explorer.view.renders
    move_each(explorer)
    assert explorer.view.fig is fig and fig.canvas is canvas
    assert list(fig.axes) == axes
    assert [list(ax.get_children()) for ax in axes] == artists
    assert explorer.view.renders == renders + 5


def test_the_heatmap_image_artist_gets_the_new_weights_in_place(heatmap_figure):
    image = heatmap_figure.fig.axes[0].images[0]
    heatmap_figure.show(0.5)
    assert heatmap_figure.fig.axes[0].images[0] is image
    np.testing.assert_allclose(image.get_array(), heatmap_figure.weights)


def test_slider_steps_do_not_rerun_the_layout(explorer, counters):
    move_each(explorer)
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


@pytest.mark.parametrize("make", [*EXPLORERS.values(), lambda: ScalingExplorer(), lambda: TranslationExplorer()],
                         ids=[*EXPLORERS, "scaling", "translation"])
def test_redrawing_only_the_moving_artists_leaves_nothing_stale(make):
    explorer = make()
    slider = getattr(explorer, "temperature_slider", None) or getattr(explorer, "slider", None) or explorer.sliders[0]
    if hasattr(slider, "options"):  # a selection slider: pick options, not numbers
        values = [slider.options[k] for k in (-1, 0, len(slider.options) // 2)]
    else:
        values = [slider.min + (slider.max - slider.min) * f for f in (0.9, 0.2, 0.6)]
    for value in values:
        slider.value = value
        shown = pixels(explorer.view.image.value).astype(float)
        # Compare 4x4-pixel averages: anti-aliasing of pasted texts averages out
        # (differences up to about 40 here), a stale number or bar does not (70 and more).
        difference = np.abs(block_means(shown) - block_means(full_redraw(explorer.view).astype(float)))
        assert difference.max() < 55


def block_means(picture: np.ndarray, size: int = 4) -> np.ndarray:
    height, width = picture.shape[0] // size * size, picture.shape[1] // size * size
    return picture[:height, :width].reshape(height // size, size, width // size, size, -1).mean(axis=(1, 3))


def test_the_trophy_explorer_lays_out_once_and_still_matches_a_fresh_drawing(counters):
    from lessons_lib.example_widgets import TrophyExplorer

    explorer = TrophyExplorer()
    layouts = counters["layouts"]
    for between, adjective in [(3, "small"), (explorer.slider.max, "big"), (1, "small")]:
        explorer.slider.value, explorer.toggle.value = between, adjective
        fresh = TrophyExplorer(adjective, between)
        np.testing.assert_array_equal(pixels(explorer.view.image.value), pixels(fresh.view.image.value))
    assert counters["layouts"] - layouts == 3  # one for each fresh explorer, none for the live one's steps
