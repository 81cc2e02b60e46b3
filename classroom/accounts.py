"""The learners' Unix accounts: private homes, and their own copy of the lessons.

Every account this module makes carries :data:`MARK` in its comment field, so
:func:`remove_user` never touches an account it did not make.
"""
from __future__ import annotations

import os
import pwd
import shutil
import signal
import subprocess
import time
from pathlib import Path

import psutil

from classroom.settings import ROOT

MARK = "attention-classroom"
LESSONS = ROOT / "notebooks"


def is_ours(name: str) -> bool:
    """True when ``name`` is a Unix account made by this module."""
    try:
        return pwd.getpwnam(name).pw_gecos == MARK
    except KeyError:
        return False


def ensure_user(name: str) -> pwd.struct_passwd:
    """Make the Unix account ``name`` (home readable by its owner only) unless it exists."""
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        subprocess.run(["useradd", "--create-home", "--shell", "/bin/bash", "--comment", MARK,
                        "--key", "HOME_MODE=0700", name], check=True, capture_output=True)
        entry = pwd.getpwnam(name)
    os.chmod(entry.pw_dir, 0o700)  # never world- or group-readable, whatever useradd's defaults
    return entry


def place_lessons(name: str) -> int:
    """Copy the lessons into ``~name/notebooks``, never overwriting a file already there.

    Returns
    -------
    int
        How many notebooks were copied (0 on a later start).
    """
    entry = pwd.getpwnam(name)
    target = Path(entry.pw_dir) / "notebooks"
    target.mkdir(mode=0o700, exist_ok=True)
    os.chown(target, entry.pw_uid, entry.pw_gid)
    copied = 0
    for lesson in sorted(LESSONS.glob("*.ipynb")):
        destination = target / lesson.name
        if destination.exists():
            continue
        shutil.copyfile(lesson, destination)
        os.chown(destination, entry.pw_uid, entry.pw_gid)
        os.chmod(destination, 0o600)
        copied += 1
    return copied


def processes_of(name: str) -> list[psutil.Process]:
    """The running processes of the Unix account ``name``."""
    uid = pwd.getpwnam(name).pw_uid
    found = []
    for process in psutil.process_iter(["uids"]):
        if process.info["uids"] and process.info["uids"].real == uid:
            found.append(process)
    return found


def end_processes(processes: list[psutil.Process], timeout: float = 10) -> None:
    """Terminate these processes by pid, then kill the ones still alive after ``timeout``."""
    for process in processes:
        try:
            process.send_signal(signal.SIGTERM)
        except psutil.NoSuchProcess:
            pass
    _, alive = psutil.wait_procs(processes, timeout=timeout)
    for process in alive:
        try:
            process.kill()
        except psutil.NoSuchProcess:
            pass


def remove_user(name: str) -> None:
    """End the processes of an account this module made, then delete it and its home."""
    if not is_ours(name):
        return
    end_processes(processes_of(name))
    for _ in range(3):
        result = subprocess.run(["userdel", "--remove", name], capture_output=True, text=True)
        if result.returncode in (0, 12):  # 12: home already gone
            return
        time.sleep(1)
    raise RuntimeError(f"userdel {name} failed: {result.stderr.strip()}")
