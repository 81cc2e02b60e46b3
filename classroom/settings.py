"""The class: who may log in, with which passwords, and where the hub listens.

Read from a small TOML file kept outside the repository (``CLASSROOM_CONFIG``,
by default ``~/.config/attention-classroom/class.toml``); the environment variables
``CLASSROOM_LEARNER_PASSWORD`` and ``CLASSROOM_INSTRUCTOR_PASSWORD`` override the
passwords in it. ``make classroom`` writes a starter file with random passwords
the first time, readable by its owner only.
"""
from __future__ import annotations

import hashlib
import os
import re
import secrets
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_FILE = Path("~/.config/attention-classroom/class.toml").expanduser()
NAME = re.compile(r"^[a-z][a-z0-9-]{1,30}$")
# JupyterHub's shared-password authenticator asks for at least 8 and 32 characters.
MIN_LEARNER_PASSWORD, MIN_INSTRUCTOR_PASSWORD = 8, 32
DB_URL = re.compile(r"^(sqlite|postgresql)(\+\w+)?://")


def learner_env() -> Path:
    """The learners' environment: ``CLASSROOM_LEARNER_ENV``, else where ``make classroom-deps`` puts it.

    As root that is ``/opt/attention-classroom/<checkout hash>``, a folder every
    account can enter wherever the checkout is; otherwise ``.venv-learners``.
    """
    if "CLASSROOM_LEARNER_ENV" in os.environ:
        return Path(os.environ["CLASSROOM_LEARNER_ENV"])
    if os.geteuid() == 0:
        return Path("/opt/attention-classroom") / hashlib.sha256(str(ROOT).encode()).hexdigest()[:12]
    return ROOT / ".venv-learners"


class SettingsError(ValueError):
    """The class settings are missing something or hold a bad value."""


@dataclass
class ClassSettings:
    """Everything the hub needs to know about one class.

    Attributes
    ----------
    learners, instructors : list of str
        Hub user names, each also a Unix account. Instructors are the hub's admins.
    learner_password, instructor_password : str
        The shared passwords (never stored in the repository).
    ip, port : str, int
        Where the hub's public proxy listens (127.0.0.1 unless you say otherwise).
    state_dir : Path
        Hub database, cookie secret and pid files (made readable by root only).
    idle_timeout : int
        Seconds of inactivity before a learner's server is culled.
    progress_db_url : str
        Where the progress service keeps verdicts (an SQLAlchemy URL, SQLite or
        PostgreSQL); empty for ``progress.sqlite`` in ``state_dir``.
    stuck_minutes : int
        The dashboard lists a learner as stuck on an exercise after 3 failed
        attempts and no pass in this many minutes.
    """

    learners: list[str]
    instructors: list[str]
    learner_password: str
    instructor_password: str
    ip: str = "127.0.0.1"
    port: int = 8000
    state_dir: Path = field(default_factory=lambda: ROOT / "artifacts" / "classroom")
    idle_timeout: int = 3600
    progress_db_url: str = ""
    stuck_minutes: int = 10

    def __post_init__(self) -> None:
        self.state_dir = Path(self.state_dir).expanduser()
        bad = [n for n in self.learners + self.instructors if not NAME.match(n)]
        if bad:
            raise SettingsError(f"user names must be 2-31 of a-z, 0-9, '-', starting with a letter: {bad}")
        if set(self.learners) & set(self.instructors):
            raise SettingsError("a name cannot be both a learner and an instructor")
        if not self.instructors:
            raise SettingsError("name at least one instructor")
        if len(self.learner_password) < MIN_LEARNER_PASSWORD:
            raise SettingsError(f"learner_password needs at least {MIN_LEARNER_PASSWORD} characters")
        if len(self.instructor_password) < MIN_INSTRUCTOR_PASSWORD:
            raise SettingsError(f"instructor_password needs at least {MIN_INSTRUCTOR_PASSWORD} characters")
        if self.learner_password == self.instructor_password:
            raise SettingsError("the learner and instructor passwords must differ")
        if self.progress_db_url and not DB_URL.match(self.progress_db_url):
            raise SettingsError("progress_db_url must be an SQLAlchemy URL starting sqlite:// or postgresql://")
        if isinstance(self.stuck_minutes, bool) or not isinstance(self.stuck_minutes, int) \
                or not 1 <= self.stuck_minutes <= 24 * 60:
            raise SettingsError("stuck_minutes must be a whole number of minutes from 1 to 1440")

    @property
    def progress_db(self) -> str:
        """The progress service's database URL: ``progress_db_url``, else SQLite in ``state_dir``."""
        return self.progress_db_url or f"sqlite:///{self.state_dir / 'progress.sqlite'}"

    @property
    def users(self) -> list[str]:
        """Every account of the class, instructors first."""
        return self.instructors + self.learners


def settings_path() -> Path:
    """The settings file named by ``CLASSROOM_CONFIG``, or the default one."""
    return Path(os.environ.get("CLASSROOM_CONFIG", DEFAULT_FILE)).expanduser()


def load(path: Path | None = None) -> ClassSettings:
    """Read the class settings, with the password environment variables on top."""
    path = path or settings_path()
    if not path.exists():
        raise SettingsError(f"no class settings at {path}: run `make classroom` once to create a starter file")
    if path.stat().st_mode & 0o077:
        raise SettingsError(f"{path} holds passwords: make it readable by its owner only (chmod 600)")
    data = tomllib.loads(path.read_text())
    data["learner_password"] = os.environ.get("CLASSROOM_LEARNER_PASSWORD", data.get("learner_password", ""))
    data["instructor_password"] = os.environ.get("CLASSROOM_INSTRUCTOR_PASSWORD", data.get("instructor_password", ""))
    try:
        return ClassSettings(**data)
    except TypeError as err:
        raise SettingsError(f"{path}: {err}") from None


def write(settings: ClassSettings, path: Path) -> None:
    """Write ``settings`` as TOML, readable by its owner only."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    names = lambda xs: "[" + ", ".join(f'"{x}"' for x in xs) + "]"  # noqa: E731
    text = (f"# Class settings for `make classroom` (keep out of the repository).\n"
            f"learners = {names(settings.learners)}\ninstructors = {names(settings.instructors)}\n"
            f'learner_password = "{settings.learner_password}"\n'
            f'instructor_password = "{settings.instructor_password}"\n'
            f'ip = "{settings.ip}"\nport = {settings.port}\nstate_dir = "{settings.state_dir}"\n'
            f"idle_timeout = {settings.idle_timeout}\n"
            f'progress_db_url = "{settings.progress_db_url}"\nstuck_minutes = {settings.stuck_minutes}\n')
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(text)


def starter(learners: int = 3) -> ClassSettings:
    """A small class with random passwords: ``learner1``…, and ``instructor``."""
    return ClassSettings(
        learners=[f"learner{i}" for i in range(1, learners + 1)], instructors=["instructor"],
        learner_password=secrets.token_urlsafe(9), instructor_password=secrets.token_urlsafe(32),
    )
