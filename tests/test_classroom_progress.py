"""The progress service behind the real hub: learners' kernels report, instructors watch.

Runs against the session's hub (``conftest.py``): three learners whose kernels post
verdicts exactly as the contract says (their own ``JUPYTERHUB_API_TOKEN``, to
``ATTENTION_PROGRESS_URL``, with urllib), an instructor who reads the class, refusals,
a restart of the service mid-run, and the dashboard in headless Chromium. Root only.
"""
from __future__ import annotations

import json
import os
import signal
import time
import uuid
from pathlib import Path

import psutil
import pytest

from browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS
from classroom import hub
from classroom.progress import catalog
from classroom.settings import ROOT
from hubtest import in_kernel, run

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the classroom hub makes Unix users: run as root")
CATALOG = catalog.load(ROOT / "notebooks")
SERVICE = "/services/progress/"

# Defined once in each learner's kernel: post one report as the contract says; print the answer.
SEND = '''
import json as _json, os as _os, urllib.request as _request, urllib.error as _error
def _send(body, token=None, path="api/verdicts"):
    token = _os.environ["JUPYTERHUB_API_TOKEN"] if token is None else token
    data = body if isinstance(body, bytes) else _json.dumps(body).encode()
    headers = {"Content-Type": "application/json", **({"Authorization": "token " + token} if token else {})}
    request = _request.Request(_os.environ["ATTENTION_PROGRESS_URL"] + path, data=data, headers=headers, method="POST")
    try:
        with _request.urlopen(request, timeout=10) as answer:
            return answer.status, _json.loads(answer.read()), None
    except _error.HTTPError as err:
        return err.code, _json.loads(err.read()), err.headers.get("Retry-After")
'''


def verdict(exercise: str, passed: bool, attempt: int = 1, **change) -> dict:
    """A report for ``exercise`` (its lesson from the catalog), as a kernel makes one."""
    return {"id": uuid.uuid4().hex, "lesson": CATALOG.lesson_of(exercise), "exercise": exercise,
            "passed": passed, "attempt": attempt, "time": time.time(), **change}


def send(learner, body: dict | bytes, token: str | None = None) -> tuple[int, dict, str | None]:
    """Post ``body`` from ``learner``'s kernel (its own token unless ``token``); (status, answer, Retry-After)."""
    printed = in_kernel(learner, f"print(_json.dumps(_send({body!r}, token={token!r})))")
    return tuple(json.loads(printed))


@pytest.fixture(scope="module")
def reporters(learners):
    """The learners, each kernel able to post (``_send``), and the instructor."""
    for learner in learners[0]:
        in_kernel(learner, SEND)
    return learners


def me(person) -> dict:
    """``api/me`` for ``person``, with their API token, through the hub's proxy."""
    answer = run(person.api("GET", SERVICE + "api/me"))
    assert answer.status_code == 200, answer.text
    return answer.json()


def class_view(teacher) -> dict:
    answer = run(teacher.api("GET", SERVICE + "api/class"))
    assert answer.status_code == 200, answer.text
    return answer.json()


def stored(teacher) -> int:
    """How many reports the service holds for the whole class (attempts summed)."""
    return sum(c["attempts"] for row in class_view(teacher)["learners"] for c in row["cells"].values())


def service_process(classroom) -> psutil.Process:
    children = psutil.Process(hub.running_pid(classroom.state_dir)).children(recursive=True)
    return next(p for p in children if hub.is_progress_service(p))


def test_the_hub_runs_the_service_on_loopback(classroom):
    process = service_process(classroom)
    listening = {c.laddr for c in process.net_connections("tcp") if c.status == psutil.CONN_LISTEN}
    assert listening and all(address.ip == "127.0.0.1" for address in listening), listening
    assert (classroom.state_dir / "progress.sqlite").exists()


def test_a_kernel_has_the_url_and_a_token_scoped_for_the_service(classroom, reporters):
    a = reporters[0][0]
    port = service_process(classroom).net_connections("tcp")[0].laddr.port
    code = ("import os, json, urllib.request\n"
            "print(os.environ['ATTENTION_PROGRESS_URL'])\n"
            "req = urllib.request.Request(os.environ['JUPYTERHUB_API_URL'] + '/user', "
            "headers={'Authorization': 'token ' + os.environ['JUPYTERHUB_API_TOKEN']})\n"
            "print(json.dumps(json.load(urllib.request.urlopen(req))['scopes']))\n")
    url, scopes = in_kernel(a, code).splitlines()
    assert url == f"http://127.0.0.1:{port}{SERVICE}"
    assert "access:services!service=progress" in json.loads(scopes)
    assert not any(s.startswith("custom:") for s in json.loads(scopes))


def test_verdicts_from_kernels_reach_api_me_and_the_instructor(reporters):
    (a, b, c), teacher = reporters
    plan = {a: [("check_warmup", True)], b: [("check_softmax", False), ("check_softmax", True)],
            c: [("check_scores", False)]}
    for learner, reports in plan.items():
        for attempt, (exercise, passed) in enumerate(reports, 1):
            assert send(learner, verdict(exercise, passed, attempt))[:2] == (201, {"stored": True})
    assert [(e["exercise"], e["passed"], e["attempts"]) for e in me(b)["exercises"]] == [("check_softmax", True, 2)]
    in_kernel_me = in_kernel(c, "import urllib.request\nr = urllib.request.Request(_os.environ['ATTENTION_PROGRESS_URL'] + "
                                "'api/me', headers={'Authorization': 'token ' + _os.environ['JUPYTERHUB_API_TOKEN']})\n"
                                "print(urllib.request.urlopen(r).read().decode())")
    assert json.loads(in_kernel_me)["user"] == c.name
    view = class_view(teacher)
    rows = {row["name"]: row["cells"] for row in view["learners"]}
    assert rows[a.name]["check_warmup"]["passed"] and not rows[c.name]["check_scores"]["passed"]
    assert view["pass_counts"]["check_softmax"] >= 1


def test_a_retried_report_is_stored_once(reporters):
    a = reporters[0][0]
    report = verdict("check_plain_mean", False)
    assert send(a, report)[:2] == (201, {"stored": True})
    assert send(a, report)[:2] == (200, {"stored": False, "duplicate": True})
    cells = {e["exercise"]: e for e in me(a)["exercises"]}
    assert cells["check_plain_mean"]["attempts"] == 1


REAL_CHECKS = """
import json
from lessons_lib.checks import basics
from lessons_lib.checks.progress import flush_reports, my_progress, reporting_counts
before = reporting_counts()["sent"]
basics.check_outputs(...)
basics.check_outputs(basics.SOLUTIONS["check_outputs"]())
flush_reports(10)
mine, counts = my_progress(), reporting_counts()
print(json.dumps([counts["sent"] - before, counts["pending"], mine.source, mine.of("check_outputs").attempts]))
"""


def test_a_real_self_check_in_a_learners_kernel_reports_itself(reporters):
    b, teacher = reporters[0][1], reporters[1]
    sent, pending, source, attempts = json.loads(in_kernel(b, REAL_CHECKS).strip().splitlines()[-1])
    assert (sent, pending) == (2, 0)
    assert (source, attempts) == ("service", 2)  # lesson 00's map reads the service on a hub
    cells = {e["exercise"]: e for e in me(b)["exercises"]}
    assert (cells["check_outputs"]["passed"], cells["check_outputs"]["attempts"]) == (True, 2)
    rows = {row["name"]: row["cells"] for row in class_view(teacher)["learners"]}
    assert rows[b.name]["check_outputs"]["attempts"] == 2


def test_a_learner_who_switches_reporting_off_sends_nothing(reporters):
    c = reporters[0][2]
    code = ("from lessons_lib.checks import basics\nfrom lessons_lib.checks.progress import reporting_off, "
            "reporting_on, flush_reports, reporting_counts\nreporting_off()\nbefore = dict(reporting_counts())\n"
            "basics.check_outputs(...)\nflush_reports(5)\nprint(reporting_counts() == before)\nreporting_on()")
    printed = in_kernel(c, code)
    assert "Reporting is off" in printed and "True" in printed.splitlines()
    assert "check_outputs" not in {e["exercise"] for e in me(c)["exercises"]}


def test_a_forged_name_and_a_missing_or_wrong_token_are_refused(reporters):
    (a, b, _), teacher = reporters
    before, bs = stored(teacher), me(b)
    status, answer, _ = send(a, {**verdict("check_warmup", True), "user": b.name})
    assert status == 400 and "'user' is not allowed" in answer["error"]
    assert send(a, verdict("check_warmup", True), token="")[0] == 401
    assert send(a, verdict("check_warmup", True), token="0123456789abcdef" * 2)[0] == 401
    assert stored(teacher) == before and me(b) == bs


def test_a_learner_cannot_open_the_instructor_views(reporters):
    (a, _, _), teacher = reporters
    for path in ("api/class", "class.csv"):
        answer = run(a.api("GET", SERVICE + path))
        assert answer.status_code == 403 and "only instructors" in answer.json()["error"]
    csv = run(teacher.api("GET", SERVICE + "class.csv"))
    assert csv.status_code == 200 and csv.text.startswith("learner,lesson,exercise,status")
    assert run(a.api("GET", SERVICE + "api/class", token="")).status_code == 401


@pytest.mark.parametrize("change, status, words", [
    ({"lesson": "99_nowhere"}, 400, "unknown lesson"),
    ({"exercise": "check_nothing"}, 400, "unknown exercise"),
    ({"exercise": "check_warmup"}, 400, "belongs to lesson 00_welcome"),  # a check of another lesson
    ({"passed": "yes"}, 400, "'passed' must be true or false"),
    ({"attempt": "3"}, 400, "'attempt' must be an integer"),
    ({"time": None}, 400, "'time' must be a number"),
    ({"answer": "x" * 2000}, 413, "at most 1024 bytes"),
])
def test_each_bad_request_gets_its_4xx_and_stores_nothing(reporters, change, status, words):
    a, teacher = reporters[0][0], reporters[1]
    before = stored(teacher)
    got, answer, _ = send(a, {**verdict("check_softmax", True), **change})
    assert got == status and words in answer["error"], answer
    assert stored(teacher) == before


def test_more_than_ten_reports_a_second_are_refused(reporters):
    b, teacher = reporters[0][1], reporters[1]
    before = stored(teacher)
    burst = ("from concurrent.futures import ThreadPoolExecutor\n"
             f"bodies = [{verdict('check_temperature', False)!r} for _ in range(20)]\n"
             "for i, body in enumerate(bodies): body['id'] = '%032x' % (0xabc000 + i)\n"
             "with ThreadPoolExecutor(20) as pool: answers = list(pool.map(_send, bodies))\n"
             "print(_json.dumps([[s, r] for s, _, r in answers]))")
    answers = json.loads(in_kernel(b, burst))
    codes = [code for code, _ in answers]
    assert 429 in codes and set(codes) <= {201, 429}, codes
    assert all(retry == "1" for code, retry in answers if code == 429)
    assert stored(teacher) == before + codes.count(201)


def test_joining_the_instructors_group_shows_the_class(classroom, reporters):
    (_, _, c), teacher = reporters
    group = "/hub/api/groups/instructors/users"
    own_token = c.token
    assert run(teacher.api("POST", group, json={"users": [c.name]})).status_code == 200  # as the admin page does
    try:
        run(c.request_token("after joining the instructors"))  # a new login carries the new rights
        answer = run(c.api("GET", SERVICE + "api/class"))
        assert answer.status_code == 200 and len(answer.json()["learners"]) == 3
    finally:
        assert run(teacher.api("DELETE", group, json={"users": [c.name]})).status_code == 200
        c.token = own_token
    assert run(c.api("GET", SERVICE + "api/class")).status_code == 403


def test_a_service_restart_loses_nothing(classroom, reporters):
    (a, _, c), teacher = reporters
    before = class_view(teacher)["learners"]
    old = service_process(classroom)
    old.send_signal(signal.SIGKILL)  # no chance to tidy up: only what was committed survives
    assert run(teacher.api("GET", SERVICE + "api/class")).status_code >= 500  # down (until the hub reaps it)
    deadline = time.monotonic() + 90  # the hub polls its services every 30 s and starts a dead one again
    while time.monotonic() < deadline:
        answer = run(teacher.api("GET", SERVICE + "api/class"))
        if answer.status_code == 200:
            break
        time.sleep(1)
    assert answer.status_code == 200, f"the hub did not restart the service: {answer.status_code}"
    assert service_process(classroom).pid != old.pid
    assert answer.json()["learners"] == before
    assert send(c, verdict("check_weight_matrix", True))[0] == 201
    assert "check_weight_matrix" in [e["exercise"] for e in me(c)["exercises"]]


# --- the dashboard in headless Chromium ----------------------------------------------------

@pytest.fixture(scope="module")
def chromium():
    playwright = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make browser-deps`")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


def open_dashboard(chromium, classroom, name: str, password: str):
    """A new browser context: log in through the hub's login page, then open the dashboard (OAuth)."""
    page = chromium.new_context(viewport={"width": 1400, "height": 900}).new_page()
    base = f"http://127.0.0.1:{classroom.port}"
    page.goto(f"{base}/hub/login?next={SERVICE}")
    page.fill("#username_input", name)
    page.fill("#password_input", password)
    page.click("#login_submit")
    page.wait_for_url(f"{base}{SERVICE}", timeout=60_000)
    page.locator("#status", has_text="Live").wait_for(timeout=30_000)
    return page


def cell_text(page, learner: str, exercise: str) -> str:
    """A grid cell as seen and as said: '✓ 2 | passed, 2 attempts' ('' when not tried)."""
    cell = page.locator(f'tr[data-learner="{learner}"] td[data-exercise="{exercise}"]')
    if not cell.locator("span").count():
        return ""
    return cell.locator("span[aria-hidden]").inner_text() + " | " + cell.locator(".sr").inner_text()


WATCH = """([learner, exercise]) => {
    const cell = document.querySelector(`tr[data-learner="${learner}"] td[data-exercise="${exercise}"]`);
    window.__seen = null;
    new MutationObserver(() => {
        if (window.__seen === null && cell.textContent.includes("✓")) window.__seen = Date.now() / 1000;
    }).observe(cell, {childList: true, subtree: true, characterData: true});
}"""


def test_the_dashboard_shows_a_new_pass_within_two_seconds(chromium, classroom, reporters):
    (a, b, c), _ = reporters
    page = open_dashboard(chromium, classroom, classroom.instructors[0], classroom.instructor_password)
    assert page.locator("#rows tr").count() == 3
    assert cell_text(page, b.name, "check_softmax") == "✓ 2 | passed, 2 attempts"
    exercise = "check_river_weights"
    assert cell_text(page, a.name, exercise) == ""
    page.evaluate(WATCH, [a.name, exercise])
    posted = float(in_kernel(a, f"import time as _t\nt = _t.time()\n_send({verdict(exercise, True)!r})\nprint(t)"))
    page.locator(f'tr[data-learner="{a.name}"] td[data-exercise="{exercise}"]', has_text="✓").wait_for(timeout=10_000)
    delay = page.evaluate("window.__seen") - posted
    print(f"post -> dashboard: {delay * 1000:.0f} ms (load average {os.getloadavg()[0]:.1f})")
    assert cell_text(page, a.name, exercise) == "✓ 1 | passed, 1 attempt"
    assert delay < 2.0, f"the dashboard showed the pass {delay:.2f} s after it was posted"
    assert page.locator("#csv").get_attribute("href") == "class.csv"
    for _ in range(3):  # three failures: c is stuck on this exercise
        send(c, verdict("check_causal_mask", False))
    page.locator("#stuck li", has_text=f"{c.name}: check_causal_mask").wait_for(timeout=10_000)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "progress-instructor.png"), full_page=True)
    page.context.close()


def test_a_learner_sees_only_their_own_row(chromium, classroom, reporters):
    (a, b, _), _ = reporters
    page = open_dashboard(chromium, classroom, b.name, classroom.learner_password)
    rows = page.locator("#rows tr")
    assert rows.count() == 1 and rows.first.get_attribute("data-learner") == b.name
    assert a.name not in page.content() and page.locator("#instructor-only").is_hidden()
    assert cell_text(page, b.name, "check_softmax").startswith("✓ 2")
    answer = page.request.get(f"http://127.0.0.1:{classroom.port}{SERVICE}api/class")
    assert answer.status == 403
    page.screenshot(path=str(ARTIFACTS / "progress-learner.png"), full_page=True)
    page.context.close()
