"""Run every benchmark once and print one Markdown table (also saved to artifacts/bench/latest.md).

Usage: ``python -m benchmarks.run [--only attention,blockwise,widgets,memory,nbval,browser]``
"""
from __future__ import annotations

import argparse
import datetime
import os
import platform
import sys

import matplotlib
import numpy as np

from benchmarks import bench_attention, bench_blockwise, bench_browser, bench_memory, bench_nbval, bench_widgets
from benchmarks.common import ROOT, markdown_table

SUITES = {  # quick ones first; the browser last, as it starts its own JupyterLab
    "attention": bench_attention, "blockwise": bench_blockwise, "widgets": bench_widgets, "memory": bench_memory,
    "nbval": bench_nbval, "browser": bench_browser,
}
OUTPUT = ROOT / "artifacts" / "bench" / "latest.md"


def header() -> str:
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (f"Measured {datetime.date.today().isoformat()} on {os.cpu_count()} cores "
            f"(load average at start {load}); Python {platform.python_version()}, numpy {np.__version__}, "
            f"matplotlib {matplotlib.__version__}. Medians (and 95th percentiles) from one run.")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default=",".join(SUITES), help="comma-separated suites to run")
    names = [n.strip() for n in parser.parse_args(argv).only.split(",") if n.strip()]
    unknown = sorted(set(names) - set(SUITES))
    if unknown:
        parser.error(f"unknown suite(s) {', '.join(unknown)}; choose from {', '.join(SUITES)}")
    intro = header()
    figures = []
    for name in names:
        print(f"running {name}…", file=sys.stderr, flush=True)
        figures += SUITES[name].run()
    report = f"{intro}\n\n{markdown_table(figures)}\n"
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(report)
    print(report)
    print(f"(saved to {OUTPUT.relative_to(ROOT)})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
