"""Measurements in a short-lived worker process (lesson 07): time and peak memory of attention.

A lesson starts its measurements early with :func:`start_worker` and collects them
later (:func:`cost_result`, :func:`blockwise_cost`), so they run while the learner
reads, and the large arrays never enlarge the notebook's kernel. This module needs
only numpy (no plotting libraries), so the worker starts quickly; the tables and
figures of the results are in :mod:`lessons_lib.sequence_models` and
:mod:`lessons_lib.blockwise`.
"""
from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import time
import tracemalloc
from dataclasses import dataclass
from typing import Callable, Iterator, Sequence

import numpy as np
from threadpoolctl import threadpool_limits

from ._validate import as_count, as_positive
from .attention import _workers, attend, attend_blockwise
from .recurrent import random_recurrent_weights, recurrent_states

MIB = 2.0**20


# --- timing and peak memory ---------------------------------------------------------------
def best_time(function: Callable[[], object], repeats: int = 3, *, budget: float = 0.01) -> float:
    """The fastest run of ``function()``, in seconds: at least ``repeats`` runs, more while under ``budget`` s.

    Single runs are noisy (other programs, caches, threads waiting for a core), and
    noise only ever adds time, so the fastest run is the fairest estimate. Quick
    functions get extra runs within the small time ``budget`` (at most 100 runs).
    """
    repeats = as_count(repeats, "repeats")
    budget = as_positive(budget, "budget")
    times: list[float] = []
    while len(times) < repeats or (sum(times) < budget and len(times) < 100):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


@contextlib.contextmanager
def one_blas_thread() -> Iterator[bool]:
    """Inside the block, numpy's matrix products use one thread (yields True).

    Timing one core against one core is fair to the loop, which cannot use more, and a
    single thread never waits for a busy core, so the times are steadier.
    """
    with threadpool_limits(limits=1, user_api="blas"):
        yield True


def peak_bytes(function: Callable[[], object]) -> int:
    """Peak memory newly allocated while ``function()`` runs (numpy arrays included).

    numpy reports its array buffers to :mod:`tracemalloc`, so the peak is the
    same on every run of the same computation (after a first, warming-up call).
    """
    tracemalloc.start()
    try:
        function()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@dataclass(frozen=True)
class CostMeasurement:
    """Times (s) and peak memory (bytes) per sequence length, for attention and the loop.

    The peaks are the same on every run; the times vary from run to run.
    """

    sizes: np.ndarray
    attention_seconds: np.ndarray
    recurrent_seconds: np.ndarray
    attention_peak: np.ndarray
    recurrent_peak: np.ndarray

    @property
    def weight_matrix(self) -> np.ndarray:
        """The analytic size of one float32 (n, n) weight matrix, in bytes."""
        return self.sizes.astype(float) ** 2 * 4


@dataclass(frozen=True)
class BlockwiseCost:
    """Time of one run (s) and its peak extra memory (bytes), per n, for attend and attend_blockwise.

    attend's entries are NaN for the sizes where it was not run (see :func:`blockwise_task`).
    """

    sizes: np.ndarray
    attend_seconds: np.ndarray
    blockwise_seconds: np.ndarray
    attend_peak: np.ndarray
    blockwise_peak: np.ndarray
    dim: int
    block: int
    workers: int

    @property
    def weight_matrix(self) -> np.ndarray:
        """Bytes of one float32 (n, n) matrix."""
        return self.sizes.astype(float) ** 2 * 4

    @property
    def blockwise_bound(self) -> np.ndarray:
        """What attend_blockwise may hold: n × block scores, plus 5 float32 arrays of n × (d + 1)."""
        n = self.sizes.astype(float)
        return 4 * (n * self.block + 5 * n * (self.dim + 1))


_BLOCKWISE_FIELDS = ("sizes", "attend_seconds", "blockwise_seconds", "attend_peak", "blockwise_peak")


# --- the tasks and the worker process ------------------------------------------------------
def cost_task(sizes: Sequence[int] = (64, 128, 256, 512, 1024, 2048, 4096), *, dim: int = 32,
              seed: int = 0, repeats: int = 3) -> tuple[str, dict]:
    """Time and peak memory of attention and of a recurrent loop, as a task for :func:`start_worker`.

    See :func:`~lessons_lib.sequence_models.measure_cost`, which runs it at once.
    """
    ns = [as_count(n, "sizes") for n in sizes]
    return "cost", {"ns": ns, "dim": as_count(dim, "dim"), "seed": as_count(seed, "seed", low=0),
                    "repeats": as_count(repeats, "repeats")}


def cost_result(pending: "Worker") -> CostMeasurement:
    """Wait for a :func:`cost_task` started with :func:`start_worker`, and return its measurement."""
    values = _result_of(pending, "cost", "cost_task")
    return CostMeasurement(*(np.array(values[field]) for field in _COST_FIELDS))


def blockwise_task(sizes: Sequence[int] = (1024, 2048, 4096, 8192, 16384), *, dim: int = 16, block: int = 256,
                   seed: int = 0, attend_up_to: int = 8192) -> tuple[str, dict]:
    """Timing attend and attend_blockwise on n random float32 tokens, as a task for
    :func:`~lessons_lib.sequence_models.start_worker` (arguments checked).

    ``attend`` runs only for n ≤ ``attend_up_to``: at n = 16384 its weights alone take
    1 GiB for several seconds, too much for a class of learners sharing one server.
    """
    ns = [as_count(n, "sizes") for n in sizes]
    return "blockwise", {"ns": ns, "dim": as_count(dim, "dim"), "block": as_count(block, "block"),
                         "seed": as_count(seed, "seed", low=0), "attend_up_to": as_count(attend_up_to, "attend_up_to")}


def blockwise_cost(pending: Worker) -> BlockwiseCost:
    """Wait for a :func:`blockwise_task` started with :func:`start_worker`; attend's entries are NaN where it did not run."""
    values = _result_of(pending, "blockwise", "blockwise_task")
    measured = (np.array([np.nan if v is None else v for v in values[f]], dtype=float) for f in _BLOCKWISE_FIELDS[1:])
    return BlockwiseCost(np.array(values["sizes"]), *measured, values["dim"], values["block"], values["workers"])


_WORKER_CODE = "from lessons_lib.measuring import _worker_main; _worker_main()"
_WORKER_TASKS = {  # task name -> function here taking the JSON arguments, returning a JSON-able dict
    "cost": "_cost_task",
    "blockwise": "_blockwise_task",
}
_COST_FIELDS = ("sizes", "attention_seconds", "recurrent_seconds", "attention_peak", "recurrent_peak")


class Worker:
    """Measurements running one after another in a fresh, short-lived Python process.

    Each task's answer is one line of JSON, read by :meth:`result` (which waits for it).
    Tasks run in turn, never side by side, so one task's timings are not slowed down by
    the next. A plain subprocess (not :mod:`multiprocessing`) works from notebooks,
    scripts and ``python -`` alike: it never re-imports the caller's ``__main__``. Its
    memory is returned to the system when it ends, so large arrays never swell the caller.
    """

    def __init__(self, tasks: Sequence[tuple[str, dict]]) -> None:
        names = [task[0] if isinstance(task, tuple) and len(task) == 2 else task for task in tasks]
        unknown = [name for name in names if name not in _WORKER_TASKS]
        if unknown or not names:
            raise ValueError(f"task must be one of {', '.join(_WORKER_TASKS)}, got {unknown or 'none'}")
        self.tasks = list(names)
        self.process = subprocess.Popen([sys.executable, "-c", _WORKER_CODE], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        with contextlib.suppress(BrokenPipeError):  # a process that died at once: result() says why
            self.process.stdin.write(json.dumps([{"task": name, "args": args} for name, args in tasks]))
            self.process.stdin.close()
        self._answers: list[dict] = []

    def result(self, task: str | None = None) -> dict:
        """The JSON answer of ``task`` (the first task by default); waits for it the first time."""
        task = self.tasks[0] if task is None else task
        if task not in self.tasks:
            raise ValueError(f"task must be one this worker runs ({', '.join(self.tasks)}), got {task!r}")
        index = self.tasks.index(task)
        while len(self._answers) <= index:
            line = self.process.stdout.readline()
            if not line:  # the process ended before answering
                self.process.wait()
                raise RuntimeError(f"the measuring process failed:\n{self.process.stderr.read().strip()}")
            self._answers.append(json.loads(line))
        if len(self._answers) == len(self.tasks):
            self._close()
        return self._answers[index]

    def _close(self) -> None:
        """Let the finished process go (its pipes closed, its exit status collected)."""
        self.process.stdout.close()
        self.process.stderr.close()
        self.process.wait()


def start_worker(*tasks: tuple[str, dict]) -> Worker:
    """Start ``tasks`` (from :func:`cost_task` and :func:`blockwise_task`) one after another in one
    worker process; read them with :func:`cost_result` and :func:`blockwise_cost`."""
    return Worker(tasks)


def _result_of(pending: Worker, task: str, maker: str) -> dict:
    """The answer of ``task`` from ``pending``, with a clear error for anything else."""
    if not isinstance(pending, Worker):
        raise TypeError(f"pending must be what start_worker returned, got {type(pending).__name__}")
    if task not in pending.tasks:
        raise ValueError(f"pending does not run a {maker}(...) task: it runs {', '.join(pending.tasks)}")
    return pending.result(task)


def _cost_task(args: dict) -> dict:
    cost = _measure_cost_here(**args)
    return {field: getattr(cost, field).tolist() for field in _COST_FIELDS}


def _worker_main() -> None:
    """Entry point of the measuring process: a JSON list of tasks on stdin, one JSON line per task out."""
    for request in json.loads(sys.stdin.read()):
        function = globals()[_WORKER_TASKS[request["task"]]]
        print(json.dumps(function(request["args"])), flush=True)


def _measure_cost_here(ns: list[int], dim: int, seed: int, repeats: int) -> CostMeasurement:
    """:func:`~lessons_lib.sequence_models.measure_cost` in this process (arguments already validated)."""
    rng = np.random.default_rng(seed)
    w, u = (m.astype(np.float32) for m in random_recurrent_weights(dim, seed=seed))
    warm = np.ones((2, dim), dtype=np.float32)  # first calls set up caches: keep them out of the peaks
    peak_bytes(lambda: (attend(warm, warm, warm), recurrent_states(warm, w, u)))
    rows = []
    for n in ns:
        x = rng.standard_normal((n, dim)).astype(np.float32)
        run_attention = lambda: attend(x, x, x)  # noqa: E731 - all n rows at once
        run_loop = lambda: recurrent_states(x, w, u)  # noqa: E731 - n steps, one after another
        with one_blas_thread():  # one core each
            (a_time, a_peak), (r_time, r_peak) = _time_and_peak(run_attention, repeats), _time_and_peak(run_loop, repeats)
        rows.append((a_time, r_time, a_peak, r_peak))
    a_time, r_time, a_peak, r_peak = (np.array(col) for col in zip(*rows))
    return CostMeasurement(np.array(ns), a_time, r_time, a_peak, r_peak)


def _time_and_peak(function: Callable[[], object], repeats: int) -> tuple[float, int]:
    """:func:`best_time` over ``repeats`` runs, the first of them traced for its peak memory (no extra run).

    Tracing only ever adds time to that run, so the fastest run is still a fair estimate.
    """
    first, peak = _timed_peak(function)
    return (min(first, best_time(function, repeats - 1)) if repeats > 1 else first), peak


def _timed_peak(function) -> tuple[float, int]:
    """One run of ``function()``: its time (s) and the peak memory it newly allocated (bytes)."""
    tracemalloc.start()
    try:
        start = time.perf_counter()
        function()
        return time.perf_counter() - start, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _blockwise_task(args: dict) -> dict:
    """The worker's side: one timed, traced run of each function per n (after a small warming run)."""
    rng, dim, block = np.random.default_rng(args["seed"]), args["dim"], args["block"]
    warm = np.ones((2 * block, dim), dtype=np.float32)
    attend(warm, warm, warm), attend_blockwise(warm, warm, warm, block=block)
    rows = []
    for n in args["ns"]:
        x = rng.standard_normal((n, dim), dtype=np.float32)
        a_time, a_peak = _timed_peak(lambda: attend(x, x, x)) if n <= args["attend_up_to"] else (None, None)
        b_time, b_peak = _timed_peak(lambda: attend_blockwise(x, x, x, block=block))
        rows.append((n, a_time, b_time, a_peak, b_peak))
    result = {field: [row[k] for row in rows] for k, field in enumerate(_BLOCKWISE_FIELDS)}
    return {**result, "dim": dim, "block": block, "workers": _workers()}


__all__ = [
    "MIB", "best_time", "one_blas_thread", "peak_bytes", "CostMeasurement", "BlockwiseCost", "cost_task",
    "cost_result", "blockwise_task", "blockwise_cost", "Worker", "start_worker",
]
