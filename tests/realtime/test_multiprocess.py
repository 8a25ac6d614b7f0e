"""Several real uvicorn web processes behind one Redis, a publisher in another process, crashes.

Everything here goes over real sockets on 127.0.0.1: `uvicorn studio.asgi:application --ws
websockets`, the `websockets` client library, PostgreSQL and Redis.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import uuid

import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus

from studio.realtime import presence
from tests.realtime.conftest import apublish, publish_many
from tests.realtime.servers import ROOT, UvicornServer, django_env, recv_json, recv_type, ws_connect
from tests.support.realtime_events import TEST_EVENT, TEST_JOB_EVENT

pytestmark = pytest.mark.django_db(transaction=True)

FAST_PRESENCE = {"REALTIME_PRESENCE_TTL_SECONDS": "1"}


SANSIO = {"ws": "websockets-sansio", "args": ["--ws-per-message-deflate", "false"]}  # as in the Procfile


@pytest.fixture(scope="module")
def web_pair(django_db_setup, django_db_blocker):
    """Two web processes sharing the test database and Redis: one on uvicorn's `websockets`
    implementation, one on `websockets-sansio` as the Procfile runs it."""
    with django_db_blocker.unblock():
        servers = [UvicornServer(name="rt-a", env=FAST_PRESENCE), UvicornServer(name="rt-b", env=FAST_PRESENCE, **SANSIO)]
        try:
            for server in servers:
                server.start()
            yield servers
        finally:
            for server in servers:
                server.stop()


def project_url(server, world, since=None) -> str:
    return f"{server.ws}/ws/projects/{world.project.pk}/" + (f"?since={since}" if since is not None else "")


def room_url(server, world, tab) -> str:
    return f"{server.ws}/ws/playlists/{world.playlist.pk}/room/?tab={tab}"


def publish_progress_from_another_process(project_id, job_id, steps: int) -> None:
    """What a Celery GPU worker does: publish_progress from a process that is not a web server."""
    script = (
        "import django, sys; django.setup()\n"
        "from studio.realtime.publish import flush, publish_progress\n"
        "from tests.support.realtime_events import progress\n"
        f"for step in range(1, {steps} + 1):\n"
        f"    publish_progress(project_id='{project_id}', job_id='{job_id}', audience='internal', data=progress(step, {steps}))\n"
        "sys.exit(0 if flush(10) else 1)\n"
    )
    subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=django_env({"DJANGO_SETTINGS_MODULE": "studio.settings"}),
                   check=True, timeout=120, capture_output=True)


async def test_two_web_processes_behind_one_redis_both_deliver(world, web_pair):
    a, b = web_pair
    on_a = await ws_connect(project_url(a, world), token=world.tokens["producer@rt.test"])
    on_b = await ws_connect(project_url(b, world), token=world.tokens["artist@rt.test"])  # job progress is studio-internal
    try:
        for ws in (on_a, on_b):
            assert (await recv_type(ws, "stream.ready"))["data"]["last_id"] == 0

        # A durable event published by this (third) process reaches both web processes' clients.
        event = await apublish(type=TEST_EVENT, project_id=world.project.pk, data={"number": 3})
        for ws in (on_a, on_b):
            assert await recv_json(ws) == event

        # Progress from a worker-like process, coalesced there; the latest step arrives everywhere.
        job = str(uuid.uuid4())
        await asyncio.to_thread(publish_progress_from_another_process, world.project.pk, job, 30)
        for ws in (on_a, on_b):
            steps = []
            while not steps or steps[-1] != 30:
                message = await recv_type(ws, "job.progress")
                assert message["job"] == job
                steps.append(message["data"]["step"])
            assert len(steps) < 30  # coalesced, not one message per step

        # Presence set through one process is seen by the other.
        await on_b.send(json.dumps({"type": "presence.view", "version": str(world.versions[0].pk)}))
        seen = await recv_type(on_a, "presence.changed")
        assert [v["name"] for v in seen["data"]["viewers"]] == ["Alex Artist"]
    finally:
        await on_a.close(), await on_b.close()
    # After its sockets closed, each process still serves new ones (a closed consumer must not spin).
    for server in (a, b):
        again = await ws_connect(project_url(server, world), token=world.tokens["producer@rt.test"])
        assert (await recv_type(again, "stream.ready"))["data"]["last_id"] == event["id"]
        await again.close()


async def test_a_review_room_spans_web_processes(world, submitted, web_pair):  # the client follows submitted versions
    a, b = web_pair
    presenter = await ws_connect(room_url(a, world, "presenter-tab-1"), token=world.tokens["producer@rt.test"])
    try:
        await recv_type(presenter, "room.snapshot")
        await presenter.send('{"type": "room.take"}')
        await recv_type(presenter, "room.ack")
        await presenter.send('{"type": "room.state", "frame": 1012, "playing": false}')
        await recv_type(presenter, "room.ack")

        follower = await ws_connect(room_url(b, world, "follower-tab-1"), token=world.tokens["client@rt.test"])
        try:
            snapshot = (await recv_type(follower, "room.snapshot"))["data"]
            assert snapshot["state"]["frame"] == 1012 and snapshot["state"]["presenter"]["tab"] == "presenter-tab-1"
            joined = await recv_type(presenter, "room.members")
            assert {m["tab"] for m in joined["data"]["members"]} == {"presenter-tab-1", "follower-tab-1"}
            await presenter.send('{"type": "room.state", "frame": 1020, "playing": true}')
            moved = (await recv_type(follower, "room.state"))["data"]["state"]
            assert (moved["frame"], moved["playing"]) == (1020, True)
        finally:
            await follower.close()
        left = await recv_type(presenter, "room.members")
        assert [m["tab"] for m in left["data"]["members"]] == ["presenter-tab-1"]
    finally:
        await presenter.close()


async def test_nothing_is_lost_across_a_web_server_crash(world, web_pair, django_db_blocker):
    """The client's server dies; events keep happening; it reconnects elsewhere with `since`."""
    a, _ = web_pair
    doomed = UvicornServer(name="rt-doomed", **SANSIO)
    with django_db_blocker.unblock():
        await asyncio.to_thread(doomed.start)
    try:
        ws = await ws_connect(project_url(doomed, world), token=world.tokens["artist@rt.test"])
        await recv_type(ws, "stream.ready")
        first = await apublish(type=TEST_EVENT, project_id=world.project.pk, data={"n": "before"})
        assert (await recv_json(ws))["id"] == first["id"]
        await asyncio.to_thread(doomed.kill)
        with pytest.raises(ConnectionClosed):
            await asyncio.wait_for(ws.recv(), 10)
        missed = await publish_many(world.project.pk, 5, type=TEST_JOB_EVENT)
        again = await ws_connect(project_url(a, world, since=first["id"]), token=world.tokens["artist@rt.test"])
        try:
            replayed = [await recv_json(again) for _ in range(5)]
            assert [m["id"] for m in replayed] == missed
            assert (await recv_type(again, "stream.ready"))["data"] == {"last_id": missed[-1], "replayed": 5}
        finally:
            await again.close()
    finally:
        doomed.stop()


async def test_presence_of_a_crashed_web_process_expires(world, submitted, web_pair, django_db_blocker):
    a, _ = web_pair
    doomed = UvicornServer(name="rt-doomed-presence", env=FAST_PRESENCE, **SANSIO)
    with django_db_blocker.unblock():
        await asyncio.to_thread(doomed.start)
    version = str(world.versions[1].pk)
    watcher = await ws_connect(project_url(a, world), token=world.tokens["producer@rt.test"])
    try:
        await recv_type(watcher, "stream.ready")
        viewer = await ws_connect(project_url(doomed, world), token=world.tokens["artist@rt.test"])
        await recv_type(viewer, "stream.ready")
        await viewer.send(json.dumps({"type": "presence.view", "version": version}))
        here = await recv_type(watcher, "presence.changed")
        assert [v["name"] for v in here["data"]["viewers"]] == ["Alex Artist"]
        # The same process also serves the presenter of a review room.
        presenter = await ws_connect(room_url(doomed, world, "doomed-presenter"), token=world.tokens["artist@rt.test"])
        await recv_type(presenter, "room.snapshot")
        await presenter.send(json.dumps({"type": "room.take"}))
        await presenter.send(json.dumps({"type": "room.state", "frame": 1005, "playing": True}))
        await recv_type(presenter, "room.ack"), await recv_type(presenter, "room.ack")
        follower = await ws_connect(room_url(a, world, "surviving-follower"), token=world.tokens["client@rt.test"])
        assert (await recv_type(follower, "room.snapshot"))["data"]["state"]["presenter"]["tab"] == "doomed-presenter"

        await asyncio.to_thread(doomed.kill)  # no goodbye: entries stay in Redis until they expire
        gone = await recv_type(watcher, "presence.changed", timeout=10)
        assert gone["data"]["version"] == version and gone["data"]["viewers"] == []
        assert await presence.viewers(project_id=world.project.pk) == []
        left = (await recv_type(follower, "room.state", timeout=10))["data"]
        assert left["cause"] == "presenter_left" and left["state"]["presenter"] is None and left["state"]["playing"] is False
        assert left["state"]["frame"] >= 1005
        await follower.close()
    finally:
        await watcher.close()
        doomed.stop()


async def test_real_server_refusals(world, web_pair):
    a, _ = web_pair
    for token in (world.tokens["outsider@rt.test"], None):
        ws = await ws_connect(project_url(a, world), token=token)
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), 10)
        assert closed.value.rcvd.code == 4403
    with pytest.raises(InvalidStatus) as refused:
        await ws_connect(project_url(a, world), token=world.tokens["producer@rt.test"], origin="https://evil.example")
    assert refused.value.response.status_code == 403
