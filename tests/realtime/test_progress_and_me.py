"""Ephemeral job progress (coalesced, never stored, latest kept for late joiners) and /ws/me/."""

from __future__ import annotations

import asyncio
import threading
import uuid
from contextlib import contextmanager

import pytest
from channels.db import database_sync_to_async
from django.db import transaction

from studio.realtime import publish as publish_module
from studio.realtime.models import Event
from studio.realtime.publish import notify_user, publish_progress
from studio.realtime.selectors import latest_progress
from tests.realtime.conftest import apublish
from tests.support.realtime_events import TEST_NOTICE, job_state, progress, shared_playlist_event

pytestmark = pytest.mark.django_db(transaction=True)


def path(world) -> str:
    return f"/ws/projects/{world.project.pk}/"


async def progress_messages(client, job, *, until_step: int, timeout: float = 5) -> list[dict]:
    got = []
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        message = await client.recv(timeout=max(0.05, deadline - loop.time()))
        if message["type"] == "job.progress" and message["job"] == job:
            got.append(message)
            if message["data"]["step"] == until_step:
                break
    return got


@contextmanager
def publisher_held():
    """Hold this process's publisher thread while the block publishes, so what it publishes reaches
    the publisher as one burst (as a tight render loop's steps do), whatever the machine's load.

    The publisher's pacing is then decided by its own rule, not by how fast this test runs: the
    first message of a burst goes at once, later ones replace each other, and the latest leaves when
    the interval is up (studio/realtime/publish.py)."""
    dispatcher = publish_module._dispatcher()
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:
        holding.set()
        release.wait(30)

    dispatcher.loop.call_soon_threadsafe(hold)
    assert holding.wait(10), "the publisher thread did not take the hold"
    try:
        yield
    finally:
        release.set()


async def test_a_burst_of_progress_is_coalesced_and_the_last_value_is_not_lost(world, connect):
    client = await connect(path(world), token=world.tokens["artist@rt.test"])
    await client.recv_type("stream.ready")
    job = str(uuid.uuid4())
    with publisher_held():
        for step in range(1, 201):
            publish_progress(project_id=world.project.pk, job_id=job, audience="internal", data=progress(step, 200))
    got = await progress_messages(client, job, until_step=200)
    # The leading message went at once, the other 199 replaced each other and the trailing send
    # delivered the latest value: two messages for a burst of 200.
    assert [m["data"]["step"] for m in got] == [1, 200]
    assert all(m["id"] is None and m["project"] == str(world.project.pk) for m in got)
    assert await database_sync_to_async(Event.objects.count)() == 0  # never stored


async def test_sustained_progress_is_paced_per_job_and_jobs_do_not_starve_each_other(world, connect):
    client = await connect(path(world), token=world.tokens["producer@rt.test"])
    await client.recv_type("stream.ready")
    jobs = [str(uuid.uuid4()), str(uuid.uuid4())]
    per_job: dict[str, list[int]] = {job: [] for job in jobs}
    bursts, size = 5, 20
    for burst in range(bursts):  # 100 steps per job, interleaved, in bursts of 20 (each sent once the last arrived)
        with publisher_held():
            for step in range(burst * size + 1, (burst + 1) * size + 1):
                for job in jobs:
                    publish_progress(project_id=world.project.pk, job_id=job, audience="internal", data=progress(step, 200))
        last = (burst + 1) * size
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 5
        while not all(v and v[-1] == last for v in per_job.values()):
            message = await client.recv(timeout=max(0.05, deadline - loop.time()))
            if message["type"] == "job.progress":
                per_job[message["job"]].append(message["data"]["step"])
    for job, steps in per_job.items():
        assert steps == sorted(steps) and steps[-1] == 100, (job, steps)
        # Every burst's latest value reached the client, for both jobs (neither starves the other) …
        assert set(range(size, 101, size)) <= set(steps), (job, steps)
        # … and each burst was paced: at most its leading and its trailing message.
        assert len(steps) <= 2 * bursts, (job, steps)


async def test_a_late_joiner_gets_the_latest_progress_of_running_jobs(world, connect):
    job = str(uuid.uuid4())
    for step in range(1, 8):
        publish_progress(project_id=world.project.pk, job_id=job, audience="internal", data=progress(step, 10))
    assert await asyncio.to_thread(publish_module.flush, 5.0)
    late = await connect(path(world), token=world.tokens["artist@rt.test"])
    first = await late.recv()
    assert first["type"] == "job.progress" and first["job"] == job and first["data"]["step"] == 7
    assert (await late.recv_type("stream.ready"))["data"]["last_id"] == 0
    assert [p["data"]["step"] for p in await asyncio.to_thread(latest_progress, project_id=world.project.pk)] == [7]

    # When the job ends, its progress is no longer offered to joiners.
    await apublish(type="job.state_changed", project_id=world.project.pk, job_id=job, audience="internal", data=job_state(job, "succeeded"))
    assert await asyncio.to_thread(publish_module.flush, 5.0)
    later = await connect(path(world), token=world.tokens["artist@rt.test"])
    assert (await later.recv())["type"] == "presence.snapshot"  # no job.progress before it any more
    assert await asyncio.to_thread(latest_progress, project_id=world.project.pk, job_id=job) == []


async def until_event(client, event_id: int) -> list[dict]:
    """Project messages (not presence or control) up to and including the durable event `event_id`."""
    got = []
    while True:
        message = await client.recv()
        if not message["type"].startswith(("presence.", "stream.")):
            got.append(message)
        if message.get("id") == event_id:
            return got


async def test_job_events_never_reach_a_client_reviewer_live_on_replay_or_late(world, connect):
    """Jobs are studio internals (projects.access): their progress and state changes reach the
    studio's people only, whether live, replayed with ?since= or kept for late joiners."""
    job = str(uuid.uuid4())
    publish_progress(project_id=world.project.pk, job_id=job, audience="internal", data=progress(3, 10))
    assert await asyncio.to_thread(publish_module.flush, 5.0)
    client = await connect(path(world) + "?since=0", token=world.tokens["client@rt.test"])
    artist = await connect(path(world) + "?since=0", token=world.tokens["artist@rt.test"])
    assert (await client.recv())["type"] == "presence.snapshot"  # no kept job.progress for the client
    assert (await artist.recv())["type"] == "job.progress"
    await client.recv_type("stream.ready"), await artist.recv_type("stream.ready")

    publish_progress(project_id=world.project.pk, job_id=job, audience="internal", data=progress(4, 10))
    state = await apublish(type="job.state_changed", project_id=world.project.pk, job_id=job, audience="internal",
                           data=job_state(job, "running"))
    marker = await apublish(**shared_playlist_event(world.playlist))  # an event the client reviewer receives too
    assert await asyncio.to_thread(publish_module.flush, 5.0)  # the coalesced progress went out too
    seen = [m["type"] for m in await until_event(artist, marker["id"])]
    assert seen[-1] == "playlist.updated" and "job.state_changed" in seen, seen  # the coalesced progress may go out after the state
    assert "job.progress" in seen or (await artist.recv_type("job.progress"))["data"]["step"] == 4
    assert [m["type"] for m in await until_event(client, marker["id"])] == ["playlist.updated"]
    assert not [m for m in await client.collect(0.5) if m["type"].startswith("job.")]

    replay = await connect(path(world) + "?since=0", token=world.tokens["client@rt.test"])
    ready = await replay.recv_type("stream.ready")
    assert ready["data"]["last_id"] == marker["id"] and ready["data"]["replayed"] == 1 and state["id"] < marker["id"]
    with pytest.raises(ValueError, match="not sent to audience 'all'"):
        publish_progress(project_id=world.project.pk, job_id=job, data=progress(5, 10))


async def test_notify_user_reaches_only_that_user_and_only_after_commit(world, connect):
    artist = await connect("/ws/me/", token=world.tokens["artist@rt.test"])
    producer = await connect("/ws/me/", token=world.tokens["producer@rt.test"])
    await artist.recv_type("stream.ready"), await producer.recv_type("stream.ready")

    def rolled_back():
        with pytest.raises(RuntimeError), transaction.atomic():
            notify_user(user_id=world.artist.pk, type=TEST_NOTICE, data={"ghost": True})
            raise RuntimeError("rolled back")

    def committed():
        with transaction.atomic():
            notify_user(user_id=world.artist.pk, type=TEST_NOTICE, data={"comment": "c1"}, project_id=world.project.pk)

    await database_sync_to_async(rolled_back)()
    assert await artist.nothing(0.5)
    await database_sync_to_async(committed)()
    message = await artist.recv()
    assert message["type"] == TEST_NOTICE and message["data"] == {"comment": "c1"} and message["id"] is None
    assert message["project"] == str(world.project.pk)
    assert await producer.nothing(0.3)
