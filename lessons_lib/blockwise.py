"""Exact attention without the n×n matrix (lesson 07): a picture, a trace and a measurement.

:func:`lessons_lib.attention.attend_blockwise` computes attention one block of keys at
a time, keeping for every query a running maximum, a running sum of exponentials and a
running weighted sum of values, rescaled whenever the maximum grows (online softmax).
This module draws that idea, traces it for one query, counts the blocks a causal mask
lets it skip, and tabulates and draws the time and peak memory of both functions, measured in a worker
process by :mod:`lessons_lib.measuring`.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
from matplotlib.patches import FancyArrowPatch, Rectangle
from numpy.typing import ArrayLike

from . import plots
from ._validate import as_count, as_vector
from .measuring import MIB, BlockwiseCost, Worker, blockwise_cost, blockwise_task, start_worker

Figure = plots.Figure


# --- the idea, for one query ------------------------------------------------------------
def online_softmax_trace(scores: ArrayLike, values: ArrayLike, block: int) -> list[dict[str, float]]:
    """Follow one query through its keys, ``block`` at a time: what online softmax keeps after each block.

    ``scores`` (m,) and ``values`` (m,): one number per key, for a readable trace. Each
    row holds the block's own maximum, the running maximum, the factor exp(old − new)
    that rescales what was kept, the running sum of exponentials and the output so far.
    """
    s = as_vector(scores, "scores")
    v = as_vector(values, "values", size=len(s))
    block = as_count(block, "block")
    maximum, total, weighted, rows = -np.inf, 0.0, 0.0, []
    for start in range(0, len(s), block):
        part, part_values = s[start:start + block], v[start:start + block]
        new_maximum = max(maximum, float(part.max()))
        factor = float(np.exp(maximum - new_maximum))  # 0 for the first block: nothing kept yet
        exps = np.exp(part - new_maximum)
        total = total * factor + float(exps.sum())
        weighted = weighted * factor + float(exps @ part_values)
        rows.append({"keys": f"{start + 1}–{start + len(part)}", "block max": float(part.max()),
                     "running max": new_maximum, "rescale": factor, "sum": total, "output": weighted / total})
        maximum = new_maximum
    return rows


def online_softmax_trace_table(trace: list[dict[str, float]]) -> str:
    """The trace as text, three decimals."""
    columns = list(trace[0])
    body = [[row["keys"]] + [f"{row[c]:.3f}" for c in columns[1:]] for row in trace]
    return plots.text_table(columns, body)


def causal_blocks(n: int, block: int) -> tuple[int, int]:
    """(blocks a causal mask leaves something to compute in, all blocks) for n tokens in square blocks.

    Block (query block r, key block c) is entirely above the diagonal when its first
    key comes after its last query: those blocks are skipped.
    """
    n, block = as_count(n, "n"), as_count(block, "block")
    starts = range(0, n, block)
    computed = sum(1 for r in starts for c in starts if c <= min(r + block, n) - 1)
    return computed, len(starts) ** 2


# --- the picture ----------------------------------------------------------------------------
def blockwise_diagram(blocks: int = 4, *, causal_blocks_shown: int = 6) -> Figure:
    """Left: one block of query rows meets the key blocks in turn, keeping a running max and sum.
    Right: with a causal mask, blocks entirely above the diagonal are never computed."""
    blocks = as_count(blocks, "blocks")
    fig = plots.new_figure(11.0, 4.3)
    left, right = fig.subplots(1, 2, width_ratios=[1.45, 1])
    for k in range(blocks):  # the key tiles of one row block, visited left to right
        shade = plots.BLUE if k == 1 else "white"
        left.add_patch(Rectangle((k * 1.2, 1.6), 1.0, 1.0, fc=shade, ec="black", alpha=0.35 if k == 1 else 1))
        left.text(k * 1.2 + 0.5, 2.75, f"key block {k + 1}", ha="center", fontsize=8)
        if k:
            left.add_patch(FancyArrowPatch(((k - 1) * 1.2 + 1.02, 2.1), (k * 1.2 - 0.02, 2.1), arrowstyle="->",
                                           mutation_scale=10))
    left.text(-0.1, 2.1, "one block\nof query\nrows", ha="right", va="center", fontsize=8)
    left.text(1.7, 2.1, "block × block\nscores", ha="center", va="center", fontsize=7.5)
    steps = ["each query row keeps: m, the largest score so far,",
             "  sum = Σ exp(s − m)   and   o = Σ exp(s − m)·v",
             "at each key block:  m_new = max(m, block's max)",
             "  sum ← sum·exp(m − m_new) + Σ exp(s − m_new)",
             "  o   ← o·exp(m − m_new)   + Σ exp(s − m_new)·v",
             "at the end: output = o / sum, the exact softmax"]
    for line, text in enumerate(steps):
        left.text(-0.9, 1.35 - 0.24 * line, text, fontsize=8, family="monospace", va="top")
    left.set(xlim=(-1.0, blocks * 1.2), ylim=(-0.2, 3.0))
    left.set_title("online softmax: the n×n matrix never exists", fontsize=10)
    left.axis("off")
    _causal_grid(right, causal_blocks_shown)
    return fig


def _causal_grid(ax, blocks: int) -> None:
    """Square blocks of a causal mask: computed, cut by the diagonal, or skipped."""
    for r in range(blocks):
        for c in range(blocks):
            kind = "skipped" if c > r else ("diagonal" if c == r else "computed")
            colour = {"computed": plots.BLUE, "diagonal": plots.ORANGE, "skipped": "white"}[kind]
            ax.add_patch(Rectangle((c, blocks - 1 - r), 1, 1, fc=colour, ec="black", alpha=0.55 if c <= r else 1,
                                   hatch="//" if kind == "diagonal" else None))
    ax.plot([0, blocks], [blocks, 0], color="black", lw=1, ls=":")
    ax.set(xlim=(0, blocks), ylim=(0, blocks), aspect="equal", xticks=[], yticks=[],
           xlabel="key blocks →", ylabel="← query blocks", title="causal mask (lesson 09), by blocks")
    ax.title.set_fontsize(10)
    handles = [Rectangle((0, 0), 1, 1, fc=plots.BLUE, alpha=0.55, ec="black"),
               Rectangle((0, 0), 1, 1, fc=plots.ORANGE, alpha=0.55, ec="black", hatch="//"),
               Rectangle((0, 0), 1, 1, fc="white", ec="black")]
    ax.legend(handles, ["computed", "on the diagonal:\nmasked inside", "never computed:\nevery key is\nin the future"], fontsize=7.5,
              loc="upper left", bbox_to_anchor=(1.02, 1.0), frameon=False)


# --- the measurement (run by lessons_lib.measuring) -----------------------------------------
def start_blockwise_measurement(sizes: Sequence[int] = (1024, 2048, 4096, 8192, 16384), *, dim: int = 16,
                                block: int = 256, seed: int = 0, attend_up_to: int = 8192) -> Worker:
    """Start :func:`blockwise_task` alone in a worker process; read it with :func:`blockwise_cost`.

    It takes seconds, so a lesson starts it early and reads it later; the notebook's
    kernel never holds the arrays.
    """
    return start_worker(blockwise_task(sizes, dim=dim, block=block, seed=seed, attend_up_to=attend_up_to))


def blockwise_memory_table(cost: BlockwiseCost) -> str:
    """Peak memory per n: attend's measured peak next to the n×n matrix; attend_blockwise against its bound.

    attend's peak is the same on every run and machine; attend_blockwise's depends a
    little on how its threads interleave, so the table shows its bound and whether the
    measured peak stayed within it (the figure shows the measured values).
    """
    body = [[str(n), f"{m / MIB:,.2f}", _mib_or_not_run(a), f"{bound / MIB:,.2f}", "yes" if b <= bound else "NO"]
            for n, m, a, b, bound in zip(cost.sizes, cost.weight_matrix, cost.attend_peak, cost.blockwise_peak,
                                         cost.blockwise_bound)]
    return plots.text_table(["n", "n×n matrix MiB", "attend peak MiB", "blockwise bound MiB", "blockwise within"],
                            body)


def blockwise_time_table(cost: BlockwiseCost) -> str:
    """Times of one run each, in ms, and their ratio ("not run" where attend was skipped),
    with attend_blockwise's measured peak, which varies a little from run to run."""
    body = [[str(n), "not run" if np.isnan(a) else f"{a * 1e3:.1f}", f"{b * 1e3:.1f}",
             "–" if np.isnan(a) else f"{b / a:.2f}", f"{peak / MIB:.1f}"]
            for n, a, b, peak in zip(cost.sizes, cost.attend_seconds, cost.blockwise_seconds, cost.blockwise_peak)]
    return plots.text_table(["n", "attend ms", "blockwise ms", "blockwise ÷ attend", "blockwise peak MiB"], body)


def _mib_or_not_run(peak: float) -> str:
    return "not run" if np.isnan(peak) else f"{peak / MIB:,.2f}"


def blockwise_cost_plot(cost: BlockwiseCost) -> Figure:
    """Log-log peak memory (left) and time (right) against n, attend against attend_blockwise."""
    fig = plots.new_figure(10.0, 4.0)
    mem_ax, time_ax = fig.subplots(1, 2)
    n = cost.sizes
    mem_ax.loglog(n, cost.weight_matrix / MIB, "-", color=plots.GREY, lw=9, alpha=0.45, solid_capstyle="butt",
                  label="one n×n float32 matrix")
    mem_ax.loglog(n, cost.attend_peak / MIB, "o-", color=plots.VERMILLION, label="attend, measured peak")
    mem_ax.loglog(n, cost.blockwise_peak / MIB, "s--", color=plots.BLUE,
                  label=f"attend_blockwise (block {cost.block}), measured peak")
    mem_ax.set(xlabel="sequence length n (log scale)", ylabel="peak extra memory (MiB, log scale)",
               title="memory: n² for attend, a few MiB blockwise")
    time_ax.loglog(n, cost.attend_seconds * 1e3, "o-", color=plots.VERMILLION, label="attend")
    time_ax.loglog(n, cost.blockwise_seconds * 1e3, "s--", color=plots.BLUE, label="attend_blockwise")
    time_ax.loglog(n, cost.blockwise_seconds[-1] * 1e3 * (n / n[-1]) ** 2, ":", color="black",
                   label="grows like n² (guide)")
    time_ax.set(xlabel="sequence length n (log scale)", ylabel="time of one run (ms, log scale)",
                title="time: n² work for both (varies per run)")
    plots.finish_size_axes((mem_ax, time_ax), n)
    return fig


__all__ = [
    "online_softmax_trace", "online_softmax_trace_table", "causal_blocks", "blockwise_diagram", "BlockwiseCost",
    "blockwise_task", "start_blockwise_measurement", "blockwise_cost", "blockwise_memory_table", "blockwise_time_table",
    "blockwise_cost_plot",
]
