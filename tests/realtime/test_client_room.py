"""What a client sees, in review sessions and on the project stream (issue 13): the review room never
shows a client reviewer a version that was not submitted to them (its id, frames or drawing), a client
cannot announce presence on such a version, and a submitted version that gets quarantined is announced
to them as withdrawn, without the reason. Real services, the real Redis channel layer, the real consumers."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from django.db import transaction

from projects import services
from tests.realtime.conftest import submit_to_client
from tests.realtime.test_client_events import next_event, path
from tests.realtime.test_room import TAB_CLIENT, TAB_PRODUCER, join

pytestmark = pytest.mark.django_db(transaction=True)

ARROW = {"type": "arrow", "from": [0.1, 0.2], "to": [0.5, 0.6], "color": "#ff3b30", "width": 0.004}
HIDDEN = {"version": None, "first_frame": None, "last_frame": None, "fps": None, "frame": None, "drawing": None, "hidden": True}
REASON = "Grant revoked: Ava Reyes withdrew consent for replicas."


def _quarantine(version) -> None:
    with transaction.atomic():
        services.quarantine_versions(version_ids=[version.pk], reason=REASON, cause="revoked")


def _release(version) -> None:
    with transaction.atomic():
        services.release_versions(version_ids=[version.pk])


def hidden_from_client(state: dict) -> bool:
    return {key: state.get(key) for key in HIDDEN} == HIDDEN


async def test_a_presenter_never_shows_a_client_an_unsubmitted_version(world, connect):
    v1, v2 = world.versions
    await database_sync_to_async(submit_to_client)(world, v1)  # v002 stays internal
    producer, _ = await join(connect, world, "producer@rt.test", TAB_PRODUCER)
    client, first = await join(connect, world, "client@rt.test", TAB_CLIENT)
    assert first["state"]["version"] == str(v1.pk) and "hidden" not in first["state"]
    await producer.send({"type": "room.take"})
    await producer.recv_type("room.ack")
    await client.recv_type("room.state")

    # The presenter moves to v002: the producer's own ack has it, the following client gets nothing of it.
    await producer.send({"type": "room.state", "version": str(v2.pk), "frame": 1010})
    assert (await producer.recv_type("room.ack"))["data"]["state"]["version"] == str(v2.pk)
    moved = (await client.recv_type("room.state"))["data"]["state"]
    assert hidden_from_client(moved) and moved["presenter"]["tab"] == TAB_PRODUCER
    await producer.send({"type": "room.draw", "frame": 1010, "shapes": [ARROW]})
    await producer.recv_type("room.ack")
    drawn = await client.recv_type("room.state")
    assert drawn["data"]["cause"] == "draw" and hidden_from_client(drawn["data"]["state"])
    assert str(v2.pk) not in str(drawn) and str(v2.pk) not in str(moved)

    # A late client joiner's snapshot hides it too; a sync asks again and still gets nothing.
    late, snapshot = await join(connect, world, "client@rt.test", "tab-client-002")
    assert hidden_from_client(snapshot["state"])
    await late.send({"type": "room.sync"})
    assert hidden_from_client((await late.recv_type("room.snapshot"))["data"]["state"])

    # Back on v001 (submitted): the client follows it again, frames and all.
    await producer.send({"type": "room.state", "version": str(v1.pk), "frame": 1005})
    await producer.recv_type("room.ack")
    back = (await client.recv_type("room.state"))["data"]["state"]
    assert (back["version"], back["frame"], back["first_frame"]) == (str(v1.pk), 1005, 1001) and "hidden" not in back

    # Submitted during the session, v002 shows to the client at once.
    await database_sync_to_async(submit_to_client)(world, v2)
    await producer.send({"type": "room.state", "version": str(v2.pk)})
    await producer.recv_type("room.ack")
    assert (await client.recv_type("room.state"))["data"]["state"]["version"] == str(v2.pk)


async def test_a_client_presenting_cannot_show_or_probe_an_unsubmitted_item(world, connect):
    v1, v2 = world.versions
    await database_sync_to_async(submit_to_client)(world, v1)
    producer, _ = await join(connect, world, "producer@rt.test", TAB_PRODUCER)
    client, _ = await join(connect, world, "client@rt.test", TAB_CLIENT)
    await producer.send({"type": "room.take"})
    await producer.recv_type("room.ack")
    await producer.send({"type": "room.state", "version": str(v2.pk)})
    await producer.recv_type("room.ack")
    await producer.send({"type": "room.handover", "to": TAB_CLIENT})
    await producer.recv_type("room.ack")
    while (handed := await client.recv_type("room.state"))["data"]["cause"] != "handover":
        pass  # the take and the move to v002 come first
    assert handed["data"]["state"]["presenter"]["tab"] == TAB_CLIENT and hidden_from_client(handed["data"]["state"])

    # Handed the room on v002: seeking or drawing on it is refused without its frame range.
    for request in ({"type": "room.state", "frame": 5000}, {"type": "room.draw", "frame": 5000, "shapes": [ARROW]}):
        await client.send(request)
        error = await client.recv_type("room.error")
        assert error["data"]["request"] == request["type"] and "not shared with you" in error["data"]["detail"]
        assert "1001" not in error["data"]["detail"] and "1096" not in error["data"]["detail"]
    # Nor may they choose it; an item submitted to them they may.
    await client.send({"type": "room.state", "version": str(v2.pk)})
    error = await client.recv_type("room.error")
    assert error["data"]["request"] == "room.state" and "not in this playlist" in error["data"]["detail"]
    await client.send({"type": "room.state", "version": str(v1.pk), "frame": 1002})
    assert (await client.recv_type("room.ack"))["data"]["state"]["frame"] == 1002


async def test_a_client_cannot_announce_presence_on_an_unsubmitted_version(world, connect):
    v1, v2 = world.versions
    await database_sync_to_async(submit_to_client)(world, v1)
    producer = await connect(path(world), token=world.tokens["producer@rt.test"])
    client = await connect(path(world), token=world.tokens["client@rt.test"])
    await producer.recv_type("stream.ready"), await client.recv_type("stream.ready")

    await client.send({"type": "presence.view", "version": str(v2.pk)})
    refused = await client.recv_type("stream.error")
    # The same answer as for a version that does not exist: no hint that v002 is there.
    assert refused["data"] == {
        "code": "invalid",
        "detail": "version must be the id of a version of this project, or null.",
        "request": "presence.view",
    }
    await client.send({"type": "presence.view", "version": str(v1.pk)})
    seen = await producer.recv_type("presence.changed")
    assert seen["data"]["version"] == str(v1.pk)  # the refused announcement never reached anyone
    assert [v["name"] for v in seen["data"]["viewers"]] == ["Chris Client"]

    # Submitted since the socket opened: the announcement is accepted (the rule is read again).
    await database_sync_to_async(submit_to_client)(world, v2)
    await client.send({"type": "presence.view", "version": str(v2.pk)})
    moved = [(await producer.recv_type("presence.changed"))["data"]["version"] for _ in range(2)]
    assert sorted(moved) == sorted([str(v1.pk), str(v2.pk)])


async def test_a_quarantined_submitted_version_is_withdrawn_from_the_clients_page(world, connect):
    v1, _ = world.versions
    await database_sync_to_async(submit_to_client)(world, v1)
    producer = await connect(path(world), token=world.tokens["producer@rt.test"])
    client = await connect(path(world), token=world.tokens["client@rt.test"])
    await producer.recv_type("stream.ready"), await client.recv_type("stream.ready")

    await database_sync_to_async(_quarantine)(v1)
    studio_side = await producer.recv_type("version.updated")
    assert studio_side["data"]["change"] == "quarantined" and studio_side["data"]["quarantine_reason"] == REASON
    withdrawn = await next_event(client)
    # Only that it is gone: no reason, no talent, no approval status.
    assert (withdrawn["type"], withdrawn["data"]) == ("version.updated", {"id": str(v1.pk), "change": "withdrawn"})
    assert withdrawn["id"] == studio_side["id"]

    # A client who reconnects later replays the same: withdrawn, never the reason.
    replay = await connect(path(world, since=withdrawn["id"] - 1), token=world.tokens["client@rt.test"])
    replayed = await replay.recv_type("version.updated")
    assert replayed["data"] == {"id": str(v1.pk), "change": "withdrawn"}

    # Released again (consent restored): the client gets the version back.
    await database_sync_to_async(_release)(v1)
    released = await client.recv_type("version.updated")
    assert released["data"]["id"] == str(v1.pk) and released["data"]["change"] == "released"
