"""The progress service without a hub: catalog, store, report validation, views and its HTTP answers.

A stand-in for the hub's auth (:class:`FakeHub`) maps tokens to user models, so the
real tornado app answers real HTTP requests on a loopback port. The same service
behind a real hub is tested in ``test_classroom_progress.py``.
"""
from __future__ import annotations

import asyncio
import json
import re
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest
from tornado.httpserver import HTTPServer

from classroom.progress import INSTRUCTOR_SCOPE, catalog, views
from classroom.progress.app import MAX_BODY, RateLimit, Refused, Service, make_app, validate
from classroom.progress.store import Cell, Store
from classroom.settings import ROOT

CATALOG = catalog.load(ROOT / "notebooks")
ACCESS = "access:services!service=progress"
PREFIX = "/services/progress/"


def report(**change) -> dict:
    """A valid report for lesson 02's softmax check, with ``change`` applied."""
    base = {"id": uuid.uuid4().hex, "lesson": "02_softmax", "exercise": "check_softmax",
            "passed": True, "attempt": 1, "time": 1795000000.25}
    return {**base, **change}


# --- the catalog ---------------------------------------------------------------------------

def test_the_catalog_follows_the_lessons_in_course_order():
    assert list(CATALOG.lessons)[:3] == ["00_welcome", "01_weighted_averages", "02_softmax"]
    assert CATALOG.exercises[0] == ("00_welcome", "check_warmup")
    assert CATALOG.lessons["02_softmax"] == ("check_softmax", "check_temperature")
    names = [ex for _, ex in CATALOG.exercises]
    assert len(names) == len(set(names)) >= 20
    assert CATALOG.lesson_of("check_softmax") == "02_softmax" and CATALOG.lesson_of("check_nothing") is None


def notebook(path: Path, *cells: tuple[str, str]) -> None:
    path.write_text(json.dumps({"cells": [{"cell_type": kind, "source": text} for kind, text in cells]}))


def test_a_check_belongs_to_the_first_lesson_that_calls_it(tmp_path):
    notebook(tmp_path / "00_a.ipynb", ("markdown", "check_in_prose()"), ("code", "check_one(x)\ncheck_two (y)"))
    notebook(tmp_path / "01_b.ipynb", ("code", ["check_two(z)\n", "check_three(w)"]), ("code", "check_one(x)"))
    notebook(tmp_path / "scratch.ipynb", ("code", "check_scratch()"))
    found = catalog.load(tmp_path)
    assert found.lessons == {"00_a": ("check_one", "check_two"), "01_b": ("check_three",)}


def test_a_folder_without_lessons_is_refused(tmp_path):
    with pytest.raises(FileNotFoundError, match="no lessons"):
        catalog.load(tmp_path)


# --- the store -----------------------------------------------------------------------------

def test_a_retried_report_is_stored_once_per_learner(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'p.sqlite'}")
    first = report()
    assert store.add("ada", first) and not store.add("ada", first)
    assert store.add("bob", first)  # the same id from another learner is theirs
    assert store.count() == 2 and store.count("ada") == 1


def test_verdicts_survive_reopening_the_database(tmp_path):
    url = f"sqlite:///{tmp_path / 'p.sqlite'}"
    store = Store(url)
    store.add("ada", report(passed=False), received=100.0)
    store.close()
    again = Store(url)
    assert again.count() == 1 and not again.cells()["ada"]["check_softmax"].passed


def test_cells_count_attempts_and_failures_since_the_last_pass(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'p.sqlite'}")
    for t, passed in [(1, False), (2, True), (3, False), (4, False)]:
        store.add("ada", report(passed=passed, attempt=t, time=1e9 + t), received=float(t))
    cell = store.cells("ada")["ada"]["check_softmax"]
    assert (cell.passed, cell.attempts, cell.fails_since_pass, cell.last_pass, cell.last) == (True, 4, 2, 2.0, 1e9 + 4)


# --- validation and the rate limit ---------------------------------------------------------

@pytest.mark.parametrize("body, words", [
    (b"{not json", "not valid JSON"),
    (b"[1, 2]", "JSON object"),
    (json.dumps(report(user="bob")).encode(), "'user' is not allowed"),
    (json.dumps(report(name="bob")).encode(), "'name' is not allowed"),
    (json.dumps(report(answer=[1, 2])).encode(), "unknown field 'answer'"),
    (json.dumps({k: v for k, v in report().items() if k != "passed"}).encode(), "'passed' is missing"),
    (json.dumps(report(id="ABC")).encode(), "'id' must be 32 lowercase hex"),
    (json.dumps(report(lesson="99_nowhere")).encode(), "unknown lesson"),
    (json.dumps(report(exercise="check_nothing")).encode(), "unknown exercise"),
    (json.dumps(report(exercise="check_warmup")).encode(), "belongs to lesson 00_welcome"),
    (json.dumps(report(passed=1)).encode(), "'passed' must be true or false"),
    (json.dumps(report(attempt="3")).encode(), "'attempt' must be an integer"),
    (json.dumps(report(attempt=True)).encode(), "'attempt' must be an integer"),
    (json.dumps(report(attempt=2.5)).encode(), "'attempt' must be an integer"),
    (json.dumps(report(attempt=0)).encode(), "'attempt' must be between"),
    (json.dumps(report(time="now")).encode(), "'time' must be a number"),
    (json.dumps(report(time=-1)).encode(), "'time' must be epoch seconds"),
    (json.dumps(report(lesson=7)).encode(), "'lesson' must be a string"),
])
def test_bad_reports_are_refused_with_a_message_naming_the_field(body, words):
    with pytest.raises(Refused) as refused:
        validate(body, CATALOG)
    assert refused.value.status_code == 400 and words in refused.value.message


def test_a_valid_report_passes_and_an_integer_time_is_a_number():
    assert validate(json.dumps(report(time=1795000000)).encode(), CATALOG)["attempt"] == 1


def test_the_rate_limit_allows_ten_a_second_per_learner():
    limit = RateLimit(per_second=10)
    assert all(limit.allow("ada", 100.0 + i * 0.01) for i in range(10))
    assert not limit.allow("ada", 100.5) and limit.allow("bob", 100.5)
    assert limit.allow("ada", 101.01)


# --- views ---------------------------------------------------------------------------------

def test_stuck_means_three_fails_since_the_last_pass_and_no_recent_pass():
    now = 10_000.0
    assert views.is_stuck(Cell("l", "e", fails_since_pass=3), now, 10)
    assert not views.is_stuck(Cell("l", "e", fails_since_pass=2), now, 10)
    assert not views.is_stuck(Cell("l", "e", passed=True, fails_since_pass=3, last_pass=now - 60), now, 10)
    assert views.is_stuck(Cell("l", "e", passed=True, fails_since_pass=3, last_pass=now - 601), now, 10)


def test_the_class_view_counts_passes_lists_the_stuck_and_exports_csv():
    grid = {"ada": {"check_softmax": Cell("02_softmax", "check_softmax", True, 2, 0, 1e9, 50.0, 50.0)},
            "bob": {"check_softmax": Cell("02_softmax", "check_softmax", False, 4, 4, 1e9, 60.0, None)}}
    view = views.class_view(grid, CATALOG, ["ada", "bob", "cyd"], 10, now=100.0)
    assert [r["name"] for r in view["learners"]] == ["ada", "bob", "cyd"]
    assert view["pass_counts"]["check_softmax"] == 1 and view["pass_counts"]["check_warmup"] == 0
    assert [(s["user"], s["exercise"], s["failures"]) for s in view["stuck"]] == [("bob", "check_softmax", 4)]
    lines = views.class_csv(view).splitlines()
    assert lines[0].startswith("learner,lesson,exercise,status,attempts")
    assert "bob,02_softmax,check_softmax,failed,4,4," in "\n".join(lines)
    assert "cyd,00_welcome,check_warmup,not tried,0,0," in lines
    assert len(lines) == 1 + 3 * len(CATALOG.exercises)


# --- the HTTP service, with a stand-in for the hub -----------------------------------------

class FakeHub:
    """Tokens -> user models, as the hub's API would answer them."""

    access_scopes = {"access:services", ACCESS}
    base_url, login_url = PREFIX, "/hub/login"
    models = {"tok-ada": {"kind": "user", "name": "ada", "scopes": [ACCESS]},
              "tok-bob": {"kind": "user", "name": "bob", "scopes": [ACCESS]},
              "tok-eve": {"kind": "user", "name": "eve", "scopes": ["read:users!user=eve"]},
              "tok-teacher": {"kind": "user", "name": "teacher", "scopes": [ACCESS, INSTRUCTOR_SCOPE]}}

    def get_token(self, handler, in_cookie: bool = True) -> str:
        found = re.match(r"token\s+(.+)", handler.request.headers.get("Authorization", ""))
        return found.group(1) if found else ""

    def get_user(self, handler, sync: bool = True):
        async def lookup():
            return self.models.get(self.get_token(handler))
        return lookup()

    def check_scopes(self, required, model) -> set:
        return set(required) & set(model["scopes"])


@pytest.fixture
def service(tmp_path):
    """The app on a loopback port in a thread of its own; yields (base URL, Service)."""
    state = Service(CATALOG, Store(f"sqlite:///{tmp_path / 'p.sqlite'}"), ["ada", "bob"], 10)
    loop, ready = asyncio.new_event_loop(), threading.Event()
    address = {}

    def run() -> None:
        asyncio.set_event_loop(loop)
        server = HTTPServer(make_app(state, PREFIX, b"s" * 32, FakeHub()), max_body_size=64 * 1024)
        server.listen(0, "127.0.0.1")
        address["port"] = next(iter(server._sockets.values())).getsockname()[1]
        ready.set()
        loop.run_forever()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    ready.wait(10)
    yield f"http://127.0.0.1:{address['port']}{PREFIX}", state
    loop.call_soon_threadsafe(loop.stop)
    thread.join(10)
    state.store.close()


def call(url: str, token: str = "", body: bytes | None = None, headers: dict | None = None) -> tuple[int, dict | str, dict]:
    """(status, JSON or text, headers) of one request."""
    headers = dict(headers or {}, **({"Authorization": f"token {token}"} if token else {}))
    request = urllib.request.Request(url, data=body, headers=headers, method="POST" if body is not None else "GET")
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            status, text, head = answer.status, answer.read().decode(), dict(answer.headers)
    except urllib.error.HTTPError as err:
        status, text, head = err.code, err.read().decode(), dict(err.headers)
    try:
        return status, json.loads(text), head
    except json.JSONDecodeError:
        return status, text, head


def post(base: str, token: str, body: dict | bytes) -> tuple[int, dict]:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    status, answer, _ = call(base + "api/verdicts", token, data, {"Content-Type": "application/json"})
    return status, answer


def test_a_verdict_is_stored_once_and_shows_in_api_me(service):
    base, state = service
    first = report(passed=False, attempt=1)
    assert post(base, "tok-ada", first) == (201, {"stored": True})
    assert post(base, "tok-ada", first) == (200, {"stored": False, "duplicate": True})
    assert post(base, "tok-ada", report(attempt=2, time=1795000001.5))[0] == 201
    status, me, _ = call(base + "api/me", "tok-ada")
    assert status == 200 and me == {"user": "ada", "exercises": [
        {"lesson": "02_softmax", "exercise": "check_softmax", "passed": True, "attempts": 2, "last": 1795000001.5}]}
    assert state.store.count() == 2


@pytest.mark.parametrize("token, body, status, words", [
    ("", report(), 401, "hub token"),
    ("tok-forged", report(), 401, "hub token"),
    ("tok-eve", report(), 403, "may not use"),
    ("tok-ada", report(user="bob"), 400, "'user' is not allowed"),
    ("tok-ada", report(exercise="check_warmup"), 400, "belongs to lesson"),
    ("tok-ada", json.dumps(report(pad="x" * MAX_BODY)).encode(), 413, "at most 1024 bytes"),
])
def test_bad_requests_get_a_clear_4xx_and_store_nothing(service, token, body, status, words):
    base, state = service
    got, answer = post(base, token, body)
    assert got == status and words in answer["error"], answer
    assert state.store.count() == 0


def test_a_big_body_is_refused_before_it_is_read(service):
    base, state = service
    got, answer = post(base, "tok-ada", b"x" * 200_000)  # beyond the server's own limit too
    assert got == 413 and "at most" in answer["error"] and state.store.count() == 0


def test_more_than_ten_reports_a_second_are_refused_with_retry_after(service):
    base, state = service
    answers = [call(base + "api/verdicts", "tok-ada", json.dumps(report()).encode()) for _ in range(25)]
    codes = [a[0] for a in answers]
    assert 429 in codes and set(codes) <= {201, 429}
    refused = next(a for a in answers if a[0] == 429)
    assert refused[2]["Retry-After"] == "1" and "more than 10 reports a second" in refused[1]["error"]
    assert state.store.count() == codes.count(201)
    time.sleep(1.1)
    assert post(base, "tok-ada", report())[0] == 201


def test_only_instructors_read_the_class_and_its_csv(service):
    base, _ = service
    post(base, "tok-ada", report())
    for path in ("api/class", "class.csv"):
        status, answer, _ = call(base + path, "tok-bob")
        assert status == 403 and "only instructors" in answer["error"]
    status, view, _ = call(base + "api/class", "tok-teacher")
    assert status == 200 and [r["name"] for r in view["learners"]] == ["ada", "bob"]
    assert view["learners"][0]["cells"]["check_softmax"]["passed"] and view["pass_counts"]["check_softmax"] == 1
    status, text, head = call(base + "class.csv", "tok-teacher")
    assert status == 200 and head["Content-Type"].startswith("text/csv") and "ada,02_softmax,check_softmax,passed,1" in text


def test_a_learners_dashboard_page_knows_only_them(service):
    base, _ = service
    status, page, head = call(base, "tok-bob")
    assert status == 200 and '"user": "bob"' in page and '"instructor": false' in page
    assert "http://" not in page.split("<script>")[1] and "https://" not in page  # nothing from a CDN
    stay = urllib.request.build_opener(NoRedirect)
    with pytest.raises(urllib.error.HTTPError) as redirected:  # a browser without a login goes to the hub
        stay.open(base, timeout=10)
    assert redirected.value.code == 302 and redirected.value.headers["Location"].startswith("/hub/login")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    """Report a redirect instead of following it."""

    def redirect_request(self, *args, **kwargs):  # noqa: ANN002, ANN003
        return None


def read_event(stream) -> dict:
    """The next ``data:`` event of a server-sent event stream."""
    while True:
        line = stream.readline().decode()
        if line.startswith("data: "):
            return json.loads(line[6:])


def test_the_live_channel_sends_a_new_verdict_at_once(service):
    base, _ = service
    request = urllib.request.Request(base + "api/events", headers={"Authorization": "token tok-teacher"})
    with urllib.request.urlopen(request, timeout=10) as stream:
        assert stream.headers["Content-Type"] == "text/event-stream"
        first = read_event(stream)
        assert all(not r["cells"] for r in first["learners"])
        start = time.perf_counter()
        post(base, "tok-bob", report())
        second = read_event(stream)
        assert time.perf_counter() - start < 2
    assert second["learners"][1]["cells"]["check_softmax"]["passed"]
    request = urllib.request.Request(base + "api/events", headers={"Authorization": "token tok-ada"})
    with urllib.request.urlopen(request, timeout=10) as stream:
        own = read_event(stream)
    assert [r["name"] for r in own["learners"]] == ["ada"] and "stuck" not in own


def test_the_service_and_the_learners_checks_name_the_same_exercises_and_lessons():
    from lessons_lib.checks import progress

    assert {ex: lesson for lesson, ex in CATALOG.exercises} == progress.catalog()
    assert [lesson for lesson, exs in CATALOG.lessons.items()] == list(progress.LESSONS)


def test_an_unknown_path_is_a_json_404(service):
    base, _ = service
    status, answer, _ = call(base + "api/nothing", "tok-ada")
    assert status == 404 and "no such page" in answer["error"]
