"""The review room's drawings and per-item version choice: the presenter's live drawing reaches the
followers and late joiners on its frame; another version of an item's shot may be shown."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async

from tests.realtime.test_room import TAB_ARTIST, TAB_CLIENT, TAB_PRODUCER, join
from tests.support.world import make_shot, make_version

# The client reviewer sees the playlist's versions: they were submitted to them (tests/realtime/test_client_room.py: when not).
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("submitted")]

ARROW = {"type": "arrow", "from": [0.1, 0.2], "to": [0.5, 0.6], "color": "#ff3b30", "width": 0.004}


async def test_the_presenters_drawing_reaches_followers_and_late_joiners(world, connect):
    v1, v2 = (str(v.pk) for v in world.versions)
    producer, _ = await join(connect, world, "producer@rt.test", TAB_PRODUCER)
    artist, _ = await join(connect, world, "artist@rt.test", TAB_ARTIST)
    await artist.send({"type": "room.draw", "frame": 1010, "shapes": [ARROW]})
    assert (await artist.recv_type("room.error"))["data"]["code"] == "not_presenter"
    await producer.send({"type": "room.take"})
    await producer.recv_type("room.ack")
    await producer.send({"type": "room.state", "frame": 1010})
    await producer.recv_type("room.ack")

    await producer.send({"type": "room.draw", "frame": 1010, "shapes": [ARROW]})
    ack = await producer.recv_type("room.ack")
    assert ack["data"]["cause"] == "draw" and ack["data"]["state"]["drawing"] == {"version": v1, "frame": 1010, "shapes": [ARROW]}
    while True:  # the follower gets the take, the seek, then the drawing
        followed = await artist.recv_type("room.state")
        if followed["data"]["cause"] == "draw":
            break
    assert followed["data"]["state"]["drawing"]["shapes"] == [ARROW] and followed["data"]["by"] == TAB_PRODUCER

    # A late joiner sees it at once, in the snapshot.
    _, late = await join(connect, world, "client@rt.test", TAB_CLIENT)
    assert late["state"]["drawing"] == {"version": v1, "frame": 1010, "shapes": [ARROW]}

    # Changing version clears it (a drawing belongs to a frame of one version); [] clears it too.
    await producer.send({"type": "room.state", "version": v2})
    assert (await producer.recv_type("room.ack"))["data"]["state"]["drawing"] is None
    await producer.send({"type": "room.draw", "frame": 1001, "shapes": [ARROW]})
    assert (await producer.recv_type("room.ack"))["data"]["state"]["drawing"]["version"] == v2
    await producer.send({"type": "room.draw", "frame": 1001, "shapes": []})
    assert (await producer.recv_type("room.ack"))["data"]["state"]["drawing"] is None


async def test_bad_drawings_are_refused_with_the_reason(world, connect):
    producer, _ = await join(connect, world, "producer@rt.test", TAB_PRODUCER)
    await producer.send({"type": "room.take"})
    await producer.recv_type("room.ack")
    cases = [
        ({"frame": 1.5, "shapes": [ARROW]}, "integer frame"),
        ({"frame": 1049, "shapes": [ARROW]}, "outside this version's frames (1001–1048)"),
        ({"frame": 1001, "shapes": [{"type": "blob"}]}, "shapes"),
        ({"frame": 1001, "shapes": "arrow"}, "shapes"),
        ({"frame": 1001, "shapes": [], "colour": "red"}, "Unknown field"),
    ]
    for fields, expected in cases:
        await producer.send({"type": "room.draw", **fields})
        error = await producer.recv_type("room.error")
        assert expected in error["data"]["detail"], (fields, error["data"]["detail"])
        assert error["data"]["request"] == "room.draw"


async def test_staff_may_show_another_version_of_an_items_shot_but_not_other_shots(world, connect):
    v3 = await database_sync_to_async(lambda: make_version(world.shot, number=3, frames=24, fps=(24, 1)))()
    other = await database_sync_to_async(
        lambda: make_version(make_shot(world.project, "MR_999_0010"), number=1, frames=24, fps=(24, 1))
    )()
    producer, _ = await join(connect, world, "producer@rt.test", TAB_PRODUCER)
    await producer.send({"type": "room.take"})
    await producer.recv_type("room.ack")
    await producer.send({"type": "room.state", "version": str(v3.pk)})
    state = (await producer.recv_type("room.ack"))["data"]["state"]
    assert (state["version"], state["last_frame"]) == (str(v3.pk), 1024)
    await producer.send({"type": "room.state", "version": str(other.pk)})
    assert "not in this playlist" in (await producer.recv_type("room.error"))["data"]["detail"]

    # A client reviewer presenting is held to the playlist's own versions.
    await producer.send({"type": "room.release"})
    await producer.recv_type("room.ack")
    client, _ = await join(connect, world, "client@rt.test", TAB_CLIENT)
    await client.send({"type": "room.take"})
    await client.recv_type("room.ack")
    await client.send({"type": "room.state", "version": str(v3.pk)})
    assert "not in this playlist" in (await client.recv_type("room.error"))["data"]["detail"]
    await client.send({"type": "room.state", "version": str(world.versions[1].pk)})
    assert (await client.recv_type("room.ack"))["data"]["state"]["version"] == str(world.versions[1].pk)
