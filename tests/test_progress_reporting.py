"""Self-check verdicts: recorded once, kept on this computer, sent to a class's service only on a hub.

The service here is a real HTTP server on 127.0.0.1 started by the test, standing in for
the progress service's endpoints of PROGRESS_CONTRACT.md (the real-hub test comes with it).
"""
from __future__ import annotations

import contextlib
import io
import json
import os
import re
import stat
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import nbformat
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lessons_lib.checks import basics, progress
from lessons_lib.checks.basics import check_softmax, check_warmup

ROOT = Path(__file__).resolve().parents[1]
CHECK_CALL = re.compile(r"\b(check_\w+)\s*\(")
CONTRACT_FIELDS = {"id", "lesson", "exercise", "passed", "attempt", "time"}
TOKEN = "learner-token-1234"


# --- a stand-in for the class's progress service ---------------------------------------------
class Service:
    """Records every request; answers with the next of ``answers`` (default 201), or holds it."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.answers: list[tuple[int, dict]] = []
        self.me = {"user": "learner1", "exercises": []}
        self.hold = False
        self.arrived, self.release = threading.Event(), threading.Event()
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                service.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                if service.hold:
                    service.arrived.set()
                    service.release.wait(10)
                code, headers = service.answers.pop(0) if service.answers else (201, {})
                self.reply(code, {"stored": code == 201}, headers)

            def do_GET(self):
                service.requests.append({"path": self.path, "headers": dict(self.headers), "body": b""})
                self.reply(200, service.me, {})

            def reply(self, code, data, headers):
                payload = json.dumps(data).encode()
                with contextlib.suppress(OSError):
                    self.send_response(code)
                    for name, value in {"Content-Type": "application/json", **headers}.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.handle_error = lambda *args: None
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/services/progress/"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()

    def verdicts(self) -> list[dict]:
        return [json.loads(r["body"]) for r in self.requests if r["path"].endswith("/api/verdicts")]

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(autouse=True)
def fresh(monkeypatch, tmp_path):
    """A fresh kernel's recorder; progress and settings files in tmp_path; not on a hub."""
    monkeypatch.setattr(progress, "_RECORDER", progress._Recorder())
    monkeypatch.setenv("ATTENTION_PROGRESS_FILE", str(tmp_path / "progress.json"))
    monkeypatch.setenv("ATTENTION_SETTINGS_FILE", str(tmp_path / "settings.json"))
    for name in ("ATTENTION_REPORTING", "ATTENTION_PROGRESS_URL", "JUPYTERHUB_API_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


@pytest.fixture
def service():
    running = Service()
    yield running
    running.close()


@pytest.fixture
def hub(monkeypatch, service):
    """A kernel on a class hub whose progress service is ``service``."""
    monkeypatch.setenv("ATTENTION_PROGRESS_URL", service.url)
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", TOKEN)
    return service


def quietly(check, *args):
    with contextlib.redirect_stdout(io.StringIO()) as printed:
        verdict = check(*args)
    return verdict, printed.getvalue()


def saved(tmp_path) -> dict:
    data = json.loads((tmp_path / "progress.json").read_text(encoding="utf-8"))
    return {e["exercise"]: e for e in data["exercises"]}


def wait_until(condition, seconds=10.0):
    """Wait for the reporter's thread to get somewhere (a deadline, not a timing claim)."""
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.01)
    return condition()


# --- what is sent, and when -----------------------------------------------------------------
def test_a_check_on_a_hub_posts_exactly_the_contracts_body_with_the_learners_token(hub):
    before = time.time()
    quietly(check_warmup, 5)
    assert progress.flush_reports(5)
    (request,) = hub.requests
    assert request["path"] == "/services/progress/api/verdicts"
    assert request["headers"]["Authorization"] == f"token {TOKEN}"
    assert request["headers"]["Content-Type"] == "application/json"
    body = json.loads(request["body"])
    assert set(body) == CONTRACT_FIELDS and len(request["body"]) <= 1024
    assert re.fullmatch(r"[0-9a-f]{32}", body["id"])
    assert (body["lesson"], body["exercise"], body["passed"], body["attempt"]) == ("00_welcome", "check_warmup", True, 1)
    assert isinstance(body["time"], float) and before <= body["time"] <= time.time()
    assert progress.reporting_counts() == {"sent": 1, "failed": 0, "refused": 0, "dropped": 0, "pending": 0}


def test_the_report_holds_no_answer_and_no_output(hub):
    secret = "My own secret sentence about the bank of the river"
    from lessons_lib.checks.examples import check_river_sentence

    quietly(check_river_sentence, secret)
    assert progress.flush_reports(5)
    (body,) = hub.verdicts()
    assert set(body) == CONTRACT_FIELDS and body["exercise"] == "check_river_sentence"
    raw = hub.requests[0]["body"].decode()
    assert "secret" not in raw and "river" not in raw.replace("check_river_sentence", "")


@pytest.mark.parametrize("missing", ["ATTENTION_PROGRESS_URL", "JUPYTERHUB_API_TOKEN"])
def test_nothing_is_sent_without_both_hub_variables(hub, monkeypatch, missing):
    monkeypatch.delenv(missing)
    quietly(check_warmup, 5)
    assert progress.reporting_counts()["pending"] == 0
    assert progress._RECORDER.reporter._thread is None and hub.requests == []


def test_nothing_is_sent_after_reporting_off_even_in_the_next_kernel(hub, monkeypatch):
    with contextlib.redirect_stdout(io.StringIO()) as printed:
        progress.reporting_off()
    assert "Reporting is off from now on" in printed.getvalue()
    quietly(check_warmup, 5)
    monkeypatch.setattr(progress, "_RECORDER", progress._Recorder())  # a new kernel reads the saved switch
    quietly(check_warmup, 5)
    assert progress.reporting_counts()["pending"] == 0 and hub.requests == []
    with contextlib.redirect_stdout(io.StringIO()):
        progress.reporting_on()
    quietly(check_warmup, 5)
    assert progress.flush_reports(5)
    assert [v["attempt"] for v in hub.verdicts()] == [3]


def test_the_environment_switch_keeps_reporting_off_whatever_was_saved(hub, monkeypatch):
    monkeypatch.setenv("ATTENTION_REPORTING", "off")
    with contextlib.redirect_stdout(io.StringIO()) as printed:
        progress.reporting_on()
    assert "ATTENTION_REPORTING=off still keeps it off" in printed.getvalue()
    quietly(check_warmup, 5)
    assert not progress.reporting_enabled() and hub.requests == []


def test_switching_off_forgets_the_reports_not_yet_sent(hub, monkeypatch):
    monkeypatch.setattr(progress, "RETRY_FIRST", 60.0)  # after the held report fails, nothing is tried for a minute
    hub.hold = True
    quietly(check_warmup, 1)
    assert hub.arrived.wait(5)
    quietly(check_warmup, 2)  # waits in the outbox behind the held one
    with contextlib.redirect_stdout(io.StringIO()):
        progress.reporting_off()
    hub.release.set()
    assert wait_until(lambda: progress.reporting_counts()["pending"] == 0 or progress.flush_reports(0.1))
    assert [v["attempt"] for v in hub.verdicts()] == [1]  # neither retried nor followed by the second
    assert progress.reporting_counts()["dropped"] == 1


def test_a_service_that_never_answers_does_not_block_the_check_and_the_retry_keeps_the_id(hub):
    hub.hold = True
    verdict, printed = quietly(check_warmup, 5)
    assert verdict and printed.startswith("✅")
    assert not hub.release.is_set()  # the check returned: the service has not answered anything yet
    assert hub.arrived.wait(5)  # ... and the report did leave, to a server thread still held
    assert wait_until(lambda: progress.reporting_counts()["failed"] == 1)
    assert progress.reporting_counts()["pending"] == 1
    hub.hold = False
    hub.release.set()
    assert progress.flush_reports(5)
    first, retry = hub.verdicts()
    assert first == retry
    assert progress.reporting_counts() == {"sent": 1, "failed": 1, "refused": 0, "dropped": 0, "pending": 0}


def test_an_unreachable_service_is_counted_and_the_check_still_works(monkeypatch, service):
    url = service.url
    service.close()
    monkeypatch.setenv("ATTENTION_PROGRESS_URL", url)
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", TOKEN)
    verdict, printed = quietly(check_warmup, 4)
    assert not verdict and printed.startswith("❌ Not yet:")
    assert wait_until(lambda: progress.reporting_counts()["failed"] >= 1)
    assert progress.reporting_counts()["pending"] == 1


@pytest.mark.parametrize("code", [400, 401, 403, 404, 413, 302])
def test_a_refused_report_is_not_retried(hub, code):
    hub.answers = [(code, {"Location": "http://127.0.0.1:9/elsewhere"} if code == 302 else {})]
    quietly(check_warmup, 5)
    assert progress.flush_reports(5)
    assert progress.flush_reports(0.5)
    assert len(hub.requests) == 1
    assert progress.reporting_counts() == {"sent": 0, "failed": 0, "refused": 1, "dropped": 0, "pending": 0}


@pytest.mark.parametrize(("code", "headers"), [(429, {"Retry-After": "0"}), (503, {})])
def test_a_busy_service_gets_the_report_again_with_the_same_id(hub, code, headers):
    hub.answers = [(code, headers)]
    quietly(check_warmup, 5)
    assert wait_until(lambda: progress.reporting_counts()["failed"] == 1)
    assert progress.flush_reports(5)
    first, retry = hub.verdicts()
    assert first == retry and progress.reporting_counts()["sent"] == 1


def test_a_duplicate_answer_counts_as_sent(hub):
    hub.answers = [(200, {})]
    quietly(check_warmup, 5)
    assert progress.flush_reports(5)
    assert progress.reporting_counts()["sent"] == 1


# --- recorded exactly once ------------------------------------------------------------------
def raising_softmax(scores):
    raise ZeroDivisionError("learner's bug")


@pytest.mark.parametrize(("answer", "passed"), [(basics.SOLUTIONS["check_softmax"](), True),
                                                (lambda s: s / s.sum(), False), (raising_softmax, False)],
                         ids=["pass", "fail", "learner-code-raises"])
def test_every_path_of_a_check_records_once(hub, fresh, answer, passed):
    verdict, printed = quietly(check_softmax, answer)
    assert bool(verdict) is passed and printed.startswith("✅" if passed else "❌")
    assert progress.flush_reports(5)
    assert [(v["exercise"], v["passed"], v["attempt"]) for v in hub.verdicts()] == [("check_softmax", passed, 1)]
    assert saved(fresh)["check_softmax"]["attempts"] == 1


def test_a_check_that_raises_itself_records_a_failed_attempt_once_and_still_raises(fresh):
    @progress.exercise("00_welcome")
    def check_broken(answer):
        raise RuntimeError("a bug in the check")

    with pytest.raises(RuntimeError):
        check_broken(1)
    assert saved(fresh)["check_broken"] == {**saved(fresh)["check_broken"], "passed": False, "attempts": 1}
    progress._LABELS.pop("check_broken")


def test_a_labelled_check_called_by_another_records_only_the_outer_one(fresh):
    @progress.exercise("00_welcome")
    def check_outer(answer):
        return check_warmup(answer)

    quietly(check_outer, 5)
    assert set(saved(fresh)) == {"check_outer"}
    progress._LABELS.pop("check_outer")


def test_attempts_count_up_and_one_pass_is_kept(hub, fresh):
    for answer in (..., 5, 6):
        quietly(check_warmup, answer)
    assert progress.flush_reports(5)
    assert [(v["attempt"], v["passed"]) for v in hub.verdicts()] == [(1, False), (2, True), (3, False)]
    assert len({v["id"] for v in hub.verdicts()}) == 3
    assert saved(fresh)["check_warmup"] | {"last": 0} == {
        "lesson": "00_welcome", "exercise": "check_warmup", "passed": True, "attempts": 3, "last": 0}


def test_attempts_go_on_counting_in_the_next_kernel(hub, monkeypatch):
    quietly(check_warmup, 1)
    monkeypatch.setattr(progress, "_RECORDER", progress._Recorder())
    quietly(check_warmup, 5)
    assert progress.flush_reports(5) and wait_until(lambda: len(hub.verdicts()) == 2)
    assert sorted(v["attempt"] for v in hub.verdicts()) == [1, 2]


# --- the progress file ------------------------------------------------------------------------
def test_the_progress_file_round_trips_through_my_progress(fresh):
    quietly(check_warmup, 5)
    quietly(check_softmax, ...)
    mine = progress.my_progress()
    assert mine.source == "file" and mine.note.startswith("Kept on this computer")
    assert {(e.exercise, e.lesson, e.passed, e.attempts) for e in mine.exercises} == {
        ("check_warmup", "00_welcome", True, 1), ("check_softmax", "02_softmax", False, 1)}
    assert stat.S_IMODE(os.stat(fresh / "progress.json").st_mode) == 0o600
    assert [p.name for p in fresh.iterdir()] == ["progress.json"]  # no temporary file left behind


@given(st.lists(st.tuples(st.sampled_from(["check_warmup", "check_softmax", "check_temperature"]), st.booleans()),
                max_size=12))
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])  # each example makes its own folder
def test_the_file_keeps_attempts_and_any_pass_of_every_exercise(verdicts):
    with tempfile.TemporaryDirectory() as folder, pytest.MonkeyPatch.context() as patch:
        patch.setenv("ATTENTION_PROGRESS_FILE", str(Path(folder) / "progress.json"))
        patch.setattr(progress, "_RECORDER", progress._Recorder())
        for exercise, passed in verdicts:
            progress._RECORDER.record("02_softmax", exercise, passed)
        mine = progress.my_progress()
        for exercise in {e for e, _ in verdicts}:
            record = mine.of(exercise)
            assert record.attempts == sum(e == exercise for e, _ in verdicts)
            assert record.passed == any(p for e, p in verdicts if e == exercise)
        assert len(mine.exercises) == len({e for e, _ in verdicts})


def test_off_writes_nothing_and_keeps_the_record_in_the_kernel(fresh, monkeypatch):
    monkeypatch.setenv("ATTENTION_PROGRESS_FILE", "off")
    monkeypatch.setenv("HOME", str(fresh / "home"))
    monkeypatch.setenv("XDG_DATA_HOME", str(fresh / "data"))
    quietly(check_warmup, 5)
    assert list(fresh.iterdir()) == []
    mine = progress.my_progress()
    assert mine.source == "memory" and mine.of("check_warmup").passed
    assert "ATTENTION_PROGRESS_FILE=off" in mine.note


def test_a_corrupt_progress_file_does_not_break_a_check(fresh):
    (fresh / "progress.json").write_text("{not json", encoding="utf-8")
    verdict, printed = quietly(check_warmup, 5)
    assert verdict and printed == "✅ Right: (2 + 4 + 9) / 3 = 5. Self-checks work!\n"
    assert saved(fresh)["check_warmup"]["attempts"] == 1


@pytest.mark.parametrize("kind", ["fifo", "folder"])
def test_a_special_file_is_never_replaced(fresh, monkeypatch, kind):
    target = fresh / "special"
    os.mkfifo(target) if kind == "fifo" else target.mkdir()
    monkeypatch.setenv("ATTENTION_PROGRESS_FILE", str(target))
    verdict, _ = quietly(check_warmup, 5)
    assert verdict
    assert (stat.S_ISFIFO if kind == "fifo" else stat.S_ISDIR)(os.lstat(target).st_mode)
    assert sorted(p.name for p in fresh.iterdir()) == ["special"]
    assert progress.my_progress().of("check_warmup").attempts == 1  # kept in the kernel instead


def test_a_symlinked_progress_file_is_written_through_its_link(fresh, monkeypatch):
    real = fresh / "real.json"
    real.write_text('{"exercises": []}', encoding="utf-8")
    (fresh / "link.json").symlink_to(real)
    monkeypatch.setenv("ATTENTION_PROGRESS_FILE", str(fresh / "link.json"))
    quietly(check_warmup, 5)
    assert (fresh / "link.json").is_symlink() and "check_warmup" in real.read_text(encoding="utf-8")


# --- my_progress on a hub -----------------------------------------------------------------------
def test_my_progress_on_a_hub_comes_from_the_service(hub):
    hub.me["exercises"] = [{"lesson": "02_softmax", "exercise": "check_softmax", "passed": True,
                            "attempts": 2, "last": 1795000000.25}]
    mine = progress.my_progress()
    assert mine.source == "service" and mine.of("check_softmax").attempts == 2
    assert hub.requests[-1]["path"] == "/services/progress/api/me"
    assert hub.requests[-1]["headers"]["Authorization"] == f"token {TOKEN}"


def test_my_progress_falls_back_to_this_computer_when_the_service_is_down(monkeypatch, service):
    url = service.url
    service.close()
    monkeypatch.setenv("ATTENTION_PROGRESS_URL", url)
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", TOKEN)
    quietly(check_warmup, 5)
    mine = progress.my_progress(timeout=0.5)
    assert mine.source == "file" and mine.of("check_warmup").passed
    assert mine.note.startswith("The class's progress service did not answer, so this is your own record.")


def test_my_progress_rejects_a_timeout_that_is_not_positive():
    with pytest.raises(ValueError, match="timeout must be a finite number > 0"):
        progress.my_progress(timeout=0)


def test_the_map_shows_each_lessons_exercises_passed(fresh):
    quietly(check_warmup, 5)
    quietly(check_softmax, ...)
    lines = progress.progress_map(progress.my_progress()).splitlines()
    assert lines[1].split() == ["00", "Welcome", "1", "of", "1", "passed", "✅"]
    assert lines[3].split()[-6:] == ["0", "of", "2", "passed", "❌", "·"]
    assert lines[-2] == f"In all: 1 of {len(progress.catalog())} exercises passed."


# --- labels and the catalog rule ----------------------------------------------------------------
def lessons_calling() -> dict[str, list[str]]:
    """check name -> the lessons whose code cells call it (the contract's catalog rule)."""
    found: dict[str, list[str]] = {}
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            for name in CHECK_CALL.findall(cell.source) if cell.cell_type == "code" else []:
                if path.stem not in found.setdefault(name, []):
                    found[name].append(path.stem)
    return found


def public_checks() -> dict[str, object]:
    import importlib
    import inspect
    import pkgutil

    import lessons_lib.checks as package

    modules = [importlib.import_module(f"lessons_lib.checks.{m.name}") for m in pkgutil.iter_modules(package.__path__)]
    return {name: f for module in modules for name, f in inspect.getmembers(module, inspect.isfunction)
            if name.startswith("check_") and f.__module__ == module.__name__}


def test_every_public_check_is_labelled_with_the_one_lesson_that_calls_it():
    calling = lessons_calling()
    checks = public_checks()
    assert set(checks) == set(calling)
    for name, check in checks.items():
        assert calling[name] == [check.lesson], name
    assert progress.catalog() == {name: lessons[0] for name, lessons in calling.items()}


def test_the_lessons_and_their_titles_are_those_of_lesson_00s_map():
    notebooks = [p.stem for p in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))]
    assert list(progress.LESSONS) == notebooks
    welcome = "\n".join(c.source for c in nbformat.read(ROOT / "notebooks" / "00_welcome.ipynb", as_version=4).cells)
    linked = dict((stem, title) for title, stem in re.findall(r"\| \[([^\]]+)\]\((\d\d_\w+)\.ipynb\)", welcome))
    assert linked == progress.LESSONS


def test_a_label_must_name_a_lesson():
    with pytest.raises(ValueError, match="lesson must be a lesson id"):
        progress.exercise("02_softmaxx")


def test_labelling_keeps_the_checks_name_docstring_and_output(capsys):
    assert check_warmup.__name__ == "check_warmup" and "mean of 2, 4 and 9" in check_warmup.__doc__
    check_warmup(...)
    assert capsys.readouterr().out == ("❌ Not yet: the answer is still empty (replace the ... or None with your "
                                       "code)\n   Hint: add the three numbers and divide by how many there are.\n")


# --- pytest itself ------------------------------------------------------------------------------
def test_a_pytest_run_writes_nothing_to_the_home_folder(monkeypatch):
    """The root conftest switched the file off for every test and every nbval kernel."""
    monkeypatch.undo()  # this test looks at the environment the root conftest made, not the fixture's
    assert os.environ["ATTENTION_PROGRESS_FILE"] == "off" and os.environ["ATTENTION_SETTINGS_FILE"] == "off"
    assert "ATTENTION_PROGRESS_URL" not in os.environ
    defaults = [progress._xdg_file("XDG_DATA_HOME", ".local/share", "progress.json"),
                progress._xdg_file("XDG_CONFIG_HOME", ".config", "settings.json")]
    before = [os.stat(p).st_mtime_ns if p.exists() else None for p in defaults]
    quietly(check_warmup, 5)
    with contextlib.redirect_stdout(io.StringIO()):
        progress.reporting_off()
        progress.reporting_on()
    assert [os.stat(p).st_mtime_ns if p.exists() else None for p in defaults] == before
    assert progress.progress_file() is None and progress.settings_file() is None


def test_my_progress_on_a_hub_with_reporting_off_asks_nothing_of_the_service(hub):
    with contextlib.redirect_stdout(io.StringIO()):
        progress.reporting_off()
    quietly(check_warmup, 5)
    mine = progress.my_progress()
    assert mine.source == "file" and mine.of("check_warmup").passed
    assert mine.note.startswith("Reporting is off, so this is your own record.") and hub.requests == []


def test_a_full_outbox_lets_the_oldest_report_go(hub, monkeypatch):
    monkeypatch.setattr(progress, "OUTBOX_LIMIT", 2)
    hub.hold = True
    quietly(check_warmup, 1)
    assert hub.arrived.wait(5)
    for answer in (2, 3, 4):
        quietly(check_warmup, answer)
    assert progress.reporting_counts()["pending"] == 2 and progress.reporting_counts()["dropped"] >= 1


def test_make_refresh_runs_the_lessons_as_a_fresh_learner():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    fresh = re.search(r"^FRESH_LEARNER := (.+)$", makefile, re.M).group(1).split()
    assert fresh[:3] == ["env", "-u", "ATTENTION_PROGRESS_URL"]
    assert {"ATTENTION_PROGRESS_FILE=off", "ATTENTION_SETTINGS_FILE=off"} <= set(fresh)
    recipe = makefile.split("\nrefresh:", 1)[1].split("\n\n", 1)[0]
    assert "$(FRESH_LEARNER) $(BIN)/jupyter nbconvert" in recipe
    assert "$(FRESH_LEARNER) $(BIN)/python solutions/build.py" in recipe


def test_deleting_the_progress_file_starts_afresh_even_in_a_running_kernel(fresh):
    quietly(check_warmup, 5)
    (fresh / "progress.json").unlink()
    assert progress.my_progress().exercises == ()
    quietly(check_warmup, 4)
    assert saved(fresh)["check_warmup"] | {"last": 0} == {
        "lesson": "00_welcome", "exercise": "check_warmup", "passed": False, "attempts": 1, "last": 0}
