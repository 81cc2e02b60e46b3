"""Benchmarks for the course: how fast the sliders, the maths and the notebooks are.

Run them all with ``make bench`` (or ``.venv/bin/python -m benchmarks.run``); each
``bench_*`` module also runs on its own (``python -m benchmarks.bench_attention``).
Timings vary on shared machines, so every figure is a median (and 95th percentile)
measured in one run, next to its target; nothing here is a pass/fail test.
"""
