"""Figures for the lessons, each with a plain-text twin.

Every ``*_plot`` function returns a matplotlib Figure and never calls
``plt.show()``. Every figure has a ``*_table`` twin that returns the same
numbers as text, for screen readers and for the notebook regression check.
Colours come from colour-blind-safe palettes (viridis, Okabe-Ito) and every
value is also written as text, so no meaning rests on colour alone.
"""
from __future__ import annotations

import io
from typing import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from numpy.typing import ArrayLike

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
    """Render ``fig`` to PNG bytes on a white background."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, facecolor="white")
    return buffer.getvalue()


def new_figure(width: float, height: float) -> LessonFigure:
    """A white figure with constrained layout (legible in a dark theme too)."""
    return LessonFigure(figsize=(width, height), facecolor="white", layout="constrained")


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
) -> Figure:
    """Heatmap of an (n, m) weight matrix with token labels on both axes.

    Parameters
    ----------
    weights : (n, m) numbers (usually rows summing to 1)
    row_labels, col_labels : n and m labels (``col_labels`` defaults to ``row_labels``)
    fixed_scale : colour scale fixed to 0-1 so figures compare; else fitted to the data
    annotate : write each value in its cell; default when both sides <= 12
    """
    w = as_matrix(weights, "weights")
    rows = as_labels(row_labels, "row_labels", count=w.shape[0])
    cols = as_labels(rows if col_labels is None else col_labels, "col_labels", count=w.shape[1])
    n, m = w.shape
    fig, ax = new_axes(max(3.6, 0.5 * m + 2.2), max(2.6, 0.42 * n + 1.6), ax)
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
    if annotate if annotate is not None else max(n, m) <= ANNOTATE_MAX:
        for i in range(n):
            for j in range(m):
                ax.text(j, i, "", ha="center", va="center", fontsize=8, gid="cell")
        update_heatmap(ax, w)
    return fig


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
) -> Figure:
    """Bar chart of a weight vector, each bar labelled with its value."""
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
) -> Figure:
    """Word vectors as points in two dimensions and their weighted blend as a star.

    Point area grows with each word's weight. Words that sit on the same spot
    share one label. ``extra`` adds named reference points (e.g. the plain mean).
    """
    v = as_matrix(vectors, "vectors")
    names = as_labels(labels, "labels", count=v.shape[0])
    w = as_vector(weights, "weights", size=v.shape[0])
    fig, ax = new_axes(4.6, 4.2, ax)
    points = v[:, list(dims)]
    ax.scatter(points[:, 0], points[:, 1], s=40, color=BLUE, alpha=0.8, gid="words", zorder=2)
    _label_points(ax, _group_labels(points, names))
    extras = {name: as_vector(p, f"extra[{name!r}]")[list(dims)] for name, p in (extra or {}).items()}
    for name, p in extras.items():
        ax.scatter(*p, marker="D", s=60, facecolor="white", edgecolor="dimgray", zorder=3)
        ax.annotate(name, tuple(p), xytext=(6, 6), textcoords="offset points", fontsize=9, color="dimgray")
    everything = np.vstack([points, *extras.values()]) if extras else points
    ax.scatter([0], [0], marker="*", s=320, color=VERMILLION, edgecolor="black", zorder=4, gid="blend")
    ax.annotate("blend", (0, 0), xytext=(8, 8), textcoords="offset points", fontweight="bold", gid="blendlabel")
    lo, hi = min(-0.1, everything.min() - 0.1), max(1.1, everything.max() + 0.15)
    ax.set(xlim=(lo, hi), ylim=(lo, hi), xlabel=dim_names[0], ylabel=dim_names[1], aspect="equal")
    ax.grid(alpha=0.3)
    if title:
        ax.set_title(title)
    update_blend(ax, w, w @ v, dims)
    return fig


def _group_labels(points: np.ndarray, names: list[str]) -> dict[tuple[float, float], str]:
    groups: dict[tuple[float, float], list[str]] = {}
    for (x, y), name in zip(points, names):
        key = (round(float(x), 3), round(float(y), 3))
        if name not in groups.setdefault(key, []):
            groups[key].append(name)
    return {key: ", ".join(words) for key, words in groups.items()}


_OFFSETS = ((6, -12, "left"), (6, 8, "left"), (-6, 8, "right"), (-6, -12, "right"))


def _label_points(ax: Axes, labels: dict[tuple[float, float], str]) -> None:
    """Label points, moving a label to another corner when a neighbour is close."""
    placed: list[tuple[float, float, int]] = []
    for (x, y), text in sorted(labels.items()):
        taken = {k for px, py, k in placed if abs(px - x) < 0.3 and abs(py - y) < 0.12}
        k = next((k for k in range(len(_OFFSETS)) if k not in taken), 0)
        dx, dy, align = _OFFSETS[k]
        ax.annotate(text, (x, y), xytext=(dx, dy), textcoords="offset points", fontsize=9, ha=align)
        placed.append((x, y, k))


def update_blend(ax: Axes, weights: np.ndarray, output: np.ndarray, dims: tuple[int, int] = (0, 1)) -> None:
    """Move the star and resize the word points of a :func:`blend_plot`, in place."""
    words = next(c for c in ax.collections if c.get_gid() == "words")
    star = next(c for c in ax.collections if c.get_gid() == "blend")
    label = next(t for t in ax.texts if t.get_gid() == "blendlabel")
    words.set_sizes(30 + 600 * np.asarray(weights))
    xy = (float(output[dims[0]]), float(output[dims[1]]))
    star.set_offsets([xy])
    label.xy = xy


def vector_table(vector: ArrayLike, dim_names: Sequence[str], *, name: str = "value", digits: int = 2) -> str:
    """A vector as a two-column table of named dimensions."""
    v = as_vector(vector, "vector")
    dims = as_labels(dim_names, "dim_names", count=len(v))
    return text_table(["dimension", name], [[d, f"{x:.{digits}f}"] for d, x in zip(dims, v)])


def matrix_table(matrix: ArrayLike, row_labels: Sequence[str], col_labels: Sequence[str], *, digits: int = 2) -> str:
    """Any labelled matrix (e.g. word vectors by dimension) as a text table."""
    m = as_float_array(matrix, "matrix", ndim=2)
    return heatmap_table(m, row_labels, col_labels, digits=digits)
