"""One real classroom hub shared by every hub test module (fixtures in ``conftest.py``).

Starting a hub, three learners' servers and their kernels takes most of a minute, so
the session starts them once; ``test_classroom_hub.py`` ends with the test that stops
the hub (``conftest.py`` runs it after every other test that uses the hub).
"""
from __future__ import annotations

import asyncio
import secrets
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

from classroom import accounts, hub, settings as class_settings
from classroom.client import Learner
from classroom.settings import ClassSettings

LOOP = asyncio.new_event_loop()


def run(coroutine):
    """Run a coroutine on the hub tests' event loop (from a worker thread while Playwright's loop runs here)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return LOOP.run_until_complete(coroutine)
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(LOOP.run_until_complete, coroutine).result()


def in_kernel(learner: Learner, code: str) -> str:
    """Run ``code`` in ``learner``'s kernel; what it printed (no error allowed)."""
    outcome = run(learner.kernel.execute(code))
    assert not outcome.errors, outcome.errors
    return outcome.stdout


def start_classroom(work) -> Iterator[ClassSettings]:
    """A running hub with learners a, b, c and instructor t, stopped and cleaned up afterwards."""
    tag = secrets.token_hex(3)
    settings = ClassSettings(learners=[f"cltest{tag}{x}" for x in "abc"], instructors=[f"cltest{tag}t"],
                             learner_password=secrets.token_urlsafe(12), instructor_password=secrets.token_urlsafe(32),
                             port=hub.free_port(), state_dir=work / "state")
    config = work / "class.toml"
    class_settings.write(settings, config)
    try:
        hub.start(settings, config)
        yield settings
    finally:
        hub.stop(settings.state_dir)
        for name in settings.users:
            accounts.remove_user(name)


def arrive_everyone(settings: ClassSettings) -> Iterator[tuple[list[Learner], Learner]]:
    """The three learners and the instructor, logged in, each learner with a running server and kernel."""
    base = f"http://127.0.0.1:{settings.port}"
    people = {name: Learner(base, name, settings.learner_password) for name in settings.learners}
    teacher = Learner(base, settings.instructors[0], settings.instructor_password)

    async def arrive(learner):
        await learner.login()
        await learner.request_token()
        await learner.start_server()
        learner.kernel = await learner.start_kernel()

    async def everyone():
        await asyncio.gather(*(arrive(p) for p in people.values()))

    run(everyone())
    run(teacher.login())
    run(teacher.request_token())
    yield list(people.values()), teacher
    for person in [*people.values(), teacher]:
        run(person.close())
