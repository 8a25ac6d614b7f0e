"""Admission control (studio/http/admission.py): a burst never opens more database connections than
the web process has request slots, every request of the burst is answered, and a request that
cannot get a slot in time answers 503 JSON with Retry-After, having run nothing.

Found by `make load`: without a bound, each request in flight held its own connection, the shared
PostgreSQL ran out of slots and half the requests failed.
"""

from __future__ import annotations

import asyncio
import json
import threading

import httpx
import pytest

from studio.http.admission import AdmissionGate
from tests.chaos.conftest import LOGS
from tests.chaos.test_postgres_faults import database_connections, target  # noqa: F401 - the fixture
from tests.realtime.servers import UvicornServer

pytestmark = [pytest.mark.timeout(300)]

SLOTS = 3


@pytest.fixture
def gated_web(transactional_db):
    server = UvicornServer(name="admission", env={"WEB_MAX_CONCURRENT_REQUESTS": str(SLOTS)}, log_dir=LOGS,
                           ws="websockets-sansio").start()
    yield server
    server.stop()


def test_a_burst_holds_no_more_database_connections_than_slots_and_every_request_is_answered(gated_web, target):  # noqa: F811
    version, key = target
    peak, stop = [0], threading.Event()

    def sample():
        while not stop.is_set():
            peak[0] = max(peak[0], database_connections(gated_web.proc.pid))
            stop.wait(0.005)

    async def burst():
        async with httpx.AsyncClient(base_url=gated_web.http, headers={"Authorization": f"Token {key}"}, timeout=60) as http:
            answers = await asyncio.gather(*(http.get(f"/api/v1/versions/{version.id}/") for _ in range(40)))
        return [a.status_code for a in answers]

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        statuses = asyncio.run(burst())
    finally:
        stop.set()
        sampler.join()
    assert statuses == [200] * 40
    assert 1 <= peak[0] <= SLOTS, peak[0]


def test_a_request_that_gets_no_slot_in_time_answers_503_json_and_never_runs():
    release, ran = asyncio.Event(), []

    async def app(scope, receive, send):
        ran.append(scope["path"])
        await release.wait()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    gate = AdmissionGate(app, limit=1, timeout=0.2)

    async def call(path):
        sent = []

        async def send(message):
            sent.append(message)

        await gate({"type": "http", "path": path}, None, send)
        return sent

    async def scenario():
        first = asyncio.create_task(call("/api/v1/first/"))
        while not ran:
            await asyncio.sleep(0)
        refused = await call("/api/v1/second/")
        live = asyncio.create_task(call("/livez"))  # liveness is never queued
        while len(ran) < 2:
            await asyncio.sleep(0)
        release.set()
        return await first, refused, await live

    first, refused, live = asyncio.run(scenario())
    assert ran == ["/api/v1/first/", "/livez"]  # the refused request never reached the app
    assert first[0]["status"] == 200 and live[0]["status"] == 200
    start, body = refused
    assert start["status"] == 503
    headers = dict(start["headers"])
    assert headers[b"content-type"] == b"application/json" and headers[b"retry-after"] == b"1"
    assert json.loads(body["body"])["error"] == "server_busy"
    assert gate.in_flight == 0 and gate.waiting == 0
