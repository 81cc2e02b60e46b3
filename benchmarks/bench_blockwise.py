"""``attend`` against ``attend_blockwise``: peak extra memory and time, each against its matrix products.

For n tokens of dimension d = 64 (float32), both compute scores = Q·Kᵀ, a softmax and
output = A·V. Each one's time is divided by the time of *its own* two matrix products
in the same run, interleaved so a burst of load hits both sides of a pair:

- ``attend`` makes them once over the whole arrays (the (n, n) scores, then the
  (n, n) weights times V);
- ``attend_blockwise`` makes them tile by tile: for each block of query rows and
  each block of keys, Q_rows·K_blockᵀ and then that tile times V_block, on the same
  thread pool with one BLAS thread per worker, as the function itself does.

So each ratio is what the softmax, the masking and the bookkeeping add to the
unavoidable products. A context row divides the blockwise time by attend's
whole-array products as well. Peak extra memory is what :mod:`tracemalloc` sees
numpy allocate during one call (after a warming call), which is the same every run.
"""
from __future__ import annotations

import tracemalloc
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from threadpoolctl import threadpool_limits

from benchmarks.bench_attention import DIM, _inputs, _paired_ms
from benchmarks.common import Figure

SIZES = (4096, 16384)
BLOCK = 256
TIME_TARGET, TIME_STRETCH = 1.5, 1.3
MEMORY_TARGET_MIB = 32.0  # attend_blockwise at n = 16384
MIB = 2.0**20


def peak_extra_mib(call) -> float:
    """MiB newly allocated at the peak of one ``call()`` (a first call warms caches up)."""
    call()
    tracemalloc.start()
    try:
        call()
        return tracemalloc.get_traced_memory()[1] / MIB
    finally:
        tracemalloc.stop()


def tiled_products(q: np.ndarray, k: np.ndarray, v: np.ndarray, block: int, workers: int) -> None:
    """attend_blockwise's two matrix products, tile by tile, with nothing in between."""
    scale = np.float32(1 / np.sqrt(q.shape[-1]))
    q = q * scale  # as attend_blockwise does once

    def rows(start: int) -> None:
        for key in range(0, len(k), block):
            (q[start:start + block] @ k[key:key + block].T) @ v[key:key + block]

    with threadpool_limits(limits=1, user_api="blas"), ThreadPoolExecutor(workers) as pool:
        list(pool.map(rows, range(0, len(q), block)))


def figures_for(n: int) -> list[Figure]:
    from lessons_lib.attention import _workers, attend, attend_blockwise

    q, k, v = _inputs(n)
    repeat = max(5, int(4e10 // (n * n * DIM)))  # 23 runs at 4096, 5 at 16384
    blockwise = lambda: attend_blockwise(q, k, v, block=BLOCK)  # noqa: E731
    full = lambda: attend(q, k, v)  # noqa: E731
    whole = lambda: whole_products(q, k, v)  # noqa: E731
    workers = _workers()
    tiles = lambda: tiled_products(q, k, v, BLOCK, workers)  # noqa: E731
    np.testing.assert_allclose(blockwise(), full()[0], atol=2e-5)  # timing the same answer

    attend_ms, whole_ms = _paired_ms(full, whole, repeat)
    block_ms, tile_ms = _paired_ms(blockwise, tiles, repeat)
    block_vs_whole, whole_again = _paired_ms(blockwise, whole, max(3, repeat // 3))
    ratio = lambda a, b: np.array(a) / np.array(b)  # noqa: E731
    mem_attend, mem_block = peak_extra_mib(full), peak_extra_mib(blockwise)
    weights_mib = n * n * 4 / MIB
    return [
        Figure("blockwise", f"n={n}: attend peak extra memory", mem_attend, "MiB",
               note=f"one n×n float32 array is {weights_mib:,.0f} MiB"),
        Figure("blockwise", f"n={n}: attend_blockwise peak extra memory", mem_block, "MiB",
               target=MEMORY_TARGET_MIB if n == 16384 else None,
               note=f"block {BLOCK}, {workers} workers; output and scaled queries are {2 * n * DIM * 4 / MIB:.0f} MiB"),
        _ratio_figure(f"n={n}: attend ÷ its two whole-array matmuls", ratio(attend_ms, whole_ms), None,
                      f"attend {np.median(attend_ms):.1f} ms, matmuls {np.median(whole_ms):.1f} ms; {repeat} runs"),
        _ratio_figure(f"n={n}: attend_blockwise ÷ its two matmuls (same tiles)", ratio(block_ms, tile_ms),
                      TIME_TARGET, f"blockwise {np.median(block_ms):.1f} ms, tiled matmuls {np.median(tile_ms):.1f} "
                                   f"ms; {repeat} runs; stretch ≤ {TIME_STRETCH:.2f}×"),
        _ratio_figure(f"n={n}: attend_blockwise ÷ attend's whole-array matmuls", ratio(block_vs_whole, whole_again),
                      None, f"context; {len(whole_again)} runs"),
    ]


def whole_products(q: np.ndarray, k: np.ndarray, v: np.ndarray) -> None:
    """attend's two products over the whole arrays (an (n, n) array times V stands in for the weights)."""
    (q @ k.T) @ v


def _ratio_figure(name: str, ratios: np.ndarray, target: float | None, note: str) -> Figure:
    return Figure("blockwise", name, float(np.median(ratios)), "×", float(np.percentile(ratios, 95)), target, note)


def run() -> list[Figure]:
    return [figure for n in SIZES for figure in figures_for(n)]


if __name__ == "__main__":
    from benchmarks.common import markdown_table

    print(markdown_table(run()))
