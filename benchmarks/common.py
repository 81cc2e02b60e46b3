"""Shared pieces of the benchmarks: one result row, timing loops, the Markdown table."""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"


@dataclass
class Figure:
    """One measured figure: a median (and a 95th percentile when it was repeated).

    ``target`` (and ``p95_target``) are the upper bounds the issue asks for; None:
    the figure is there for context.
    """

    section: str
    name: str
    median: float
    unit: str
    p95: float | None = None
    target: float | None = None
    note: str = ""
    p95_target: float | None = None

    @property
    def verdict(self) -> str:
        if self.target is None:
            return ""
        ok = self.median <= self.target and (self.p95_target is None or self.p95 <= self.p95_target)
        return "meets" if ok else "misses"


def summarise(section: str, name: str, samples: list[float], unit: str = "ms", *,
              target: float | None = None, p95_target: float | None = None, note: str = "") -> Figure:
    """Median and 95th percentile of repeated samples."""
    values = np.asarray(samples, dtype=float)
    return Figure(section, name, float(np.median(values)), unit, float(np.percentile(values, 95)), target,
                  note or f"{len(values)} runs", p95_target)


def repeat_ms(step: Callable[[int], object], runs: int, *, warmup: int = 3) -> tuple[list[float], list[float]]:
    """Call ``step(k)`` ``runs`` times; wall-clock and CPU milliseconds of each call."""
    for k in range(warmup):
        step(k)
    wall, cpu = [], []
    for k in range(runs):
        w0, c0 = time.perf_counter(), time.process_time()
        step(warmup + k)
        cpu.append((time.process_time() - c0) * 1e3)
        wall.append((time.perf_counter() - w0) * 1e3)
    return wall, cpu


def _number(value: float | None, unit: str) -> str:
    if value is None:
        return ""
    if np.isnan(value):
        return "—"
    if unit == "×":
        return f"{value:.2f}×"
    return f"{value:.0f} {unit}" if value >= 100 else f"{value:.1f} {unit}"


def markdown_table(figures: list[Figure]) -> str:
    """All figures as one Markdown table, grouped by section."""
    lines = ["| measure | median | p95 | target | | note |", "|---|---:|---:|---:|---|---|"]
    for f in figures:
        target = f"≤ {_number(f.target, f.unit)}" if f.target is not None else ""
        if f.p95_target is not None:
            target += f", p95 ≤ {_number(f.p95_target, f.unit)}"
        lines.append(f"| {f.section}: {f.name} | {_number(f.median, f.unit)} | {_number(f.p95, f.unit)} "
                     f"| {target} | {f.verdict} | {f.note} |")
    return "\n".join(lines)
