"""Figures for the lessons, each with a plain-text twin.

Every ``*_plot`` function returns a matplotlib Figure and never calls
``plt.show()``. Every figure has a ``*_table`` twin that returns the same
numbers as text, for screen readers and for the notebook regression check.
Colours come from colour-blind-safe palettes (viridis, Okabe-Ito) and every
value is also written as text, so no meaning rests on colour alone.
"""
from __future__ import annotations

import io
import re
from typing import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.text import Text
from matplotlib.ticker import LogFormatterSciNotation
from numpy.typing import ArrayLike
from PIL import Image

from ._validate import as_float_array, as_labels, as_matrix, as_vector

BLUE, ORANGE, VERMILLION, GREY = "#0072B2", "#E69F00", "#D55E00", "#999999"
HEATMAP_CMAP = "viridis"
ANNOTATE_MAX = 12  # write the values into the cells up to this many rows/columns


class LessonFigure(Figure):
    """A matplotlib Figure that shows itself as a PNG in a notebook.

    It is not registered with pyplot, so nothing keeps it alive or draws it
    twice; the notebook shows it because it is the value of a cell.
    """

    def _repr_png_(self) -> bytes:
        return figure_png(self)


def figure_png(fig: Figure, dpi: int = 100) -> bytes:
    """Render ``fig`` to RGB PNG bytes on a white background, leaving the figure as it was.

    One drawing pass, in which the figure runs its own layout engine. ``savefig``
    would draw twice (once without pixels, to lay out): the same pixels, about a
    sixth slower for the lessons' figures.
    """
    old_canvas, old_dpi, old_face = fig.canvas, fig.dpi, fig.get_facecolor()
    canvas = FigureCanvasAgg(fig)
    try:
        fig.set_dpi(dpi)
        fig.set_facecolor("white")
        canvas.draw()
        return canvas_png(canvas)
    finally:
        fig.set_facecolor(old_face)
        fig.set_dpi(old_dpi)
        fig.set_canvas(old_canvas)


def canvas_png(canvas: FigureCanvasAgg, compress_level: int = 3) -> bytes:
    """What ``canvas`` last drew, as RGB PNG bytes.

    zlib level 3 makes files 2 % larger than the default level 6 and is a third
    quicker; live views, which re-encode at every slider step, use 1.
    """
    buffer = io.BytesIO()
    Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba()).convert("RGB").save(
        buffer, format="png", compress_level=compress_level)
    return buffer.getvalue()


def new_figure(width: float, height: float) -> LessonFigure:
    """A white figure with constrained layout (legible in a dark theme too)."""
    return LessonFigure(figsize=(width, height), facecolor="white", layout="constrained")


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


class PlainLogFormatter(LogFormatterSciNotation):
    """matplotlib's labels for a log axis (10⁻³, 10⁰, 2×10¹), written as plain text.

    The same labels on the same ticks, but not as mathtext, which is parsed and
    laid out label by label: a figure with log axes draws up to a third faster.
    """

    def __call__(self, x: float, pos: int | None = None) -> str:
        label = super().__call__(x, pos)
        inner = re.fullmatch(r"\$\\mathdefault\{(.*)\}\$", label)
        if inner is None:
            return label
        text = inner.group(1).replace(r"\times", "×")
        return re.sub(r"\^\{(-?\d+)\}", lambda power: power.group(1).translate(_SUPERSCRIPT), text)


def plain_log_labels(*axes: Axes) -> None:
    """Give every log-scaled axis of ``axes`` :class:`PlainLogFormatter` labels (call after setting the scale)."""
    for ax in axes:
        for axis in (ax.xaxis, ax.yaxis):
            for formatter, setter in ((axis.get_major_formatter(), axis.set_major_formatter),
                                      (axis.get_minor_formatter(), axis.set_minor_formatter)):
                if type(formatter) is LogFormatterSciNotation:
                    setter(PlainLogFormatter(axis.get_transform().base, labelOnlyBase=formatter.labelOnlyBase,
                                             minor_thresholds=formatter.minor_thresholds))


def finish_size_axes(axes: Sequence[Axes], sizes: np.ndarray) -> None:
    """Finish log-log axes over sequence lengths: a labelled tick at each size, a light grid, a legend."""
    plain_log_labels(*axes)
    for ax in axes:
        ax.set_xticks(sizes, [str(v) for v in sizes], fontsize=8)
        ax.minorticks_off()
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8, loc="upper left")


def new_axes(width: float, height: float, ax: Axes | None = None) -> tuple[Figure, Axes]:
    """Use ``ax`` if given, else one axes on a fresh :func:`new_figure`."""
    if ax is not None:
        return ax.figure, ax
    fig = new_figure(width, height)
    return fig, fig.add_subplot()


# --- heatmap ---------------------------------------------------------------
def heatmap_plot(
    weights: ArrayLike,
    row_labels: Sequence[str],
    col_labels: Sequence[str] | None = None,
    *,
    ax: Axes | None = None,
    title: str | None = None,
    fixed_scale: bool = True,
    annotate: bool | None = None,
    xlabel: str = "attends to",
    ylabel: str = "token",
    masked: ArrayLike | None = None,
) -> Figure:
    """Heatmap of an (n, m) weight matrix with token labels on both axes.

    Parameters
    ----------
    weights : (n, m) numbers (usually rows summing to 1)
    row_labels, col_labels : n and m labels (``col_labels`` defaults to ``row_labels``)
    fixed_scale : colour scale fixed to 0-1 so figures compare; else fitted to the data
    annotate : write each value in its cell; default when both sides <= 12
    masked : optional (n, m) booleans, True where a cell is masked out: drawn
        light grey and hatched, without a number, so it never looks like a
        small weight
    """
    w = as_matrix(weights, "weights")
    rows = as_labels(row_labels, "row_labels", count=w.shape[0])
    cols = as_labels(rows if col_labels is None else col_labels, "col_labels", count=w.shape[1])
    hidden = None if masked is None else as_matrix(masked, "masked", rows=w.shape[0], cols=w.shape[1]) != 0
    n, m = w.shape
    annotated = annotate if annotate is not None else max(n, m) <= ANNOTATE_MAX
    cell_width, cell_height = (0.5, 0.42) if annotated else (0.24, 0.22)  # inches; numbers need room, labels less
    fig, ax = new_axes(max(3.6, cell_width * m + 2.2), max(2.6, cell_height * n + 1.6), ax)
    vmin, vmax = (0.0, 1.0) if fixed_scale else (float(w.min()), float(w.max()))
    image = ax.imshow(w, cmap=HEATMAP_CMAP, vmin=vmin, vmax=vmax, aspect="auto", gid="heatmap")
    ax.set_xticks(range(m), cols, rotation=45 if m > 3 else 0, ha="right" if m > 3 else "center")
    ax.set_yticks(range(n), rows)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.tick_params(length=0)
    if title:
        ax.set_title(title)
    fig.colorbar(image, ax=ax, label="weight", shrink=0.9)
    if annotated:
        for i in range(n):
            for j in range(m):
                # inside its cell, so the layout need not measure it (n*m texts fewer to measure)
                ax.text(j, i, "", ha="center", va="center", fontsize=8, gid="cell", in_layout=False)
        update_heatmap(ax, w)
    if hidden is not None and hidden.any():
        _draw_masked(ax, hidden)
    return fig


def _draw_masked(ax: Axes, hidden: np.ndarray) -> None:
    """Cover masked cells with hatched light grey, blank their numbers, and say so in a legend."""
    for i, j in zip(*np.nonzero(hidden)):
        ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, facecolor="#e8e8e8", edgecolor="#b0b0b0",
                               hatch="///", lw=0, zorder=2, gid="maskedcell"))
    cells = [t for t in ax.texts if t.get_gid() == "cell"]
    for text, hide in zip(cells, hidden.ravel()):
        if hide:
            text.set_text("")
    ax.legend(handles=[Patch(facecolor="#e8e8e8", edgecolor="#b0b0b0", hatch="///", label="masked: weight 0")],
              loc="upper center", bbox_to_anchor=(0.5, -0.22), fontsize=8, frameon=False)


def update_heatmap(ax: Axes, weights: np.ndarray) -> None:
    """Put new values into a heatmap drawn by :func:`heatmap_plot`, in place."""
    image = next(a for a in ax.images if a.get_gid() == "heatmap")
    image.set_data(weights)
    cells = [t for t in ax.texts if t.get_gid() == "cell"]
    if cells:
        vmin, vmax = image.get_clim()
        middle = (vmin + vmax) / 2
        for text, value in zip(cells, weights.ravel()):
            text.set_text(f"{value:.2f}")
            text.set_color("black" if value > middle else "white")  # readable on viridis


def heatmap_table(
    weights: ArrayLike,
    row_labels: Sequence[str],
    col_labels: Sequence[str] | None = None,
    *,
    digits: int = 2,
) -> str:
    """The numbers of a heatmap as an aligned text table (rows = tokens)."""
    w = as_matrix(weights, "weights")
    rows = as_labels(row_labels, "row_labels", count=w.shape[0])
    cols = as_labels(rows if col_labels is None else col_labels, "col_labels", count=w.shape[1])
    return text_table([""] + cols, [[r] + [f"{v:.{digits}f}" for v in row] for r, row in zip(rows, w)])


def text_table(header: list[str], body: list[list[str]]) -> str:
    """Left-aligned first column, right-aligned numbers, two spaces apart."""
    widths = [max(len(line[k]) for line in [header] + body) for k in range(len(header))]
    lines = [header] + body
    text = [
        "  ".join(cell.ljust(w) if k == 0 else cell.rjust(w) for k, (cell, w) in enumerate(zip(line, widths)))
        for line in lines
    ]
    return "\n".join(line.rstrip() for line in text)


# --- bar chart ---------------------------------------------------------------
def weights_bar_plot(
    weights: ArrayLike,
    labels: Sequence[str],
    *,
    ax: Axes | None = None,
    title: str | None = None,
    ylim: tuple[float, float] = (0.0, 1.0),
    xlabel: str | None = None,
) -> Figure:
    """Bar chart of a weight vector, each bar labelled with its value (``xlabel`` names the ticks)."""
    w = as_vector(weights, "weights")
    names = as_labels(labels, "labels", count=len(w))
    fig, ax = new_axes(max(4.0, 0.6 * len(w) + 1.5), 3.0, ax)
    positions = np.arange(len(w))
    ax.bar(positions, w, color=BLUE, gid="bars")
    for k in positions:
        ax.text(k, 0, "", ha="center", va="bottom", fontsize=8, gid="barlabel")
    ax.set_xticks(positions, names, rotation=45 if len(w) > 6 else 0, ha="right" if len(w) > 6 else "center")
    ax.set_ylim(*ylim)
    ax.set_ylabel("weight")
    if xlabel:
        ax.set_xlabel(xlabel)
    ax.spines[["top", "right"]].set_visible(False)
    if title:
        ax.set_title(title)
    update_bars(ax, w)
    return fig


def update_bars(ax: Axes, weights: np.ndarray) -> None:
    """Set the heights and value labels of a bar chart drawn by :func:`weights_bar_plot`."""
    top = ax.get_ylim()[1]
    labels = [t for t in ax.texts if t.get_gid() == "barlabel"]
    for bar, text, value in zip(ax.patches, labels, weights):
        bar.set_height(value)
        text.set_text(f"{value:.2f}")
        inside = value > top * 0.9  # a tall bar keeps its label inside, in white
        text.set_y(min(value, top * 0.9) + top * 0.01)
        text.set_color("white" if inside else "black")


def weights_table(weights: ArrayLike, labels: Sequence[str], *, digits: int = 2, header: str = "weight") -> str:
    """A weight (or score) vector as a two-column text table."""
    w = as_vector(weights, "weights")
    names = as_labels(labels, "labels", count=len(w))
    return text_table(["word", header], [[n, f"{v:.{digits}f}"] for n, v in zip(names, w)])


# --- the blend in two named dimensions --------------------------------------------
def blend_plot(
    vectors: ArrayLike,
    labels: Sequence[str],
    weights: ArrayLike,
    *,
    dims: tuple[int, int] = (0, 1),
    dim_names: tuple[str, str] = ("finance", "nature"),
    ax: Axes | None = None,
    title: str | None = None,
    extra: dict[str, ArrayLike] | None = None,
    show_hull: bool = False,
) -> Figure:
    """Word vectors as points in two dimensions and their weighted blend as a star.

    Point area grows with each word's weight. Words that sit on the same spot
    share one dot and one label, which counts repeats ("to ×2"). ``extra`` adds
    named reference points (white diamonds, e.g. the plain mean); ``show_hull``
    shades the region between the words. A legend names the star, the dots and,
    when drawn, the diamonds and the shaded region.
    """
    v = as_matrix(vectors, "vectors")
    names = as_labels(labels, "labels", count=v.shape[0])
    w = as_vector(weights, "weights", size=v.shape[0])
    fig, ax = new_axes(4.6, 4.2, ax)
    points = v[:, list(dims)]
    if show_hull:
        draw_hull(ax, points)
    spots, groups = np.unique(points.round(3), axis=0, return_inverse=True)
    words = ax.scatter(spots[:, 0], spots[:, 1], s=40, color=BLUE, alpha=0.8, gid="words", zorder=2)
    words.token_groups = groups.ravel()  # words on one spot share a dot sized by their total weight
    _label_points(ax, _group_labels(points, names))
    extras = {name: as_vector(p, f"extra[{name!r}]")[list(dims)] for name, p in (extra or {}).items()}
    for name, p in extras.items():
        ax.scatter(*p, marker="D", s=60, facecolor="white", edgecolor="dimgray", zorder=3)
        ax.annotate(name, tuple(p), xytext=(0, 9), textcoords="offset points", fontsize=9,
                    color="dimgray", ha="center")
    everything = np.vstack([points, *extras.values()]) if extras else points
    ax.scatter([0], [0], marker="*", s=320, color=VERMILLION, edgecolor="black", zorder=4, gid="blend")
    ax.annotate("blend", (0, 0), xytext=(8, 8), textcoords="offset points", fontweight="bold", gid="blendlabel")
    lo, hi = min(-0.18, everything.min() - 0.2), max(1.1, everything.max() + 0.3)
    ax.set(xlim=(lo, hi), ylim=(lo, hi), xlabel=dim_names[0], ylabel=dim_names[1], aspect="equal")
    ax.grid(alpha=0.3)
    _blend_legend(ax, diamonds=bool(extras), hull=show_hull)
    if title:
        ax.set_title(title)
    update_blend(ax, w, w @ v, dims)
    return fig


def _blend_legend(ax: Axes, *, diamonds: bool, hull: bool) -> None:
    """Name the marks of a blend plot in a small legend at the top right (where no word sits)."""
    handles = [Line2D([], [], marker="*", ls="", markersize=12, color=VERMILLION, markeredgecolor="black",
                      label="blend (the weighted average)"),
               Line2D([], [], marker="o", ls="", markersize=7, color=BLUE, alpha=0.8,
                      label="word vector (area grows with weight)")]
    if diamonds:
        handles.append(Line2D([], [], marker="D", ls="", markersize=6, markerfacecolor="white",
                              markeredgecolor="dimgray", label="other blend, for comparison"))
    if hull:
        handles.append(Patch(facecolor="#eeeeee", edgecolor=GREY, linestyle="--",
                             label="region between the words"))
    ax.legend(handles=handles, loc="upper right", fontsize=7.5, framealpha=0.9)


def convex_hull_2d(points: ArrayLike) -> np.ndarray:
    """Corners of the convex hull of 2-D points, counter-clockwise (monotone chain)."""
    p = as_matrix(points, "points", cols=2)
    p = np.unique(p.round(9), axis=0)  # sorted by x, then y
    if len(p) < 3:
        return p

    def half(seq: np.ndarray) -> list[np.ndarray]:
        chain: list[np.ndarray] = []
        for q in seq:
            while len(chain) >= 2 and _turn(chain[-2], chain[-1], q) <= 0:
                chain.pop()
            chain.append(q)
        return chain[:-1]

    return np.array(half(p) + half(p[::-1]))


def _turn(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> float:
    """> 0 when a -> b -> c turns left (the z of the 2-D cross product)."""
    return float((b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]))


def draw_hull(ax: Axes, points: np.ndarray) -> None:
    """Shade the region between the points (their convex hull), with a dashed edge."""
    corners = convex_hull_2d(points)
    if len(corners) >= 3:
        ax.fill(corners[:, 0], corners[:, 1], facecolor="#eeeeee", edgecolor=GREY, linestyle="--", zorder=0)


def movement_plot(
    vectors: ArrayLike,
    outputs: ArrayLike,
    labels: Sequence[str],
    *,
    dims: tuple[int, int] = (0, 1),
    dim_names: tuple[str, str] = ("finance", "nature"),
    title: str | None = None,
) -> Figure:
    """Arrows from each token's vector (circle) to its attention output (triangle).

    Left: the whole plane; the shaded region is the convex hull of the vectors,
    which outputs never leave. Right: the outputs enlarged, each spot named
    (tokens with the same output share a label, repeats counted).
    """
    v = as_matrix(vectors, "vectors")
    out = as_matrix(outputs, "outputs", rows=v.shape[0], cols=v.shape[1])
    names = as_labels(labels, "labels", count=v.shape[0])
    fig = new_figure(9.6, 4.4)
    ax, zoom = fig.subplots(1, 2, width_ratios=[1, 1.1])
    start, end = v[:, list(dims)], out[:, list(dims)]
    draw_hull(ax, start)
    for a, b in zip(start, end):
        ax.annotate("", b, a, arrowprops=dict(arrowstyle="->", color=GREY, lw=1), zorder=1)
    ax.scatter(start[:, 0], start[:, 1], s=45, color=BLUE, zorder=2, label="input vector")
    ax.scatter(end[:, 0], end[:, 1], s=55, marker="^", color=VERMILLION, edgecolor="black", zorder=3,
               label="attention output")
    _label_points(ax, _group_labels(start, names))
    lo, hi = min(-0.18, start.min() - 0.2), max(1.1, start.max() + 0.15)
    ax.set(xlim=(lo, hi), ylim=(lo, hi), xlabel=dim_names[0], ylabel=dim_names[1], aspect="equal")
    ax.legend(loc="upper right", fontsize=8)
    ax.grid(alpha=0.3)
    if title:
        ax.set_title(title)
    _named_outputs(zoom, end, names, dim_names)
    return fig


def _named_outputs(ax: Axes, points: np.ndarray, names: list[str], dim_names: tuple[str, str]) -> None:
    """The output points enlarged, every spot joined by a thin line to its label in a row above."""
    spots = sorted(_group_labels(points, names).items())
    ax.scatter(points[:, 0], points[:, 1], s=55, marker="^", color=VERMILLION, edgecolor="black", zorder=3)
    (x0, y0), (x1, y1) = points.min(axis=0), points.max(axis=0)
    pad_x, pad_y = 0.08 * max(x1 - x0, 0.05), 0.1 * max(y1 - y0, 0.05)
    ax.set(xlim=(x0 - pad_x, x1 + pad_x), ylim=(y0 - pad_y, y1 + 3 * (y1 - y0 + pad_y)),
           xlabel=dim_names[0], ylabel=dim_names[1], title="the outputs, enlarged")
    for k, ((x, y), text) in enumerate(spots):
        ax.annotate(text, (x, y), xytext=((k + 0.5) / len(spots), 0.97 - 0.13 * (k % 2)),
                    textcoords="axes fraction", ha="center", va="top", fontsize=8, linespacing=1.0,
                    arrowprops=dict(arrowstyle="-", color=GREY, lw=0.6, shrinkA=2, shrinkB=4))
    ax.grid(alpha=0.3)


def _group_labels(points: np.ndarray, names: list[str]) -> dict[tuple[float, float], str]:
    """One label per spot: its words in order, a repeated word counted ("to ×2"), two words a line."""
    groups: dict[tuple[float, float], dict[str, int]] = {}
    for (x, y), name in zip(points, names):
        key = (round(float(x), 3), round(float(y), 3))
        counts = groups.setdefault(key, {})
        counts[name] = counts.get(name, 0) + 1
    labels = {}
    for key, counts in groups.items():
        words = [name if count == 1 else f"{name} ×{count}" for name, count in counts.items()]
        labels[key] = ",\n".join(", ".join(words[k:k + 2]) for k in range(0, len(words), 2))
    return labels


def _label_points(ax: Axes, labels: dict[tuple[float, float], str]) -> None:
    """Label points, putting each label on the side away from its nearest neighbour."""
    spots = np.array(list(labels))
    for (x, y), text in labels.items():
        others = spots[(spots[:, 0] != x) | (spots[:, 1] != y)]
        dx, dy = 8, -14  # default: below right
        if len(others):
            near = others[np.argmin(np.hypot(others[:, 0] - x, others[:, 1] - y))]
            if np.hypot(near[0] - x, near[1] - y) < 0.35:
                dx = -8 if near[0] > x else 8
        ax.annotate(text, (x, y), xytext=(dx, dy + 9), textcoords="offset points", fontsize=9,
                    ha="right" if dx < 0 else "left", va="top", linespacing=1.0)


def update_blend(ax: Axes, weights: np.ndarray, output: np.ndarray, dims: tuple[int, int] = (0, 1)) -> None:
    """Move the star and resize the word points of a :func:`blend_plot`, in place."""
    words = next(c for c in ax.collections if c.get_gid() == "words")
    star = next(c for c in ax.collections if c.get_gid() == "blend")
    label = next(t for t in ax.texts if t.get_gid() == "blendlabel")
    totals = np.bincount(words.token_groups, weights=np.asarray(weights, dtype=float),
                         minlength=len(words.get_offsets()))
    words.set_sizes(30 + 600 * totals)
    xy = (float(output[dims[0]]), float(output[dims[1]]))
    star.set_offsets([xy])
    label.xy = xy


def vector_table(vector: ArrayLike, dim_names: Sequence[str], *, name: str = "value", digits: int = 3) -> str:
    """A vector as a two-column table of named dimensions."""
    v = as_vector(vector, "vector")
    dims = as_labels(dim_names, "dim_names", count=len(v))
    return text_table(["dimension", name], [[d, f"{x:.{digits}f}"] for d, x in zip(dims, v)])


def matrix_table(matrix: ArrayLike, row_labels: Sequence[str], col_labels: Sequence[str], *, digits: int = 2) -> str:
    """Any labelled matrix (e.g. word vectors by dimension) as a text table."""
    m = as_float_array(matrix, "matrix", ndim=2)
    return heatmap_table(m, row_labels, col_labels, digits=digits)


LIVE_GIDS = ("heatmap", "bars", "words", "blend", "cell", "barlabel", "blendlabel")


def moving_artists(*axes: Axes, gids: Sequence[str] = LIVE_GIDS) -> list:
    """The artists that the ``update_*`` functions change (those tagged with ``gids``), in drawing order.

    Shapes come first (by z-order, with each axes' frame, which is drawn over
    them), texts last, so a live view can redraw just these over a cached
    picture of the rest (see ``widgets.LiveFigure``).
    """
    found = []
    for ax in axes:
        moving = [a for a in ax.get_children() if a.get_gid() in gids]
        found += moving + (list(ax.spines.values()) if moving and ax.axison else [])  # no frame when axis("off")
    return sorted(found, key=lambda a: (isinstance(a, Text), a.get_zorder()))
