"""Where a self-check's verdict goes, and the learner's own progress.

Every public ``check_*`` carries its lesson through :func:`exercise`. After the check
has printed its verdict, the verdict is recorded once:

- in this computer's progress file, a small JSON file (``progress.json`` under
  ``$XDG_DATA_HOME/attention-course/``, by default ``~/.local/share/attention-course/``;
  ``ATTENTION_PROGRESS_FILE`` names another file, ``off`` keeps it in memory only);
- on a class hub (both ``JUPYTERHUB_API_TOKEN`` and ``ATTENTION_PROGRESS_URL`` set, and
  reporting not switched off), also in the class's progress service: one HTTP POST of
  lesson, exercise, passed, attempt number and time, from a background thread.

Recording never prints, never raises and never waits for the network. Only the
functions a learner calls on purpose print: :func:`show_my_progress`,
:func:`reporting_off` and :func:`reporting_on`.
"""
from __future__ import annotations

import functools
import importlib
import json
import os
import pkgutil
import stat
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, TypeVar
from urllib.parse import urlsplit

from .._validate import as_positive

LESSONS: dict[str, str] = {
    "00_welcome": "Welcome",
    "01_weighted_averages": "Weighted averages",
    "02_softmax": "Valid weights and softmax",
    "03_scores_from_content": "Scores from content",
    "04_bank_two_meanings": "One word, two meanings",
    "05_trophy_and_suitcase": "The trophy and the suitcase",
    "06_translation_spotlight": "Translation as a spotlight",
    "07_attention_vs_rnn_cnn": "Attention, RNNs and CNNs",
    "08_learning_the_weights": "Learning the weights",
    "09_queries_keys_values": "Queries, keys and values",
    "10_multi_head_attention": "Multi-head attention and word order",
    "11_transformer_block": "The transformer block",
    "12_pretrained_model": "A real pretrained model",
}
"""Lesson id (the notebook's file stem) -> its title on lesson 00's map."""

POST_TIMEOUT = 0.2  # seconds a report may take before it counts as failed
ME_TIMEOUT = 1.0  # seconds my_progress waits for the service
POST_GAP = 0.1  # seconds between two reports: the service takes at most 10 a second
RETRY_FIRST, RETRY_LAST = 2.0, 60.0  # pause after a failed report, doubling up to the last
OUTBOX_LIMIT = 1000  # reports kept for a retry; the oldest goes first
OFF = "off"

Check = TypeVar("Check", bound=Callable[..., Any])
_LABELS: dict[str, str] = {}  # exercise id -> lesson id, filled by @exercise
_inside = threading.local()  # a labelled check called by another records nothing


# --- labels ---------------------------------------------------------------------------
def exercise(lesson: str) -> Callable[[Check], Check]:
    """Label a public check with its lesson; every call then records its verdict once.

    Parameters
    ----------
    lesson : the id of the lesson whose notebook calls the check, e.g. ``"02_softmax"``

    Returns
    -------
    A decorator. The check itself is unchanged: same output, same return value.
    """
    if lesson not in LESSONS:
        raise ValueError(f"lesson must be a lesson id such as '02_softmax', got {lesson!r}")

    def label(check: Check) -> Check:
        name = check.__name__

        @functools.wraps(check)
        def labelled(*args: Any, **kwargs: Any) -> Any:
            if getattr(_inside, "check", None):
                return check(*args, **kwargs)
            _inside.check, passed = name, False
            try:
                verdict = check(*args, **kwargs)
                passed = _truth(verdict)
                return verdict
            finally:
                _inside.check = None
                _RECORDER.record_quietly(lesson, name, passed)

        labelled.lesson = lesson  # type: ignore[attr-defined]
        _LABELS[name] = lesson
        return labelled  # type: ignore[return-value]

    return label


def _truth(verdict: Any) -> bool:
    try:
        return bool(verdict)
    except Exception:
        return False


def catalog() -> dict[str, str]:
    """Every labelled check: ``{exercise id: lesson id}``, in the order they are defined."""
    package = importlib.import_module(__package__)
    for module in pkgutil.iter_modules(package.__path__):
        if not module.name.startswith("_") and module.name != __name__.rsplit(".", 1)[1]:
            importlib.import_module(f"{__package__}.{module.name}")
    return dict(_LABELS)


# --- where things are kept --------------------------------------------------------------
def _xdg_file(variable: str, fallback: str, name: str) -> Path:
    base = os.environ.get(variable, "")
    folder = Path(base) if os.path.isabs(base) else Path.home() / fallback
    return folder / "attention-course" / name


def progress_file() -> Path | None:
    """The progress file of this computer, or None when ``ATTENTION_PROGRESS_FILE=off``."""
    chosen = os.environ.get("ATTENTION_PROGRESS_FILE", "").strip()
    if chosen.lower() == OFF:
        return None
    return Path(chosen).expanduser() if chosen else _xdg_file("XDG_DATA_HOME", ".local/share", "progress.json")


def settings_file() -> Path | None:
    """The file that remembers the reporting switch, or None when ``ATTENTION_SETTINGS_FILE=off``."""
    chosen = os.environ.get("ATTENTION_SETTINGS_FILE", "").strip()
    if chosen.lower() == OFF:
        return None
    return Path(chosen).expanduser() if chosen else _xdg_file("XDG_CONFIG_HOME", ".config", "settings.json")


def _read_json(path: Path | None) -> dict | None:
    """The JSON object in ``path``; None when it is missing, unreadable, not a regular file or not JSON."""
    if path is None:
        return None
    try:
        real = Path(os.path.realpath(path))
        if not stat.S_ISREG(os.stat(real).st_mode):
            return None
        with open(real, encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _write_json(path: Path, data: dict) -> bool:
    """Replace ``path`` atomically with ``data`` (mode 0600); never replace anything but a regular file."""
    try:
        real = Path(os.path.realpath(path))
        if real.exists() and not stat.S_ISREG(os.stat(real).st_mode):
            return False
        real.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=real.parent, prefix=f".{real.name}.", suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump(data, out, indent=1, sort_keys=True)
            os.replace(temporary, real)
        except BaseException:
            os.unlink(temporary)
            raise
    except (OSError, ValueError, TypeError):
        return False
    return True


# --- the learner's record ---------------------------------------------------------------
@dataclass(frozen=True)
class ExerciseProgress:
    """One exercise's record: passed if any attempt passed; ``last`` in epoch seconds."""

    lesson: str
    exercise: str
    passed: bool
    attempts: int
    last: float


@dataclass(frozen=True)
class Progress:
    """The learner's progress, where it came from (``source``) and a sentence saying so."""

    exercises: tuple[ExerciseProgress, ...]
    source: str  # "service", "file" or "memory"
    note: str

    def of(self, exercise: str) -> ExerciseProgress | None:
        """The record of one exercise, or None if it was never checked."""
        return next((e for e in self.exercises if e.exercise == exercise), None)


def _entries(raw: Any) -> tuple[ExerciseProgress, ...]:
    """Well-formed exercise records from a list of dicts (the service's or the file's)."""
    found = []
    for item in raw if isinstance(raw, list) else []:
        try:
            entry = ExerciseProgress(str(item["lesson"]), str(item["exercise"]), item["passed"] is True,
                                     int(item["attempts"]), float(item["last"]))
        except (KeyError, TypeError, ValueError):
            continue
        found.append(entry)
    return tuple(found)


def _as_book(data: dict | None) -> dict[str, dict] | None:
    """The exercises of a progress file as ``{exercise: record}``, or None if it has none."""
    if data is None or not isinstance(data.get("exercises"), list):
        return None
    return {e.exercise: vars(e).copy() for e in _entries(data["exercises"])}


def _hub() -> tuple[str, str] | None:
    """(the service's base URL, the learner's token) on a class hub, else None."""
    url = os.environ.get("ATTENTION_PROGRESS_URL", "").strip()
    token = os.environ.get("JUPYTERHUB_API_TOKEN", "").strip()
    if not url or not token or urlsplit(url).scheme not in ("http", "https"):
        return None
    return (url if url.endswith("/") else url + "/"), token


# --- the reporter ---------------------------------------------------------------------
def _opener() -> urllib.request.OpenerDirector:
    """Plain HTTP(S): no proxy from the environment, no redirect (the token goes to one place)."""
    opener = urllib.request.OpenerDirector()
    for handler in (urllib.request.HTTPHandler(), urllib.request.HTTPSHandler(),
                    urllib.request.HTTPDefaultErrorHandler(), urllib.request.HTTPErrorProcessor()):
        opener.add_handler(handler)
    return opener


@dataclass
class _Report:
    id: str
    url: str
    token: str
    body: bytes


class _Reporter:
    """Sends reports one by one from a daemon thread; keeps what failed for a later retry."""

    def __init__(self) -> None:
        self._wake = threading.Condition()
        self._outbox: dict[str, _Report] = {}
        self._in_flight: str | None = None
        self._resume_at = 0.0  # monotonic time before which nothing is sent
        self._failures_in_a_row = 0
        self._thread: threading.Thread | None = None
        self._opener = _opener()
        self.counts = {"sent": 0, "failed": 0, "refused": 0, "dropped": 0}

    def submit(self, report: _Report) -> None:
        with self._wake:
            if len(self._outbox) >= OUTBOX_LIMIT:
                self._outbox.pop(next(iter(self._outbox)))
                self.counts["dropped"] += 1
            self._outbox[report.id] = report
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="attention-course-reporter", daemon=True)
                self._thread.start()
            self._wake.notify_all()

    def pending(self) -> int:
        with self._wake:
            return len(self._outbox)

    def discard(self) -> None:
        """Forget every report not yet sent (the learner switched reporting off)."""
        with self._wake:
            self.counts["dropped"] += len(self._outbox) - (self._in_flight in self._outbox)
            self._outbox = {}  # a report on its way finishes, but is not tried again

    def flush(self, timeout: float) -> bool:
        """Retry now, and wait up to ``timeout`` seconds for the outbox to empty."""
        deadline = time.monotonic() + timeout
        with self._wake:
            self._resume_at = 0.0
            self._wake.notify_all()
            while self._outbox and time.monotonic() < deadline:
                self._wake.wait(min(0.05, max(0.0, deadline - time.monotonic())))
            return not self._outbox

    def _next(self) -> _Report:
        with self._wake:
            while not self._outbox or time.monotonic() < self._resume_at:
                wait = self._resume_at - time.monotonic() if self._outbox else None
                self._wake.wait(wait)
            report = next(iter(self._outbox.values()))
            self._in_flight = report.id
            return report

    def _run(self) -> None:
        while True:
            try:
                report = self._next()
                outcome, pause = self._post(report)
                self._settle(report, outcome, pause)
            except Exception:  # never let the thread die or print
                with self._wake:
                    self._in_flight, self._resume_at = None, time.monotonic() + RETRY_LAST

    def _post(self, report: _Report) -> tuple[str, float]:
        """("sent" | "refused" | "failed", seconds to pause before the next report)."""
        request = urllib.request.Request(
            report.url + "api/verdicts", data=report.body, method="POST",
            headers={"Authorization": f"token {report.token}", "Content-Type": "application/json"})
        try:
            with self._opener.open(request, timeout=POST_TIMEOUT):
                return "sent", POST_GAP
        except urllib.error.HTTPError as err:
            err.close()
            if err.code == 429:
                return "failed", _retry_after(err.headers.get("Retry-After"))
            if err.code == 408 or err.code >= 500:
                return "failed", self._backoff()
            return "refused", POST_GAP
        except Exception:  # refused connection, timeout, broken reply
            return "failed", self._backoff()

    def _backoff(self) -> float:
        return min(RETRY_LAST, RETRY_FIRST * 2 ** self._failures_in_a_row)

    def _settle(self, report: _Report, outcome: str, pause: float) -> None:
        with self._wake:
            self.counts[outcome] += 1
            self._failures_in_a_row = self._failures_in_a_row + 1 if outcome == "failed" else 0
            if outcome != "failed":
                self._outbox.pop(report.id, None)
            elif report.id in self._outbox:  # retried later, after the newer reports
                self._outbox[report.id] = self._outbox.pop(report.id)
            self._in_flight = None
            self._resume_at = time.monotonic() + pause
            self._wake.notify_all()


def _retry_after(header: str | None) -> float:
    try:
        return min(RETRY_LAST, max(POST_GAP, float(header or "")))
    except ValueError:
        return 1.0


# --- recording ------------------------------------------------------------------------
class _Recorder:
    """The record of this kernel (and of the progress file), the switch and the reporter."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._memory: dict[str, dict] = {}  # the record when no file keeps it
        self._switch: bool | None = None  # the reporting switch, once set in this kernel
        self.reporter = _Reporter()
        self.local_failures = 0
        self._file_works = True  # the last write to the progress file succeeded

    def record_quietly(self, lesson: str, exercise: str, passed: bool) -> None:
        try:
            self.record(lesson, exercise, passed)
        except Exception:
            self.local_failures += 1

    def record(self, lesson: str, exercise: str, passed: bool) -> None:
        now = time.time()
        with self._lock:
            path = progress_file()
            book, _ = self._book(path)
            old = book.get(exercise, {})
            entry = {"lesson": lesson, "exercise": exercise, "passed": bool(old.get("passed")) or passed,
                     "attempts": int(old.get("attempts", 0)) + 1, "last": now}
            self._memory = {**book, exercise: entry}
            if path is not None:
                self._file_works = _write_json(path, {"version": 1, "exercises": list(self._memory.values())})
                self.local_failures += not self._file_works
        hub = _hub()
        if hub is not None and self.reporting_enabled():
            body = {"id": uuid.uuid4().hex, "lesson": lesson, "exercise": exercise, "passed": bool(passed),
                    "attempt": entry["attempts"], "time": now}
            self.reporter.submit(_Report(body["id"], *hub, json.dumps(body).encode()))

    def _book(self, path: Path | None) -> tuple[dict[str, dict], bool]:
        """The record to build on, and whether it is the progress file's."""
        if path is None:
            return self._memory, False
        saved = _as_book(_read_json(path))
        if saved is not None:
            return saved, True
        if self._file_works and not os.path.lexists(path):  # never written, or deleted: start afresh
            return {}, True
        return self._memory, False  # unreadable, or not a file we may write

    def local(self) -> Progress:
        """The record kept on this computer (or in this kernel), with a note saying where."""
        path = progress_file()
        with self._lock:
            book, from_file = self._book(path)
        entries = _entries(list(book.values()))
        if path is None:
            return Progress(entries, "memory", "Kept in this kernel only (ATTENTION_PROGRESS_FILE=off): nothing is saved.")
        if not from_file:
            return Progress(entries, "memory", f"Kept in this kernel only: the progress file {_shown(path)} "
                                               "could not be read or written.")
        return Progress(entries, "file", f"Kept on this computer, in {_shown(path)}.")

    def reporting_enabled(self) -> bool:
        if os.environ.get("ATTENTION_REPORTING", "").strip().lower() == OFF:
            return False
        if self._switch is not None:
            return self._switch
        return (_read_json(settings_file()) or {}).get("reporting") is not False

    def switch(self, on: bool) -> bool:
        """Set the reporting switch; True when it is saved for the next kernels too."""
        self._switch = on
        if not on:
            self.reporter.discard()
        path = settings_file()
        return path is not None and _write_json(path, {**(_read_json(path) or {}), "reporting": on})


def _shown(path: Path) -> str:
    """A path with the home folder written as ``~``."""
    try:
        return "~/" + Path(path).relative_to(Path.home()).as_posix()
    except ValueError:
        return str(path)


_RECORDER = _Recorder()


# --- what a learner calls -----------------------------------------------------------------
def reporting_enabled() -> bool:
    """Whether this kernel may send verdicts to a class's progress service (only on a hub)."""
    return _RECORDER.reporting_enabled()


def reporting_off() -> None:
    """Stop sending verdicts to the class's progress service, in this kernel and the next ones."""
    saved = _RECORDER.switch(False)
    where = "from now on" if saved else "in this kernel (the setting could not be saved)"
    print(f"Reporting is off {where}: your checks' verdicts stay on this computer. "
          "reporting_on() switches it back on.")


def reporting_on() -> None:
    """Send verdicts to the class's progress service again (on a class hub only)."""
    saved = _RECORDER.switch(True)
    state = "on" if saved else "on in this kernel (the setting could not be saved)"
    hub = "" if _hub() else " This kernel is not on a class hub, so nothing is sent anyway."
    forced = " But ATTENTION_REPORTING=off still keeps it off." if not reporting_enabled() else ""
    print(f"Reporting is {state}.{hub}{forced}")


def reporting_counts() -> dict[str, int]:
    """Reports ``sent``, tries ``failed`` (kept for a retry), ``pending``, ``refused`` (4xx) and ``dropped``."""
    reporter = _RECORDER.reporter
    with reporter._wake:
        return {**reporter.counts, "pending": len(reporter._outbox)}


def flush_reports(timeout: float = 2.0) -> bool:
    """Try the waiting reports now; True when none is left after at most ``timeout`` seconds."""
    return _RECORDER.reporter.flush(as_positive(timeout, "timeout"))


def my_progress(timeout: float = ME_TIMEOUT) -> Progress:
    """The learner's progress: from the class's service on a hub, else from this computer.

    Parameters
    ----------
    timeout : seconds to wait for the service before falling back to the local record
    """
    timeout = as_positive(timeout, "timeout")
    hub = _hub()
    if hub is None:
        return _RECORDER.local()
    if not reporting_enabled():
        local = _RECORDER.local()
        return Progress(local.exercises, local.source, "Reporting is off, so this is your own record. " + local.note)
    try:
        request = urllib.request.Request(hub[0] + "api/me", headers={"Authorization": f"token {hub[1]}"})
        with _RECORDER.reporter._opener.open(request, timeout=timeout) as response:
            exercises = _entries(json.loads(response.read(1_000_000)).get("exercises"))
    except Exception as err:
        reason = "did not answer"
        if isinstance(err, urllib.error.HTTPError):
            err.close()
            reason = f"answered {err.code}"
        local = _RECORDER.local()
        return Progress(local.exercises, local.source,
                        f"The class's progress service {reason}, so this is your own record. {local.note}")
    waiting = _RECORDER.reporter.pending()
    later = f" {waiting} more verdict(s) are still on their way." if waiting else ""
    return Progress(exercises, "service", f"From your class's progress service.{later}")


def progress_map(progress: Progress) -> str:
    """The course map as text: each lesson's exercises passed, with ✅ / ❌ / · per exercise."""
    lessons: dict[str, list[str]] = {lesson: [] for lesson in LESSONS}
    for exercise_id, lesson in catalog().items():
        lessons[lesson].append(exercise_id)
    lines = ["Your progress (✅ passed, ❌ tried but not passed yet, · not tried yet):"]
    width = max(len(title) for title in LESSONS.values())
    total = done = 0
    for lesson, exercises in lessons.items():
        records = [progress.of(name) for name in exercises]
        passed = sum(1 for r in records if r and r.passed)
        marks = " ".join("·" if r is None else "✅" if r.passed else "❌" for r in records)
        lines.append(f"{lesson[:2]} {LESSONS[lesson]:<{width}}  {passed} of {len(exercises)} passed  {marks}")
        total, done = total + len(exercises), done + passed
    lines += [f"In all: {done} of {total} exercises passed.", progress.note]
    return "\n".join(lines)


def show_my_progress() -> None:
    """Print the course map with the learner's own progress (lesson 00)."""
    print(progress_map(my_progress()))
