"""Live widgets: sliders that update one picture in place.

Each explorer draws its picture as SVG written from the numbers
(:class:`~lessons_lib.svg_views.LivePicture`): a slider step rewrites one
string holding the picture and its text twin, so the new picture is on screen
about as soon as the slider's own round trip ends (benchmarks/bench_browser.py).
Live heatmaps are HTML tables (:class:`LiveHeatmap`). :class:`LiveFigure`
(a matplotlib figure re-encoded as PNG at each step) remains for figures that
have no SVG version. The current numbers live in plain attributes (``weights``,
``output``), so tests can move a slider and read the result without a browser.
"""
from __future__ import annotations

import html
from typing import Callable, Sequence

import ipywidgets as widgets
import numpy as np
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
from matplotlib.colors import to_rgba
from matplotlib.layout_engine import LayoutEngine
from matplotlib.text import Text
from numpy.typing import ArrayLike

from . import plots
from ._validate import as_float_array, as_labels, as_positive
from .attention import _softmax
from .html_heatmap import heatmap_html
from .svg_views import LivePicture, bar_panel, plane_panel, svg_figure
from .vocab import BANK_SENTENCE, WORDS, Vocabulary

SLIDER_LAYOUT = widgets.Layout(width="380px")
SLIDER_STYLE = {"description_width": "95px"}  # room for "temperature"
CONTROLS_LAYOUT = widgets.Layout(flex="0 0 auto")  # a column of sliders that never gets squeezed
BESIDE_LAYOUT = widgets.Layout(flex_flow="row wrap", align_items="flex-start")  # sliders, picture beside (or below)


class LiveFigure:
    """A figure shown as a ``widgets.Image`` plus a text twin, refreshed in place.

    Speed (a slider step should feel instant): the figure keeps one Agg canvas
    at ``dpi``; its layout is computed on the first draw and again only when a
    title, axis label or tick label changes. Given ``moving`` (a function
    returning the artists that change between frames), a refresh repaints a
    cached picture of everything else and draws only those artists, pasting
    texts from :class:`TextStamps`; without it the whole figure is redrawn.
    With ``relayout=False`` the layout runs once only: for figures whose labels
    change but not their size (the same words in another order), where re-running
    it would cost 20 ms a step and move nothing.
    """

    def __init__(
        self, fig: plots.Figure, dpi: int = 80, moving: Callable[[], Sequence[Artist]] | None = None,
        *, relayout: bool = True,
    ) -> None:
        self.fig = fig
        self.dpi = dpi
        self.moving = moving
        self.relayout = relayout
        # Natural size (not stretched to the column's width), shrunk only if the page is narrow.
        self.image = widgets.Image(format="png", layout=widgets.Layout(max_width="100%", align_self="flex-start",
                                                                       object_fit="contain"))
        self.text = widgets.HTML(layout=widgets.Layout(margin="0 0 0 24px"))
        self.renders = 0
        self._canvas: FigureCanvasAgg | None = None
        self._layout: LayoutEngine | None = None
        self._layout_key: tuple | None = None
        self._background = None
        self._stamps = TextStamps()

    def refresh(self, text: str) -> None:
        """Replace the text table, then re-encode the figure.

        The picture goes last: a widget update sent after it would delay its
        arrival on screen by a frame or two (measured in benchmarks/bench_browser.py).
        """
        picture = self._render()
        self.text.value = f"<pre>{html.escape(text)}</pre>"
        self.image.value = picture
        self.renders += 1

    def _render(self) -> bytes:
        if self._canvas is None or self._canvas.figure is not self.fig:
            self._attach()  # first refresh, or the owner swapped in a new figure
        key = _layout_key(self.fig)
        if key != self._layout_key:
            if self._layout is not None and (self._layout_key is None or self.relayout):
                self._layout.execute(self.fig)
            self._layout_key, self._background = key, None
        if self.moving is None:
            self._canvas.draw()
        else:
            self._draw_moving(list(self.moving()))
        return plots.canvas_png(self._canvas, compress_level=1)  # about twice as quick as the default

    def _draw_moving(self, artists: list[Artist]) -> None:
        """Repaint the cached still part of the figure, then draw only ``artists``."""
        canvas = self._canvas
        if self._background is None:
            for artist in artists:
                artist.set_visible(False)
            canvas.draw()
            for artist in artists:
                artist.set_visible(True)
            self._background = canvas.copy_from_bbox(self.fig.bbox)
        else:
            canvas.restore_region(self._background)
        renderer = canvas.get_renderer()
        for artist in artists:
            if not (isinstance(artist, Text) and self._stamps.paste(renderer, artist)):
                artist.draw(renderer)

    def _attach(self) -> None:
        """Give ``fig`` a canvas at our dpi and take over running its layout engine."""
        self.fig.set_dpi(self.dpi)
        self.fig.patch.set_facecolor("white")
        self._canvas = FigureCanvasAgg(self.fig)
        self._layout = self.fig.get_layout_engine()
        self._layout_key, self._background = None, None
        if self._layout is not None:
            self.fig.set_layout_engine("none")  # keeps the axes where the last layout put them


class LiveHeatmap:
    """A heatmap shown as an HTML table (:func:`~lessons_lib.html_heatmap.heatmap_html`), refreshed in place.

    A slider step rewrites one string, ``table`` (the line of text above the
    table and the table itself): no figure to redraw or picture to encode, and
    one widget update a step. ``text`` is a separate line for messages that come
    without a new table (e.g. input that cannot be shown); a refresh clears it.

    Parameters
    ----------
    **labels : passed on to ``heatmap_html`` at every refresh (row_labels, title, xlabel, ...)
    """

    def __init__(self, **labels) -> None:
        self.labels = labels
        self.table = widgets.HTML()
        self.text = widgets.HTML()
        self.caption = ""
        self.renders = 0

    def refresh(self, weights: np.ndarray, text: str = "") -> None:
        """Show ``weights`` in the table and ``text`` (a line or two) above it."""
        self.caption = text
        self.text.value = ""  # unchanged values are not sent: no second update in the usual step
        self.table.value = (f"<p>{html.escape(text)}</p>" if text else "") + heatmap_html(weights, **self.labels)
        self.renders += 1


class TextStamps:
    """Pictures of short texts, rendered once and pasted into a canvas.

    Drawing a text rasterises its glyphs every time (about half a millisecond);
    a heatmap's 100 cell values would cost 50 ms a frame. Cell values repeat
    ("0.12" in black), so each is drawn once into a small transparent picture,
    at the same quarter-pixel offset matplotlib would use, and later pasted,
    blended by its alpha, where matplotlib would draw it.
    """

    PAD = 2  # transparent pixels around each stamp
    STEPS = 4  # sub-pixel positions per pixel

    def __init__(self) -> None:
        self._sizes: dict[tuple, tuple[float, float, float]] = {}
        self._stamps: dict[tuple, tuple[np.ndarray, np.ndarray]] = {}

    def paste(self, renderer: RendererAgg, text: Text) -> bool:
        """Paste ``text`` into the renderer's pixels; False for texts it leaves to matplotlib."""
        if not text.get_visible() or not text.get_text():
            return True
        if text.get_rotation() or text.get_bbox_patch() is not None or "$" in text.get_text():
            return False
        pixels = np.asarray(renderer.buffer_rgba())
        left, top = self._corner(renderer, text, *self.size(renderer, text))
        top = pixels.shape[0] - top  # rows count down from the top
        ink, clear = self._stamp(renderer, text, left % 1, top % 1)
        row0, col0 = int(top) - self.PAD, int(left) - self.PAD
        rows = slice(max(row0, 0), min(row0 + ink.shape[0], pixels.shape[0]))
        cols = slice(max(col0, 0), min(col0 + ink.shape[1], pixels.shape[1]))
        inside = (slice(rows.start - row0, rows.stop - row0), slice(cols.start - col0, cols.stop - col0))
        under = pixels[rows, cols, :3]
        under[:] = ink[inside] + under * clear[inside] + 0.5  # alpha blend, rounded
        return True

    def size(self, renderer: RendererAgg, text: Text) -> tuple[float, float, float]:
        """Width, height and descent of the text's box as matplotlib lays it out."""
        key = (text.get_text(), text.get_fontproperties(), renderer.dpi)
        size = self._sizes.get(key)
        if size is None:
            width, height, descent = renderer.get_text_width_height_descent(key[0], key[1], ismath=False)
            _, lp_height, lp_descent = renderer.get_text_width_height_descent("lp", key[1], ismath=False)
            # matplotlib makes a line at least as tall as "lp", above and below the baseline
            above = max(height - descent, lp_height - lp_descent)
            size = self._sizes[key] = (width, above + max(descent, lp_descent), max(descent, lp_descent))
        return size

    @staticmethod
    def _corner(renderer: RendererAgg, text: Text, width: float, height: float, descent: float) -> tuple[float, float]:
        """Left and top edge of the text's box, in display pixels (y up)."""
        if type(text) is not Text:  # e.g. an annotation with an offset: ask matplotlib
            box = text.get_window_extent(renderer)
            return box.x0, box.y1
        x, y = text.get_transform().transform(text.get_unitless_position())
        x0 = x - {"left": 0, "center": width / 2, "right": width}[text.get_horizontalalignment()]
        bottom = {"bottom": 0, "center": height / 2, "top": height, "baseline": descent,
                  "center_baseline": descent + (height - descent) / 2}[text.get_verticalalignment()]
        return x0, y - bottom + height

    def _stamp(self, renderer: RendererAgg, text: Text, dx: float, dy: float) -> tuple[np.ndarray, np.ndarray]:
        """The text drawn ``dx``, ``dy`` pixels (rounded to quarters) right of and below the padding.

        Returns the colour already multiplied by coverage, and 1 - coverage.
        """
        words, prop = text.get_text(), text.get_fontproperties()
        dx, dy = round(dx * self.STEPS) / self.STEPS, round(dy * self.STEPS) / self.STEPS
        key = (words, prop, to_rgba(text.get_color(), text.get_alpha()), renderer.dpi, dx, dy)
        stamp = self._stamps.get(key)
        if stamp is None:
            width, height, descent = self.size(renderer, text)
            pad = self.PAD
            canvas = RendererAgg(int(np.ceil(width)) + 2 * pad + 1, int(np.ceil(height)) + 2 * pad + 1, renderer.dpi)
            gc = canvas.new_gc()
            gc.set_foreground(key[2], isRGBA=True)
            canvas.draw_text(gc, pad + dx, pad + dy + height - descent, words, prop, 0, mtext=text)  # baseline
            rgba = np.asarray(canvas.buffer_rgba(), dtype=np.float32)
            coverage = rgba[..., 3:] / 255
            stamp = self._stamps[key] = (rgba[..., :3] * coverage, 1 - coverage)
        return stamp


def _layout_key(fig: plots.Figure) -> tuple:
    """What the layout and the still picture depend on: figure size, texts and ticks around each axes.

    Tick labels are keyed by their locator, formatter and the axis limits rather
    than read out: reading them makes matplotlib recompute every tick (2 ms a step).
    """
    key: list = [tuple(fig.get_size_inches()), len(fig.axes)]
    for ax in fig.axes:
        key += [ax.get_title(loc) for loc in ("left", "center", "right")]
        key += [ax.get_xlabel(), ax.get_ylabel()]
        for axis in (ax.xaxis, ax.yaxis):
            locator, formatter = axis.get_major_locator(), axis.get_major_formatter()
            key += [locator, formatter, tuple(getattr(formatter, "seq", ())), tuple(axis.get_view_interval())]
    return tuple(key)


class _Explorer:
    """Shared plumbing: the top-level widget and notebook display."""

    widget: widgets.Widget

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


def _slider(value: float, description: str, low: float, high: float, step: float) -> widgets.FloatSlider:
    return widgets.FloatSlider(
        value=value, min=low, max=high, step=step, description=description,
        continuous_update=True, readout_format=".2f", layout=SLIDER_LAYOUT, style=SLIDER_STYLE,
    )


class AttentionExplorer(_Explorer):
    """One slider per word sets its relevance; the weights and the blend update live.

    Parameters
    ----------
    sentence : the sentence (or list of tokens) to blend
    focus : the word whose new representation is being built (a title only)
    relevance : starting slider values, one per token (default: all equal)
    vocab : vocabulary of hand-built vectors
    dims : the two named dimensions to draw
    """

    def __init__(
        self,
        sentence: str | Sequence[str] = BANK_SENTENCE,
        *,
        focus: str = "bank",
        relevance: ArrayLike | None = None,
        vocab: Vocabulary = WORDS,
        dims: tuple[str, str] = ("finance", "nature"),
    ) -> None:
        self.tokens, self.vectors = vocab.encode(sentence)
        self.dims = (vocab.axis(dims[0]), vocab.axis(dims[1]))
        self.dim_names = vocab.dimensions
        start = np.full(len(self.tokens), 0.5) if relevance is None else relevance
        start = as_float_array(start, "relevance", ndim=1)
        if len(start) != len(self.tokens) or (start < 0).any() or (start > 1).any():
            raise ValueError(f"relevance must be {len(self.tokens)} numbers from 0 to 1, one per token")
        self.sliders = [_slider(float(v), t, 0.0, 1.0, 0.01) for v, t in zip(start, self.tokens)]
        self.focus, self.dim_pair = focus, tuple(dims)
        self.points = self.vectors[:, list(self.dims)]
        self.view = LivePicture()
        for slider in self.sliders:
            slider.observe(self._on_change, names="value")
        controls = widgets.VBox([widgets.HTML("<b>relevance of each word</b>"), *self.sliders], layout=CONTROLS_LAYOUT)
        # a column holding one row, like the other explorers (and the text form the lessons store)
        self.widget = widgets.VBox([widgets.HBox([controls, self.view.widget], layout=BESIDE_LAYOUT)])
        self._update()

    @property
    def relevance(self) -> np.ndarray:
        """The raw slider values."""
        return np.array([s.value for s in self.sliders])

    def _normalised(self) -> np.ndarray:
        raw = self.relevance
        total = raw.sum()
        return raw / total if total > 0 else np.full(len(raw), 1 / len(raw))

    def set_relevance(self, values: ArrayLike) -> None:
        """Move every slider at once (one redraw)."""
        v = as_float_array(values, "values", ndim=1)
        if len(v) != len(self.sliders):
            raise ValueError(f"values must have {len(self.sliders)} entries, got {len(v)}")
        if (v < 0).any() or (v > 1).any():  # the sliders would clip them silently
            raise ValueError(f"values must be relevances from 0 to 1, got {v.tolist()}")
        self._hold = True  # one redraw at the end, not one per slider
        try:
            for slider, value in zip(self.sliders, v):
                slider.value = float(value)
        finally:
            self._hold = False
        self._update()

    _hold = False

    def _on_change(self, _change=None) -> None:
        if not self._hold:
            self._update()

    def _update(self) -> None:
        self.weights = self._normalised()
        self.output = self.weights @ self.vectors
        focus = self.focus
        bars = bar_panel(self.weights, self.tokens, width=330, height=320, title=f"weights for {focus!r}")
        plane = plane_panel(self.points, self.tokens, self.weights, self.output[list(self.dims)], width=320,
                            height=320, dim_names=self.dim_pair, title=f"new {focus!r}: blend of all words")
        picture = svg_figure([(bars, 330, 320), (plane, 320, 320)], label=(
            f"Bar chart of the weights for {focus!r}, and the words and their blend on the "
            f"{self.dim_pair[0]}-{self.dim_pair[1]} plane; the numbers are in the table beside it."))
        note = "" if self.relevance.sum() > 0 else "All relevances are 0: no preference, so the blend is the plain mean.\n\n"
        self.view.refresh(picture, note + plots.weights_table(self.weights, self.tokens) + "\n\nblended vector\n"
                          + plots.vector_table(self.output, self.dim_names))


class _TemperatureExplorer(_Explorer):
    """An explorer whose weights are ``softmax(scores / temperature)``, with a temperature slider."""

    temperature_slider: widgets.FloatLogSlider
    scores: np.ndarray

    @property
    def temperature(self) -> float:
        return float(self.temperature_slider.value)

    def _compute(self) -> np.ndarray:
        return _softmax(self.scores, temperature=self.temperature)


class SoftmaxExplorer(_TemperatureExplorer):
    """Score sliders and a temperature slider; a bar chart of softmax weights.

    Parameters
    ----------
    labels : one name per score
    scores : starting scores
    temperature : starting temperature (> 0)
    score_range : the sliders' (min, max)
    """

    def __init__(
        self,
        labels: Sequence[str],
        scores: ArrayLike,
        *,
        temperature: float = 1.0,
        score_range: tuple[float, float] = (-5.0, 5.0),
    ) -> None:
        start = as_float_array(scores, "scores", ndim=1)
        self.labels = as_labels(labels, "labels", count=len(start))
        t = as_positive(temperature, "temperature")
        low, high = score_range
        self.sliders = [_slider(float(np.clip(v, low, high)), n, low, high, 0.1) for v, n in zip(start, self.labels)]
        self.temperature_slider = widgets.FloatLogSlider(
            value=t, base=10, min=-1, max=1, step=0.05, description="temperature",
            readout_format=".2f", layout=SLIDER_LAYOUT, style=SLIDER_STYLE,
        )
        self.view = LivePicture()
        for slider in [*self.sliders, self.temperature_slider]:
            slider.observe(self._update, names="value")
        controls = widgets.VBox([widgets.HTML("<b>scores</b>"), *self.sliders, self.temperature_slider],
                                layout=CONTROLS_LAYOUT)
        # a column holding one row, like the other explorers (and the text form the lessons store)
        self.widget = widgets.VBox([widgets.HBox([controls, self.view.widget], layout=BESIDE_LAYOUT)])
        self._update()

    @property
    def scores(self) -> np.ndarray:
        """The current slider scores."""
        return np.array([s.value for s in self.sliders])

    def _update(self, _change=None) -> None:
        self.weights = self._compute()
        width = max(320, 60 + 56 * len(self.labels))
        bars = bar_panel(self.weights, self.labels, width=width, height=250, title="softmax(scores / temperature)")
        picture = svg_figure([(bars, width, 250)], label=(
            "Bar chart of the softmax weights; the scores and weights are in the table beside it."))
        table = plots.text_table(
            ["word", "score", "weight"],
            [[n, f"{s:.2f}", f"{w:.3f}"] for n, s, w in zip(self.labels, self.scores, self.weights)],
        )
        self.view.refresh(picture, f"temperature = {self.temperature:.2f}\n{table}\nsum of weights = {self.weights.sum():.3f}")


def environment_check() -> widgets.VBox:
    """A tiny slider whose label is updated by the kernel: proof widgets work.

    If you can see the slider and the text under it changes as you drag it,
    JupyterLab renders widgets and the kernel answers them.
    """

    slider = widgets.IntSlider(value=3, min=0, max=10, description="drag me")
    answer = widgets.Label()

    def show(_change=None) -> None:
        answer.value = f"the kernel says: {slider.value} squared is {slider.value ** 2}"

    slider.observe(show, names="value")
    show()
    print(f"lessons_lib {__import__('lessons_lib').__version__} imported; numpy, matplotlib "
          f"and ipywidgets are ready.")
    return widgets.VBox([slider, answer])


class WeightMatrixExplorer(_TemperatureExplorer):
    """Self-attention weights of a sentence as a heatmap, with a temperature slider.

    Parameters
    ----------
    tokens : n labels
    vectors : (n, d) one vector per token (used as queries, keys and values)
    temperature : starting temperature (> 0)
    """

    def __init__(self, tokens: Sequence[str], vectors: ArrayLike, *, temperature: float = 1.0) -> None:
        self.vectors = as_float_array(vectors, "vectors", ndim=2)
        self.tokens = as_labels(tokens, "tokens", count=self.vectors.shape[0])
        self.scores = self.vectors @ self.vectors.T
        self.temperature_slider = widgets.FloatLogSlider(
            value=as_positive(temperature, "temperature"), base=10, min=-1.3, max=1, step=0.05,
            description="temperature", readout_format=".2f", layout=SLIDER_LAYOUT, style=SLIDER_STYLE,
        )
        self.view = LiveHeatmap(row_labels=self.tokens, title="attention weights (rows sum to 1)")
        self.temperature_slider.observe(self._update, names="value")
        self.widget = widgets.VBox([self.temperature_slider, self.view.text, self.view.table])
        self._update()

    def _update(self, _change=None) -> None:
        self.weights = self._compute()
        self.view.refresh(self.weights, f"temperature = {self.temperature:.2f}")
