"""A real JupyterHub with three learners and an instructor: log in, spawn, run a lesson, isolation.

The hub, its proxy and the learners' servers are the real ones that ``make classroom``
starts; the session's fixtures (``conftest.py``, ``hubtest.py``: one hub for every hub
test module) start them on free loopback ports and remove the Unix accounts they made
afterwards, even when a test fails. Runs as root only (each learner is a Unix user).
"""
from __future__ import annotations

import json
import os
import pwd
from pathlib import Path

import psutil
import pytest
import tornado.httpclient
from tornado.websocket import websocket_connect

from classroom import accounts, hub
from classroom.client import ClassroomError, Learner
from classroom.settings import ROOT
from hubtest import in_kernel, run

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the classroom hub makes Unix users: run as root")
LESSON = json.loads((ROOT / "notebooks" / "01_weighted_averages.ipynb").read_text())
LESSON_CELLS = ["".join(c["source"]) for c in LESSON["cells"] if c["cell_type"] == "code"]


def test_hub_listens_on_loopback_only(classroom):
    processes = [psutil.Process(hub.running_pid(classroom.state_dir))]
    processes += processes[0].children(recursive=True)
    listening = {c.laddr for p in processes for c in p.net_connections("tcp") if c.status == psutil.CONN_LISTEN}
    assert ("127.0.0.1", classroom.port) in listening
    assert listening and all(address.ip in ("127.0.0.1", "::1") for address in listening), listening


def test_the_idle_culler_and_the_pinned_proxy_run(classroom):
    children = psutil.Process(hub.running_pid(classroom.state_dir)).children(recursive=True)
    commands = [" ".join(p.cmdline()) for p in children]
    assert any("jupyterhub_idle_culler" in c and f"--timeout={classroom.idle_timeout}" in c for c in commands)
    assert any(str(hub.PROXY) in c for c in commands)
    assert (classroom.state_dir / "jupyterhub.sqlite").exists()
    assert classroom.state_dir.stat().st_mode & 0o077 == 0


def test_wrong_passwords_are_refused(classroom):
    base = f"http://127.0.0.1:{classroom.port}"
    wrong = [(classroom.learners[0], "not-the-password"),
             (classroom.instructors[0], classroom.learner_password),  # an instructor needs their own password
             ("stranger", classroom.learner_password)]  # not in the class
    for name, password in wrong:
        learner = Learner(base, name, password)
        with pytest.raises(ClassroomError, match="refused"):
            run(learner.login())
        run(learner.close())


def test_learners_run_a_lesson_and_move_a_slider(learners):
    for learner in learners[0]:
        for cell in LESSON_CELLS[:8]:  # the imports up to the attention weight explorer
            assert not run(learner.kernel.execute(cell)).errors
        slider = next(iter(learner.kernel.sliders()))
        seconds, outcome = run(learner.kernel.move(slider, 0.5))
        assert outcome.updates >= 1 and not outcome.errors
        assert "lessons_lib" in in_kernel(learner, "import lessons_lib, sys; print(lessons_lib.__file__, sys.prefix)")


def test_the_instructor_sees_each_learners_memory(classroom, learners):
    rows = {name: (count, rss) for name, count, rss, _cpu in hub.usage(classroom)}
    for learner in learners[0]:  # a running JupyterLab server and a kernel: well over 50 MiB
        count, rss = rows[learner.name]
        assert count >= 2 and rss > 50, (learner.name, count, rss)
    assert rows["(hub, proxy, culler)"][0] >= 3


def test_learners_run_from_the_learner_environment_as_themselves(learners):
    for learner in learners[0]:
        printed = in_kernel(learner, "import getpass, sys; print(getpass.getuser(), sys.prefix)").split()
        assert printed == [learner.name, str(hub.LEARNER_ENV)]


def test_homes_are_private_and_hold_the_lessons(classroom, learners):
    for name in classroom.learners:
        entry = pwd.getpwnam(name)
        home = Path(entry.pw_dir)
        assert home.stat().st_uid == entry.pw_uid and home.stat().st_mode & 0o077 == 0
        lesson = home / "notebooks" / "00_welcome.ipynb"
        assert lesson.stat().st_uid == entry.pw_uid and lesson.stat().st_mode & 0o077 == 0


PROBE = """
import os
for what, act in [("list", lambda: os.listdir({home!r})),
                  ("read", lambda: open({home!r} + "/notebooks/00_welcome.ipynb").read()),
                  ("write", lambda: open({home!r} + "/notebooks/intruder.txt", "w").write("x")),
                  ("runtime", lambda: os.listdir({home!r} + "/.local/share/jupyter/runtime"))]:
    try:
        act()
        print(what, "allowed")
    except PermissionError:
        print(what, "refused")
"""


def test_a_learner_cannot_read_or_change_anothers_files(learners):
    a, b, _ = learners[0]
    printed = in_kernel(a, PROBE.format(home=pwd.getpwnam(b.name).pw_dir))
    assert printed.split() == ["list", "refused", "read", "refused", "write", "refused", "runtime", "refused"]


def test_a_learners_token_does_not_open_anothers_server_or_kernel(learners):
    a, b, _ = learners[0]
    assert run(a.api("GET", f"/user/{b.name}/api/kernels")).status_code == 403
    assert run(a.api("GET", f"/user/{b.name}/api/contents/notebooks")).status_code == 403
    assert run(a.api("GET", f"/user/{a.name}/api/kernels")).status_code == 200
    kernel_id = run(b.api("GET", f"/user/{b.name}/api/kernels")).json()[0]["id"]
    url = f"ws://127.0.0.1:{b.base.rsplit(':', 1)[1]}/user/{b.name}/api/kernels/{kernel_id}/channels"
    request = tornado.httpclient.HTTPRequest(url, headers={"Authorization": f"token {a.token}"})

    async def connect():
        return await websocket_connect(request)

    with pytest.raises(tornado.httpclient.HTTPClientError) as refused:
        run(connect())
    assert refused.value.code == 403


def test_a_learners_token_does_not_open_anothers_server_port_directly(learners):
    a, b, _ = learners[0]
    ports = {c.laddr.port for p in accounts.processes_of(b.name) if "jupyterhub-singleuser" in " ".join(p.cmdline())
             for c in p.net_connections("tcp") if c.status == psutil.CONN_LISTEN}
    assert ports
    code = ("import urllib.request, urllib.error\n"
            f"req = urllib.request.Request('http://127.0.0.1:{min(ports)}/user/{b.name}/api/kernels', "
            f"headers={{'Authorization': 'token {a.token}'}})\n"
            "try:\n    print(urllib.request.urlopen(req).status)\n"
            "except urllib.error.HTTPError as err:\n    print(err.code)\n")
    assert in_kernel(a, code).strip() == "403"


def test_no_token_and_empty_tokens_are_refused(learners):
    a = learners[0][0]
    for path in ("/hub/api/user", f"/user/{a.name}/api/kernels"):
        assert run(a.api("GET", path, token="")).status_code in (302, 403)  # no token at all
        assert run(a.api("GET", path + "?token=", token="")).status_code in (302, 403)
        assert run(a.bare.get(path, headers={"Authorization": "token"})).status_code in (302, 403)


def test_only_the_instructor_opens_admin_pages(learners):
    (a, b, _), teacher = learners
    assert run(a.http.get("/hub/admin")).status_code == 403
    assert run(a.api("GET", f"/hub/api/users/{b.name}")).status_code == 404
    assert run(a.api("DELETE", f"/hub/api/users/{b.name}/server")).status_code in (403, 404)
    assert run(teacher.http.get("/hub/admin")).status_code == 200
    assert run(teacher.api("GET", f"/hub/api/users/{b.name}")).json()["servers"][""]["ready"]
    assert run(teacher.api("GET", f"/user/{b.name}/api/kernels")).status_code == 200


def test_a_learners_edits_survive_a_restart(learners):
    a = learners[0][0]
    in_kernel(a, "open('notebooks/00_welcome.ipynb', 'a').write('my edit')")
    run(a.kernel.close())
    run(a.stop_server())
    run(a.start_server())
    a.kernel = run(a.start_kernel())
    assert in_kernel(a, "print(open('notebooks/00_welcome.ipynb').read().endswith('my edit'))").strip() == "True"


def test_stop_ends_the_hub_and_everything_it_started(classroom, learners):
    pid = hub.running_pid(classroom.state_dir)
    started = psutil.Process(pid).children(recursive=True)
    assert len(started) >= 1 + 2 * len(classroom.learners)  # proxy, each learner's server and kernel
    assert hub.stop(classroom.state_dir)
    assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    assert not [p for p in started if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
    assert not any(accounts.processes_of(name) for name in classroom.learners)
