"""Start, stop and inspect the class's JupyterHub: ``python -m classroom.hub start|stop|status``.

``start`` makes the class's Unix accounts, then runs ``jupyterhub`` in the
background with ``jupyterhub_config.py`` and waits until it answers; ``stop`` ends
that hub and every process it started (proxy, culler, learners' servers and
kernels), and nothing else; ``status`` prints each account's memory and CPU.
"""
from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import psutil

from classroom import accounts, settings as class_settings
from classroom.settings import ROOT, ClassSettings, SettingsError

CONFIG = ROOT / "classroom" / "jupyterhub_config.py"
LEARNER_ENV = class_settings.learner_env()
PROXY = ROOT / "classroom" / "proxy" / "node_modules" / ".bin" / "configurable-http-proxy"


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def check_ready() -> None:
    """Raise with the fix when the hub cannot run here."""
    if os.geteuid() != 0:
        raise SystemExit("the classroom hub runs each learner as their own Unix user: start it as root")
    if not (LEARNER_ENV / "bin" / "jupyterhub-singleuser").exists():
        raise SystemExit(f"no learner environment at {LEARNER_ENV}: run `make classroom-deps`")
    if not PROXY.exists():
        raise SystemExit(f"no proxy at {PROXY}: run `make classroom-deps`")


def start(settings: ClassSettings, config_file: Path, timeout: float = 120) -> int:
    """Start the hub in the background for ``settings`` (read from ``config_file``); return its pid."""
    check_ready()
    state = settings.state_dir
    state.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(state, 0o700)
    if running_pid(state):
        raise SystemExit(f"a classroom hub is already running from {state}: `make classroom-stop` first")
    for name in settings.users:
        accounts.ensure_user(name)
    env = dict(os.environ, CLASSROOM_CONFIG=str(config_file), CLASSROOM_LEARNER_ENV=str(LEARNER_ENV),
               CLASSROOM_HUB_PORT=str(free_port()), CLASSROOM_PROXY_API_PORT=str(free_port()),
               CLASSROOM_PROGRESS_PORT=str(free_port()))
    with open(state / "hub.log", "ab") as log:
        process = subprocess.Popen([sys.executable, "-m", "jupyterhub", "-f", str(CONFIG)], cwd=state, env=env,
                                   stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   start_new_session=True)
    (state / "classroom.pid").write_text(str(process.pid))
    wait_until_up(settings, process, timeout)
    return process.pid


def wait_until_up(settings: ClassSettings, process: subprocess.Popen, timeout: float) -> None:
    """Wait until the hub answers through its proxy; raise with the log's end if it does not."""
    deadline = time.monotonic() + timeout
    for url in (f"http://{settings.ip}:{settings.port}/hub/api/", progress_url(settings) + "api/me"):
        while not answers(url):
            if process.poll() is not None:
                raise RuntimeError("JupyterHub exited early:\n" + log_tail(settings.state_dir))
            if time.monotonic() > deadline:
                raise TimeoutError(f"no answer at {url} within {timeout:.0f} s:\n" + log_tail(settings.state_dir))
            time.sleep(0.5)


def progress_url(settings: ClassSettings) -> str:
    """The progress service's address through the hub's proxy (its dashboard page)."""
    return f"http://{settings.ip}:{settings.port}/services/progress/"


def answers(url: str) -> bool:
    """True when ``url`` answers itself: 2xx, or the 401 of an API that wants a token."""
    try:
        urllib.request.urlopen(url, timeout=2)
        return True
    except urllib.error.HTTPError as err:
        return err.code == 401
    except OSError:
        return False


def log_tail(state: Path, chars: int = 3000) -> str:
    """The end of the hub's log."""
    log = state / "hub.log"
    return log.read_text(errors="replace")[-chars:] if log.exists() else "(no log)"


def running_pid(state: Path) -> int | None:
    """The pid of the hub started from ``state``, if that process still runs this configuration."""
    pid_file = state / "classroom.pid"
    if not pid_file.exists():
        return None
    try:
        process = psutil.Process(int(pid_file.read_text()))
        return process.pid if str(CONFIG) in process.cmdline() else None
    except (psutil.NoSuchProcess, ValueError):
        return None


def stop(state: Path, timeout: float = 60) -> bool:
    """Stop the hub started from ``state`` and every process it started. False if none ran."""
    pid = running_pid(state)
    if pid is None:
        (state / "classroom.pid").unlink(missing_ok=True)
        return False
    hub = psutil.Process(pid)
    started = hub.children(recursive=True)  # proxy, culler, learners' servers and their kernels
    hub.send_signal(signal.SIGTERM)  # the hub stops its servers and its proxy itself
    try:
        hub.wait(timeout)
    except psutil.TimeoutExpired:
        hub.kill()
    accounts.end_processes([p for p in started if p.is_running()])
    (state / "classroom.pid").unlink(missing_ok=True)
    return True


def usage(settings: ClassSettings) -> list[tuple[str, int, float, float]]:
    """(account, processes, resident MiB, CPU seconds) for the hub, the progress service and each class account."""
    own = hub_processes(settings.state_dir)
    progress = [p for p in own if is_progress_service(p)]
    rows = [("(hub, proxy, culler)",) + totals([p for p in own if p not in progress]),
            ("(progress service)",) + totals(progress)]
    for name in settings.users:
        if accounts.is_ours(name):
            rows.append((name,) + totals(accounts.processes_of(name)))
    return rows


def hub_processes(state: Path) -> list[psutil.Process]:
    """The hub started from ``state`` and its own helpers (proxy, culler: root's processes)."""
    pid = running_pid(state)
    if pid is None:
        return []
    hub = psutil.Process(pid)
    own = [hub]
    for child in hub.children(recursive=True):
        try:
            if child.uids().real == os.geteuid():
                own.append(child)
        except psutil.NoSuchProcess:
            pass
    return own


def is_progress_service(process: psutil.Process) -> bool:
    """True for the progress service's process (``python -m classroom.progress``)."""
    try:
        return "classroom.progress" in process.cmdline()
    except psutil.NoSuchProcess:
        return False


def totals(processes: list[psutil.Process]) -> tuple[int, float, float]:
    """Count, summed resident memory (MiB) and summed CPU seconds of ``processes``."""
    rss = cpu = 0.0
    count = 0
    for process in processes:
        try:
            with process.oneshot():
                rss += process.memory_info().rss / 2**20
                times = process.cpu_times()
                cpu += times.user + times.system
                count += 1
        except psutil.NoSuchProcess:
            pass
    return count, rss, cpu


def main(argv: list[str] | None = None) -> int:
    """The command line behind ``make classroom``, ``classroom-stop`` and ``classroom-status``."""
    parser = argparse.ArgumentParser(prog="python -m classroom.hub", description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["start", "stop", "status"])
    args = parser.parse_args(argv)
    path = class_settings.settings_path()
    try:
        if args.command == "start" and not path.exists():
            class_settings.write(class_settings.starter(), path)
            print(f"wrote a starter class (3 learners, 1 instructor, random passwords) to {path}")
        settings = class_settings.load(path)
    except SettingsError as err:
        print(f"classroom: {err}", file=sys.stderr)
        return 2
    if args.command == "start":
        pid = start(settings, path)
        print(f"JupyterHub (pid {pid}) serves the course at http://{settings.ip}:{settings.port}/ "
              f"to {len(settings.learners)} learners; accounts and passwords: {path}; "
              f"log: {settings.state_dir / 'hub.log'}; stop with `make classroom-stop`\n"
              f"class dashboard (instructors: everyone; learners: their own row): {progress_url(settings)}")
    elif args.command == "stop":
        print("stopped the classroom hub" if stop(settings.state_dir) else "no classroom hub was running")
    else:
        print(f"{'account':<22} {'processes':>9} {'resident MiB':>12} {'CPU s':>8}")
        for name, count, rss, cpu in usage(settings):
            print(f"{name:<22} {count:>9} {rss:>12.0f} {cpu:>8.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
