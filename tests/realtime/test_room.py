"""The review room: server-held state in Redis, snapshot for late joiners, presenter hand-over,
follow/detach, frames only, echo suppression per tab."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async

from projects.models import Playlist
from projects.realtime import room
from tests.realtime.conftest import playlist_kwargs

# The client reviewer sees the playlist's versions: they were submitted to them (tests/realtime/test_client_room.py: when not).
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("submitted")]

TAB_PRODUCER = "tab-producer-1"
TAB_PRODUCER_2 = "tab-producer-2"
TAB_CLIENT = "tab-client-001"
TAB_ARTIST = "tab-artist-001"


def room_path(playlist, tab: str) -> str:
    return f"/ws/playlists/{playlist.pk}/room/?tab={tab}"


async def join(connect, world, user_email: str, tab: str, playlist=None):
    client = await connect(room_path(playlist or world.playlist, tab), token=world.tokens[user_email])
    snapshot = await client.recv_type("room.snapshot")
    return client, snapshot["data"]


async def test_a_late_joiner_gets_the_current_state_and_the_presenter_can_hand_over(world, connect):
    v1, v2 = (str(v.pk) for v in world.versions)
    producer, first = await join(connect, world, "producer@rt.test", TAB_PRODUCER)
    assert first["state"]["version"] == v1 and first["state"]["frame"] == first["state"]["first_frame"] == 1001
    assert first["state"]["presenter"] is None and first["state"]["playing"] is False
    assert first["you"] == {"tab": TAB_PRODUCER, "following": True, "presenter": False, "may_take_over": True}

    await producer.send({"type": "room.take"})
    taken = await producer.recv_type("room.ack")
    assert taken["data"]["state"]["presenter"] == {"user": str(world.producer.pk), "name": "Priya Producer", "tab": TAB_PRODUCER}
    await producer.send({"type": "room.state", "version": v2, "frame": 1010, "playing": True, "speed": 1})
    moved = (await producer.recv_type("room.ack"))["data"]["state"]
    assert (moved["version"], moved["frame"], moved["playing"], moved["last_frame"], moved["fps"]) == (v2, 1010, True, 1096, [24, 1])

    # The client reviewer joins late: the snapshot is the room as it is now, not an empty room.
    client, late = await join(connect, world, "client@rt.test", TAB_CLIENT)
    assert late["state"]["version"] == v2 and late["state"]["frame"] == 1010 and late["state"]["playing"] is True
    assert late["state"]["presenter"]["tab"] == TAB_PRODUCER and late["state"]["rev"] > moved["rev"]
    assert {m["tab"] for m in late["members"]} == {TAB_PRODUCER, TAB_CLIENT}
    assert late["you"]["may_take_over"] is False
    members = await producer.recv_type("room.members")
    assert [m["name"] for m in members["data"]["members"]] == ["Priya Producer", "Chris Client"]

    # Only the presenter drives playback; a client reviewer cannot seize the room.
    await client.send({"type": "room.state", "frame": 1050})
    assert (await client.recv_type("room.error"))["data"]["code"] == "not_presenter"
    await client.send({"type": "room.take"})
    assert (await client.recv_type("room.error"))["data"]["code"] == "presenter_active"

    # Hand-over: the reviewer now leads, the producer follows.
    await producer.send({"type": "room.handover", "to": TAB_CLIENT})
    assert (await producer.recv_type("room.ack"))["data"]["state"]["presenter"]["tab"] == TAB_CLIENT
    handed = await client.recv_type("room.state")
    assert handed["data"]["cause"] == "handover" and handed["data"]["state"]["presenter"]["user"] == str(world.reviewer.pk)
    await client.send({"type": "room.state", "frame": 1020, "playing": False})
    assert (await client.recv_type("room.ack"))["data"]["state"]["frame"] == 1020
    followed = await producer.recv_type("room.state")
    assert followed["data"]["state"]["frame"] == 1020 and followed["data"]["state"]["playing"] is False
    assert followed["data"]["by"] == TAB_CLIENT
    await producer.send({"type": "room.state", "frame": 1030})
    assert (await producer.recv_type("room.error"))["data"]["code"] == "not_presenter"

    # Studio staff may take over from a client presenter.
    artist, _ = await join(connect, world, "artist@rt.test", TAB_ARTIST)
    await artist.send({"type": "room.take"})
    assert (await artist.recv_type("room.ack"))["data"]["state"]["presenter"]["tab"] == TAB_ARTIST

    stored = await room.load(world.playlist.pk)  # the state lives in Redis, not in this process
    assert stored["presenter"]["tab"] == TAB_ARTIST and stored["frame"] == 1020 and set(stored["members"]) == {
        TAB_PRODUCER, TAB_CLIENT, TAB_ARTIST}


async def test_echo_suppression_is_per_tab_and_detached_tabs_are_not_dragged_along(world, connect):
    tab1, _ = await join(connect, world, "producer@rt.test", TAB_PRODUCER)
    tab2, _ = await join(connect, world, "producer@rt.test", TAB_PRODUCER_2)  # same person, second screen
    artist, _ = await join(connect, world, "artist@rt.test", TAB_ARTIST)
    for client in (tab1, tab2, artist):
        await client.collect(0.3)  # join announcements

    await tab1.send({"type": "room.take"})
    await tab1.recv_type("room.ack")
    for client in (tab2, artist):
        assert (await client.recv_type("room.state"))["data"]["cause"] == "take"
    await tab1.collect(0.3), await tab2.collect(0.3), await artist.collect(0.3)

    await tab1.send({"type": "room.state", "frame": 1005})
    ack = await tab1.recv()
    assert ack["type"] == "room.ack" and ack["data"]["state"]["frame"] == 1005
    assert await tab1.nothing(0.4)  # its own change does not come back as room.state
    assert (await tab2.recv())["data"]["state"]["frame"] == 1005  # the same user's other tab follows
    assert (await artist.recv())["data"]["state"]["frame"] == 1005

    await artist.send({"type": "room.detach"})
    detached = await tab1.recv_type("room.members")
    assert {m["tab"]: m["following"] for m in detached["data"]["members"]}[TAB_ARTIST] is False
    await artist.collect(0.3)
    await tab1.send({"type": "room.state", "frame": 1030})
    assert (await tab2.recv_type("room.state"))["data"]["state"]["frame"] == 1030
    assert [m["type"] for m in await artist.collect(0.5)] == []  # detached: the playhead is not pushed

    await artist.send({"type": "room.follow"})
    snapshot = await artist.recv_type("room.snapshot")
    assert snapshot["data"]["state"]["frame"] == 1030 and snapshot["data"]["you"]["following"] is True
    await tab1.send({"type": "room.state", "frame": 1040})
    assert (await artist.recv_type("room.state"))["data"]["state"]["frame"] == 1040

    # A presenter cannot detach from the room they lead.
    await tab1.send({"type": "room.detach"})
    assert (await tab1.recv_type("room.error"))["data"]["code"] == "invalid"


async def test_frames_only_and_other_bad_input_get_clear_errors(world, connect):
    producer, _ = await join(connect, world, "producer@rt.test", TAB_PRODUCER)
    await producer.send({"type": "room.take"})
    before = (await producer.recv_type("room.ack"))["data"]["state"]
    cases = [
        ({"frame": 12.5}, "not seconds"),
        ({"frame": "1001"}, "integer frame"),
        ({"frame": True}, "integer frame"),
        ({"frame": 1049}, "outside this version's frames (1001–1048)"),
        ({"frame": 1000}, "outside"),
        ({"version": str(world.foreign_version.pk)}, "not in this playlist"),
        ({"version": "nonsense"}, "not in this playlist"),
        ({"speed": 0}, "speed must be between"),
        ({"speed": "fast"}, "speed must be a number"),
        ({"playing": "yes"}, "true or false"),
        ({"seconds": 3.2}, "Unknown field"),
        ({}, "at least one of"),
    ]
    for fields, expected in cases:
        await producer.send({"type": "room.state", **fields})
        error = await producer.recv_type("room.error")
        assert expected in error["data"]["detail"], (fields, error["data"]["detail"])
        assert error["data"]["request"] == "room.state"
    await producer.send({"type": "room.handover", "to": "nobody-here"})
    assert "someone in the room" in (await producer.recv_type("room.error"))["data"]["detail"]
    await producer.send({"type": "room.sync"})
    after = (await producer.recv_type("room.snapshot"))["data"]["state"]
    assert after == before  # nothing was half-applied


async def test_who_may_enter_a_room(world, connect):
    bad_tab = await connect(f"/ws/playlists/{world.playlist.pk}/room/?tab=x", token=world.tokens["producer@rt.test"])
    code, before = await bad_tab.expect_close()
    assert code == 4400 and "tab" in before[0]["data"]["detail"]
    for token in (world.tokens["outsider@rt.test"], None):
        refused = await connect(room_path(world.playlist, TAB_ARTIST), token=token)
        assert await refused.expect_close() == (4403, [])
    missing = await connect(f"/ws/playlists/{world.project.pk}/room/?tab={TAB_ARTIST}", token=world.tokens["outsider@rt.test"])
    assert await missing.expect_close() == (4403, [])

    if playlist_kwargs("internal"):
        internal = await database_sync_to_async(
            lambda: Playlist.objects.create(project=world.project, name="Internal dailies", **playlist_kwargs("internal"))
        )()
        reviewer = await connect(room_path(internal, TAB_CLIENT), token=world.tokens["client@rt.test"])
        assert await reviewer.expect_close() == (4403, [])
        staff, _ = await join(connect, world, "artist@rt.test", TAB_ARTIST, playlist=internal)
        assert staff.closed_code is None


async def test_when_the_presenter_leaves_the_room_pauses_and_says_so(world, connect):
    producer, _ = await join(connect, world, "producer@rt.test", TAB_PRODUCER)
    client, _ = await join(connect, world, "client@rt.test", TAB_CLIENT)
    await producer.send({"type": "room.take"})
    await producer.send({"type": "room.state", "frame": 1002, "playing": True})
    await client.recv_type("room.state"), await client.recv_type("room.state")
    await producer.close()
    left = await client.recv_type("room.state")
    assert left["data"]["cause"] == "presenter_left"
    state = left["data"]["state"]
    assert state["presenter"] is None and state["playing"] is False and 1002 <= state["frame"] <= 1048
    members = await client.recv_type("room.members")
    assert [m["tab"] for m in members["data"]["members"]] == [TAB_CLIENT]
    await client.send({"type": "room.take"})  # nobody presents: a client reviewer may now
    assert (await client.recv_type("room.ack"))["data"]["state"]["presenter"]["tab"] == TAB_CLIENT


async def test_the_same_tab_reconnecting_replaces_its_old_socket(world, connect):
    old, _ = await join(connect, world, "artist@rt.test", TAB_ARTIST)
    new, snapshot = await join(connect, world, "artist@rt.test", TAB_ARTIST)
    code, before = await old.expect_close()
    assert code == 4409 and before[-1]["data"]["code"] == "replaced"
    assert [m["tab"] for m in snapshot["members"]] == [TAB_ARTIST]
    await new.send({"type": "room.take"})
    assert (await new.recv_type("room.ack"))["data"]["state"]["presenter"]["tab"] == TAB_ARTIST
    # Somebody else cannot hijack the tab id.
    thief = await connect(room_path(world.playlist, TAB_ARTIST), token=world.tokens["producer@rt.test"])
    code, before = await thief.expect_close()
    assert code == 4409 and before[-1]["data"]["code"] == "tab_taken"
