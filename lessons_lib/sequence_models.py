"""Attention next to recurrent and convolutional networks (lesson 07).

Four measurements, each with a figure and a text twin:

* how much of a nudge to token 1 survives k steps of a simple recurrent
  update (it fades or grows, set by the per-step factor diag(tanh')·W),
  against attention's single step, whose share is the weight w;
* how far a stack of convolutions sees after L layers, and how many layers
  link positions 1 and 100;
* a fixed convolution kernel against content-dependent attention weights on
  two sentences, and how smoothly the output follows a nudged score (soft
  attention) or jumps (hard attention);
* the arithmetic per layer of each architecture, and the time and memory of
  attention for growing n against a step-by-step recurrent loop, measured in
  a short-lived worker process (:mod:`lessons_lib.measuring`, which measures
  blockwise attention too; the recurrent network itself is in
  :mod:`lessons_lib.recurrent`).

The recurrent and convolutional "networks" here are untrained and seeded:
they show the *shape* of each architecture's limits, not a trained model's
quality.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np
from numpy.typing import ArrayLike

from . import plots
from ._validate import as_count, as_matrix, as_positive, as_vector
from .attention import dot_scores, softmax
from .measuring import (MIB, CostMeasurement, Worker, _measure_cost_here, best_time, cost_result, cost_task,
                        one_blas_thread, peak_bytes, start_worker)
from .recurrent import random_recurrent_weights, recurrent_signal, recurrent_states
from .vocab import BANK_SENTENCE, WORDS, Vocabulary

Figure = plots.Figure


# --- 1. path length: a recurrent update forgets ---------------------------------
def path_lengths(distance: int, kernels: Sequence[int] = (3, 5)) -> dict[str, int]:
    """Transformations between two tokens ``distance`` apart, per architecture."""
    distance = as_count(distance, "distance")
    lengths = {"recurrent (one step per token)": distance}
    for k in kernels:
        lengths[f"convolution, kernel {k} (layers)"] = layers_to_connect(distance, k)
    lengths["attention (one layer)"] = 1
    return lengths


def signal_decay_plot(survival: dict[str, ArrayLike], *, distance: int = 99) -> Figure:
    """Left: transformations between tokens 1 and ``distance + 1``. Right: surviving signal.

    ``survival`` maps a curve label (e.g. "gain 0.9, strong input") to a
    :func:`recurrent_signal` result; labels containing "weak" are drawn dashed.
    Attention's share is not a curve over steps: it is one step, scaled by the weight
    w, drawn as a band from 1/(distance + 1) (spread evenly) to 1 (all on token 1);
    a weight can fall below the band when other tokens score higher.
    """
    fig = plots.new_figure(11.5, 3.8)
    bar_ax, line_ax = fig.subplots(1, 2, width_ratios=[1, 1.3])
    lengths = path_lengths(distance)
    names = list(lengths)
    bars = bar_ax.barh(range(len(names)), list(lengths.values()), color=plots.BLUE)
    bar_ax.bar_label(bars, padding=3)
    bar_ax.set_yticks(range(len(names)), [n.replace(" (", "\n(") for n in names], fontsize=8)
    bar_ax.invert_yaxis()
    bar_ax.set_xlim(0, max(lengths.values()) * 1.2)
    bar_ax.set_xlabel(f"transformations from token 1 to token {distance + 1}")
    bar_ax.spines[["top", "right"]].set_visible(False)
    colours = [plots.VERMILLION, plots.BLUE, plots.ORANGE, plots.GREY]
    gains = list(dict.fromkeys(label.split(",")[0] for label in survival))  # one colour per gain
    for label, values in survival.items():
        v = as_vector(values, f"survival[{label!r}]")
        style = "--" if "weak" in label else "-"
        line_ax.semilogy(range(len(v)), v, style, color=colours[gains.index(label.split(",")[0]) % 4], label=label)
    tokens = distance + 1
    line_ax.axhspan(1 / tokens, 1.0, color=plots.GREY, alpha=0.3, lw=0)
    line_ax.annotate(f"grey band: attention at any distance is one step;\nits share is the weight w: 1/{tokens} "
                     "if spread evenly\n(less if others score higher), up to 1 (all on token 1)",
                     (12, 0.1), xytext=(0.03, 0.06),
                     textcoords="axes fraction", fontsize=7.5, ha="left", va="bottom",
                     arrowprops={"arrowstyle": "->", "color": "black", "lw": 0.8},
                     bbox={"boxstyle": "round", "fc": "white", "ec": plots.GREY})
    plots.plain_log_labels(line_ax)
    line_ax.set(xlabel="steps after token 1", ylabel="nudge size ÷ its start (log scale)",
                title="recurrent: solid = strong inputs, dashed = weak", )
    line_ax.title.set_fontsize(9)
    line_ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), title="recurrent", title_fontsize=8)
    line_ax.grid(alpha=0.3)
    return fig


def average_step_factor(survival: ArrayLike) -> float:
    """The factor one step keeps on average: the geometric mean ``survival[-1] ** (1 / steps)``."""
    values = as_vector(survival, "survival")
    if len(values) < 2:
        raise ValueError(f"survival must cover at least one step, got {len(values)} value")
    return float(values[-1] / values[0]) ** (1 / (len(values) - 1))


def signal_decay_table(survival: dict[str, ArrayLike], steps: Sequence[int] = (0, 1, 5, 10, 25, 50, 99)) -> str:
    """The surviving share after selected numbers of steps, one column per curve."""
    columns = {label: as_vector(v, f"survival[{label!r}]") for label, v in survival.items()}
    shown = [k for k in steps if all(k < len(v) for v in columns.values())]
    body = [[str(k)] + [f"{v[k]:.2e}" for v in columns.values()] for k in shown]
    return plots.text_table(["steps"] + list(columns), body)


# --- 2. receptive field of stacked convolutions -------------------------------------
def receptive_field(layers: int, kernel: int) -> int:
    """Positions one output sees after ``layers`` convolutions of width ``kernel``: 1 + L(k-1)."""
    layers = as_count(layers, "layers", low=0)
    kernel = as_count(kernel, "kernel")
    return 1 + layers * (kernel - 1)


def measured_receptive_field(layers: int, kernel: int, *, dilated: bool = False) -> int:
    """Count, by running the convolutions, how many inputs reach one output.

    A single 1 is convolved ``layers`` times with a kernel of ``kernel`` ones;
    the number of non-zero outputs is the receptive field (it agrees with
    :func:`receptive_field`). With ``dilated`` the taps of layer l (from 1) are
    2^(l-1) positions apart (dilations 1, 2, 4, ...), as in WaveNet-style stacks.
    """
    layers = as_count(layers, "layers", low=0)
    kernel = as_count(kernel, "kernel")
    if not isinstance(dilated, (bool, np.bool_)):
        raise ValueError(f"dilated must be True or False, got {dilated!r}")
    signal = np.ones(1)
    for layer in range(layers):
        gap = 2**layer if dilated else 1
        taps = np.zeros((kernel - 1) * gap + 1)
        taps[::gap] = 1.0  # kernel ones, gap positions apart
        signal = np.convolve(signal, taps)  # full: nothing falls off the ends
    return int(np.count_nonzero(signal))


def layers_to_connect(distance: int, kernel: int) -> int:
    """Fewest layers for one output to see two positions ``distance`` apart."""
    distance = as_count(distance, "distance", low=0)
    kernel = as_count(kernel, "kernel", low=2)
    return math.ceil(distance / (kernel - 1))


def receptive_field_plot(max_layers: int = 60, kernels: Sequence[int] = (3, 5), *, span: int = 100) -> Figure:
    """Receptive field against depth, one line per kernel, with the ``span`` to reach marked."""
    max_layers = as_count(max_layers, "max_layers")
    fig, ax = plots.new_axes(6.4, 3.6)
    depth = np.arange(max_layers + 1)
    for kernel, colour, style in zip(kernels, [plots.BLUE, plots.VERMILLION], ["-", "--"]):
        ax.plot(depth, 1 + depth * (kernel - 1), style, color=colour, label=f"kernel {kernel}")
        need = layers_to_connect(span - 1, kernel)
        ax.plot([need], [receptive_field(need, kernel)], "o", color=colour)
        ax.annotate(f"{need} layers", (need, span), xytext=(8, -16),
                    textcoords="offset points", fontsize=9, color=colour)
    ax.axhline(span, color=plots.GREY, lw=1)
    ax.annotate(f"{span} positions: tokens 1 to {span}", (1, span), xytext=(10, 4), textcoords="offset points", fontsize=8)
    ax.plot([1], [span], "*", color="black", markersize=12, label="attention: all positions in 1 layer")
    ax.set(xlabel="convolution layers stacked", ylabel="positions seen by one output")
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(0.0, 0.9))
    ax.grid(alpha=0.3)
    return fig


def receptive_field_table(layers: Sequence[int] = (1, 2, 5, 10, 25, 50), kernels: Sequence[int] = (3, 5)) -> str:
    """Receptive field per depth (rows) and kernel (columns)."""
    body = [[str(L)] + [str(receptive_field(L, k)) for k in kernels] for L in layers]
    return plots.text_table(["layers"] + [f"kernel {k}" for k in kernels], body)


# --- 3. a fixed kernel against content-dependent weights -------------------------------
DEFAULT_KERNEL = (0.1, 0.2, 0.4, 0.2, 0.1)


def kernel_weights(n: int, position: int, kernel: ArrayLike = DEFAULT_KERNEL) -> np.ndarray:
    """The weight a centred convolution puts on each of ``n`` tokens for output ``position``.

    The same numbers for every sentence: each tap belongs to a relative offset
    (-2 .. 2 for five taps), never to a word. This is the one-number-per-offset toy;
    a real convolution layer has a d×d matrix per offset, still fixed for every input.
    """
    n = as_count(n, "n")
    position = as_count(position, "position", low=0)
    if position >= n:
        raise ValueError(f"position must be < n = {n}, got {position}")
    taps = as_vector(kernel, "kernel")
    if len(taps) % 2 == 0:
        raise ValueError(f"kernel must have an odd length (a centre tap), got {len(taps)}")
    weights = np.zeros(n)
    half = len(taps) // 2
    for offset, tap in zip(range(-half, half + 1), taps):
        if 0 <= position + offset < n:
            weights[position + offset] = tap
    return weights


def content_weights(vectors: ArrayLike, position: int, *, temperature: float = 0.25) -> np.ndarray:
    """Attention weights of token ``position``: softmax of its dot products with every token."""
    v = as_matrix(vectors, "vectors")
    position = as_count(position, "position", low=0)
    if position >= len(v):
        raise ValueError(f"position must be < {len(v)} (the number of tokens), got {position}")
    return softmax(dot_scores(v[position], v), temperature=temperature)


@dataclass(frozen=True)
class Comparison:
    """One sentence's weights for the focus word under a convolution and under attention."""

    tokens: list[str]
    convolution: np.ndarray
    attention: np.ndarray


def compare_kernel_and_attention(
    sentences: Sequence[str],
    focus: str = "bank",
    *,
    kernel: ArrayLike = DEFAULT_KERNEL,
    temperature: float = 0.25,
    vocab: Vocabulary = WORDS,
) -> list[Comparison]:
    """Weights on every token when building ``focus``, for each sentence and both methods."""
    results = []
    for sentence in sentences:
        tokens, vectors = vocab.encode(sentence)
        if focus not in tokens:
            raise ValueError(f"focus {focus!r} is not in the sentence {sentence!r}")
        where = tokens.index(focus)
        results.append(Comparison(tokens, kernel_weights(len(tokens), where, kernel),
                                  content_weights(vectors, where, temperature=temperature)))
    return results


def kernel_vs_attention_plot(comparisons: Sequence[Comparison], focus: str = "bank") -> Figure:
    """A grid of bar charts: one row per sentence (named on the left), convolution left, attention right."""
    fig = plots.new_figure(10.0, 3.1 * len(comparisons))
    for number, (part, item) in enumerate(zip(np.atleast_1d(fig.subfigures(len(comparisons), 1)), comparisons), 1):
        part.suptitle(f"sentence {number}: " + " ".join(item.tokens), fontsize=10, fontweight="bold")
        row = part.subplots(1, 2, sharey=True)
        plots.weights_bar_plot(item.convolution, item.tokens, ax=row[0],
                               title=f"convolution (fixed kernel) for {focus!r}", ylim=(0, 0.6))
        plots.weights_bar_plot(item.attention, item.tokens, ax=row[1],
                               title=f"attention (from content) for {focus!r}", ylim=(0, 0.6))
        row[0].set_ylabel(f"weight from {focus!r}")
        row[1].set_ylabel("")
        for ax in row:
            ax.tick_params(axis="x", labelrotation=30)
    return fig


def kernel_vs_attention_table(comparisons: Sequence[Comparison]) -> str:
    """The weights of each sentence as text: token, convolution, attention."""
    blocks = []
    for item in comparisons:
        body = [[t, f"{c:.2f}", f"{a:.2f}"] for t, c, a in zip(item.tokens, item.convolution, item.attention)]
        blocks.append(" ".join(item.tokens) + "\n" + plots.text_table(["token", "convolution", "attention"], body))
    return "\n\n".join(blocks)


# --- 3b. soft attention is differentiable routing ------------------------------------
@dataclass(frozen=True)
class RoutingResponse:
    """How one coordinate of the focus word's output moves as one score is nudged."""

    focus: str
    target: str
    dimension: str
    nudges: np.ndarray  # added to the target's score
    target_weight: np.ndarray  # the target's softmax weight after the nudge
    soft: np.ndarray  # the output coordinate with softmax weights
    hard: np.ndarray  # the output coordinate with all weight on the top score
    slope: np.ndarray  # d soft / d nudge by the chain rule: w_target * (v_target - output)


def routing_response(
    sentence: str = BANK_SENTENCE,
    focus: str = "bank",
    target: str = "deposit",
    *,
    dimension: str = "finance",
    nudges: ArrayLike | None = None,
    temperature: float = 0.25,
    vocab: Vocabulary = WORDS,
) -> RoutingResponse:
    """Nudge the score ``focus`` gives ``target``; follow the ``dimension`` coordinate of its output.

    The nudge is added to the temperature-scaled score (score / ``temperature``), the
    number the softmax sees. "Soft" uses the softmax weights (as :func:`content_weights`);
    "hard" puts all the weight on the highest score (``argmax``: a tie goes to the
    earlier token). ``nudges`` defaults to -3 .. 5 in steps of 0.05.
    """
    tokens, vectors = vocab.encode(sentence)
    for name, word in (("focus", focus), ("target", target)):
        if word not in tokens:
            raise ValueError(f"{name} {word!r} is not in the sentence {sentence!r}")
    if dimension not in vocab.dimensions:
        raise ValueError(f"dimension must be one of {', '.join(vocab.dimensions)}, got {dimension!r}")
    d = np.linspace(-3, 5, 161) if nudges is None else as_vector(nudges, "nudges")
    t = as_positive(temperature, "temperature")
    where, column, dim = tokens.index(focus), tokens.index(target), vocab.dimensions.index(dimension)
    scores = np.tile(dot_scores(vectors[where], vectors) / t, (len(d), 1))
    scores[:, column] += d
    weights = softmax(scores)
    soft = weights @ vectors[:, dim]
    hard = vectors[scores.argmax(axis=1), dim]
    slope = weights[:, column] * (vectors[column, dim] - soft)
    return RoutingResponse(focus, target, dimension, d, weights[:, column], soft, hard, slope)


def routing_plot(response: RoutingResponse) -> Figure:
    """The output coordinate against the nudge: soft attention bends smoothly, hard attention jumps.

    The legend sits below the axes, clear of the curves.
    """
    r = response
    fig, ax = plots.new_axes(6.4, 4.6)
    ax.plot(r.nudges, r.soft, "-", color=plots.VERMILLION, lw=2, label="soft attention (softmax weights)")
    ax.plot(r.nudges, r.hard, "--", color=plots.BLUE, drawstyle="steps-mid",
            label="hard attention (top score only): flat, then a jump")
    zero = int(np.argmin(np.abs(r.nudges)))
    span = np.array([-0.6, 0.6])
    ax.plot(r.nudges[zero] + span, r.soft[zero] + r.slope[zero] * span, ":", color="black", lw=1.5,
            label=f"soft slope at 0: {r.slope[zero]:.3f} (it shrinks towards 0 as the softmax saturates)")
    ax.plot([r.nudges[zero]], [r.soft[zero]], "o", color=plots.VERMILLION)
    ax.set(xlabel=f"change added to the temperature-scaled score {r.focus!r} gives {r.target!r}",
           ylabel=f"{r.focus!r} output: {r.dimension}")
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=1, frameon=False)
    ax.grid(alpha=0.3)
    return fig


def routing_table(response: RoutingResponse, shown: Sequence[float] = (-3, -1, 0, 0.15, 0.25, 1, 3, 5)) -> str:
    """The response at a few nudges (the nearest sampled ones): weight, soft and hard output, slope."""
    r = response
    rows = [int(np.argmin(np.abs(r.nudges - value))) for value in shown]
    body = [[f"{r.nudges[k]:+.2f}", f"{r.target_weight[k]:.3f}", f"{r.soft[k]:.3f}", f"{r.hard[k]:.3f}",
             f"{r.slope[k]:.3f}"] for k in rows]
    return plots.text_table(["change", f"weight on {r.target!r}", "soft output", "hard output", "soft slope"], body)


# --- 4. the price: time and memory ----------------------------------------------------
def multiply_adds(n: int, d: int, kernel: int = 3) -> dict[str, int]:
    """Multiply-adds of one layer over ``n`` tokens of width ``d``, counting the big products only.

    Self-attention: scores Q·Kᵀ and weights·V, 2·n²·d. A recurrent layer: W·h and U·x
    at every step, 2·n·d². A convolution: a d×d matrix per offset, ``kernel``·n·d².
    Attention's count is its mixing step only: its four d×d projections (queries, keys,
    values, output) add about 4·n·d², the same order as the recurrent layer's.
    """
    n, d, kernel = as_count(n, "n"), as_count(d, "d"), as_count(kernel, "kernel")
    return {"attention": 2 * n * n * d, "recurrent": 2 * n * d * d, f"convolution, kernel {kernel}": kernel * n * d * d}


def multiply_adds_table(sizes: Sequence[int] = (8, 32, 128, 1024, 16384), d: int = 32, kernel: int = 3) -> str:
    """Multiply-adds per layer for each n (rows), each architecture (columns), and the cheapest."""
    body = []
    for n in sizes:
        counts = multiply_adds(n, d, kernel)
        fewest = [name.split(",")[0] for name, c in counts.items() if c == min(counts.values())]
        body.append([str(n)] + [f"{c:,}" for c in counts.values()] + [" = ".join(fewest)])
    return plots.text_table(["n"] + list(multiply_adds(1, d, kernel)) + ["fewest"], body)


def weight_matrix_bytes(n: int, itemsize: int = 4) -> int:
    """Bytes of one (n, n) weight matrix: n * n * itemsize (4 for float32)."""
    return as_count(n, "n") ** 2 * as_count(itemsize, "itemsize")


def measure_cost(sizes: Sequence[int] = (64, 128, 256, 512, 1024, 2048, 4096), *, dim: int = 32,
                 seed: int = 0, repeats: int = 3, worker: bool = True) -> CostMeasurement:
    """Time (fastest of at least ``repeats`` runs) and peak memory of float32 self-attention
    and of a recurrent loop, per n. Both are timed on one core (see :func:`one_blas_thread`).

    With ``worker=True`` (the default) the measurements run in a short-lived separate
    Python process, so the n×n matrices (64 MiB at n = 4096) never enlarge the calling
    process, such as a notebook kernel that stays alive for hours. The memory peaks are
    measured with :mod:`tracemalloc` where the arrays live; in the fresh process they are
    the same on every run (in a busy caller they may differ by a few bytes of bookkeeping).
    A lesson that wants the numbers later starts :func:`cost_task` with :func:`start_worker`
    and reads them with :func:`cost_result`.
    """
    task = cost_task(sizes, dim=dim, seed=seed, repeats=repeats)
    if not isinstance(worker, bool):
        raise ValueError(f"worker must be True or False, got {worker!r}")
    if not worker:
        return _measure_cost_here(**task[1])
    return cost_result(start_worker(task))


def _reference(n: np.ndarray, values: np.ndarray, power: int) -> np.ndarray:
    """A curve growing like n**power through the last measured point."""
    return values[-1] * (n / n[-1]) ** power


def cost_plot(cost: CostMeasurement) -> Figure:
    """Log-log time (left) and memory (right) against n, attention versus the loop, with n and n² guides."""
    fig = plots.new_figure(10.0, 4.0)
    time_ax, mem_ax = fig.subplots(1, 2)
    n = cost.sizes
    a_ms, r_ms = cost.attention_seconds * 1e3, cost.recurrent_seconds * 1e3
    time_ax.loglog(n, _reference(n, a_ms, 2), ":", color="black", label="grows like n² (guide)")
    time_ax.loglog(n, _reference(n, r_ms, 1), "-.", color=plots.GREY, label="grows like n (guide)")
    time_ax.loglog(n, a_ms, "o-", color=plots.VERMILLION, label="attention (all rows at once)")
    time_ax.loglog(n, r_ms, "s--", color=plots.BLUE, label="recurrent loop (n steps)")
    time_ax.set(xlabel="sequence length n (log scale)", ylabel="time (ms, fastest of ≥ 3 runs; log scale)",
                title="time on one core (varies per run)")
    mem_ax.loglog(n, cost.weight_matrix / MIB, "-", color=plots.GREY, lw=9, alpha=0.45, solid_capstyle="butt",
                  label="one n×n float32 matrix (n²·4 bytes)")
    mem_ax.loglog(n, cost.attention_peak / MIB, "o-", color=plots.VERMILLION, label="attention, measured peak")
    mem_ax.loglog(n, cost.recurrent_peak / MIB, "s--", color=plots.BLUE, label="recurrent loop, measured peak")
    mem_ax.set(xlabel="sequence length n (log scale)", ylabel="memory (MiB, log scale)",
               title="peak memory (the same every run)")
    plots.finish_size_axes((time_ax, mem_ax), n)
    return fig


def time_table(cost: CostMeasurement) -> str:
    """The times as text, in ms (best of a few runs)."""
    body = [[str(n), f"{a * 1e3:.2f}", f"{r * 1e3:.2f}"]
            for n, a, r in zip(cost.sizes, cost.attention_seconds, cost.recurrent_seconds)]
    return plots.text_table(["n", "attention ms", "loop ms"], body)


def peak_memory_table(cost: CostMeasurement) -> str:
    """The peak memory as text, in MiB, next to one n×n float32 matrix."""
    body = [[str(n), f"{ap / MIB:.2f}", f"{m / MIB:.2f}", f"{rp / MIB:.2f}"]
            for n, ap, m, rp in zip(cost.sizes, cost.attention_peak, cost.weight_matrix, cost.recurrent_peak)]
    return plots.text_table(["n", "attention peak MiB", "n×n matrix MiB", "loop peak MiB"], body)


def cost_table(cost: CostMeasurement) -> str:
    """Times (ms) and peak memory (MiB) in one table."""
    body = [[str(n), f"{a * 1e3:.2f}", f"{r * 1e3:.2f}", f"{ap / MIB:.2f}", f"{m / MIB:.2f}", f"{rp / MIB:.2f}"]
            for n, a, r, ap, m, rp in zip(cost.sizes, cost.attention_seconds, cost.recurrent_seconds,
                                          cost.attention_peak, cost.weight_matrix, cost.recurrent_peak)]
    return plots.text_table(["n", "attention ms", "loop ms", "attention MiB", "n² matrix MiB", "loop MiB"], body)


def memory_table(sizes: Sequence[int] = (64, 256, 1024, 4096, 16384), itemsize: int = 4) -> str:
    """The analytic size of one (n, n) weight matrix, and sequential steps, per n."""
    body = [[str(n), f"{weight_matrix_bytes(n, itemsize):,}", f"{weight_matrix_bytes(n, itemsize) / 2**20:,.2f}", str(n)]
            for n in sizes]
    return plots.text_table(["n", "bytes", "MiB", "loop steps"], body)


__all__ = [
    "random_recurrent_weights", "recurrent_states", "recurrent_signal", "path_lengths",
    "signal_decay_plot", "signal_decay_table", "receptive_field", "measured_receptive_field",
    "layers_to_connect", "receptive_field_plot", "receptive_field_table", "kernel_weights",
    "content_weights", "Comparison", "compare_kernel_and_attention", "kernel_vs_attention_plot",
    "kernel_vs_attention_table", "RoutingResponse", "routing_response", "routing_plot", "routing_table",
    "weight_matrix_bytes", "best_time", "peak_bytes", "CostMeasurement", "measure_cost", "cost_plot",
    "time_table", "peak_memory_table", "cost_table", "memory_table", "average_step_factor", "one_blas_thread",
    "multiply_adds", "multiply_adds_table", "Worker", "start_worker", "cost_task", "cost_result",
]
