"""Load benchmark: N simulated learners and two real browser learners on a private hub.

``python -m classroom.load --users 10,20,30,50`` (``make classroom-load USERS=…``)
starts its own JupyterHub on free loopback ports, with Unix accounts it makes and
removes afterwards. At each step of the ramp the new learners log in, start their
servers, open a kernel and run lesson 01's cells; then every learner moves the
attention explorer's sliders at a human pace (a few moves a second, random pauses)
by setting widget values over the comm channel, and each round trip is timed until
the kernel has sent the view update and gone idle. Meanwhile two headless-Chromium
learners time slider → pixels as ``make bench`` does.

Every simulated learner also runs lesson 01's self-checks: a wrong and a right
answer to each on arrival, then one more every 8-15 s between slider moves. With
reporting on, the checks' verdicts go to the class's progress service; the
instructor follows the dashboard's live channel, which times each check from the
learner's call to the dashboard update, and at the end of each step every stored
count must equal the calls made (each verdict stored exactly once). With
``--reporting both`` (the default) the ramp runs twice, on a fresh hub each time:
without reporting, then with it, so the slider figures can be read side by side.
Loopback only, bounded in users and time, and it stops by itself. The tables go to
stdout and to ``artifacts/classroom-load/latest.md``.
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import re
import secrets
import sys
import tempfile
import threading
import time
from collections import Counter
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
CHECK_CALL = re.compile(r"\b(check_\w+)\s*\(")
CHECKS = ("check_plain_mean", "check_bank_blend", "check_river_weights")  # lesson 01's exercises
CHECK_GAP = (8.0, 15.0)  # seconds between one learner's extra checks while moving sliders
REPORTING_OFF = "from lessons_lib.checks.progress import reporting_off\nreporting_off()"
FLUSH = ("import json\nfrom lessons_lib.checks.progress import flush_reports, reporting_counts\n"
         "flush_reports(20)\nprint(json.dumps(reporting_counts()))")


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
    checks: int = 0  # self-check calls made by the simulated learners during this step
    stored_once: bool | None = None  # every call stored exactly once (None: reporting off)
    dashboard: list[float] = field(default_factory=list)  # check call → dashboard update, s, while moving sliders
    dashboard_arrival: list[float] = field(default_factory=list)  # the same for the checks run on arrival
    service_cpu: float = 0.0
    service_rss: float = 0.0


def check_code(name: str, right: bool) -> str:
    """One call of lesson 01's self-check ``name``: the worked solution, or the empty answer."""
    answer = f"basics.SOLUTIONS[{name!r}]()" if right else "..."
    return f"from lessons_lib.checks import basics\nbasics.{name}({answer})"


class Dashboard:
    """The instructor's side: the dashboard's live channel, and the checks it should show.

    Each simulated check is announced with :meth:`expect` just before the learner's
    kernel runs it; when a view from the live channel shows that many stored attempts
    for the learner and exercise, the delay since the call is one latency.
    """

    def __init__(self, instructor: Learner | None) -> None:
        self.instructor = instructor
        self.calls: Counter[tuple[str, str]] = Counter()
        self.waiting: list[tuple[str, str, int, float]] = []
        self.latencies: list[tuple[float, float]] = []  # (when the check was called, its delay to the dashboard)
        self.view: dict = {}

    def expect(self, user: str, exercise: str) -> None:
        """A check of ``exercise`` by ``user`` is about to run."""
        self.calls[(user, exercise)] += 1
        if self.instructor:
            self.waiting.append((user, exercise, self.calls[(user, exercise)], time.monotonic()))

    async def follow(self) -> None:
        """Read the live channel until cancelled, timing every expected check that appears."""
        headers = {"Authorization": f"token {self.instructor.token}"}
        async with self.instructor.bare.stream("GET", "/services/progress/api/events", headers=headers,
                                               timeout=None) as response:
            if response.status_code != 200:
                raise ClassroomError(f"dashboard live channel: HTTP {response.status_code}")
            async for line in response.aiter_lines():
                if line.startswith("data: "):
                    self.seen(json.loads(line[len("data: "):]), time.monotonic())

    def seen(self, view: dict, now: float) -> None:
        self.view = view
        still = []
        for user, exercise, attempts, sent in self.waiting:
            if self.stored(user, exercise) >= attempts:
                self.latencies.append((sent, now - sent))
            else:
                still.append((user, exercise, attempts, sent))
        self.waiting = still

    def stored(self, user: str, exercise: str) -> int:
        """Stored attempts of ``user`` at ``exercise`` in the last view."""
        rows = {row["name"]: row["cells"] for row in self.view.get("learners", [])}
        return rows.get(user, {}).get(exercise, {}).get("attempts", 0)

    def differences(self) -> list[str]:
        """Every learner and exercise whose stored count differs from the calls made."""
        return [f"{user}: {exercise} called {n} times, stored {self.stored(user, exercise)}"
                for (user, exercise), n in self.calls.items() if self.stored(user, exercise) != n]


async def run_checks(kernel: Kernel, dashboard: Dashboard, step: Step, calls: list[tuple[str, bool]]) -> None:
    """Run these self-check calls (name, right answer?) in ``kernel``, one after another."""
    for name, right in calls:
        dashboard.expect(kernel.username, name)
        step.checks += 1
        outcome = await kernel.execute(check_code(name, right), timeout=60)
        mark = "✅" if right else "❌"
        if outcome.errors or mark not in outcome.stdout:
            step.failures.append(f"{kernel.username}: {name} did not print {mark}: {outcome.errors}")


def lesson_cells() -> list[str]:
    """Lesson 01's code cells, as a learner runs them."""
    cells = json.loads(LESSON.read_text())["cells"]
    return ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]


async def arrive(learner: Learner, step: Step, delay: float, dashboard: Dashboard | None = None) -> Kernel | None:
    """Log in, start the server, open a kernel, run lesson 01 and (with a ``dashboard``) its
    self-checks, a wrong then a right answer each; failures go to ``step``."""
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
            if dashboard is not None:  # the lesson's own check cells (its empty answers) count too
                for name in CHECK_CALL.findall(cell):
                    dashboard.expect(learner.name, name)
                    step.checks += 1
            errors = (await kernel.execute(cell, timeout=180)).errors
            step.failures += [f"{learner.name}: cell error {e}" for e in errors]
        if dashboard is not None:
            if dashboard.instructor is None:  # the run without reporting
                await kernel.execute(REPORTING_OFF, timeout=60)
            await run_checks(kernel, dashboard, step, [(name, right) for name in CHECKS for right in (False, True)])
        return kernel
    except Exception as err:  # a benchmark counts every failure and goes on
        step.failures.append(f"{learner.name}: {stage} failed: {type(err).__name__}: {err}")
        return None


async def fidget(kernel: Kernel, until: float, rng: random.Random, step: Step, dashboard: Dashboard) -> None:
    """Move random explorer sliders to random values at a human pace until ``until``,
    with a self-check every 8-15 s."""
    sliders = list(kernel.sliders())  # lesson 01: the attention explorer, one slider a word
    if not sliders:
        step.failures.append(f"{kernel.username}: lesson 01 made no slider")
        return
    next_check = time.monotonic() + rng.uniform(*CHECK_GAP)
    while time.monotonic() < until:
        await asyncio.sleep(rng.uniform(*PAUSE))
        if time.monotonic() > next_check:
            await run_checks(kernel, dashboard, step, [(rng.choice(CHECKS), rng.random() < 0.5)])
            next_check = time.monotonic() + rng.uniform(*CHECK_GAP)
            continue
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
    """(CPU seconds, resident MiB) of the hub, its proxy and culler (root's processes), without the service."""
    _, rss, cpu = hub.totals([p for p in hub.hub_processes(state) if not hub.is_progress_service(p)])
    return cpu, rss


def service_usage(state: Path) -> tuple[float, float]:
    """(CPU seconds, resident MiB) of the progress service."""
    _, rss, cpu = hub.totals([p for p in hub.hub_processes(state) if hub.is_progress_service(p)])
    return cpu, rss


async def run_step(step: Step, base: str, new: list[Learner], kernels: dict[str, Kernel], browsers: list[Learner],
                   settings: ClassSettings, seconds: float, rng: random.Random, dashboard: Dashboard) -> None:
    """Let the ``new`` learners arrive, then every learner moves sliders for ``seconds``; then
    (reporting on) check that the dashboard holds every verdict exactly once."""
    arrived = await asyncio.gather(*(arrive(p, step, rng.uniform(0, 3), dashboard) for p in new))
    kernels.update({p.name: k for p, k in zip(new, arrived) if k})
    before, hub_before, start = usage_by_account(list(kernels)), hub_usage(settings.state_dir), time.monotonic()
    service_before = service_usage(settings.state_dir)
    client_before = sum(psutil.Process().cpu_times()[:2])
    threads = [threading.Thread(target=browser_learner, args=(base, b.name, settings.learner_password, step))
               for b in browsers]
    for thread in threads:
        thread.start()
    until = time.monotonic() + seconds
    await asyncio.gather(*(fidget(k, until, random.Random(rng.random()), step, dashboard) for k in kernels.values()))
    while any(t.is_alive() for t in threads):  # the browsers finish their fixed number of moves
        await asyncio.sleep(0.5)
    wall = time.monotonic() - start
    after, hub_after = usage_by_account(list(kernels)), hub_usage(settings.state_dir)
    step.learner_cpu = [100 * (after[n][0] - before[n][0]) / wall for n in kernels]
    step.learner_rss = [after[n][1] for n in kernels]
    step.hub_cpu, step.hub_rss = 100 * (hub_after[0] - hub_before[0]) / wall, hub_after[1]
    step.client_cpu = 100 * (sum(psutil.Process().cpu_times()[:2]) - client_before) / wall
    service_after = service_usage(settings.state_dir)
    step.service_cpu, step.service_rss = 100 * (service_after[0] - service_before[0]) / wall, service_after[1]
    step.failures += [f"{k.username}: lost kernel: {k.lost}" for k in kernels.values() if k.lost]
    step.load = os.getloadavg()
    if dashboard.instructor is not None:
        await settle(kernels, dashboard, step, start)


async def settle(kernels: dict[str, Kernel], dashboard: Dashboard, step: Step, moving_from: float,
                 timeout: float = 30) -> None:
    """Wait until every kernel has sent its reports and the dashboard shows them; record what differs."""
    for kernel in kernels.values():
        outcome = await kernel.execute(FLUSH, timeout=60)
        counts = json.loads(outcome.stdout.strip().splitlines()[-1]) if outcome.stdout.strip() else {}
        if counts.get("pending", 1) or counts.get("refused", 0) or counts.get("dropped", 0):
            step.failures.append(f"{kernel.username}: reports not all delivered: {counts or outcome.errors}")
    deadline = time.monotonic() + timeout
    while dashboard.waiting and time.monotonic() < deadline:
        await asyncio.sleep(0.2)
    step.dashboard = [delay for sent, delay in dashboard.latencies if sent >= moving_from]
    step.dashboard_arrival = [delay for sent, delay in dashboard.latencies if sent < moving_from]
    dashboard.latencies.clear()
    differences = dashboard.differences()
    step.stored_once = not differences
    step.failures += differences[:20]


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
             "| hub CPU % / RSS MiB | load generator CPU % | checks (each stored once?) "
             "| check → dashboard ms p50 / p95, moving sliders | the same, arriving "
             "| progress service CPU % / RSS MiB | failures | load average |",
             "|---:|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    stored = {None: "not reported", True: "yes", False: "NO"}
    for s in steps:
        cpu = f"{np.mean(s.learner_cpu):.1f} / {max(s.learner_cpu):.1f}" if s.learner_cpu else "—"
        rss = f"{np.mean(s.learner_rss):.0f} / {max(s.learner_rss):.0f}" if s.learner_rss else "—"
        lines.append(f"| {s.users} | {percentiles(s.logins, digits=2)} | {percentiles(s.spawns, digits=1)} "
                     f"| {percentiles(s.round_trips, 1000)} ({len(s.round_trips)}) | {percentiles(s.browser_ms)} "
                     f"| {cpu} | {rss} | {s.hub_cpu:.1f} / {s.hub_rss:.0f} | {s.client_cpu:.0f} "
                     f"| {s.checks} ({stored[s.stored_once]}) | {percentiles(s.dashboard, 1000)} "
                     f"| {percentiles(s.dashboard_arrival, 1000)} "
                     f"| {s.service_cpu:.1f} / {s.service_rss:.0f} | {len(s.failures)} "
                     f"| {' '.join(f'{x:.1f}' for x in s.load)} |")
    return "\n".join(lines)


def holds(step: Step) -> bool:
    """True when a step meets the issue's targets."""
    rtt = np.percentile(step.round_trips, 95) * 1000 if step.round_trips else float("inf")
    browser = np.percentile(step.browser_ms, 95) if step.browser_ms else float("inf")
    return rtt <= 150 and browser <= 200 and not step.failures


async def ramp(counts: list[int], seconds: float, max_minutes: float, workdir: Path, reporting: bool) -> list[Step]:
    """Start a private hub, run every step of the ramp within ``max_minutes``, clean up.

    With ``reporting`` the learners' self-checks report to the progress service and the
    instructor follows the dashboard; without, the learners switch reporting off.
    """
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
    instructor = Learner(base, settings.instructors[0], settings.instructor_password) if reporting else None
    dashboard, following = Dashboard(instructor), None
    try:
        hub.start(settings, config, timeout=180)
        if instructor is not None:
            await instructor.login()
            await instructor.request_token("dashboard follower")
            following = asyncio.create_task(dashboard.follow())
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
            await run_step(step, base, people[previous:count], kernels, browsers, settings, seconds, rng, dashboard)
            steps.append(step)
            print(table([step]).splitlines()[-1], file=sys.stderr, flush=True)
            for failure in step.failures[:20]:
                print(f"  failure: {failure}", file=sys.stderr)
    finally:
        if following is not None:
            following.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await following
        for kernel in kernels.values():
            await kernel.close()
        for person in people + browsers + ([instructor] if instructor else []):
            await person.close()
        hub.stop(settings.state_dir)
        for name in settings.users:
            accounts.remove_user(name)
    return steps


def report(runs: dict[str, list[Step]], seconds: float) -> str:
    """The tables, one per run, with what was measured and the largest step that holds the targets."""
    parts = [f"Classroom load, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} cores, "
             f"{psutil.virtual_memory().total / 2**30:.0f} GiB; {seconds:.0f} s of slider moves per step, with lesson "
             f"01's self-checks ({len(CHECKS)} wrong and {len(CHECKS)} right on arrival, then one every "
             f"{CHECK_GAP[0]:.0f}-{CHECK_GAP[1]:.0f} s), plus 2 headless-Chromium learners. Load average at the end "
             f"of each step (other work on this machine counts too)."]
    for name, steps in runs.items():
        held = [s.users for s in steps if holds(s)]
        parts.append(f"### {name}\n\n{table(steps)}\n\n{TARGETS}. Largest number of learners that holds them: "
                     f"{max(held) if held else 'none'}.")
    return "\n\n".join(parts) + "\n"


def main(argv: list[str] | None = None) -> int:
    """``make classroom-load USERS=10,20,30,50``."""
    parser = argparse.ArgumentParser(prog="python -m classroom.load", description=__doc__.splitlines()[0])
    parser.add_argument("--users", default="10,20,30,50", help="comma-separated learner counts, rising")
    parser.add_argument("--seconds", type=float, default=30, help="seconds of slider moves at each step")
    parser.add_argument("--max-minutes", type=float, default=40, help="stop starting new steps after this, per run")
    parser.add_argument("--reporting", choices=["on", "off", "both"], default="both",
                        help="self-checks report to the progress service (on), not (off), or one run each (both)")
    args = parser.parse_args(argv)
    counts = sorted(int(n) for n in args.users.split(","))
    if not counts or counts[0] < 1 or counts[-1] > MAX_USERS:
        parser.error(f"--users: counts between 1 and {MAX_USERS}")
    hub.check_ready()
    runs: dict[str, list[Step]] = {}
    for reporting in {"on": [True], "off": [False], "both": [False, True]}[args.reporting]:
        name = "with reporting to the progress service" if reporting else "without reporting"
        print(f"classroom-load: a run {name}", file=sys.stderr, flush=True)
        with tempfile.TemporaryDirectory(prefix="classroom-load-") as tmp:
            runs[name] = asyncio.run(ramp(counts, args.seconds, args.max_minutes, Path(tmp), reporting))
    text = report(runs, args.seconds)
    out = ROOT / "artifacts" / "classroom-load"
    out.mkdir(parents=True, exist_ok=True)
    failures = [f"- {name}, {s.users}: {f}" for name, steps in runs.items() for s in steps for f in s.failures]
    (out / "latest.md").write_text(text + "\n" + "\n".join(failures))
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
