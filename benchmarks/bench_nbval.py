"""The whole course under strict nbval: total time, and each notebook beyond a kernel's start-up.

A bare kernel's start-up (and the start-up plus ``import lessons_lib.widgets``,
what most lessons import) is measured first, so a notebook's own cost is its
nbval span minus that start-up. The course is run serially three times (the median
total and per-notebook spans are reported) and, when pytest-xdist is installed, once
with two workers (total).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from benchmarks.common import NOTEBOOKS, ROOT, Figure, summarise

KERNEL_RUNS = 3
SERIAL_RUNS = 3  # whole-course serial runs; their median is reported
TOTAL_TARGET = 30.0  # s, whole course
BEYOND_KERNEL_TARGET = 3.0  # s, each notebook beyond kernel start


def kernel_start_seconds(runs: int = KERNEL_RUNS) -> tuple[list[float], list[float]]:
    """Start-up of a bare python3 kernel, and of one that then imports lessons_lib.widgets."""
    from jupyter_client.manager import start_new_kernel

    bare, with_import = [], []
    for _ in range(runs):
        start = time.perf_counter()
        manager, client = start_new_kernel(kernel_name="python3")
        bare.append(time.perf_counter() - start)
        try:
            client.execute_interactive("import lessons_lib.widgets", timeout=120)
            with_import.append(time.perf_counter() - start)
        finally:
            client.stop_channels()
            manager.shutdown_kernel(now=True)
    return bare, with_import


def xdist_available() -> bool:
    try:
        import xdist  # noqa: F401
    except ImportError:
        return False
    return True


def run_nbval(extra: list[str]) -> tuple[float, dict[str, float], list[str]]:
    """Run strict nbval on every notebook; wall seconds, spans per notebook, failing notebooks."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "spans.json"
        env = dict(os.environ, NBVAL_TIMER_OUT=str(out), PATH=f"{Path(sys.executable).parent}:{os.environ['PATH']}")
        env.pop("PYTHONDONTWRITEBYTECODE", None)  # as under make: bytecode caches kept
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "pytest", str(NOTEBOOKS.relative_to(ROOT)), "-q",
                               "-p", "no:hypothesispytest", "-p", "no:anyio", "-p", "benchmarks.nbval_timer", *extra],  # as make nbval
                              cwd=ROOT, env=env, capture_output=True, text=True)
        total = time.perf_counter() - start
        spans = json.loads(out.read_text()) if out.exists() else {}
    failed = sorted({line.split()[1].split("::")[0] for line in done.stdout.splitlines() if line.startswith("FAILED ")})
    return total, spans, failed


def _status(failed: list[str]) -> str:
    return "all passed" if not failed else "FAILED: " + ", ".join(Path(f).stem for f in failed)


def run() -> list[Figure]:
    bare, with_import = kernel_start_seconds()
    kernel = float(np.median(bare))
    figures = [summarise("kernel", "bare kernel start-up", bare, "s"),
               summarise("kernel", "kernel start-up + import lessons_lib.widgets", with_import, "s")]
    # One run can be 15 % slower than the next on a shared machine: the median of a few, with the range.
    runs = [run_nbval([]) for _ in range(SERIAL_RUNS)]
    totals = [total for total, _, _ in runs]
    failed = sorted({path for _, _, failing in runs for path in failing})
    spans = {path: float(np.median([run[1].get(path, np.nan) for run in runs])) for path in runs[0][1]}
    figures.append(Figure("nbval", f"whole course, serial ({len(spans)} notebooks)", float(np.median(totals)), "s",
                          target=TOTAL_TARGET, note=f"median of {SERIAL_RUNS} runs ({min(totals):.1f}-"
                                                    f"{max(totals):.1f} s); {_status(failed)}"))
    if xdist_available():
        total2, _, failed2 = run_nbval(["-n", "2", "--dist", "loadfile"])
        figures.append(Figure("nbval", "whole course, -n 2 --dist loadfile", total2, "s", target=TOTAL_TARGET,
                              note=_status(failed2)))
    for path, span in sorted(spans.items()):
        figures.append(Figure("nbval", f"{Path(path).stem} beyond kernel start", span - kernel, "s",
                              target=BEYOND_KERNEL_TARGET, note=f"span {span:.1f} s (median of {SERIAL_RUNS} runs)"))
    return figures


if __name__ == "__main__":
    from benchmarks.common import markdown_table

    print(markdown_table(run()))
