"""A learner as the hub sees one: log in, start a server, run code, move sliders.

Used by the classroom tests and the load benchmark. Everything goes through the
hub's public address: the login form, the hub's REST API with the learner's own
token, and the learner's Jupyter server's REST API and kernel websocket.
"""
from __future__ import annotations

import asyncio
import json
import re
import struct
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx
from tornado.httpclient import HTTPRequest
from tornado.websocket import WebSocketClientConnection, websocket_connect

XSRF_FIELD = re.compile(r'name="_xsrf"\s+value="([^"]+)"')
XSRF_PAGE = re.compile(r'xsrf_token:\s*"([^"]+)"')


class ClassroomError(RuntimeError):
    """A step a learner takes failed (login, spawn, kernel)."""


@dataclass
class Outcome:
    """What one execute request produced."""

    status: str = "pending"
    stdout: str = ""
    errors: list[str] = field(default_factory=list)
    updates: int = 0  # widget updates the kernel sent for other models than the one moved
    last_update: float = 0.0  # time.perf_counter() when the last of them arrived
    done: asyncio.Event = field(default_factory=asyncio.Event)


def decode_frame(frame: str | bytes) -> dict:
    """A kernel message from a websocket frame (JSON text, or Jupyter's binary framing)."""
    if isinstance(frame, str):
        return json.loads(frame)
    count = struct.unpack("!I", frame[:4])[0]
    offsets = struct.unpack(f"!{count}I", frame[4:4 + 4 * count])
    end = offsets[1] if count > 1 else len(frame)
    return json.loads(frame[offsets[0]:end])


class Learner:
    """One learner, logged in to the hub at ``base`` (``http://127.0.0.1:PORT``)."""

    def __init__(self, base: str, name: str, password: str, timeout: float = 120) -> None:
        self.base, self.name, self.password = base.rstrip("/"), name, password
        self.http = httpx.AsyncClient(base_url=self.base, timeout=timeout)  # the browser: login cookies
        self.bare = httpx.AsyncClient(base_url=self.base, timeout=timeout)  # token requests: no cookies
        self.token = ""

    async def login(self) -> httpx.Response:
        """Log in through the hub's login form; raise :class:`ClassroomError` when refused."""
        page = await self.http.get("/hub/login")
        xsrf = XSRF_FIELD.search(page.text)
        form = {"username": self.name, "password": self.password, "_xsrf": xsrf.group(1) if xsrf else ""}
        response = await self.http.post("/hub/login", data=form)
        if response.status_code != 302 or not any(k.startswith("jupyterhub-hub-login") for k in self.http.cookies):
            raise ClassroomError(f"login as {self.name} refused: HTTP {response.status_code}")
        return response

    async def request_token(self, note: str = "classroom client") -> str:
        """Ask the hub for an API token of this learner's own, with the login cookie."""
        home = await self.http.get("/hub/home")
        xsrf = XSRF_PAGE.search(home.text)
        response = await self.http.post(f"/hub/api/users/{self.name}/tokens", json={"note": note, "expires_in": 7200},
                                        headers={"X-XSRFToken": xsrf.group(1) if xsrf else ""})
        if response.status_code != 201:
            raise ClassroomError(f"token for {self.name}: HTTP {response.status_code} {response.text[:200]}")
        self.token = response.json()["token"]
        return self.token

    async def api(self, method: str, path: str, token: str | None = None, **kwargs: Any) -> httpx.Response:
        """A request to ``path`` (hub or server) with this learner's token (or ``token``; "" sends none)."""
        token = self.token if token is None else token
        headers = {"Authorization": f"token {token}"} if token else {}
        return await self.bare.request(method, path, headers=headers, **kwargs)

    async def start_server(self, timeout: float = 300) -> None:
        """Start this learner's Jupyter server and wait until the hub says it is ready."""
        response = await self.api("POST", f"/hub/api/users/{self.name}/server")
        if response.status_code not in (201, 202, 400):  # 400: already running
            raise ClassroomError(f"spawn for {self.name}: HTTP {response.status_code} {response.text[:200]}")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            user = (await self.api("GET", f"/hub/api/users/{self.name}")).json()
            server = user.get("servers", {}).get("")
            if server and server.get("ready"):
                return
            if not server and not user.get("pending"):
                raise ClassroomError(f"the server of {self.name} stopped while starting")
            await asyncio.sleep(0.5)
        raise ClassroomError(f"the server of {self.name} was not ready within {timeout:.0f} s")

    async def stop_server(self) -> None:
        """Ask the hub to stop this learner's server."""
        await self.api("DELETE", f"/hub/api/users/{self.name}/server")

    async def start_kernel(self, timeout: float = 120) -> "Kernel":
        """Start a python3 kernel on this learner's server and connect to its websocket."""
        response = await self.api("POST", f"/user/{self.name}/api/kernels", json={"name": "python3"})
        if response.status_code != 201:
            raise ClassroomError(f"kernel for {self.name}: HTTP {response.status_code} {response.text[:200]}")
        kernel_id = response.json()["id"]
        url = self.base.replace("http", "ws", 1) + f"/user/{self.name}/api/kernels/{kernel_id}/channels"
        request = HTTPRequest(url, headers={"Authorization": f"token {self.token}"}, request_timeout=timeout)
        connection = await websocket_connect(request, max_message_size=64 * 2**20)
        kernel = Kernel(connection, self.name)
        await kernel.execute("1", timeout=timeout)  # answers once the kernel is up
        return kernel

    async def close(self) -> None:
        """Close the HTTP connections."""
        await self.http.aclose()
        await self.bare.aclose()


class Kernel:
    """A kernel reached over its websocket: execute code, and move widgets' values."""

    def __init__(self, connection: WebSocketClientConnection, username: str) -> None:
        self.connection, self.username = connection, username
        self.session = uuid.uuid4().hex
        self.pending: dict[str, Outcome] = {}
        self.models: dict[str, dict] = {}  # comm_id -> widget state, from the kernel's comm_open
        self.moving = ""  # the comm_id being moved, whose own echo does not count as an update
        self.lost = ""  # why the kernel or its websocket went away, if it did
        self.reader = asyncio.ensure_future(self._read())

    def _message(self, msg_type: str, content: dict, channel: str = "shell") -> dict:
        header = {"msg_id": uuid.uuid4().hex, "msg_type": msg_type, "username": self.username,
                  "session": self.session, "version": "5.3", "date": ""}
        return {"header": header, "parent_header": {}, "metadata": {}, "content": content,
                "channel": channel, "buffers": []}

    async def _send(self, message: dict, timeout: float) -> Outcome:
        outcome = self.pending[message["header"]["msg_id"]] = Outcome()
        await self.connection.write_message(json.dumps(message))
        try:
            await asyncio.wait_for(outcome.done.wait(), timeout)
        except asyncio.TimeoutError:
            outcome.status = "timeout"
        finally:
            self.pending.pop(message["header"]["msg_id"], None)
        if self.lost:
            raise ClassroomError(f"lost kernel of {self.username}: {self.lost}")
        return outcome

    async def execute(self, code: str, timeout: float = 120) -> Outcome:
        """Run ``code``; the outcome holds its printed text and any error."""
        message = self._message("execute_request", {"code": code, "silent": False, "store_history": False,
                                                    "user_expressions": {}, "allow_stdin": False})
        return await self._send(message, timeout)

    def sliders(self) -> dict[str, dict]:
        """The kernel's slider models (comm_id -> state) created so far."""
        return {cid: s for cid, s in self.models.items() if s.get("_model_name") in ("FloatSliderModel", "IntSliderModel")}

    async def move(self, comm_id: str, value: float, timeout: float = 30) -> tuple[float, Outcome]:
        """Set a widget's value as the browser does.

        Returns
        -------
        seconds, outcome
            Seconds until the last view update the move caused arrived (until the
            kernel went idle if it caused none), and what the kernel sent.
        """
        self.moving = comm_id
        content = {"comm_id": comm_id, "data": {"method": "update", "state": {"value": value}, "buffer_paths": []}}
        start = time.perf_counter()
        outcome = await self._send(self._message("comm_msg", content), timeout)
        self.models[comm_id]["value"] = value
        return (outcome.last_update or time.perf_counter()) - start, outcome

    async def _read(self) -> None:
        while True:
            frame = await self.connection.read_message()
            if frame is None:
                self.lost = self.lost or "the websocket closed"
                break
            self._dispatch(decode_frame(frame))
        for outcome in self.pending.values():
            outcome.done.set()

    def _dispatch(self, message: dict) -> None:
        kind, content = message["header"]["msg_type"], message.get("content", {})
        if kind == "comm_open" and content.get("target_name") == "jupyter.widget":
            self.models[content["comm_id"]] = dict(content["data"].get("state", {}))
        outcome = self.pending.get(message.get("parent_header", {}).get("msg_id", ""))
        if kind == "status" and content.get("execution_state") in ("dead", "restarting"):
            self.lost = f"kernel {content['execution_state']}"
        if outcome is None:
            return
        if kind == "stream":
            outcome.stdout += content.get("text", "")
        elif kind == "error":
            outcome.errors.append(f"{content.get('ename')}: {content.get('evalue')}")
        elif kind == "comm_msg" and content.get("comm_id") != self.moving:
            outcome.updates += 1
            outcome.last_update = time.perf_counter()
        elif kind == "execute_reply":
            outcome.status = content.get("status", "?")
        elif kind == "status" and content.get("execution_state") == "idle":
            outcome.status = outcome.status if outcome.status != "pending" else "ok"
            outcome.done.set()

    async def close(self) -> None:
        """Close the websocket (the kernel keeps running until its server stops)."""
        self.connection.close()
        self.reader.cancel()
