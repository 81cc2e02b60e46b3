"""A heatmap written as an HTML table, for heatmaps that sliders update live.

A matplotlib heatmap must be redrawn, encoded as PNG, sent and decoded at every
slider step: 15-25 ms of kernel work and a 50-70 kB picture. The same heatmap
as a table of coloured cells is one string: under 2 ms to build, 11 kB to send
for 10 tokens (106 kB for 40), and the browser shows it a frame or two later.
It is also real text: screen readers read the cells with their row and column
headers, the numbers can be copied, and every cell has a tooltip with its row,
column and weight.

Colours are viridis, as in :func:`lessons_lib.plots.heatmap_plot`.
"""
from __future__ import annotations

import html
from typing import Sequence

import numpy as np
from matplotlib import colormaps
from matplotlib.colors import to_hex
from numpy.typing import ArrayLike

from ._validate import as_labels, as_matrix
from .plots import HEATMAP_CMAP

ANNOTATE_MAX = 20  # numbered cells are 40 px wide: 20 columns fit beside the labels in a notebook
LEVELS = 256  # colours in the lookup table, as in matplotlib's viridis
_COLOURS = [to_hex(c) for c in colormaps[HEATMAP_CMAP](np.linspace(0, 1, LEVELS))]

STYLE = """<style>
.ll-heatmap {font: 12px/1.2 sans-serif; color: #000; background: #fff; padding: 6px; display: inline-block}
.ll-heatmap table {border-collapse: collapse}
.ll-heatmap caption {font-size: 13px; padding-bottom: 2px}
.ll-heatmap caption span {font-size: 11px; color: #444}
.ll-heatmap th {font-weight: normal; padding: 0 4px; white-space: nowrap}
.ll-heatmap th[scope=row] {text-align: right}
.ll-heatmap thead th {vertical-align: bottom; padding: 0 0 3px}
.ll-heatmap .up {writing-mode: vertical-rl; transform: rotate(180deg)}
.ll-heatmap td {padding: 0; text-align: center}
.ll-heatmap .n td {min-width: 40px; height: 26px; font-size: 11px; border: 1px solid #fff}
.ll-heatmap .s td {width: 14px; min-width: 14px; height: 14px}
.ll-heatmap .scale {display: flex; align-items: center; gap: 6px; margin-top: 6px; font-size: 11px}
.ll-heatmap .bar {width: 160px; height: 10px; border: 1px solid #999}
</style>"""


def heatmap_html(
    weights: ArrayLike,
    row_labels: Sequence[str],
    col_labels: Sequence[str] | None = None,
    *,
    title: str | None = None,
    annotate: bool | None = None,
    xlabel: str = "attends to",
    ylabel: str = "token",
    fixed_scale: bool = True,
    quantity: str = "weight",
) -> str:
    """An (n, m) weight matrix as an HTML table of viridis cells, with its labels and colour scale.

    Parameters
    ----------
    weights : (n, m) numbers (usually rows summing to 1)
    row_labels, col_labels : n and m labels (``col_labels`` defaults to ``row_labels``)
    title : a caption above the table
    annotate : write each value in its cell; default when both sides <= ``ANNOTATE_MAX``
    xlabel, ylabel : what the columns and the rows are
    fixed_scale : colour scale fixed to 0-1 so heatmaps compare; else fitted to the data
    quantity : what the numbers are, written beside the colour scale
    """
    w = as_matrix(weights, "weights")
    for name, text in (("title", "" if title is None else title), ("xlabel", xlabel), ("ylabel", ylabel),
                       ("quantity", quantity)):
        if not isinstance(text, str):
            raise TypeError(f"{name} must be a string, got {type(text).__name__}")
    rows = [html.escape(r) for r in as_labels(row_labels, "row_labels", count=w.shape[0])]
    cols = [html.escape(c) for c in as_labels(row_labels if col_labels is None else col_labels,
                                                "col_labels", count=w.shape[1])]
    low, high = (0.0, 1.0) if fixed_scale else (float(w.min()), float(w.max()))
    annotated = annotate if annotate is not None else max(w.shape) <= ANNOTATE_MAX
    up = ' class="up"' if len(cols) > 3 else ""
    head = "".join(f'<th scope="col"><div{up}>{c}</div></th>' for c in cols)
    body = "".join(f'<tr><th scope="row">{r}</th>{_cells(row, r, cols, low, high, annotated)}</tr>'
                   for r, row in zip(rows, w))
    axes = f"<span>rows: {html.escape(ylabel)} · columns: {html.escape(xlabel)}</span>"
    caption = f"<caption>{html.escape(title)}<br>{axes}</caption>" if title else f"<caption>{axes}</caption>"
    return (
        f'<div class="ll-heatmap">{STYLE}<table class="{"n" if annotated else "s"}">{caption}'
        f"<thead><tr><th></th>{head}</tr></thead><tbody>{body}</tbody></table>{_scale(low, high, html.escape(quantity))}</div>"
    )


def _cells(values: np.ndarray, row: str, cols: list[str], low: float, high: float, annotated: bool) -> str:
    """One table row's cells: colour, the value if ``annotated``, and a tooltip "row → column: value"."""
    span = high - low if high > low else 1.0
    levels = np.clip(((values - low) / span * LEVELS).astype(int), 0, LEVELS - 1)  # as matplotlib picks
    middle = (low + high) / 2
    out = []
    for value, level, col in zip(values, levels, cols):
        number, hover = f"{value:.2f}", f'title="{row} → {col}: {value:.2f}"'
        if annotated:
            ink = "#000" if value > middle else "#fff"  # readable on viridis, as in heatmap_plot
            out.append(f'<td style="background:{_COLOURS[level]};color:{ink}" {hover}>{number}</td>')
        else:  # too small to print in: the tooltip (which screen readers also read) holds the number
            out.append(f'<td style="background:{_COLOURS[level]}" {hover}></td>')
    return "".join(out)


def _scale(low: float, high: float, quantity: str = "weight") -> str:
    """The colour scale: a gradient from ``low`` to ``high``."""
    stops = ", ".join(_COLOURS[k] for k in range(0, LEVELS, 32)) + f", {_COLOURS[-1]}"
    return (f'<div class="scale" aria-hidden="true">{quantity} {low:.2f}'
            f'<div class="bar" style="background: linear-gradient(to right, {stops})"></div>{high:.2f}</div>')
