"""The progress service's web app: verdicts in, the learner's own record and the class dashboard out.

Routes under the service's prefix (``/services/progress/``):

- ``POST api/verdicts`` one verdict from a learner's kernel (hub token in ``Authorization``);
- ``GET api/me`` the caller's own record; ``GET`` the dashboard page;
- ``GET api/class``, ``class.csv`` the whole class (instructors only);
- ``GET api/events`` the dashboard's live channel (server-sent events).

Identity always comes from the hub (:mod:`jupyterhub.services.auth`), never from the body.
Every refusal is a 4xx with ``{"error": "..."}``, and stores nothing.
"""
from __future__ import annotations

import asyncio
import json
import math
import re
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from pathlib import Path

from jupyterhub.services.auth import HubOAuthCallbackHandler, HubOAuthenticated
from tornado import web
from tornado.iostream import StreamClosedError

from classroom.progress import INSTRUCTOR_SCOPE, views
from classroom.progress.catalog import Catalog
from classroom.progress.store import Store

MAX_BODY = 1024  # bytes of one report
RATE = 10  # reports a second from one learner
HEARTBEAT = 15.0  # seconds between keep-alive comments on the live channel
REPORT_ID = re.compile(r"^[0-9a-f]{32}$")
FIELDS = {"id": str, "lesson": str, "exercise": str, "passed": bool, "attempt": int, "time": float}
PAGE = Path(__file__).with_name("dashboard.html")


class Refused(web.HTTPError):
    """A request the service refuses: ``status`` and a message naming what is wrong."""

    def __init__(self, status: int, message: str, retry_after: int | None = None) -> None:
        super().__init__(status, log_message=message.replace("%", "%%"))
        self.message, self.retry_after = message, retry_after


def validate(body: bytes, catalog: Catalog) -> dict:
    """The report in ``body``, checked against the contract and the catalog; raise :class:`Refused` (400)."""
    try:
        report = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise Refused(400, "the body is not valid JSON") from None
    if not isinstance(report, dict):
        raise Refused(400, "the body must be a JSON object")
    for name in ("user", "name"):
        if name in report:
            raise Refused(400, f"field '{name}' is not allowed: the service takes your name from your hub token")
    unknown = sorted(set(report) - set(FIELDS))
    if unknown:
        raise Refused(400, f"unknown field '{unknown[0]}'; a report holds only {', '.join(FIELDS)}")
    for name, kind in FIELDS.items():
        check_type(report, name, kind)
    check_values(report, catalog)
    return report


def check_type(report: dict, name: str, kind: type) -> None:
    """Refuse a missing field or one of the wrong JSON type (booleans are not numbers here)."""
    if name not in report:
        raise Refused(400, f"field '{name}' is missing")
    value = report[name]
    ok = {bool: isinstance(value, bool), int: isinstance(value, int) and not isinstance(value, bool),
          float: isinstance(value, (int, float)) and not isinstance(value, bool),
          str: isinstance(value, str)}[kind]
    if not ok:
        expected = {bool: "true or false", int: "an integer", float: "a number", str: "a string"}[kind]
        raise Refused(400, f"field '{name}' must be {expected}, got {json.dumps(value)[:40]}")


def check_values(report: dict, catalog: Catalog) -> None:
    """Refuse a malformed id, an unknown lesson or exercise, and impossible numbers."""
    if not REPORT_ID.match(report["id"]):
        raise Refused(400, "field 'id' must be 32 lowercase hex digits (uuid4().hex)")
    if report["lesson"] not in catalog.lessons:
        raise Refused(400, f"field 'lesson': unknown lesson {report['lesson'][:60]!r}")
    owner = catalog.lesson_of(report["exercise"])
    if owner is None:
        raise Refused(400, f"field 'exercise': unknown exercise {report['exercise'][:60]!r}")
    if owner != report["lesson"]:
        raise Refused(400, f"field 'exercise': {report['exercise']} belongs to lesson {owner}, "
                           f"not {report['lesson']}")
    if not 1 <= report["attempt"] <= 1_000_000:
        raise Refused(400, "field 'attempt' must be between 1 and 1000000")
    if not (math.isfinite(report["time"]) and 0 < report["time"] < 1e11):
        raise Refused(400, "field 'time' must be epoch seconds (a positive number)")


@dataclass
class RateLimit:
    """At most ``per_second`` accepted requests per user in any one-second window."""

    per_second: int = RATE
    recent: dict[str, deque] = field(default_factory=lambda: defaultdict(deque))

    def allow(self, user: str, now: float | None = None) -> bool:
        """Count one request for ``user``; False (and not counted) if it is one too many."""
        now = time.monotonic() if now is None else now
        hits = self.recent[user]
        while hits and now - hits[0] >= 1.0:
            hits.popleft()
        if len(hits) >= self.per_second:
            return False
        hits.append(now)
        return True


class Changes:
    """Wakes the live channels when a verdict is stored."""

    def __init__(self) -> None:
        self.version = 0
        self._event = asyncio.Event()

    def bump(self) -> None:
        """Tell every waiting channel that something changed."""
        self.version += 1
        self._event.set()
        self._event = asyncio.Event()

    async def wait(self, seen: int, timeout: float) -> bool:
        """Wait until the version differs from ``seen`` (True) or ``timeout`` passes (False)."""
        if self.version != seen:
            return True
        try:
            await asyncio.wait_for(self._event.wait(), timeout)
            return True
        except asyncio.TimeoutError:
            return False


@dataclass
class Service:
    """What every handler shares: the catalog, the store, the class and the live state."""

    catalog: Catalog
    store: Store
    learners: list[str] = field(default_factory=list)
    stuck_minutes: float = 10.0
    limits: RateLimit = field(default_factory=RateLimit)
    changes: Changes = field(default_factory=Changes)
    _cached: tuple = field(default=(None, None), init=False, repr=False)  # (key, class view)

    def class_view(self) -> dict:
        """The instructors' view of the whole class, shared by every instructor's page.

        Rebuilt when the table has a new row, and every 15 s (the stuck list depends on the time).
        """
        key = (self.store.version(), int(time.time() // 15))
        if self._cached[0] != key:
            self._cached = (key, views.class_view(self.store.cells(), self.catalog, self.learners, self.stuck_minutes))
        return self._cached[1]

    def own_view(self, user: str) -> dict:
        """A learner's view of the dashboard: their row only."""
        return views.own_view(user, self.store.cells(user).get(user, {}), self.catalog)


class Handler(HubOAuthenticated, web.RequestHandler):
    """Base handler: identifies the caller through the hub; JSON errors."""

    def initialize(self, service: Service, hub_auth: object | None = None) -> None:  # noqa: D401  (tornado's hook)
        self.service = service
        if hub_auth is not None:  # tests stand in for the hub; the service uses the default HubOAuth
            self.hub_auth = hub_auth

    async def prepare(self) -> None:
        """Identify the caller (token or OAuth cookie); refuse with 401/403 when the hub does not vouch."""
        model = await self.hub_auth.get_user(self, sync=False)
        if model is None:
            self.not_identified()
        if not self.hub_auth.check_scopes(self.hub_auth.access_scopes, model):
            raise Refused(403, f"{model.get('kind', 'user')} {model['name']} may not use the progress service")
        if model.get("kind", "user") != "user":
            raise Refused(403, "only hub users report and read progress")
        self.current_user = model

    def not_identified(self) -> None:
        """No valid token or login: answer 401 (API routes)."""
        raise Refused(401, "no valid hub token: send 'Authorization: token <JUPYTERHUB_API_TOKEN>' or log in")

    @property
    def user(self) -> str:
        """The caller's hub name."""
        return self.current_user["name"]

    @property
    def instructor(self) -> bool:
        """Whether the caller holds the instructor scope (a hub role grants it)."""
        return INSTRUCTOR_SCOPE in self.current_user.get("scopes", [])

    def require_instructor(self) -> None:
        """Refuse (403) a caller who is not an instructor."""
        if not self.instructor:
            raise Refused(403, f"only instructors see the whole class; {self.user} can open api/me")

    def send_json(self, data: dict, status: int = 200) -> None:
        """Answer with ``data`` as JSON."""
        self.set_status(status)
        self.set_header("Content-Type", "application/json; charset=UTF-8")
        self.set_header("Cache-Control", "no-store")
        self.finish(json.dumps(data))

    def write_error(self, status_code: int, **kwargs) -> None:  # noqa: ANN003  (tornado's signature)
        """Every error as ``{"error": message}``."""
        error = kwargs.get("exc_info", (None, None))[1]
        message = getattr(error, "message", None) or self._reason
        if getattr(error, "retry_after", None):
            self.set_header("Retry-After", str(error.retry_after))
        self.set_header("Content-Type", "application/json; charset=UTF-8")
        self.finish(json.dumps({"error": message}))


@web.stream_request_body
class VerdictsHandler(Handler):
    """``POST api/verdicts``: one verdict from a learner's kernel."""

    async def prepare(self) -> None:
        """Token only (never the login cookie, so no other page can post as the learner), then size."""
        if not self.hub_auth.get_token(self, in_cookie=False):
            raise Refused(401, "send your hub token: 'Authorization: token <JUPYTERHUB_API_TOKEN>'")
        if self.request.method != "POST":
            raise Refused(405, "only POST")
        await super().prepare()
        self.body = bytearray()
        if int(self.request.headers.get("Content-Length") or 0) > MAX_BODY:
            raise Refused(413, f"a report is at most {MAX_BODY} bytes")

    def data_received(self, chunk: bytes) -> None:
        """Collect the body, up to one byte more than allowed."""
        if len(self.body) <= MAX_BODY:
            self.body += chunk[: MAX_BODY + 1 - len(self.body)]

    def post(self) -> None:
        """Validate, rate-limit and store one report."""
        if len(self.body) > MAX_BODY:
            raise Refused(413, f"a report is at most {MAX_BODY} bytes")
        if not self.service.limits.allow(self.user):
            raise Refused(429, f"more than {RATE} reports a second from {self.user}; retry later", retry_after=1)
        report = validate(bytes(self.body), self.service.catalog)
        if not self.service.store.add(self.user, report):
            self.send_json({"stored": False, "duplicate": True}, 200)
            return
        self.service.changes.bump()
        self.send_json({"stored": True}, 201)


class MeHandler(Handler):
    """``GET api/me``: the caller's own progress."""

    def get(self) -> None:
        """The exercises the caller reported on, in course order."""
        cells = self.service.store.cells(self.user).get(self.user, {})
        self.send_json(views.me(self.user, cells, self.service.catalog))


class ClassHandler(Handler):
    """``GET api/class``: the whole class (instructors only)."""

    def get(self) -> None:
        """Every learner's row, pass counts and the stuck list."""
        self.require_instructor()
        self.send_json(self.service.class_view())


class CsvHandler(Handler):
    """``GET class.csv``: the class as a CSV download (instructors only)."""

    def get(self) -> None:
        """One line per learner and exercise."""
        self.require_instructor()
        self.set_header("Content-Type", "text/csv; charset=UTF-8")
        self.set_header("Content-Disposition", 'attachment; filename="class-progress.csv"')
        self.set_header("Cache-Control", "no-store")
        self.finish(views.class_csv(self.service.class_view()))


class PageHandler(Handler):
    """``GET`` the dashboard page; a browser without a login goes through the hub's OAuth."""

    def not_identified(self) -> None:
        """Send a browser to the hub's login (OAuth), then back here."""
        if self.hub_auth.get_token(self, in_cookie=False):
            super().not_identified()
        self.redirect(self.get_login_url())
        raise web.Finish()

    def get(self) -> None:
        """The page; its script reads the live channel."""
        xsrf = self.xsrf_token
        page = PAGE.read_text(encoding="utf-8").replace(
            "__SETTINGS__", json.dumps({"xsrf": xsrf.decode() if isinstance(xsrf, bytes) else xsrf,
                                        "user": self.user, "instructor": self.instructor}).replace("<", "\\u003c"))
        self.set_header("Cache-Control", "no-store")
        self.set_header("Content-Security-Policy", "default-src 'self'; style-src 'self' 'unsafe-inline'; "
                                                   "script-src 'unsafe-inline'; img-src 'self' data:")
        self.finish(page)


class EventsHandler(Handler):
    """``GET api/events``: the dashboard's live channel (server-sent events).

    Sends the caller's view at once, then again within a moment of every stored
    verdict, and a comment every :data:`HEARTBEAT` s so that proxies keep the
    connection open. Instructors get the class view, learners their own row.
    """

    async def get(self) -> None:
        """Stream views until the browser goes away."""
        self.set_header("Content-Type", "text/event-stream")
        self.set_header("Cache-Control", "no-store")
        self.set_header("X-Accel-Buffering", "no")
        changes, seen = self.service.changes, -1
        try:
            while True:
                if seen != changes.version:
                    seen = changes.version
                    view = self.service.class_view() if self.instructor else self.service.own_view(self.user)
                    self.write(f"data: {json.dumps(view)}\n\n")
                else:
                    self.write(": still here\n\n")
                await self.flush()
                if await changes.wait(seen, HEARTBEAT):
                    await asyncio.sleep(0.05)  # gather a burst of verdicts into one update
        except StreamClosedError:
            return


class NotFound(web.RequestHandler):
    """Any other path: 404 as JSON, like every other refusal."""

    def prepare(self) -> None:
        """Refuse before any method runs."""
        self.set_status(404)
        self.set_header("Content-Type", "application/json; charset=UTF-8")
        self.finish(json.dumps({"error": f"no such page: {self.request.path[:100]}"}))


def make_app(service: Service, prefix: str, cookie_secret: bytes, hub_auth: object | None = None) -> web.Application:
    """The tornado application serving ``service`` under ``prefix`` (ending in ``/``).

    ``cookie_secret`` signs the browsers' login cookies; keep it across restarts so that
    an open dashboard reconnects without logging in again.
    """
    routes = [("", PageHandler), ("api/verdicts", VerdictsHandler), ("api/me", MeHandler),
              ("api/class", ClassHandler), ("class.csv", CsvHandler), ("api/events", EventsHandler)]
    handlers = [(prefix + path, cls, {"service": service, "hub_auth": hub_auth}) for path, cls in routes]
    handlers.append((prefix + "oauth_callback", HubOAuthCallbackHandler))
    return web.Application(handlers, cookie_secret=cookie_secret, default_handler_class=NotFound)
