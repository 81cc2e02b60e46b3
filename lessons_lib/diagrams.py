"""Diagrams for the worked examples (lessons 04-06), each with a text twin.

* :func:`arc_plot` - arcs over a sentence from one word to every word;
  thickness and opacity grow with the weight (readable up to ~20 tokens).
* :func:`alignment_plot` - two rows of words (source above, target below)
  joined by lines whose thickness is the weight.
* :func:`sense_plane_plot` - vectors on a two-dimension plane split by the
  diagonal (e.g. finance versus nature).
* :func:`bottleneck_plot` - recovery accuracy against sentence length.
* :func:`heatmap_pair_plot` - two labelled heatmaps side by side.

Like :mod:`lessons_lib.plots`, every function returns the figure and never
calls ``plt.show()``; ``update_*`` functions change the drawn artists in
place, and ``*_table`` functions return the same numbers as text.
"""
from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.transforms import offset_copy
from numpy.typing import ArrayLike

from ._validate import as_distribution, as_labels, as_matrix, as_vector
from .plots import BLUE, GREY, ORANGE, VERMILLION, heatmap_plot, new_axes, new_figure, plain_log_labels, text_table

ARC_STEPS = 48        # points per arc
LOOP_HEIGHT = 0.2     # height of the loop for a word's weight on itself
VALUE_MIN = 0.05      # write a weight on the picture from this size up


def _as_index(value: int, name: str, count: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not 0 <= value < count:
        raise ValueError(f"{name} must be a position from 0 to {count - 1}, got {value!r}")
    return int(value)


def _style(weight: float) -> tuple[float, float]:
    """Line width and opacity for a weight in [0, 1]."""
    return 0.4 + 11.0 * weight, 0.12 + 0.88 * weight


# --- arcs over a sentence ------------------------------------------------------
def arc_plot(
    weights: ArrayLike,
    labels: Sequence[str],
    source: int,
    *,
    ax: Axes | None = None,
    title: str | None = None,
) -> Figure:
    """Arcs from the word at ``source`` to every word of the sentence.

    Parameters
    ----------
    weights : (n,) the source word's weights over the n words (sum to 1)
    labels : n words, drawn left to right
    source : position of the word whose weights are drawn (its label is boxed)

    Arc height grows with distance; thickness and opacity grow with weight, and
    weights >= 0.05 are written above their arc. The word's weight on itself is
    a small loop, its value written just under it.
    """
    w = as_distribution(weights, "weights", ndim=1)
    names = as_labels(labels, "labels", count=len(w))
    s = _as_index(source, "source", len(w))
    fig, ax = new_axes(max(5.0, 0.55 * len(w) + 1.5), 3.4, ax)
    for _ in range(len(w)):
        ax.add_line(Line2D([], [], color=BLUE, solid_capstyle="round", gid="arc"))
        ax.text(0, 0, "", ha="center", va="bottom", fontsize=8, gid="arcvalue")
    ax.set(xlim=(-0.7, len(w) - 0.3), yticks=[])
    ax.spines[["top", "right", "left"]].set_visible(False)
    ax.tick_params(axis="x", length=0)
    if title:
        ax.set_title(title)
    update_arcs(ax, w, s, names)
    return fig


def _arc_path(source: int, target: int, count: int) -> tuple[np.ndarray, np.ndarray]:
    t = np.linspace(0, np.pi, ARC_STEPS)
    if source == target:  # a small loop standing on the word
        return source + 0.22 * np.sin(2 * t), 0.02 + LOOP_HEIGHT * np.sin(t)
    height = 0.18 + 0.82 * abs(target - source) / max(1, count - 1)
    middle, half = (source + target) / 2, (target - source) / 2
    return middle - half * np.cos(t), 0.02 + height * np.sin(t)


def update_arcs(ax: Axes, weights: ArrayLike, source: int, labels: Sequence[str] | None = None) -> None:
    """Redraw the arcs of an :func:`arc_plot` in place (same number of words).

    ``source`` and ``labels`` may change (e.g. when words move in the sentence);
    without ``labels`` the drawn words stay.
    """
    arcs = [line for line in ax.lines if line.get_gid() == "arc"]
    values = [t for t in ax.texts if t.get_gid() == "arcvalue"]
    w = as_distribution(weights, "weights", ndim=1)
    if len(w) != len(arcs):
        raise ValueError(f"weights must have {len(arcs)} entries (one per word drawn), got {len(w)}")
    if labels is not None:
        names = as_labels(labels, "labels", count=len(w))
        ax.set_xticks(range(len(w)), names, rotation=40 if len(w) > 9 else 0,
                      ha="right" if len(w) > 9 else "center", rotation_mode="anchor")
    s = _as_index(source, "source", len(w))
    top = 0.0
    for j, (line, text, weight) in enumerate(zip(arcs, values, w)):
        x, y = _arc_path(s, j, len(w))
        width, alpha = _style(float(weight))
        line.set(xdata=x, ydata=y, linewidth=width, alpha=alpha)
        value = f"{weight:.2f}" if weight >= VALUE_MIN else ""
        if j == s:  # under the loop, in a band the arcs never cross
            text.set(x=s, y=-0.06, text=value, va="center", fontsize=7, transform=ax.transData)
        else:  # just above the top of the (thick) line
            lift = offset_copy(ax.transData, fig=ax.figure, y=width / 2 + 1, units="points")
            text.set(x=x[len(x) // 2], y=y.max(), text=value, va="bottom", fontsize=8, transform=lift)
        top = max(top, float(y.max()))
    ax.set_ylim(-0.11, top + 0.12)  # a band below for the self-weight, room above for values
    for k, label in enumerate(ax.get_xticklabels()):
        boxed = k == s
        label.set_fontweight("bold" if boxed else "normal")
        label.set_bbox(dict(boxstyle="round,pad=0.2", facecolor="white", edgecolor=VERMILLION) if boxed else None)


def arc_table(weights: ArrayLike, labels: Sequence[str], source: int, *, digits: int = 2) -> str:
    """The weights of an arc plot as text: word, position, distance from the source, weight."""
    w = as_vector(weights, "weights")
    names = as_labels(labels, "labels", count=len(w))
    s = _as_index(source, "source", len(w))
    body = [[n, str(k), str(abs(k - s)), f"{v:.{digits}f}"] for k, (n, v) in enumerate(zip(names, w))]
    return f"weights of {names[s]!r} (position {s})\n" + text_table(["word", "position", "distance", "weight"], body)


# --- two-row alignment -------------------------------------------------------------
def alignment_plot(
    weights: ArrayLike,
    target_labels: Sequence[str],
    source_labels: Sequence[str],
    *,
    highlight: int | None = None,
    ax: Axes | None = None,
    title: str | None = None,
    names: tuple[str, str] = ("French (source)", "English (target)"),
) -> Figure:
    """Source words on top, target words below, a line for every (target, source) weight.

    Parameters
    ----------
    weights : (n_target, n_source), each row a target word's weights (sum to 1)
    target_labels, source_labels : the words of each row
    highlight : optional target position drawn in colour, the others faded grey;
        its weights are written above the source words
    names : row titles, source first
    """
    w = as_distribution(weights, "weights", ndim=2)
    targets = as_labels(target_labels, "target_labels", count=w.shape[0])
    sources = as_labels(source_labels, "source_labels", count=w.shape[1])
    width = max(len(targets), len(sources))
    fig, ax = new_axes(max(5.5, 0.9 * width + 2.0), 3.6, ax)
    xs_t, xs_s = _row_positions(len(targets), width), _row_positions(len(sources), width)
    for i in range(len(targets)):
        for j in range(len(sources)):
            ax.add_line(Line2D([xs_t[i], xs_s[j]], [0.12, 0.88], solid_capstyle="round", gid="link"))
    for x, word in zip(xs_s, sources):
        ax.text(x, 0.93, word, ha="center", va="bottom", fontsize=11, gid="source")
        ax.text(x, 1.13, "", ha="center", va="bottom", fontsize=8, gid="linkvalue")
    for x, word in zip(xs_t, targets):
        ax.text(x, 0.07, word, ha="center", va="top", fontsize=11, gid="target")
    ax.text(-0.6, 0.96, names[0], ha="right", va="bottom", fontsize=9, style="italic")
    ax.text(-0.6, 0.04, names[1], ha="right", va="top", fontsize=9, style="italic")
    ax.text(-0.6, 1.13, "", ha="right", va="bottom", fontsize=8, style="italic", gid="valuename")
    ax.set(xlim=(-2.5, width - 0.4), ylim=(-0.12, 1.3))
    ax.axis("off")
    if title:
        ax.set_title(title)
    update_alignment(ax, w, highlight)
    return fig


def _row_positions(count: int, width: int) -> np.ndarray:
    return np.linspace(0, width - 1, count) if count > 1 else np.array([(width - 1) / 2])


ALIGNMENT_MOVING = ("link", "linkvalue", "valuename", "target")  # what update_alignment changes


def update_alignment(ax: Axes, weights: ArrayLike, highlight: int | None = None) -> None:
    """Restyle the lines of an :func:`alignment_plot` in place for new weights / highlight."""
    links = [line for line in ax.lines if line.get_gid() == "link"]
    targets = [t for t in ax.texts if t.get_gid() == "target"]
    drawn = (len(targets), sum(t.get_gid() == "source" for t in ax.texts))
    w = as_distribution(weights, "weights", ndim=2)
    if w.shape != drawn:
        raise ValueError(f"weights must have shape {drawn} like the drawn plot, got {w.shape}")
    h = None if highlight is None else _as_index(highlight, "highlight", w.shape[0])
    for (i, j), line in zip(np.ndindex(*w.shape), links):
        width, alpha = _style(float(w[i, j]))
        faded = h is not None and i != h
        line.set(linewidth=width * (0.5 if faded else 1), alpha=alpha * (0.35 if faded else 1),
                 color=GREY if faded else (VERMILLION if h is not None else BLUE), zorder=1 if faded else 2)
    values = [t for t in ax.texts if t.get_gid() == "linkvalue"]
    for j, text in enumerate(values):
        text.set_text(f"{w[h, j]:.2f}" if h is not None else "")
    name = next(t for t in ax.texts if t.get_gid() == "valuename")
    name.set_text(f"weights of {targets[h].get_text()!r}" if h is not None else "")
    for i, text in enumerate(targets):
        text.set_fontweight("bold" if i == h else "normal")
        text.set_bbox(dict(boxstyle="round,pad=0.2", facecolor="white", edgecolor=VERMILLION) if i == h else None)


def alignment_table(weights: ArrayLike, target_labels: Sequence[str], source_labels: Sequence[str], *, digits: int = 2) -> str:
    """For every target word: the source word it looks at most and the runner-up, with weights."""
    w = as_matrix(weights, "weights")
    targets = as_labels(target_labels, "target_labels", count=w.shape[0])
    sources = as_labels(source_labels, "source_labels", count=w.shape[1])
    order = np.argsort(-w, axis=1, kind="stable")
    body = []
    for i, target in enumerate(targets):
        best = [f"{sources[j]} {w[i, j]:.{digits}f}" for j in order[i, :2]]
        body.append([target, *best] if w.shape[1] > 1 else [target, best[0], ""])
    return text_table(["target", "looks most at", "next"], body)


# --- a plane split by the diagonal ----------------------------------------------------
_MARKERS = ("*", "P", "X", "s", "^", "v", "o")


def sense_plane_plot(
    points: Mapping[str, ArrayLike],
    *,
    dims: tuple[int, int] = (0, 1),
    dim_names: tuple[str, str] = ("finance", "nature"),
    reference: Mapping[str, ArrayLike] | None = None,
    words: Mapping[str, ArrayLike] | None = None,
    ax: Axes | None = None,
    title: str | None = None,
) -> Figure:
    """Named vectors on the plane of two dimensions, with the diagonal x = y dashed.

    ``points`` are drawn as large distinct markers named in a legend under the
    plot (long names never cover the picture); ``reference`` points (e.g. the
    word alone) as white diamonds labelled beside them; ``words`` as small grey
    dots, words at the same spot sharing one label and words at (0, 0) left out.
    """
    if not isinstance(points, Mapping) or not points:
        raise ValueError("points must be a non-empty mapping of name -> vector")
    pts = {name: as_vector(p, f"points[{name!r}]")[list(dims)] for name, p in points.items()}
    refs = {name: as_vector(p, f"reference[{name!r}]")[list(dims)] for name, p in (reference or {}).items()}
    dots = {name: as_vector(p, f"words[{name!r}]")[list(dims)] for name, p in (words or {}).items()}
    fig, ax = new_axes(4.8, 5.2, ax)
    top = max(0.7, max(float(np.max(p)) for p in [*pts.values(), *refs.values(), *dots.values()]) + 0.12)
    ax.plot([0, top], [0, top], ls="--", color=GREY, lw=1)
    for name, (x, y) in ((dim_names[0], (0.34, 0.22)), (dim_names[1], (0.22, 0.34))):  # along the diagonal
        ax.text(x * top, y * top, f"{name} side", rotation=45, ha="center", va="center", color="dimgray",
                fontsize=9, rotation_mode="anchor")
    _word_dots(ax, dots, top)
    for name, p in refs.items():
        ax.scatter(*p, marker="D", s=50, facecolor="white", edgecolor="dimgray", zorder=3)
        ax.annotate(name, tuple(p), xytext=(7, -3), textcoords="offset points", fontsize=9, color="dimgray")
    colours = (VERMILLION, BLUE, ORANGE, "black")
    for k, (name, p) in enumerate(pts.items()):
        ax.scatter(*p, marker=_MARKERS[k % len(_MARKERS)], s=180, color=colours[k % len(colours)],
                   edgecolor="black", zorder=4, label=name)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), fontsize=9, frameon=False, borderaxespad=0)
    edge = -0.03 * top  # a little room so dots on an axis are not cut in half
    ax.set(xlim=(edge, top), ylim=(edge, top), xlabel=dim_names[0], ylabel=dim_names[1], aspect="equal")
    ax.grid(alpha=0.3)
    if title:
        ax.set_title(title)
    return fig


def _word_dots(ax: Axes, dots: Mapping[str, np.ndarray], top: float) -> None:
    """Small grey dots for words; one label per spot, finance-side labels turned upright."""
    spots: dict[tuple[float, float], list[str]] = {}
    for name, p in dots.items():
        key = (round(float(p[0]), 2), round(float(p[1]), 2))
        if key != (0.0, 0.0) and name not in spots.setdefault(key, []):
            spots[key].append(name)
    for (x, y), names in spots.items():
        ax.scatter(x, y, s=16, color="dimgray", zorder=2)
        upright = x > y  # points along the finance axis sit side by side: label upwards
        ax.annotate(", ".join(names), (x, y), xytext=(0, 6) if upright else (6, 0), textcoords="offset points",
                    fontsize=8, color="dimgray", rotation=90 if upright else 0,
                    ha="center" if upright else "left", va="bottom" if upright else "center")


def sense_plane_table(points: Mapping[str, ArrayLike], *, dims: tuple[int, int] = (0, 1),
                      dim_names: tuple[str, str] = ("finance", "nature"), digits: int = 2) -> str:
    """The coordinates of a sense plane and which side of the diagonal each point is on."""
    if not isinstance(points, Mapping) or not points:
        raise ValueError("points must be a non-empty mapping of name -> vector")
    body = []
    for name, p in points.items():
        x, y = as_vector(p, f"points[{name!r}]")[list(dims)]
        side = dim_names[0] if x > y else dim_names[1] if y > x else "on the line"
        body.append([name, f"{x:.{digits}f}", f"{y:.{digits}f}", side])
    return text_table(["vector", *dim_names, "side"], body)


# --- the bottleneck curve --------------------------------------------------------------
def bottleneck_plot(
    lengths: ArrayLike,
    mean_accuracy: ArrayLike,
    attention_accuracy: ArrayLike,
    *,
    chance: float | None = None,
    ax: Axes | None = None,
    title: str | None = None,
) -> Figure:
    """Recovery accuracy against sentence length (log scale) for the two readers."""
    n = as_vector(lengths, "lengths")
    mean = as_vector(mean_accuracy, "mean_accuracy", size=len(n))
    attn = as_vector(attention_accuracy, "attention_accuracy", size=len(n))
    if (n <= 0).any():
        raise ValueError("lengths must be positive (the x axis is logarithmic)")
    fig, ax = new_axes(5.8, 3.6, ax)
    ax.plot(n, attn, marker="o", color=BLUE, lw=2, label="attention blend, given the right query")
    ax.plot(n, mean, marker="s", ls="--", color=VERMILLION, lw=2, label="one summary vector (the mean)")
    if chance is not None:
        ax.axhline(chance, color=GREY, ls=":", lw=1)
        ax.text(n.min(), chance + 0.02, "chance", color="dimgray", fontsize=8, va="bottom")
    ax.set_xscale("log", base=2)
    plain_log_labels(ax)
    ax.set_xticks(n, [str(int(v)) for v in n])
    ax.set(ylim=(-0.03, 1.05), xlabel="sentence length (tokens, log scale)", ylabel="word recovered (accuracy)")
    ax.grid(alpha=0.3)
    ax.legend(loc="center right", fontsize=9, frameon=False)
    if title:
        ax.set_title(title)
    return fig


def bottleneck_table(lengths: ArrayLike, mean_accuracy: ArrayLike, attention_accuracy: ArrayLike, *, digits: int = 2) -> str:
    """The bottleneck curve as text: length, mean-summary accuracy, attention accuracy."""
    n = as_vector(lengths, "lengths")
    mean = as_vector(mean_accuracy, "mean_accuracy", size=len(n))
    attn = as_vector(attention_accuracy, "attention_accuracy", size=len(n))
    body = [[str(int(k)), f"{m:.{digits}f}", f"{a:.{digits}f}"] for k, m, a in zip(n, mean, attn)]
    return text_table(["length", "mean summary", "attention"], body)


# --- two heatmaps side by side -----------------------------------------------------------
def heatmap_pair_plot(
    panels: Sequence[tuple[ArrayLike, Sequence[str], str]],
    *,
    col_labels: Sequence[Sequence[str] | None] | None = None,
    fixed_scale: bool = True,
) -> Figure:
    """Two (or more) labelled heatmaps in one row, each ``(weights, labels, title)``.

    By default every panel shares the fixed 0-1 colour scale, so the same
    colour means the same weight in each (the right choice when the panels
    compare sentences). ``fixed_scale=False`` fits each panel's scale to its
    own numbers (see its colour bar): colours then do not compare across panels.
    """
    if isinstance(panels, (str, bytes)) or len(panels) < 1:
        raise ValueError("panels must be a non-empty list of (weights, labels, title)")
    mats = [as_matrix(p[0], f"panels[{k}] weights") for k, p in enumerate(panels)]
    fig = new_figure(sum(max(3.6, 0.5 * m.shape[1] + 2.2) for m in mats), max(3.2, 0.42 * max(m.shape[0] for m in mats) + 1.6))
    axes = fig.subplots(1, len(mats), squeeze=False)[0]
    cols = col_labels or [None] * len(mats)
    for ax, (weights, labels, title), m, c in zip(axes, panels, mats, cols):
        heatmap_plot(m, labels, c, ax=ax, title=title, fixed_scale=fixed_scale)
    return fig


# --- the bottleneck for several vector sizes ------------------------------------------------
def bottleneck_sweep_plot(dims: ArrayLike, fractions: ArrayLike, mean_accuracy: ArrayLike, *,
                          ax: Axes | None = None, title: str | None = None) -> Figure:
    """The mean reader's accuracy against n / d (log scale), one line per vector size d."""
    d = as_vector(dims, "dims")
    f = as_vector(fractions, "fractions")
    acc = as_matrix(mean_accuracy, "mean_accuracy", rows=len(d), cols=len(f))
    if (f <= 0).any():
        raise ValueError("fractions must be > 0 (the x axis is logarithmic)")
    fig, ax = new_axes(5.4, 3.4, ax)
    for k, (size, row) in enumerate(zip(d, acc)):
        ax.plot(f, row, marker=_MARKERS[k % len(_MARKERS)], lw=2, color=(VERMILLION, BLUE, ORANGE, "black")[k % 4],
                label=f"d = {int(size)}")
    ax.axhline(0.5, color=GREY, ls=":", lw=1)
    ax.set_xscale("log", base=2)
    plain_log_labels(ax)
    ax.set_xticks(f, [f"d/{round(1 / x)}" if round(1 / x) * x == 1 else f"{x:g}·d" for x in f])
    ax.minorticks_off()
    ax.set(ylim=(-0.03, 1.05), xlabel="sentence length n, as a fraction of d (log scale)",
           ylabel="word recovered by the mean")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=9, frameon=False)
    if title:
        ax.set_title(title)
    return fig
