"""``lessons_lib.attention.attend`` against its bound: the two matrix products alone.

For n tokens of dimension d = 64 (float32), attention is scores = Q·Kᵀ, a softmax,
then output = A·V. The two products are the unavoidable work; the ratio
time(attend) / time(the two products) shows what the softmax, the scaling and the
input checks add. Where torch is importable, its CPU scaled-dot-product attention
is timed on the same arrays for comparison (torch is not a course dependency).
"""
from __future__ import annotations

import time

import numpy as np

from benchmarks.common import Figure

SIZES = (256, 1024, 2048)
DIM = 64
TARGET = 1.3


def _paired_ms(first, second, repeat: int) -> tuple[list[float], list[float]]:
    """Time ``first`` and ``second`` alternately, so a burst of load hits both sides of a pair."""
    first(), second()  # warm caches and the BLAS thread pool
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeat):
        for call, out in ((first, times[0]), (second, times[1])):
            start = time.perf_counter()
            call()
            out.append((time.perf_counter() - start) * 1e3)
    return times


def _inputs(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return tuple(rng.standard_normal((n, DIM), dtype=np.float32) for _ in range(3))


def ratio_figures(n: int) -> list[Figure]:
    from lessons_lib.attention import attend

    q, k, v = _inputs(n)
    weights = attend(q, k, v)[1]
    repeat = max(15, int(4e8 // (n * n * DIM)))  # more runs for the quick sizes

    def products() -> None:
        q @ k.T
        weights @ v

    ours, bound = _paired_ms(lambda: attend(q, k, v), products, repeat)
    ratios = np.array(ours) / np.array(bound)
    scores = q @ k.T
    exp_alone, bound_again = _paired_ms(lambda: np.exp(scores), products, repeat)
    floor = np.array(exp_alone) / np.array(bound_again)
    figures = [Figure("attend", f"n={n}: attend ÷ its two matmuls", float(np.median(ratios)), "×",
                      float(np.percentile(ratios, 95)), TARGET,
                      f"attend {np.median(ours):.2f} ms, matmuls {np.median(bound):.2f} ms; {repeat} runs"),
               # Context: one unavoidable pass of the softmax, np.exp over the n×m scores, on its own.
               Figure("attend", f"n={n}: np.exp of the scores alone ÷ the two matmuls", float(np.median(floor)), "×",
                      float(np.percentile(floor, 95)), None,
                      "a numpy softmax over the whole n×m array cannot beat 1 + this")]
    torch_figure = _torch_ratio(q, k, v, repeat, n)
    if torch_figure:
        figures.append(torch_figure)
    return figures


def _torch_ratio(q, k, v, repeat: int, n: int) -> Figure | None:
    try:
        import torch
    except ImportError:
        return None
    tq, tk, tv = (torch.from_numpy(a)[None] for a in (q, k, v))
    from lessons_lib.attention import attend

    with torch.inference_mode():
        ours, theirs = _paired_ms(lambda: attend(q, k, v),
                                  lambda: torch.nn.functional.scaled_dot_product_attention(tq, tk, tv), repeat)
    ratio = np.array(ours) / np.array(theirs)
    return Figure("attend", f"n={n}: attend ÷ torch SDPA (CPU)", float(np.median(ratio)), "×",
                  float(np.percentile(ratio, 95)), None,
                  f"torch {torch.__version__}, {torch.get_num_threads()} threads, {np.median(theirs):.2f} ms")


def run() -> list[Figure]:
    figures = []
    for n in SIZES:
        figures += ratio_figures(n)
    try:
        import torch  # noqa: F401
    except ImportError:
        figures.append(Figure("attend", "torch SDPA comparison", float("nan"), "×",
                              note="skipped: torch is not importable (it is not a course dependency)"))
    return figures


if __name__ == "__main__":
    from benchmarks.common import markdown_table

    print(markdown_table(run()))
