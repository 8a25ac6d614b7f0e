"""The messages the consumers send themselves (stream control, presence, the review room) match their
declarations in the registry of realtime message types (studio/realtime/events.py)."""

from __future__ import annotations

import pytest

from studio.realtime import events
from tests.realtime.conftest import apublish
from tests.support.realtime_events import TEST_EVENT

pytestmark = pytest.mark.django_db(transaction=True)


async def test_the_control_messages_match_their_declarations(world, connect):
    client = await connect(f"/ws/projects/{world.project.pk}/", token=world.tokens["producer@rt.test"])
    received = [await client.recv(), await client.recv()]  # presence.snapshot, stream.ready
    await client.send({"type": "presence.view", "version": str(world.versions[0].pk)})
    received.append(await client.recv_type("presence.changed"))
    await client.send({"type": "ping"})
    received.append(await client.recv_type("stream.pong"))
    await client.send({"type": "no.such"})
    received.append(await client.recv_type("stream.error"))
    await apublish(type=TEST_EVENT, project_id=world.project.pk, data={})
    ahead = await connect(f"/ws/projects/{world.project.pk}/?since=99", token=world.tokens["producer@rt.test"])
    received.append(await ahead.recv_type("stream.reset"))
    me = await connect("/ws/me/", token=world.tokens["artist@rt.test"])
    received.append(await me.recv_type("stream.ready"))
    room = f"/ws/playlists/{world.playlist.pk}/room/"
    presenter = await connect(f"{room}?tab=registry-tab-1", token=world.tokens["producer@rt.test"])
    received.append(await presenter.recv_type("room.snapshot"))
    follower = await connect(f"{room}?tab=registry-tab-2", token=world.tokens["client@rt.test"])
    received.append(await follower.recv_type("room.snapshot"))
    received.append(await presenter.recv_type("room.members"))
    await presenter.send({"type": "room.take"})
    received.append(await presenter.recv_type("room.ack"))
    received.append(await follower.recv_type("room.state"))
    await follower.send({"type": "room.state", "frame": 1010})
    received.append(await follower.recv_type("room.error"))
    assert {m["type"] for m in received} == {
        "presence.snapshot", "stream.ready", "presence.changed", "stream.pong", "stream.error", "stream.reset",
        "room.snapshot", "room.members", "room.ack", "room.state", "room.error",
    }
    for message in received:
        events.validate(message["type"], message["data"])
