"""`make chaos` only: the PostgreSQL server itself restarts during writes (a private cluster).

A throwaway PostgreSQL 15 cluster (initdb + pg_ctl in a temporary folder, its own port) is
migrated and seeded; a real uvicorn process serves it with persistent connections. Writers post
comments while the server is stopped the way a crash stops it (`pg_ctl stop -m immediate`: every
backend killed, crash recovery at start), kept down for a few seconds and started again, and then
while every session is terminated a few more times. While it is down, requests answer 503 JSON
and write nothing; once it is up they succeed again without restarting anything; nothing is
half-written, and the audit chains verify.

The shared PostgreSQL of this machine is never restarted: other work runs against it.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time

import pytest

from tests.chaos.conftest import LOGS
from tests.chaos.harness import ROOT, OwnPostgres, report
from tests.chaos.pg_writes import check_nothing_half_written, terminate_backends, write_comments
from tests.realtime.servers import UvicornServer

pytestmark = [pytest.mark.timeout(1200)]

SEED = """
import json
from projects.models import Project, Shot, Version
from studio.tenancy.models import Membership, Organization, Role, User
from studio.tenancy.services import create_token
org = Organization.objects.create(kind="studio", name="Restart Studio", slug="restart-studio")
artist = User.objects.create_user(email="artist@restart.test", password=None)
Membership.objects.create(user=artist, organization=org, role=Role.ARTIST)
project = Project.objects.create(organization=org, name="Restart", code="RS")
shot = Shot.objects.create(project=project, code="RS_010")
version = Version.objects.create(project=project, shot=shot, number=1, source="upload", frame_count=48, fps_num=24, fps_den=1,
                                 processing_status="ready")
print(json.dumps({"project": str(project.id), "version": str(version.id), "token": create_token(user=artist, name="chaos")[1]}))
"""


def manage(url: str, *args: str, **kwargs) -> subprocess.CompletedProcess:
    from tests.realtime.servers import django_env

    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=django_env({"DATABASE_URL": url}), capture_output=True,
                          text=True, timeout=900, **kwargs)


@pytest.fixture(scope="module")
def cluster(django_db_setup):
    pg = OwnPostgres().start()
    try:
        url = pg.create_app_database()
        migrated = manage(url, "migrate", "--noinput", "-v0")
        assert migrated.returncode == 0, migrated.stderr[-3000:]
        seeded = manage(url, "shell", "-c", SEED)
        assert seeded.returncode == 0, seeded.stderr[-3000:]
        yield pg, url, json.loads(seeded.stdout.strip().splitlines()[-1])
    finally:
        pg.close()


def test_postgres_restarted_during_writes_503_json_while_down_then_recovers_with_nothing_half_written(cluster):
    pg, url, world = cluster
    web = UvicornServer(name="chaos-pg-restart", env={"DATABASE_URL": url, "DB_CONN_MAX_AGE": "60", "DB_CONNECT_TIMEOUT": "2"},
                        log_dir=LOGS, ws="websockets-sansio").start()
    dsn = url.replace("postgres://", "postgresql://")
    marks: dict[str, float] = {}

    async def run():
        stop = asyncio.Event()
        writing = asyncio.create_task(write_comments(base=web.http, token=world["token"], version_id=world["version"], writers=4,
                                                     stop=stop))
        await asyncio.sleep(3)
        marks["down"] = time.monotonic()
        await asyncio.to_thread(pg.stop, "immediate")
        await asyncio.sleep(4)
        await asyncio.to_thread(pg.start)
        marks["up"] = time.monotonic()
        await asyncio.sleep(4)
        for _ in range(5):
            await asyncio.to_thread(terminate_backends, dsn)
            await asyncio.sleep(0.5)
        marks["last_kill"] = time.monotonic()
        await asyncio.sleep(3)
        stop.set()
        return await writing

    try:
        writes = asyncio.run(run())
    finally:
        web.stop()
    assert not writes.bad, writes.bad[:5]
    while_down = [status for t, status in writes.timeline if marks["down"] + 0.5 < t < marks["up"]]
    assert while_down and set(while_down) == {503}, while_down  # every answer while it was down: 503 JSON
    recovered = writes.first_success_after(marks["up"])
    assert recovered is not None  # recovered by itself; how fast is a figure for the report, not a test
    tail = [status for t, status in writes.timeline if t > marks["last_kill"] + 0.5]
    assert tail and set(tail) == {201}
    figures = check_nothing_half_written(dsn, version_id=world["version"], project_id=world["project"], writes=writes)
    verified = manage(url, "verify_audit")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    report("postgres server restarted (private cluster)", down_seconds=round(marks["up"] - marks["down"], 1),
           answers=dict(writes.statuses), answers_while_down=len(while_down), first_success_after_start_s=round(recovered, 3),
           audit_chains="verified", **figures)
