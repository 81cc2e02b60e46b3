"""Benchmark lesson 12: forward-pass time and the kernel's peak memory.

    .venv/bin/python benchmarks/bench_pretrained.py [--repeats 200]

1. The numpy forward pass of all-MiniLM-L6-v2 on a 16-token sentence: median
   (and spread) of many repeats after a warm-up. Target: <= 20 ms.
2. Peak resident memory (VmHWM, Linux) of a fresh Jupyter kernel that runs every
   cell of notebooks/12_pretrained_model.ipynb. Target: <= 150 MiB.
   For comparison, a fresh plain Python process that only loads the model and
   runs one sentence. The lesson loads the model with ``low_memory=True`` (each
   layer's weight pages are given back after use), so the forward pass is timed
   both ways.
Results are printed; nothing is asserted (timings are not tests).
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "12_pretrained_model.ipynb"
SENTENCE = "The trophy would not fit in the suitcase because it was too big."  # 16 tokens
# Peak resident memory in KiB: VmHWM belongs to this process alone (ru_maxrss would
# include the parent's size at fork, inherited across exec on Linux).
PEAK = "print(open('/proc/self/status').read().split('VmHWM:')[1].split()[0])"


def forward_times(repeats: int, low_memory: bool) -> list[float]:
    """Seconds per forward pass on SENTENCE, after 5 warm-up runs."""
    from lessons_lib.pretrained import load_model

    model = load_model(low_memory=low_memory)
    tokens, ids = model.encode(SENTENCE)
    assert len(ids) == 16, f"the benchmark sentence should be 16 tokens, got {len(ids)}"
    for _ in range(5):
        model.forward(ids)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        model.forward(ids)
        times.append(time.perf_counter() - start)
    return times


def kernel_peak_mib() -> float:
    """Peak RSS of a fresh kernel that executed every cell of the lesson."""
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(NOTEBOOK, as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell(PEAK))
    NotebookClient(notebook, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    return int(notebook.cells[-1].outputs[0]["text"]) / 1024


def plain_process_peak_mib() -> float:
    """Peak RSS of a fresh python that loads the model (low memory) and runs one sentence."""
    code = f"from lessons_lib.pretrained import load_model; load_model(low_memory=True).run({SENTENCE!r}); {PEAK}"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return int(out.stdout.strip()) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=200)
    args = parser.parse_args()
    plain, kernel = plain_process_peak_mib(), kernel_peak_mib()  # before this process grows
    for low_memory in (False, True):
        ms = sorted(t * 1000 for t in forward_times(args.repeats, low_memory))
        print(f"forward pass, 16 tokens, low_memory={low_memory!s:5}, {args.repeats} repeats: median "
              f"{statistics.median(ms):.1f} ms (fastest {ms[0]:.1f}, 90th percentile {ms[int(0.9 * len(ms))]:.1f}); "
              "target <= 20 ms")
    print(f"peak RSS, fresh plain process (load + one sentence): {plain:.0f} MiB")
    print(f"peak RSS, fresh kernel running all of lesson 12:      {kernel:.0f} MiB; target <= 150 MiB")


if __name__ == "__main__":
    main()
