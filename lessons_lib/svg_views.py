"""Live pictures written as SVG, for the explorers that a slider redraws at every step.

A matplotlib picture must be redrawn, encoded as PNG, sent and decoded at each
step. These pictures are SVG text instead, written straight from the numbers
that the rest of ``lessons_lib`` computes: a step rewrites one string in a
``widgets.HTML`` (:class:`LivePicture`), a few kilobytes that the browser draws
as quickly as it draws a slider's own readout (see benchmarks/bench_browser.py).
The browser draws the words, so they stay sharp at any zoom, and each picture
carries its numbers twice more: in a tooltip on every mark and in the text twin
printed beside it (for screen readers and the notebook regression check).

Panels (each returns SVG markup for a box at the origin; :func:`svg_figure`
puts panels side by side):

* :func:`bar_panel` - a weight per word, each bar labelled with its value.
* :func:`plane_panel` - words as dots on two named dimensions, their blend as a star.
* :func:`arcs_panel` - arcs from one word to every word of a sentence.
* :func:`alignment_panel` - source words above, target words below, linked by their weights.
* :func:`sense_panel` - vectors on a plane split by its diagonal (finance side, nature side).

Colours are the Okabe-Ito ones of :mod:`lessons_lib.plots`; no meaning rests on
colour alone (every weight is also written as a number or a line width).
"""
from __future__ import annotations

import html
import math
from typing import Mapping, Sequence

import ipywidgets as widgets
import numpy as np
from numpy.typing import ArrayLike

from ._validate import as_distribution, as_labels, as_matrix, as_vector
from .plots import BLUE, GREY, VERMILLION

FONT = "DejaVu Sans, Verdana, Arial, sans-serif"
FONT_SIZE = 12  # px; titles 13, small values 10
CHAR_WIDTH = 0.62  # a generous average width of one character, in em (for laying out labels)
TICK_ANGLE = 40  # degrees: long rows of words are written slanted, as in the matplotlib figures
VALUE_MIN = 0.05  # arcs: write a weight from this size up, as diagrams.arc_plot does

STYLE = """<style>
.ll-live {font: 13px/1.35 sans-serif; color: #000; background: #fff; display: inline-block; padding: 4px}
.ll-live p {margin: 0 0 4px}
.ll-live .row {display: flex; flex-wrap: wrap; align-items: flex-start; gap: 6px 18px}
.ll-live svg {display: block; max-width: 100%; height: auto}
.ll-live pre {margin: 0; font-size: 12px; line-height: 1.3}
</style>"""


# --- drawing primitives ------------------------------------------------------------
def _f(value: float) -> str:
    """A coordinate to a tenth of a pixel (short strings, stable output)."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def text_width(text: str, size: float = FONT_SIZE) -> float:
    """A generous estimate of ``text``'s width in pixels (the browser measures; we must not overlap)."""
    return len(text) * size * CHAR_WIDTH


def svg_text(x: float, y: float, text: str, *, size: float = FONT_SIZE, anchor: str = "middle",
             fill: str = "#000", bold: bool = False, italic: bool = False, rotate: float = 0.0,
             dy: str | None = None, extra: str = "") -> str:
    """A ``<text>`` at (x, y): ``anchor`` start/middle/end, ``rotate`` degrees clockwise about (x, y)."""
    attrs = [f'x="{_f(x)}" y="{_f(y)}"', f'text-anchor="{anchor}"']
    if size != FONT_SIZE:
        attrs.append(f'font-size="{_f(size)}"')
    if fill != "#000":
        attrs.append(f'fill="{fill}"')
    if bold:
        attrs.append('font-weight="bold"')
    if italic:
        attrs.append('font-style="italic"')
    if rotate:
        attrs.append(f'transform="rotate({_f(rotate)} {_f(x)} {_f(y)})"')
    if dy:
        attrs.append(f'dy="{dy}"')
    if extra:
        attrs.append(extra)
    return f'<text {" ".join(attrs)}>{_esc(text)}</text>'


def _tooltip(text: str) -> str:
    return f"<title>{_esc(text)}</title>"


def _star(x: float, y: float, radius: float) -> str:
    """The points of a five-pointed star centred on (x, y)."""
    corners = []
    for k in range(10):
        r = radius if k % 2 == 0 else radius * 0.45
        angle = math.pi / 2 + k * math.pi / 5
        corners.append(f"{_f(x + r * math.cos(angle))},{_f(y - r * math.sin(angle))}")
    return " ".join(corners)


def nice_ticks(low: float, high: float, most: int = 8) -> list[float]:
    """Round tick values from ``low`` to ``high``: steps of 1, 2, 2.5 or 5 times a power of ten."""
    span = high - low
    if not span > 0:
        return [low]
    base = 10 ** math.floor(math.log10(span / most))
    step = next(base * m for m in (1, 2, 2.5, 5, 10) if span / (base * m) <= most)
    first = math.ceil(low / step - 1e-9)
    return [round(k * step, 10) for k in range(first, math.floor(high / step + 1e-9) + 1)]


class _Scale:
    """Maps data values in ``[low, high]`` to pixels from ``start`` to ``end`` (which may run backwards)."""

    def __init__(self, low: float, high: float, start: float, end: float) -> None:
        self.low, self.high, self.start, self.end = low, high, start, end

    def __call__(self, value: float) -> float:
        return self.start + (value - self.low) / (self.high - self.low) * (self.end - self.start)


def svg_figure(panels: Sequence[tuple[str, float, float]], *, label: str, gap: float = 16.0) -> str:
    """Panels ``(markup, width, height)`` side by side in one ``<svg>`` with a white background.

    ``label`` is what a screen reader announces for the picture (its numbers are
    in the text twin beside it).
    """
    width = sum(w for _, w, _ in panels) + gap * (len(panels) - 1)
    height = max(h for _, _, h in panels)
    parts, x = [], 0.0
    for markup, w, _ in panels:
        parts.append(f'<g transform="translate({_f(x)},0)">{markup}</g>')
        x += w + gap
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{_f(width)}" height="{_f(height)}" '
            f'viewBox="0 0 {_f(width)} {_f(height)}" role="img" aria-label="{_esc(label)}" '
            f'font-family="{FONT}" font-size="{FONT_SIZE}">'
            f'<rect width="100%" height="100%" fill="#fff"/>{"".join(parts)}</svg>')


def _slanted_labels(xs: Sequence[float], y: float, labels: Sequence[str], *, slant: bool,
                    bold: int | None = None) -> str:
    """Word labels under an axis at ``y``: upright and centred, or slanted and ending under their mark.

    The word at index ``bold`` is bold and boxed in vermillion (the source word).
    """
    out = []
    for k, (x, word) in enumerate(zip(xs, labels)):
        boxed = k == bold
        if slant:
            text = svg_text(x + 4, y + 12, word, anchor="end", rotate=-TICK_ANGLE, bold=boxed)
            box_x, box_y, anchor_x, anchor_y = x + 4 - text_width(word) - 4, y + 12 - 11, x + 4, y + 12
        else:
            text = svg_text(x, y + 14, word, bold=boxed)
            box_x, box_y, anchor_x, anchor_y = x - text_width(word) / 2 - 4, y + 14 - 11, 0.0, 0.0
        if boxed:
            turn = f' transform="rotate({-TICK_ANGLE} {_f(anchor_x)} {_f(anchor_y)})"' if slant else ""
            out.append(f'<rect x="{_f(box_x)}" y="{_f(box_y)}" width="{_f(text_width(word) + 8)}" height="15" '
                       f'rx="4" fill="#fff" stroke="{VERMILLION}" stroke-width="1.2"{turn}/>')
        out.append(text)
    return "".join(out)


def _slanted_depth(labels: Sequence[str]) -> float:
    """How far below the axis slanted labels reach."""
    return max(text_width(w) for w in labels) * math.sin(math.radians(TICK_ANGLE)) + 22


# --- a bar per word --------------------------------------------------------------------
def bar_panel(
    weights: ArrayLike,
    labels: Sequence[str],
    *,
    width: float,
    height: float,
    title: str = "",
    ylim: tuple[float, float] = (0.0, 1.0),
    ylabel: str = "weight",
) -> str:
    """Bars of a weight vector, each labelled with its value (two decimals), words along the bottom.

    Labels are slanted when there are more than six words, as in
    :func:`lessons_lib.plots.weights_bar_plot`.
    """
    w = as_vector(weights, "weights")
    names = as_labels(labels, "labels", count=len(w))
    slant = len(w) > 6 or max(text_width(n) for n in names) > (width - 60) / len(w) - 4
    bottom = height - (_slanted_depth(names) if slant else 24)
    left, top = 50.0, 26.0 if title else 10.0
    ys = _Scale(ylim[0], ylim[1], bottom, top)
    slot = (width - left - 6) / len(w)
    xs = [left + slot * (k + 0.5) for k in range(len(w))]
    out = [svg_text(left + (width - left) / 2, 16, title, size=13)] if title else []
    for tick in nice_ticks(*ylim, most=5):
        out.append(f'<line x1="{_f(left - 4)}" x2="{_f(left)}" y1="{_f(ys(tick))}" y2="{_f(ys(tick))}" stroke="#000"/>')
        out.append(svg_text(left - 6, ys(tick) + 4, f"{tick:g}", size=10, anchor="end"))
    out.append(svg_text(12, (top + bottom) / 2, ylabel, rotate=-90))
    for x, name, value in zip(xs, names, w):
        clipped = min(max(float(value), ylim[0]), ylim[1])
        bar_top = ys(clipped)
        out.append(f'<rect class="bar" x="{_f(x - slot * 0.4)}" y="{_f(bar_top)}" width="{_f(slot * 0.8)}" '
                   f'height="{_f(bottom - bar_top)}" fill="{BLUE}" data-weight="{value:.4f}">'
                   f"{_tooltip(f'{name}: {value:.3f}')}</rect>")
        inside = clipped > ylim[0] + 0.9 * (ylim[1] - ylim[0])  # a tall bar keeps its value inside, in white
        y_value = bar_top + 13 if inside else bar_top - 3
        out.append(svg_text(x, y_value, f"{value:.2f}", size=10, fill="#fff" if inside else "#000",
                            extra='class="value"'))
    out.append(f'<path d="M{_f(left)},{_f(top)}V{_f(bottom)}H{_f(width - 4)}" fill="none" stroke="#000"/>')
    out.append(_slanted_labels(xs, bottom, names, slant=slant))
    return "".join(out)


# --- dots on a plane of two named dimensions -----------------------------------------------
def _group_spots(points: np.ndarray, names: Sequence[str]) -> tuple[np.ndarray, list[str], np.ndarray]:
    """Words on the same spot (to 3 decimals) share a dot: the spots, their labels, each word's spot.

    A label lists its words in order, a repeated word counted ("to ×2"), two words a line
    (lines joined by "\n"), as :func:`lessons_lib.plots.blend_plot` labels them.
    """
    spots, groups = np.unique(points.round(3), axis=0, return_inverse=True)
    groups = groups.ravel()
    labels = []
    for k in range(len(spots)):
        counts: dict[str, int] = {}
        for name in (n for n, g in zip(names, groups) if g == k):
            counts[name] = counts.get(name, 0) + 1
        words = [name if count == 1 else f"{name} ×{count}" for name, count in counts.items()]
        labels.append(",\n".join(", ".join(words[j:j + 2]) for j in range(0, len(words), 2)))
    return spots, labels, groups


def _free_label(x: float, y: float, text: str, anchor: str, placed: list, size: float = 11) -> str:
    """A label (lines split at "\n") with its first baseline at (x, y) below its dot, else a line
    lower, else above the dot: the first place that overlaps no label in ``placed``.

    Below first: the blend's star travels above the words more often than under them.
    """
    lines = text.split("\n")
    width, height = max(text_width(line, size) for line in lines), (size + 2) * len(lines)
    left = x if anchor == "start" else x - width
    for shift in (0.0, size + 2, -(height + 14)):  # (x, y) is 17 px (or more) below the dot
        box = (left, left + width, y + shift - size, y + shift - size + height)
        if not any(box[0] < b[1] and b[0] < box[1] and box[2] < b[3] and b[2] < box[3] for b in placed):
            break
    placed.append(box)
    if len(lines) == 1:
        return svg_text(x, y + shift, text, size=size, anchor=anchor)
    spans = "".join(f'<tspan x="{_f(x)}" dy="{0 if k == 0 else _f(size + 2)}">{_esc(line)}</tspan>'
                    for k, line in enumerate(lines))
    return (f'<text x="{_f(x)}" y="{_f(y + shift)}" text-anchor="{anchor}" font-size="{_f(size)}">{spans}</text>')


def _legend(x: float, y: float, entries: Sequence[tuple[str, str]]) -> str:
    """A small boxed legend with its top right corner at (x, y): (marker markup at 0,0, text) per line."""
    width = max(text_width(text, 9) for _, text in entries) + 30
    out = [f'<rect x="{_f(x - width)}" y="{_f(y)}" width="{_f(width)}" height="{_f(16 * len(entries) + 6)}" '
           'fill="#fff" fill-opacity="0.9" stroke="#ccc"/>']
    for k, (marker, text) in enumerate(entries):
        cy = y + 11 + 16 * k
        out.append(f'<g transform="translate({_f(x - width + 12)},{_f(cy)})">{marker}</g>')
        out.append(svg_text(x - width + 24, cy + 4, text, size=9, anchor="start"))
    return "".join(out)


def _plot_box(width: float, height: float, low: float, high: float, title: str, xlabel: str,
              ylabel: str) -> tuple[_Scale, _Scale, list[str], float, float]:
    """A square plot area with grid, ticks and axis labels: the x and y scales, the markup, its corners."""
    side = min(width - 60, height - (48 + (22 if title else 4)))
    left, top = 50 + (width - 60 - side) / 2, 22.0 if title else 4.0
    xs, ys = _Scale(low, high, left, left + side), _Scale(low, high, top + side, top)
    out = [svg_text(left + side / 2, 15, title, size=13)] if title else []
    for tick in nice_ticks(low, high, most=7):
        out.append(f'<path d="M{_f(xs(tick))},{_f(top)}V{_f(top + side)}M{_f(left)},{_f(ys(tick))}H{_f(left + side)}" '
                   'stroke="#000" stroke-opacity="0.15"/>')
        out.append(svg_text(xs(tick), top + side + 14, f"{tick:g}", size=10))
        out.append(svg_text(left - 5, ys(tick) + 4, f"{tick:g}", size=10, anchor="end"))
    out.append(f'<rect x="{_f(left)}" y="{_f(top)}" width="{_f(side)}" height="{_f(side)}" fill="none" stroke="#000"/>')
    out.append(svg_text(left + side / 2, top + side + 32, xlabel))
    out.append(svg_text(left - 36, top + side / 2, ylabel, rotate=-90))
    return xs, ys, out, left, top


def plane_panel(
    points: ArrayLike,
    labels: Sequence[str],
    weights: ArrayLike,
    blend: ArrayLike,
    *,
    width: float,
    height: float,
    dim_names: tuple[str, str] = ("finance", "nature"),
    title: str = "",
    limits: tuple[float, float] | None = None,
) -> str:
    """Words as dots on two named dimensions, dot area growing with weight; their blend as a star.

    Parameters
    ----------
    points : (n, 2) the words' coordinates on the two dimensions
    labels : n words (words on one spot share a dot and a label)
    weights : (n,) the words' weights (a shared dot shows their total)
    blend : (2,) where the blend is
    limits : the axes' range (default: as :func:`lessons_lib.plots.blend_plot` picks it, with a
        little more room below the lowest words for their labels)
    """
    p = as_matrix(points, "points", cols=2)
    names = as_labels(labels, "labels", count=p.shape[0])
    w = as_vector(weights, "weights", size=p.shape[0])
    b = as_vector(blend, "blend", size=2)
    low, high = limits or (min(-0.18, float(p.min()) - 0.3), max(1.1, float(p.max()) + 0.3))
    xs, ys, out, left, top = _plot_box(width, height, low, high, title, *dim_names)
    spots, spot_labels, groups = _group_spots(p, names)
    totals = np.bincount(groups, weights=w, minlength=len(spots))
    radii = np.sqrt((30 + 600 * totals) / math.pi) * 1.1  # the dot areas matplotlib's blend_plot gives
    for (x, y), text, total, radius in zip(spots, spot_labels, totals, radii):
        out.append(f'<circle class="word" cx="{_f(xs(x))}" cy="{_f(ys(y))}" r="{_f(radius)}" fill="{BLUE}" '
                   f'fill-opacity="0.8">{_tooltip(f"{text}: weight {total:.3f}")}</circle>')
    placed: list[tuple[float, float, float, float]] = []
    for (x, y), text, radius in zip(spots, spot_labels, radii):
        others = spots[(spots[:, 0] != x) | (spots[:, 1] != y)]
        dx = 8  # below right, unless a neighbour is close on the right: then below left
        if len(others):
            near = others[np.argmin(np.hypot(others[:, 0] - x, others[:, 1] - y))]
            if np.hypot(near[0] - x, near[1] - y) < 0.35 and near[0] > x:
                dx = -8
        below = max(17.0, float(radius) + 12)  # the label's baseline, clear of a large dot
        out.append(_free_label(xs(x) + dx, ys(y) + below, text, "start" if dx > 0 else "end", placed))
    bx, by = xs(float(b[0])), ys(float(b[1]))
    out.append(f'<polygon class="blend" points="{_star(bx, by, 12)}" fill="{VERMILLION}" stroke="#000" '
               f'data-x="{b[0]:.4f}" data-y="{b[1]:.4f}">{_tooltip(f"blend: ({b[0]:.3f}, {b[1]:.3f})")}</polygon>')
    out.append(svg_text(bx + 10, by - 10, "blend", anchor="start", bold=True))
    star, dot = f'<polygon points="{_star(0, 0, 6)}" fill="{VERMILLION}" stroke="#000"/>', \
        f'<circle r="4" fill="{BLUE}" fill-opacity="0.8"/>'
    out.append(_legend(xs(high) - 3, top + 3, [(star, "blend (the weighted average)"),
                                                (dot, "word vector (area grows with weight)")]))
    return "".join(out)


# --- arcs over a sentence ---------------------------------------------------------------
def arcs_panel(
    weights: ArrayLike,
    labels: Sequence[str],
    source: int,
    *,
    width: float,
    height: float,
    title: str = "",
) -> str:
    """Arcs from the word at ``source`` to every word, as :func:`lessons_lib.diagrams.arc_plot` draws them.

    Arc height grows with distance; thickness and opacity grow with weight;
    weights >= 0.05 are written above their arc, the word's weight on itself
    under its small loop. The source word is bold and boxed.
    """
    w = as_distribution(weights, "weights", ndim=1)
    names = as_labels(labels, "labels", count=len(w))
    n = len(w)
    if isinstance(source, bool) or not isinstance(source, (int, np.integer)) or not 0 <= source < n:
        raise ValueError(f"source must be a position from 0 to {n - 1}, got {source!r}")
    slant = n > 9
    bottom = height - (_slanted_depth(names) if slant else 26)
    top_y = 1.0 + 0.12  # data units: the highest arc reaches 1.0 (0.18 + 0.82 + 0.02 - 0.02)
    xs = _Scale(-0.7, n - 0.3, 8, width - 8)
    ys = _Scale(-0.11, top_y, bottom, 26.0 if title else 8.0)
    out = [svg_text(width / 2, 16, title, size=13)] if title else []
    for j, weight in enumerate(w):
        stroke, opacity = (0.4 + 11.0 * weight) * 1.1, 0.12 + 0.88 * weight
        if j == source:
            t = np.linspace(0, math.pi, 25)
            path = "M" + "L".join(f"{_f(xs(source + 0.22 * math.sin(2 * a)))},{_f(ys(0.02 + 0.2 * math.sin(a)))}"
                                  for a in t)
            value_at = (xs(source), ys(-0.06) + 4)
        else:
            rise = 0.18 + 0.82 * abs(j - source) / max(1, n - 1)
            a, b = sorted((source, j))
            rx, ry = (xs(b) - xs(a)) / 2, ys(0.0) - ys(rise)
            path = f"M{_f(xs(a))},{_f(ys(0.02))}A{_f(rx)},{_f(ry)} 0 0 1 {_f(xs(b))},{_f(ys(0.02))}"
            value_at = ((xs(a) + xs(b)) / 2, ys(0.02 + rise) - stroke / 2 - 3)
        out.append(f'<path class="arc" d="{path}" fill="none" stroke="{BLUE}" stroke-width="{_f(stroke)}" '
                   f'stroke-opacity="{opacity:.2f}" stroke-linecap="round" data-weight="{weight:.4f}">'
                   f"{_tooltip(f'{names[source]} → {names[j]} (position {j}): {weight:.3f}')}</path>")
        if weight >= VALUE_MIN:
            out.append(svg_text(*value_at, f"{weight:.2f}", size=10 if j != source else 9, extra='class="value"'))
    out.append(f'<line x1="8" x2="{_f(width - 8)}" y1="{_f(bottom)}" y2="{_f(bottom)}" stroke="#000"/>')
    out.append(_slanted_labels([xs(k) for k in range(n)], bottom, names, slant=slant, bold=source))
    return "".join(out)


# --- two rows of words linked by weights ----------------------------------------------------
def alignment_panel(
    weights: ArrayLike,
    target_labels: Sequence[str],
    source_labels: Sequence[str],
    *,
    highlight: int | None,
    width: float,
    height: float,
    title: str = "",
    names: tuple[str, str] = ("French (source)", "English (target)"),
) -> str:
    """Source words above, target words below, a line for every weight (as :func:`lessons_lib.diagrams.alignment_plot`).

    The ``highlight`` target's lines are vermillion and its weights written
    above the source words; the other lines are faded grey.
    """
    w = as_distribution(weights, "weights", ndim=2)
    targets = as_labels(target_labels, "target_labels", count=w.shape[0])
    sources = as_labels(source_labels, "source_labels", count=w.shape[1])
    h = highlight
    if h is not None and (isinstance(h, bool) or not isinstance(h, (int, np.integer)) or not 0 <= h < len(targets)):
        raise ValueError(f"highlight must be a position from 0 to {len(targets) - 1}, got {h!r}")
    span = max(len(targets), len(sources))
    label_room = max(text_width(x, 11) for x in names) + 14
    xs = _Scale(0, span - 1, label_room + 30, width - 30)
    y_source, y_target = (52.0 if title else 30.0), height - 34.0
    y_top, y_bottom = y_source + 10, y_target - 18

    def row(count: int) -> list[float]:
        return [xs(v) for v in (np.linspace(0, span - 1, count) if count > 1 else [(span - 1) / 2])]

    xt, xsrc = row(len(targets)), row(len(sources))
    out = [svg_text(width / 2, 16, title, size=13)] if title else []
    links = []
    for (i, j), weight in np.ndenumerate(w):
        stroke, opacity = (0.4 + 11.0 * weight) * 1.1, 0.12 + 0.88 * weight
        faded = h is not None and i != h
        colour = GREY if faded else (VERMILLION if h is not None else BLUE)
        links.append((not faded, f'<line class="link{" lit" if not faded else ""}" x1="{_f(xt[i])}" y1="{_f(y_bottom)}" '
                      f'x2="{_f(xsrc[j])}" y2="{_f(y_top)}" stroke="{colour}" '
                      f'stroke-width="{_f(stroke * (0.5 if faded else 1))}" '
                      f'stroke-opacity="{opacity * (0.35 if faded else 1):.2f}" stroke-linecap="round" '
                      f'data-weight="{weight:.4f}">{_tooltip(f"{targets[i]} → {sources[j]}: {weight:.3f}")}</line>'))
    out += [markup for _, markup in sorted(links, key=lambda item: item[0])]  # the lit lines on top
    for j, (x, word) in enumerate(zip(xsrc, sources)):
        out.append(svg_text(x, y_source, word, size=14))
        if h is not None:
            out.append(svg_text(x, y_source - 18, f"{w[h, j]:.2f}", size=11, extra='class="value"'))
    for i, (x, word) in enumerate(zip(xt, targets)):
        if i == h:
            out.append(f'<rect x="{_f(x - text_width(word, 14) / 2 - 5)}" y="{_f(y_target + 4)}" '
                       f'width="{_f(text_width(word, 14) + 10)}" height="20" rx="5" fill="#fff" '
                       f'stroke="{VERMILLION}" stroke-width="1.4"/>')
        out.append(svg_text(x, y_target + 19, word, size=14, bold=i == h))
    label_x = label_room + 4
    out.append(svg_text(label_x, y_source, names[0], size=11, anchor="end", italic=True))
    out.append(svg_text(label_x, y_target + 19, names[1], size=11, anchor="end", italic=True))
    if h is not None:
        out.append(svg_text(label_x, y_source - 18, f"weights of {targets[h]!r}", size=11, anchor="end", italic=True))
    return "".join(out)


# --- a plane split by its diagonal ------------------------------------------------------------
def sense_panel(
    point: ArrayLike,
    point_name: str,
    *,
    width: float,
    height: float,
    reference: Mapping[str, ArrayLike] | None = None,
    words: Mapping[str, ArrayLike] | None = None,
    dim_names: tuple[str, str] = ("finance", "nature"),
    title: str = "",
) -> str:
    """A vector as a vermillion star on the plane of two dimensions, with the diagonal x = y dashed.

    As :func:`lessons_lib.diagrams.sense_plane_plot`: ``reference`` points are
    white diamonds labelled beside them, ``words`` small grey dots (words on one
    spot share a label, words at (0, 0) are left out, finance-side labels
    stand upright); the star is named in a legend under the plot.
    """
    p = as_vector(point, "point", size=2)
    refs = {name: as_vector(v, f"reference[{name!r}]", size=2) for name, v in (reference or {}).items()}
    dots = {name: as_vector(v, f"words[{name!r}]", size=2) for name, v in (words or {}).items()}
    high = max(0.7, max(float(np.max(v)) for v in [p, *refs.values(), *dots.values()]) + 0.12)
    xs, ys, out, left, top = _plot_box(width, height - 22, -0.03 * high, high, title, *dim_names)
    out.append(f'<line x1="{_f(xs(0))}" y1="{_f(ys(0))}" x2="{_f(xs(high))}" y2="{_f(ys(high))}" '
               f'stroke="{GREY}" stroke-dasharray="5,4"/>')
    for name, (fx, fy) in ((dim_names[0], (0.36, 0.22)), (dim_names[1], (0.22, 0.36))):
        out.append(svg_text(xs(fx * high), ys(fy * high) + 4, f"{name} side", size=11, fill="#555", rotate=-45))
    spots: dict[tuple[float, float], list[str]] = {}
    for name, v in dots.items():
        key = (round(float(v[0]), 2), round(float(v[1]), 2))
        if key != (0.0, 0.0) and name not in spots.setdefault(key, []):
            spots[key].append(name)
    for (x, y), found in spots.items():
        text = ", ".join(found)
        out.append(f'<circle cx="{_f(xs(x))}" cy="{_f(ys(y))}" r="3" fill="#555">{_tooltip(f"{text} ({x:.2f}, {y:.2f})")}</circle>')
        if x > y:  # along the finance axis words sit side by side: label upwards
            out.append(svg_text(xs(x) + 4, ys(y) - 6, text, size=10, fill="#555", anchor="start", rotate=-90))
        else:
            out.append(svg_text(xs(x) + 6, ys(y) + 4, text, size=10, fill="#555", anchor="start"))
    for name, (x, y) in refs.items():
        cx, cy = xs(float(x)), ys(float(y))
        out.append(f'<polygon points="{_f(cx)},{_f(cy - 6)} {_f(cx + 6)},{_f(cy)} {_f(cx)},{_f(cy + 6)} {_f(cx - 6)},{_f(cy)}" '
                   f'fill="#fff" stroke="#555">{_tooltip(f"{name} ({x:.2f}, {y:.2f})")}</polygon>')
        out.append(svg_text(cx + 9, cy + 4, name, size=11, fill="#555", anchor="start"))
    cx, cy = xs(float(p[0])), ys(float(p[1]))
    out.append(f'<polygon class="point" points="{_star(cx, cy, 12)}" fill="{VERMILLION}" stroke="#000" '
               f'data-x="{p[0]:.4f}" data-y="{p[1]:.4f}">{_tooltip(f"{point_name} ({p[0]:.2f}, {p[1]:.2f})")}</polygon>')
    legend_y = height - 8
    legend_x = width / 2 - text_width(point_name, 11) / 2
    out.append(f'<polygon points="{_star(legend_x - 12, legend_y - 4, 7)}" fill="{VERMILLION}" stroke="#000"/>')
    out.append(svg_text(legend_x, legend_y, point_name, size=11, anchor="start"))
    return "".join(out)


# --- the live view -------------------------------------------------------------------------------
class LivePicture:
    """An SVG picture, a caption above it and its text twin, in one ``widgets.HTML`` rewritten in place.

    One string per step: the caption, the picture and the table arrive together
    in a single widget update. The last picture and table are kept as plain
    strings (``svg``, ``text``) for tests.
    """

    def __init__(self) -> None:
        self.widget = widgets.HTML(layout=widgets.Layout(max_width="100%"))
        self.svg, self.text, self.caption = "", "", ""
        self.renders = 0

    def refresh(self, svg: str, text: str, caption: str = "") -> None:
        """Show ``svg`` with ``text`` (a plain-text table) beside it and ``caption`` (HTML) above."""
        self.svg, self.text, self.caption = svg, text, caption
        top = f"<p>{caption}</p>" if caption else ""
        self.widget.value = (f'<div class="ll-live">{STYLE}{top}<div class="row">{svg}'
                             f"<pre>{html.escape(text)}</pre></div></div>")
        self.renders += 1
