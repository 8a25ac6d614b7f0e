"""Fixtures for the realtime tests: a small world of studios, people and a project, and WebSocket clients.

Consumers run either in-process (Channels' WebsocketCommunicator against the real Redis channel
layer and PostgreSQL) or in real uvicorn processes (tests/realtime/servers.py). Both need committed
rows, hence `transactional_db`.
"""

from __future__ import annotations

import asyncio
import json
from urllib.parse import unquote, urlparse

import pytest
from asgiref.testing import ApplicationCommunicator
from channels.db import database_sync_to_async
from django.db import connections, transaction

from projects.models import Playlist
from studio.realtime import store
from studio.realtime.publish import publish
from tests.support.realtime_events import TEST_EVENT
from tests.support.world import World, build_world

ORIGIN = b"http://127.0.0.1:8000"


def playlist_kwargs(audience: str) -> dict:
    names = {f.name for f in Playlist._meta.get_fields()}
    return {"audience": audience} if "audience" in names else {}


@pytest.fixture
def world(transactional_db) -> World:
    """Northlight with a producer, an artist and a client reviewer of Moonrise, two versions in a
    client playlist, Harbor's producer (the outsider) with a version of its own, and an API token
    for each person, by email (tests/support/world.py)."""
    w = build_world(tag="rt", domain="rt.test", roles=("producer", "artist", "reviewer"), rival_email="outsider@rt.test",
                    agencies=(), versions=True, tokens=True)
    return w.alias(studio="northlight", other_studio="harbor", outsider="rival", project="mr", other_project="hl")


def submit_to_client(world, *versions) -> None:
    """What a client sees (docs/RIGHTS.md): mark `versions` playable and submit them through the service."""
    from projects import services
    from projects.models import Version

    Version.objects.filter(pk__in=[v.pk for v in versions]).update(processing_status="ready", proxy="proxy.mp4")
    services.submit_to_client(actor=world.producer, project=world.project, versions=[v.pk for v in versions])


@pytest.fixture
def submitted(world) -> World:
    """The world with both of the playlist's versions submitted to the client reviewer."""
    submit_to_client(world, *world.versions)
    return world


# ---------------------------------------------------------------- publishing from async tests

def publish_now(**kwargs) -> dict:
    with transaction.atomic():
        return publish(**kwargs)


apublish = database_sync_to_async(publish_now)


async def publish_many(project_id, count: int, type: str = TEST_EVENT, **extra) -> list[int]:
    ids = []
    for i in range(count):
        envelope = await apublish(type=type, project_id=project_id, data={"n": i}, **extra)
        ids.append(envelope["id"])
    return ids


# ---------------------------------------------------------------- in-process WebSocket clients

class WebsocketCommunicator(ApplicationCommunicator):
    """An in-process WebSocket client for an ASGI app (what channels.testing offers, without its
    optional daphne import)."""

    def __init__(self, application, path: str, headers: list):
        parsed = urlparse(path)
        scope = {
            "type": "websocket", "path": unquote(parsed.path), "raw_path": parsed.path.encode(),
            "query_string": parsed.query.encode(), "headers": headers, "subprotocols": [],
            "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8000),
        }
        super().__init__(application, scope)

    async def connect(self, timeout: float = 5) -> tuple[bool, int | None]:
        await self.send_input({"type": "websocket.connect"})
        response = await self.receive_output(timeout)
        if response["type"] == "websocket.close":
            return False, response.get("code", 1000)
        assert response["type"] == "websocket.accept", response
        return True, None

    async def send_to(self, text_data: str) -> None:
        await self.send_input({"type": "websocket.receive", "text": text_data})

    async def disconnect(self, code: int = 1000, timeout: float = 5) -> None:
        await self.send_input({"type": "websocket.disconnect", "code": code})
        await self.wait(timeout)

class Client:
    """A WebsocketCommunicator with JSON helpers."""

    def __init__(self, communicator: WebsocketCommunicator):
        self.comm = communicator
        self.closed_code: int | None = None

    async def _output(self, timeout: float) -> dict:
        """The app's next output. Unlike asgiref's receive_output, a timeout leaves the app running."""
        getter = asyncio.ensure_future(self.comm.output_queue.get())
        done, _ = await asyncio.wait({getter, self.comm.future}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        if getter in done:
            return getter.result()
        getter.cancel()
        if self.comm.future.done():
            if not self.comm.output_queue.empty():
                return self.comm.output_queue.get_nowait()
            self.comm.future.result()  # re-raises the app's exception
            raise RuntimeError("the application finished without closing the socket")
        raise TimeoutError

    async def recv(self, timeout: float = 5) -> dict:
        output = await self._output(timeout)
        if output["type"] == "websocket.close":
            self.closed_code = output.get("code", 1000)
            raise ConnectionClosedError(self.closed_code)
        assert output["type"] == "websocket.send", output
        return json.loads(output["text"])

    async def recv_type(self, type: str, timeout: float = 5) -> dict:
        """The next message of `type`, skipping others."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            message = await self.recv(max(0.01, deadline - loop.time()))
            if message["type"] == type:
                return message

    async def collect(self, timeout: float) -> list[dict]:
        """Everything that arrives within `timeout` seconds."""
        messages = []
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while (remaining := deadline - loop.time()) > 0:
            try:
                messages.append(await self.recv(remaining))
            except TimeoutError:
                break
        return messages

    async def expect_close(self, timeout: float = 5) -> tuple[int, list[dict]]:
        """Read until the server closes; returns the close code and what came before it."""
        before = []
        while True:
            try:
                before.append(await self.recv(timeout))
            except ConnectionClosedError as closed:
                return closed.code, before

    async def send(self, message: dict) -> None:
        await self.comm.send_to(text_data=json.dumps(message))

    async def nothing(self, timeout: float = 0.5) -> bool:
        return await self.comm.receive_nothing(timeout)

    async def close(self) -> None:
        try:
            await self.comm.disconnect(timeout=5)
        except Exception:  # noqa: BLE001 - the app may already have stopped
            pass


class ConnectionClosedError(Exception):
    def __init__(self, code: int):
        super().__init__(f"closed with {code}")
        self.code = code


@pytest.fixture(autouse=True)
async def _close_worker_thread_connections():
    """database_sync_to_async runs on a worker thread with its own connection; close it after each test
    so the test database can be dropped at the end of the session."""
    yield
    await database_sync_to_async(connections.close_all)()


@pytest.fixture
async def connect():
    """connect(path, token=..., query_token=False, cookie=None, origin=ORIGIN) -> Client (accepted).

    Every client is disconnected at the end of the test.
    """
    from studio.asgi import application

    clients: list[Client] = []

    async def make(path: str, *, token: str | None = None, query_token: bool = False, cookie: str | None = None,
                   origin: bytes | None = ORIGIN, headers: list | None = None, expect_accept: bool = True) -> Client:
        all_headers = list(headers or [])
        if origin is not None:
            all_headers.append((b"origin", origin))
        if token is not None and not query_token:
            all_headers.append((b"authorization", f"Token {token}".encode()))
        if token is not None and query_token:
            path += ("&" if "?" in path else "?") + f"token={token}"
        if cookie is not None:
            all_headers.append((b"cookie", f"sessionid={cookie}".encode()))
        communicator = WebsocketCommunicator(application, path, headers=all_headers)
        client = Client(communicator)
        clients.append(client)
        accepted, code = await communicator.connect(timeout=10)
        if expect_accept:
            assert accepted, f"handshake refused ({code})"
        else:
            client.closed_code = None if accepted else code
            client.accepted = accepted
        return client

    yield make
    for client in clients:
        await client.close()
    await store.close_async_client()
