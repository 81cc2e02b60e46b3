"""A small pytest plugin: wall time per test file, written to JSON.

Loaded by :mod:`benchmarks.bench_nbval` with ``-p benchmarks.nbval_timer``. A
notebook's span runs from the start of its first cell (when nbval starts its
kernel) to the end of its last one. With pytest-xdist the controller sees every
report, so the spans still hold (notebooks then overlap in time).
"""
from __future__ import annotations

import json
import os
import time

SPANS: dict[str, list[float]] = {}


def pytest_runtest_logstart(nodeid, location):
    path = nodeid.split("::")[0]
    SPANS.setdefault(path, [time.perf_counter(), 0.0])


def pytest_runtest_logfinish(nodeid, location):
    SPANS[nodeid.split("::")[0]][1] = time.perf_counter()


def pytest_sessionfinish(session, exitstatus):
    target = os.environ.get("NBVAL_TIMER_OUT")
    if target and not hasattr(session.config, "workerinput"):  # only the controller writes
        with open(target, "w") as out:
            json.dump({path: end - start for path, (start, end) in SPANS.items()}, out, indent=1)
