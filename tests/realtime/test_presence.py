"""Presence: who is looking at which version, in Redis with expiry."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async

from projects import services
from projects.models import Version
from studio.realtime import presence

pytestmark = pytest.mark.django_db(transaction=True)


def path(world) -> str:
    return f"/ws/projects/{world.project.pk}/"


async def changed(client, version) -> list[dict]:
    while True:
        message = await client.recv_type("presence.changed")
        if message["data"]["version"] == str(version):
            return message["data"]["viewers"]


async def becomes(client, version, expected: list[str]) -> None:
    """Presence of `version`, as this client tracks it from announcements, reaches `expected`."""
    seen = client.__dict__.setdefault("presence", {})
    while names(seen.get(str(version), {}).get("viewers", [])) != expected or str(version) not in seen:
        message = await client.recv_type("presence.changed")
        data = message["data"]
        if data["rev"] > seen.get(data["version"], {}).get("rev", 0):  # a newer announcement wins
            seen[data["version"]] = data


def submit_all(world) -> None:
    """Make the world's versions reviewable (ready review media) and submit them to the client."""
    Version.objects.filter(pk__in=[v.pk for v in world.versions]).update(processing_status="ready", proxy="proxy.mp4")
    services.submit_to_client(actor=world.producer, project=world.project, versions=[v.pk for v in world.versions])


def names(viewers: list[dict]) -> list[str]:
    return [v["name"] for v in viewers]


async def test_who_is_looking_at_which_version(world, connect):
    v1, v2 = world.versions
    producer = await connect(path(world), token=world.tokens["producer@rt.test"])
    artist = await connect(path(world), token=world.tokens["artist@rt.test"])
    await producer.recv_type("stream.ready"), await artist.recv_type("stream.ready")

    await producer.send({"type": "presence.view", "version": str(v1.pk)})
    assert names(await changed(producer, v1.pk)) == names(await changed(artist, v1.pk)) == ["Priya Producer"]
    await artist.send({"type": "presence.view", "version": str(v1.pk)})
    assert names(await changed(producer, v1.pk)) == ["Alex Artist", "Priya Producer"]
    await producer.send({"type": "presence.view", "version": str(v2.pk)})
    await becomes(artist, v1.pk, ["Alex Artist"])
    await becomes(artist, v2.pk, ["Priya Producer"])

    # The client reviewer sees presence on the versions submitted to them (both, here).
    await database_sync_to_async(submit_all)(world)
    late = await connect(path(world), token=world.tokens["client@rt.test"])
    snapshot = await late.recv_type("presence.snapshot")
    assert {v: names(people) for v, people in snapshot["data"]["versions"].items()} == {
        str(v1.pk): ["Alex Artist"], str(v2.pk): ["Priya Producer"]}

    await artist.close()
    await becomes(producer, v1.pk, [])
    await producer.send({"type": "presence.view", "version": None})
    await becomes(late, v2.pk, [])


async def test_presence_left_behind_by_a_dead_process_expires(world, connect, settings):
    """An entry nobody refreshes (its web process died) disappears after the TTL, and the project is told."""
    settings.REALTIME_PRESENCE_TTL_SECONDS = 1
    version = world.versions[0]
    watcher = await connect(path(world), token=world.tokens["producer@rt.test"])
    await watcher.recv_type("stream.ready")
    await watcher.send({"type": "presence.view", "version": str(version.pk)})
    await changed(watcher, version.pk)
    # What a crashed process leaves in Redis: an entry that is never refreshed or removed.
    await presence.enter(project_id=world.project.pk, version_id=version.pk, conn="specific.crashed!1", user_id=world.artist.pk,
                         name="Alex Artist")
    assert sorted(v.name for v in await presence.viewers(project_id=world.project.pk)) == ["Alex Artist", "Priya Producer"]
    await becomes(watcher, version.pk, ["Priya Producer"])  # announced by the next sweep, within about a TTL
    assert [v.name for v in await presence.viewers(project_id=world.project.pk)] == ["Priya Producer"]
    # The live watcher's own entry is refreshed, so it outlives several TTLs.
    assert await watcher.nothing(2.5)
    assert [v.name for v in await presence.viewers(project_id=world.project.pk)] == ["Priya Producer"]
