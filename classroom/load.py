"""Load benchmark: N simulated learners and two real browser learners on a private hub.

``python -m classroom.load --users 10,20,30,50`` (``make classroom-load USERS=…``)
starts its own JupyterHub on free loopback ports, with Unix accounts it makes and
removes afterwards. At each step of the ramp the new learners log in, start their
servers, open a kernel and run lesson 01's cells; then every learner moves the
attention explorer's sliders at a human pace (a few moves a second, random pauses)
by setting widget values over the comm channel, and each round trip is timed until
the kernel has sent the view update and gone idle. Meanwhile two headless-Chromium
learners time slider → pixels as ``make bench`` does. Loopback only, bounded in
users and time, and it stops by itself. A table per step goes to stdout and to
``artifacts/classroom-load/latest.md``.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import secrets
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import psutil

from classroom import accounts, hub, settings as class_settings
from classroom.client import ClassroomError, Kernel, Learner
from classroom.settings import ROOT, ClassSettings

MAX_USERS = 100
PAUSE = (0.15, 0.6)  # seconds between one learner's slider moves: a few a second, irregular
LESSON = ROOT / "notebooks" / "01_weighted_averages.ipynb"
BROWSER_NOTEBOOK = "bench_explorer.ipynb"
BROWSER_VIEW = "attention weight explorer, lesson 01"  # the view the two browser learners time
TARGETS = "targets: slider round trip p95 ≤ 150 ms, browser slider → pixels p95 ≤ 200 ms, no failure"


@dataclass
class Step:
    """The figures of one step of the ramp (times in seconds)."""

    users: int
    logins: list[float] = field(default_factory=list)
    spawns: list[float] = field(default_factory=list)
    round_trips: list[float] = field(default_factory=list)
    browser_ms: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    learner_cpu: list[float] = field(default_factory=list)  # % of one core, per learner
    learner_rss: list[float] = field(default_factory=list)  # MiB, per learner
    hub_cpu: float = 0.0
    hub_rss: float = 0.0
    client_cpu: float = 0.0  # % of one core used by this benchmark's own process (the simulated learners)
    load: tuple[float, float, float] = (0.0, 0.0, 0.0)


def lesson_cells() -> list[str]:
    """Lesson 01's code cells, as a learner runs them."""
    cells = json.loads(LESSON.read_text())["cells"]
    return ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]


async def arrive(learner: Learner, step: Step, delay: float) -> Kernel | None:
    """Log in, start the server, open a kernel, run lesson 01; failures go to ``step``."""
    await asyncio.sleep(delay)
    stage = "login"
    try:
        start = time.perf_counter()
        await learner.login()
        step.logins.append(time.perf_counter() - start)
        await learner.request_token()
        stage, start = "spawn", time.perf_counter()
        await learner.start_server()
        step.spawns.append(time.perf_counter() - start)
        stage = "kernel"
        kernel = await learner.start_kernel()
        for cell in lesson_cells():
            errors = (await kernel.execute(cell, timeout=180)).errors
            step.failures += [f"{learner.name}: cell error {e}" for e in errors]
        return kernel
    except Exception as err:  # a benchmark counts every failure and goes on
        step.failures.append(f"{learner.name}: {stage} failed: {type(err).__name__}: {err}")
        return None


async def fidget(kernel: Kernel, until: float, rng: random.Random, step: Step) -> None:
    """Move random explorer sliders to random values at a human pace until ``until``."""
    sliders = list(kernel.sliders())  # lesson 01: the attention explorer, one slider a word
    if not sliders:
        step.failures.append(f"{kernel.username}: lesson 01 made no slider")
        return
    while time.monotonic() < until:
        await asyncio.sleep(rng.uniform(*PAUSE))
        comm_id = rng.choice(sliders)
        state = kernel.models[comm_id]
        value = round(rng.uniform(state["min"], state["max"]) / state["step"]) * state["step"]
        try:
            seconds, outcome = await kernel.move(comm_id, value, timeout=30)
        except ClassroomError as err:
            step.failures.append(str(err))
            return
        if outcome.status == "timeout" or outcome.errors:
            step.failures.append(f"{kernel.username}: slider {outcome.status} {outcome.errors}")
        elif outcome.updates:
            step.round_trips.append(seconds)


class HubLab:
    """The ``url`` that ``benchmarks.bench_browser.measure`` opens, on a hub learner's server."""

    def __init__(self, base: str, name: str) -> None:
        self.base, self.name = base, name

    def url(self, notebook: str) -> str:
        return f"{self.base}/user/{self.name}/lab/tree/{notebook}?reset"


def browser_learner(base: str, name: str, password: str, step: Step) -> None:
    """Log in with headless Chromium and time slider → pixels on the attention explorer."""
    sys.path.insert(0, str(ROOT / "tests"))
    from playwright.sync_api import sync_playwright

    from benchmarks.bench_browser import VIEWS, measure
    from browser import CHROMIUM, CHROMIUM_ARGS

    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(f"{base}/hub/login")
            page.fill("#username_input", name)
            page.fill("#password_input", password)
            page.click("#login_submit")
            page.wait_for_load_state()
            view_ms, _floor_ms = measure(page, HubLab(base, name), BROWSER_NOTEBOOK, VIEWS[BROWSER_VIEW])
            step.browser_ms += view_ms
            browser.close()
    except Exception as err:  # a benchmark reports what broke and goes on
        step.failures.append(f"browser {name}: {type(err).__name__}: {str(err)[:200]}")


async def prepare_browser_learner(learner: Learner, step: Step) -> None:
    """Start a browser learner's server and give it the explorer notebook."""
    from benchmarks.bench_browser import FLOOR, VIEWS

    await arrive(learner, step, 0)
    cells = [{"cell_type": "code", "source": code, "metadata": {}, "outputs": [], "execution_count": None}
             for code in (VIEWS[BROWSER_VIEW].code, FLOOR)]  # the view, then the do-nothing slider
    notebook = {"cells": cells,
                "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
                "nbformat": 4, "nbformat_minor": 5}
    await learner.api("PUT", f"/user/{learner.name}/api/contents/{BROWSER_NOTEBOOK}",
                      json={"type": "notebook", "format": "json", "content": notebook})


def usage_by_account(names: list[str]) -> dict[str, tuple[float, float]]:
    """(CPU seconds, resident MiB) summed over each account's processes."""
    return {name: hub.totals(accounts.processes_of(name))[1:][::-1] for name in names}


def hub_usage(state: Path) -> tuple[float, float]:
    """(CPU seconds, resident MiB) of the hub, its proxy and culler (root's processes)."""
    _, rss, cpu = hub.totals(hub.hub_processes(state))
    return cpu, rss


async def run_step(step: Step, base: str, new: list[Learner], kernels: dict[str, Kernel],
                   browsers: list[Learner], settings: ClassSettings, seconds: float, rng: random.Random) -> None:
    """Let the ``new`` learners arrive, then every learner moves sliders for ``seconds``."""
    arrived = await asyncio.gather(*(arrive(p, step, rng.uniform(0, 3)) for p in new))
    kernels.update({p.name: k for p, k in zip(new, arrived) if k})
    before, hub_before, start = usage_by_account(list(kernels)), hub_usage(settings.state_dir), time.monotonic()
    client_before = sum(psutil.Process().cpu_times()[:2])
    threads = [threading.Thread(target=browser_learner, args=(base, b.name, settings.learner_password, step))
               for b in browsers]
    for thread in threads:
        thread.start()
    until = time.monotonic() + seconds
    await asyncio.gather(*(fidget(k, until, random.Random(rng.random()), step) for k in kernels.values()))
    while any(t.is_alive() for t in threads):  # the browsers finish their fixed number of moves
        await asyncio.sleep(0.5)
    wall = time.monotonic() - start
    after, hub_after = usage_by_account(list(kernels)), hub_usage(settings.state_dir)
    step.learner_cpu = [100 * (after[n][0] - before[n][0]) / wall for n in kernels]
    step.learner_rss = [after[n][1] for n in kernels]
    step.hub_cpu, step.hub_rss = 100 * (hub_after[0] - hub_before[0]) / wall, hub_after[1]
    step.client_cpu = 100 * (sum(psutil.Process().cpu_times()[:2]) - client_before) / wall
    step.failures += [f"{k.username}: lost kernel: {k.lost}" for k in kernels.values() if k.lost]
    step.load = os.getloadavg()


def percentiles(values: list[float], scale: float = 1.0, digits: int = 0) -> str:
    """"p50 / p95" of ``values`` times ``scale``, or "—" when there are none."""
    if not values:
        return "—"
    p50, p95 = np.percentile(np.asarray(values) * scale, [50, 95])
    return f"{p50:.{digits}f} / {p95:.{digits}f}"


def table(steps: list[Step]) -> str:
    """The ramp as a Markdown table, one row per step."""
    lines = ["| learners | login s p50 / p95 | spawn s p50 / p95 | slider round trip ms p50 / p95 (moves) "
             "| browser slider → pixels ms p50 / p95 | CPU % per learner mean / max | RSS MiB per learner mean / max "
             "| hub CPU % / RSS MiB | load generator CPU % | failures | load average |",
             "|---:|---|---|---|---|---|---|---|---|---|---|"]
    for s in steps:
        cpu = f"{np.mean(s.learner_cpu):.1f} / {max(s.learner_cpu):.1f}" if s.learner_cpu else "—"
        rss = f"{np.mean(s.learner_rss):.0f} / {max(s.learner_rss):.0f}" if s.learner_rss else "—"
        lines.append(f"| {s.users} | {percentiles(s.logins, digits=2)} | {percentiles(s.spawns, digits=1)} "
                     f"| {percentiles(s.round_trips, 1000)} ({len(s.round_trips)}) | {percentiles(s.browser_ms)} "
                     f"| {cpu} | {rss} | {s.hub_cpu:.1f} / {s.hub_rss:.0f} | {s.client_cpu:.0f} | {len(s.failures)} "
                     f"| {' '.join(f'{x:.1f}' for x in s.load)} |")
    return "\n".join(lines)


def holds(step: Step) -> bool:
    """True when a step meets the issue's targets."""
    rtt = np.percentile(step.round_trips, 95) * 1000 if step.round_trips else float("inf")
    browser = np.percentile(step.browser_ms, 95) if step.browser_ms else float("inf")
    return rtt <= 150 and browser <= 200 and not step.failures


async def ramp(counts: list[int], seconds: float, max_minutes: float, workdir: Path) -> list[Step]:
    """Start a private hub, run every step of the ramp within ``max_minutes``, clean up."""
    tag = secrets.token_hex(2)
    settings = ClassSettings(learners=[f"clload{tag}n{i:03d}" for i in range(max(counts) + 2)],
                             instructors=[f"clload{tag}t"], learner_password=secrets.token_urlsafe(12),
                             instructor_password=secrets.token_urlsafe(32), port=hub.free_port(),
                             state_dir=workdir / "state", idle_timeout=3600)
    config = workdir / "class.toml"
    class_settings.write(settings, config)
    base, steps, rng = f"http://127.0.0.1:{settings.port}", [], random.Random(0)
    people = [Learner(base, n, settings.learner_password, timeout=300) for n in settings.learners]
    browsers, people = people[-2:], people[:-2]
    kernels: dict[str, Kernel] = {}
    deadline = time.monotonic() + 60 * max_minutes
    try:
        hub.start(settings, config, timeout=180)
        setup = Step(0)
        await asyncio.gather(*(prepare_browser_learner(b, setup) for b in browsers))
        if setup.failures:
            raise SystemExit("browser learners could not start: " + "; ".join(setup.failures))
        for count in counts:
            if time.monotonic() > deadline:
                print(f"stopping before {count} learners: the {max_minutes:.0f}-minute limit is reached", file=sys.stderr)
                break
            print(f"classroom-load: {count} learners…", file=sys.stderr, flush=True)
            step, previous = Step(count), steps[-1].users if steps else 0
            await run_step(step, base, people[previous:count], kernels, browsers, settings, seconds, rng)
            steps.append(step)
            print(table([step]).splitlines()[-1], file=sys.stderr, flush=True)
            for failure in step.failures[:20]:
                print(f"  failure: {failure}", file=sys.stderr)
    finally:
        for kernel in kernels.values():
            await kernel.close()
        for person in people + browsers:
            await person.close()
        hub.stop(settings.state_dir)
        for name in settings.users:
            accounts.remove_user(name)
    return steps


def report(steps: list[Step], seconds: float) -> str:
    """The tables, with what was measured and the largest step that holds the targets."""
    held = [s.users for s in steps if holds(s)]
    return (f"Classroom load, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} cores, "
            f"{psutil.virtual_memory().total / 2**30:.0f} GiB; {seconds:.0f} s of slider moves per step, "
            f"plus 2 headless-Chromium learners. Load average at the end of each step (other work on this machine "
            f"counts too).\n\n{table(steps)}\n\n{TARGETS}. Largest number of learners that holds them: "
            f"{max(held) if held else 'none'}.\n")


def main(argv: list[str] | None = None) -> int:
    """``make classroom-load USERS=10,20,30,50``."""
    parser = argparse.ArgumentParser(prog="python -m classroom.load", description=__doc__.splitlines()[0])
    parser.add_argument("--users", default="10,20,30,50", help="comma-separated learner counts, rising")
    parser.add_argument("--seconds", type=float, default=30, help="seconds of slider moves at each step")
    parser.add_argument("--max-minutes", type=float, default=40, help="stop starting new steps after this")
    args = parser.parse_args(argv)
    counts = sorted(int(n) for n in args.users.split(","))
    if not counts or counts[0] < 1 or counts[-1] > MAX_USERS:
        parser.error(f"--users: counts between 1 and {MAX_USERS}")
    hub.check_ready()
    with tempfile.TemporaryDirectory(prefix="classroom-load-") as tmp:
        steps = asyncio.run(ramp(counts, args.seconds, args.max_minutes, Path(tmp)))
    text = report(steps, args.seconds)
    out = ROOT / "artifacts" / "classroom-load"
    out.mkdir(parents=True, exist_ok=True)
    (out / "latest.md").write_text(text + "\n" + "\n".join(f"- {s.users}: {f}" for s in steps for f in s.failures))
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
