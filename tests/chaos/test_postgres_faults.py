"""The application's PostgreSQL connections are killed (`pg_terminate_backend`) during writes.

A real uvicorn process keeps its connections (`DB_CONN_MAX_AGE=60`, as in production) and writers
post comments while this test terminates every session of the test database again and again.
Requests whose connection dies under them answer 503 JSON (`service_unavailable`, `Retry-After`)
and write nothing; the next ones succeed on a fresh connection by themselves; nothing is
half-written. Only this test's own database is touched: the shared server is never restarted (that
case runs on a private cluster in `make chaos`, chaos_postgres_restart.py).
"""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest
from django.db import connection

from projects.models import Version
from studio.tenancy.services import create_token
from tests.chaos.conftest import LOGS
from tests.chaos.harness import report, scale, wait_until
from tests.chaos.pg_writes import check_nothing_half_written, terminate_backends, write_comments
from tests.chaos.test_worker_killed import db_dsn
from tests.realtime.servers import UvicornServer

pytestmark = [pytest.mark.timeout(600)]


@pytest.fixture
def web(transactional_db):
    server = UvicornServer(name="chaos-pg", env={"DB_CONN_MAX_AGE": "60"}, log_dir=LOGS, ws="websockets-sansio").start()
    yield server
    server.stop()


@pytest.fixture
def target(world):
    version = Version.objects.create(project=world.project, shot=world.shot, number=1, source="upload", frame_count=48,
                                     fps_num=24, fps_den=1, processing_status="ready")
    _, key = create_token(user=world.artist, name="chaos writer")
    return version, key


def own_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def database_connections(pid: int) -> int:
    import psutil

    port = int(connection.settings_dict["PORT"] or 5432)
    return sum(1 for c in psutil.Process(pid).net_connections(kind="tcp") if c.raddr and c.raddr.port == port)


def test_the_web_process_keeps_no_connection_between_requests_so_none_can_go_stale_or_pile_up(web, target):
    """Django serves each ASGI request on a thread of its own: with DB_CONN_MAX_AGE=60 every request
    opened a connection that was never reused and stayed open until garbage collection (make load
    ran the server out of connection slots). A web process closes its connection after each request,
    so a connection killed or a server restarted between requests costs the next one nothing."""
    version, key = target
    headers = {"Authorization": f"Token {key}"}

    async def burst():
        async with httpx.AsyncClient(base_url=web.http, headers=headers, timeout=30) as http:
            answers = await asyncio.gather(*(http.get(f"/api/v1/versions/{version.id}/") for _ in range(30)))
        return [a.status_code for a in answers]

    assert set(asyncio.run(burst())) == {200}
    # Each request closes its connection as it ends; wait for the last of them to be gone.
    wait_until(lambda: database_connections(web.proc.pid) == 0, timeout=10, what="the web process to hold no database connection")
    terminate_backends(db_dsn(), keep={own_pid()})
    response = httpx.post(f"{web.http}/api/v1/versions/{version.id}/comments/", headers=headers, json={"body": "after", "frame": 1001})
    assert response.status_code == 201, response.text


def test_connections_killed_during_writes_answer_503_json_recover_and_leave_nothing_half_written(web, target, world):
    version, key = target
    keep = {own_pid()}
    rounds, kills = scale(6, 30), 0

    async def run():
        nonlocal kills
        stop = asyncio.Event()
        writing = asyncio.create_task(write_comments(base=web.http, token=key, version_id=version.id, writers=4, stop=stop))
        await asyncio.sleep(1.0)
        for _ in range(rounds):
            kills += await asyncio.to_thread(terminate_backends, db_dsn(), keep=keep)
            await asyncio.sleep(0.4)
        killed_last = time.monotonic()
        await asyncio.sleep(2.0)
        stop.set()
        return await writing, killed_last

    writes, killed_last = asyncio.run(run())
    assert not writes.bad, writes.bad[:5]
    assert writes.statuses[201] > 0
    assert writes.first_success_after(killed_last) is not None  # recovered by itself
    tail = [status for t, status in writes.timeline if t > killed_last + 0.5]
    assert tail and set(tail) == {201}, tail
    figures = check_nothing_half_written(db_dsn(), version_id=version.id, project_id=world.project.id, writes=writes)
    report("postgres connections killed", rounds=rounds, sessions_terminated=kills, answers=dict(writes.statuses),
           recovered_after_s=round(writes.first_success_after(killed_last), 3), **figures)
