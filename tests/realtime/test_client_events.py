"""What a client sees, on the project stream: a client reviewer's socket receives events only about
the versions submitted to them (live and on replay), never internal notes, and other lanes' decision
notes blanked. Real services publish, the real Redis channel layer carries, the real consumer filters."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from django.db import transaction

from projects import services
from projects.models import Submission, Version

pytestmark = pytest.mark.django_db(transaction=True)

CLIENT = "client@rt.test"
PRODUCER = "producer@rt.test"


def path(world, since=None) -> str:
    return f"/ws/projects/{world.project.pk}/" + (f"?since={since}" if since is not None else "")


def _ready_and_submit(world) -> None:
    Version.objects.filter(pk__in=[v.pk for v in world.versions]).update(processing_status="ready", proxy="proxy.mp4")
    services.submit_to_client(actor=world.producer, project=world.project, versions=[world.versions[0].pk])


def _note(world, version, body, *, internal=False) -> str:
    with transaction.atomic():
        version = Version.objects.get(pk=version.pk)
        return str(services.create_comment(actor=world.producer, version=version, body=body, frame=1001, internal=internal).pk)


def _decide(world, version, note) -> None:
    version = Version.objects.get(pk=version.pk)
    services.decide_approval(actor=world.producer, version=version, lane="producer", decision="changes_requested", note=note)


def _submit(world, version) -> None:
    services.submit_to_client(actor=world.producer, project=world.project, versions=[version.pk])


def _withdraw(world, version) -> None:
    submission = Submission.objects.get(version=version, withdrawn_at__isnull=True)
    services.withdraw_submission(actor=world.producer, submission=submission)


note, decide, submit, withdraw = (database_sync_to_async(f) for f in (_note, _decide, _submit, _withdraw))


async def next_event(client) -> dict:
    """The next durable event (skipping control messages)."""
    while True:
        message = await client.recv()
        if message.get("id") is not None:
            return message


async def test_a_client_socket_receives_only_what_was_submitted(world, connect):
    v1, v2 = world.versions
    await database_sync_to_async(_ready_and_submit)(world)
    producer = await connect(path(world), token=world.tokens[PRODUCER])
    client = await connect(path(world), token=world.tokens[CLIENT])
    await producer.recv_type("stream.ready"), await client.recv_type("stream.ready")

    hidden = await note(world, v2, "on the unsubmitted v002")
    internal = await note(world, v1, "internal on v001", internal=True)
    shown = await note(world, v1, "for the client on v001")
    producer_ids = [(await next_event(producer))["data"]["id"] for _ in range(3)]
    assert producer_ids == [hidden, internal, shown]
    # Events are delivered in order: the first the client gets is the third note; the others never came.
    assert (await next_event(client))["data"]["id"] == shown

    # Other lanes' reasons are blanked for the client; the studio reads them.
    await decide(world, v1, "internal: the artist rushed it")
    decided = await client.recv_type("approval.decided")
    assert decided["data"]["lane"] == "producer" and decided["data"]["note"] == ""
    assert (await producer.recv_type("approval.decided"))["data"]["note"] == "internal: the artist rushed it"

    # Submitting v002 lets its events through (the socket re-reads what the client sees); withdrawing v001 stops them.
    await submit(world, v2)
    assert (await client.recv_type("submission.changed"))["data"]["versions"] == [str(v2.pk)]
    after = await note(world, v2, "now submitted")
    assert (await client.recv_type("comment.created"))["data"]["id"] == after
    await withdraw(world, v1)
    assert (await client.recv_type("submission.changed"))["data"]["change"] == "withdrawn"
    await note(world, v1, "v001 is withdrawn")
    last = await note(world, v2, "still on v002")
    assert (await next_event(client))["data"]["id"] == last

    # Replay from the start applies the same rule (as things stand now: v002 submitted, v001 not).
    replay = await connect(path(world, since=0), token=world.tokens[CLIENT])
    messages = []
    while (message := await replay.recv())["type"] != "stream.ready":
        messages.append(message)
    notes = [m["data"]["body"] for m in messages if m["type"] == "comment.created"]
    assert notes == ["on the unsubmitted v002", "now submitted", "still on v002"]
    assert all(m["data"].get("version") in (None, str(v2.pk)) for m in messages if m["type"] != "submission.changed")
    assert not [m for m in messages if m["type"] == "approval.decided"]  # it was on v001


async def test_presence_on_an_unsubmitted_version_is_not_shown_to_a_client(world, connect):
    v1, v2 = world.versions
    await database_sync_to_async(_ready_and_submit)(world)
    producer = await connect(path(world), token=world.tokens[PRODUCER])
    await producer.recv_type("stream.ready")
    await producer.send({"type": "presence.view", "version": str(v2.pk)})
    await producer.recv_type("presence.changed")
    client = await connect(path(world), token=world.tokens[CLIENT])
    snapshot = await client.recv_type("presence.snapshot")
    assert snapshot["data"]["versions"] == {}
    await producer.send({"type": "presence.view", "version": str(v1.pk)})
    changed = await client.recv_type("presence.changed")
    assert changed["data"]["version"] == str(v1.pk)  # the change on v002 (the producer leaving it) never reached them
