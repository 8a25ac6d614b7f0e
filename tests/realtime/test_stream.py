"""The durable project stream: one envelope, per-project numbers, exact replay, after-commit only."""

from __future__ import annotations

import asyncio
import datetime
import threading

import pytest
from channels.db import database_sync_to_async
from django.db import connection, transaction
from django.utils import timezone

from projects.models import ProjectMember
from studio.realtime import publish as publish_module
from studio.realtime.models import Event
from studio.realtime.publish import publish
from studio.realtime.services import prune_events
from studio.tenancy.models import Role
from tests.realtime.conftest import apublish, publish_many
from tests.support.realtime_events import TEST_EVENT, TEST_JOB_EVENT

pytestmark = pytest.mark.django_db(transaction=True)


def path(world, since=None) -> str:
    return f"/ws/projects/{world.project.pk}/" + (f"?since={since}" if since is not None else "")


async def ready(client) -> dict:
    return (await client.recv_type("stream.ready"))["data"]


async def test_envelope_shape_and_per_project_numbers(world, connect):
    client = await connect(path(world), token=world.tokens["producer@rt.test"])
    assert (await ready(client))["last_id"] == 0
    job = "5b0c6a52-9a55-4a4e-8f5e-0b6c1f3a2d11"
    first = await apublish(type=TEST_EVENT, project_id=world.project.pk, data={"number": 1})
    other = await apublish(type=TEST_EVENT, project_id=world.other_project.pk, data={"number": 1})
    second = await apublish(type=TEST_JOB_EVENT, project_id=world.project.pk, job_id=job, data={"state": "running"})
    assert (first["id"], second["id"], other["id"]) == (1, 2, 1)  # numbered per project

    received = [await client.recv(), await client.recv()]
    assert [list(m) for m in received] == [["id", "type", "project", "at", "data"], ["id", "type", "project", "job", "at", "data"]]
    assert received[0] == first and received[1] == second
    assert received[1]["job"] == job and received[1]["project"] == str(world.project.pk)
    assert await client.nothing(0.3)  # the other project's event never arrives here
    stored = await database_sync_to_async(lambda: list(Event.objects.filter(stream_id=world.project.pk).values_list("seq", "type")))()
    assert stored == [(1, TEST_EVENT), (2, TEST_JOB_EVENT)]


async def test_replay_after_a_dropped_connection_is_exact(world, connect):
    """Disconnect, five events happen, reconnect with since → exactly those five, in order, once."""
    client = await connect(path(world), token=world.tokens["artist@rt.test"])
    await ready(client)
    seen = await publish_many(world.project.pk, 2)
    last_seen = (await client.recv())["id"]
    assert (await client.recv())["id"] == last_seen + 1 == seen[-1]
    await client.close()

    missed = await publish_many(world.project.pk, 5, type=TEST_JOB_EVENT)
    again = await connect(path(world, since=seen[-1]), token=world.tokens["artist@rt.test"])
    replayed = [await again.recv() for _ in range(5)]
    assert [m["id"] for m in replayed] == missed == list(range(seen[-1] + 1, seen[-1] + 6))
    assert [m["data"]["n"] for m in replayed] == [0, 1, 2, 3, 4]
    state = await again.recv_type("stream.ready")
    assert state["data"] == {"last_id": missed[-1], "replayed": 5}
    live = await apublish(type=TEST_EVENT, project_id=world.project.pk, data={})
    assert (await again.recv_type(TEST_EVENT))["id"] == live["id"] == missed[-1] + 1
    assert await again.nothing(0.3)  # and no duplicate of anything


async def test_replay_has_no_gap_and_no_duplicate_while_events_keep_coming(world, connect):
    """Events committed during the reconnect (between subscribing and reading the log) arrive once."""
    base = await publish_many(world.project.pk, 3)
    total = 40
    started = threading.Event()

    def publisher():
        started.set()
        for i in range(total):
            with transaction.atomic():
                publish(type=TEST_EVENT, project_id=world.project.pk, data={"i": i})
        connection.close()

    thread = threading.Thread(target=publisher)
    thread.start()
    started.wait()
    client = await connect(path(world, since=base[-1]), token=world.tokens["producer@rt.test"])
    ids = []
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 30
    while len(ids) < total and loop.time() < deadline:
        message = await client.recv(timeout=10)
        if message["id"] is not None:
            ids.append(message["id"])
    await asyncio.to_thread(thread.join)
    assert ids == list(range(base[-1] + 1, base[-1] + total + 1))
    assert await client.nothing(0.5)


async def test_a_rolled_back_transaction_stores_and_sends_nothing(world, connect):
    client = await connect(path(world), token=world.tokens["producer@rt.test"])
    await ready(client)

    def rolled_back():
        with pytest.raises(RuntimeError), transaction.atomic():
            publish(type=TEST_EVENT, project_id=world.project.pk, data={"ghost": True})
            raise RuntimeError("the change failed")

    def savepoint_rolled_back():
        with transaction.atomic():
            publish(type=TEST_EVENT, project_id=world.project.pk, data={"kept": True})
            with pytest.raises(RuntimeError), transaction.atomic():
                publish(type=TEST_EVENT, project_id=world.project.pk, data={"ghost": True})
                raise RuntimeError("inner step failed")

    await database_sync_to_async(rolled_back)()
    assert await client.nothing(0.7)
    assert await database_sync_to_async(Event.objects.count)() == 0

    await database_sync_to_async(savepoint_rolled_back)()
    kept = await client.recv()
    assert kept["data"] == {"kept": True} and kept["id"] == 1  # the ghosts did not use up a number
    assert await client.nothing(0.5)
    assert await database_sync_to_async(lambda: list(Event.objects.values_list("seq", flat=True)))() == [1]


async def test_internal_events_never_reach_client_reviewers_live_or_on_replay(world, connect):
    producer = await connect(path(world), token=world.tokens["producer@rt.test"])
    reviewer = await connect(path(world), token=world.tokens["client@rt.test"])
    await ready(producer), await ready(reviewer)
    internal = await apublish(type=TEST_EVENT, project_id=world.project.pk, data={"body": "internal note"}, audience="internal")
    # A client reviewer's socket also filters by what was submitted to them (tests/realtime/test_client_events.py):
    # a shared playlist's change is an event every watcher of the project may receive.
    public = await apublish(type="playlist.updated", project_id=world.project.pk,
                            data={"id": str(world.playlist.pk), "name": "for the client", "change": "updated"})
    assert [(await producer.recv())["id"], (await producer.recv())["id"]] == [internal["id"], public["id"]]
    only = await reviewer.recv()
    assert only["id"] == public["id"] and only["data"]["name"] == "for the client"
    assert await reviewer.nothing(0.3)

    replay = await connect(path(world, since=0), token=world.tokens["client@rt.test"])
    assert [m["id"] for m in [await replay.recv()]] == [public["id"]]
    assert (await replay.recv())["type"] == "presence.snapshot"
    assert (await ready(replay)) == {"last_id": public["id"], "replayed": 1}

    # A freelance producer added to this one project is studio-internal, not a client.
    def add_freelancer():
        ProjectMember.objects.create(project=world.project, user=world.outsider, role=Role.PRODUCER)

    await database_sync_to_async(add_freelancer)()
    freelancer = await connect(path(world, since=0), token=world.tokens["outsider@rt.test"])
    assert [(await freelancer.recv())["id"] for _ in range(2)] == [internal["id"], public["id"]]


async def test_a_live_message_that_never_arrived_is_filled_in_from_the_log(world, connect):
    """If a live send is lost (Redis hiccup, full buffer), the next event brings it along, in order."""
    client = await connect(path(world), token=world.tokens["producer@rt.test"])
    await ready(client)

    def store_without_sending():
        with transaction.atomic():
            return publish_module._store(
                project_id=world.project.pk, type=TEST_EVENT, job_id=None, audience="all", data={"lost": True}, at=timezone.now()
            )

    lost = await database_sync_to_async(store_without_sending)()
    assert await client.nothing(0.3)
    ping_reply = None
    await client.send({"type": "ping"})
    filled = await client.recv()
    ping_reply = await client.recv()
    assert filled["id"] == lost and filled["data"] == {"lost": True}
    assert ping_reply["type"] == "stream.pong" and ping_reply["data"]["last_id"] == lost

    lost_again = await database_sync_to_async(store_without_sending)()
    nxt = await apublish(type=TEST_EVENT, project_id=world.project.pk, data={})
    assert [(await client.recv())["id"], (await client.recv())["id"]] == [lost_again, nxt["id"]]


async def test_reconnecting_after_history_was_pruned_says_so(world, connect):
    ids = await publish_many(world.project.pk, 6)

    def age_and_prune():
        Event.objects.filter(seq__lte=3).update(at=timezone.now() - datetime.timedelta(days=90))
        return prune_events(older_than=datetime.timedelta(days=30))

    assert await database_sync_to_async(age_and_prune)() == 3
    client = await connect(path(world, since=1), token=world.tokens["producer@rt.test"])
    reset = await client.recv()
    assert reset["type"] == "stream.reset" and reset["data"]["reason"] == "history_pruned"
    assert [(await client.recv())["id"] for _ in range(3)] == ids[3:]
    assert (await ready(client))["last_id"] == ids[-1]

    ahead = await connect(path(world, since=99), token=world.tokens["producer@rt.test"])
    assert (await ahead.recv())["data"]["reason"] == "ahead"
    assert (await ready(ahead)) == {"last_id": ids[-1], "replayed": 0}


async def test_too_long_an_absence_asks_the_client_to_reload(world, connect, settings):
    settings.REALTIME_REPLAY_LIMIT = 3
    await publish_many(world.project.pk, 5)
    client = await connect(path(world, since=0), token=world.tokens["producer@rt.test"])
    assert (await client.recv())["data"]["reason"] == "too_far_behind"
    assert (await ready(client)) == {"last_id": 5, "replayed": 0}


async def test_client_messages_are_validated(world, connect):
    client = await connect(path(world), token=world.tokens["producer@rt.test"])
    await ready(client)
    await client.comm.send_to(text_data="not json")
    assert (await client.recv())["data"]["code"] == "invalid"
    await client.send({"type": "shout"})
    error = await client.recv()
    assert error["type"] == "stream.error" and error["data"]["code"] == "unknown_type" and "ping" in error["data"]["detail"]
    await client.comm.send_to(text_data="x" * 20000)
    assert (await client.recv())["data"]["code"] == "too_large"
    await client.send({"type": "presence.view", "version": str(world.foreign_version.pk)})
    assert "version of this project" in (await client.recv())["data"]["detail"]

    # A flood is cut down to the allowance (a burst of 100, then 50 a second), with a warning now and
    # then, not one per dropped message. An oversized message is answered whatever the allowance, and
    # messages are handled in order: its answer marks the end of the flood's answers (no fixed wait).
    flood = 1000
    for _ in range(flood):
        await client.send({"type": "ping"})
    await client.comm.send_to(text_data="x" * 20000)
    replies = []
    while not (replies and replies[-1]["type"] == "stream.error" and replies[-1]["data"]["code"] == "too_large"):
        replies.append(await client.recv(timeout=30))
    pongs = [m for m in replies if m["type"] == "stream.pong"]
    warnings = [m for m in replies[:-1] if m["type"] == "stream.error"]
    dropped = flood - len(pongs)
    assert len(pongs) >= 100 - 3  # the burst, less the three messages above that took from it
    assert dropped > 0
    assert warnings and all(w["data"]["code"] == "rate_limited" for w in warnings)
    assert len(warnings) * 10 < dropped, (len(warnings), dropped)


def test_publish_refuses_what_would_confuse_clients(world):
    with pytest.raises(ValueError, match="publish_progress"):
        publish(type="job.progress", project_id=world.project.pk, data={})
    with pytest.raises(ValueError, match="reserved"):
        publish(type="room.state", project_id=world.project.pk, data={})
    with pytest.raises(ValueError, match="noun.verb"):
        publish(type="Version Created", project_id=world.project.pk, data={})
    with pytest.raises(ValueError, match="audience"):
        publish(type="shot.updated", project_id=world.project.pk, data={}, audience="clients")
    with pytest.raises(ValueError, match="project"):
        publish(type="shot.updated", project_id=None, data={})
    with pytest.raises(ValueError):
        publish(type="shot.updated", project_id=world.project.pk, data={}, job_id="not-a-uuid")
    assert Event.objects.count() == 0
