"""Listeners (studio.realtime.listeners): what apps register sees each published message inside the
publishing transaction; a failing listener never fails the write (outside validation); a listener
that publishes does not reach listeners again."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection, transaction

from studio.realtime import listeners
from studio.realtime.models import Event
from studio.realtime.publish import notify_user, publish
from tests.support.realtime_events import TEST_EVENT, TEST_NOTICE

pytestmark = pytest.mark.django_db


@pytest.fixture
def registered():
    before = list(listeners._listeners)
    yield listeners.register_listener
    listeners._listeners[:] = before


def test_a_listener_sees_what_is_published_inside_the_transaction(registered):
    seen = []
    registered(lambda e: seen.append((e, connection.in_atomic_block)), types={TEST_EVENT, TEST_NOTICE}, name="tests.seen")
    project, user = uuid.uuid4(), uuid.uuid4()
    envelope = publish(type=TEST_EVENT, project_id=project, data={"n": 1}, audience="internal")
    notify_user(user_id=user, type=TEST_NOTICE, data={"hello": "you"}, project_id=project)
    (durable, in_tx), (personal, _) = seen
    assert in_tx is True
    assert (durable.type, durable.channel, durable.project_id, durable.data, durable.audience, durable.event_id) == (
        TEST_EVENT, "project", str(project), {"n": 1}, "internal", envelope["id"])
    assert (personal.channel, personal.user_id, personal.data, personal.event_id) == ("user", str(user), {"hello": "you"}, None)


def test_other_types_do_not_reach_a_listener_and_registering_twice_is_once(registered):
    seen = []
    handle = seen.append
    registered(handle, types={TEST_NOTICE}, name="tests.notice-only")
    registered(handle, types={TEST_NOTICE}, name="tests.notice-only")
    publish(type=TEST_EVENT, project_id=uuid.uuid4(), data={})
    notify_user(user_id=uuid.uuid4(), type=TEST_NOTICE, data={})
    assert [e.type for e in seen] == [TEST_NOTICE]


def test_a_failing_listener_is_rolled_back_alone_and_the_write_stands(registered, settings):
    settings.REALTIME_VALIDATE_EVENTS = False

    def broken(event):
        publish(type=TEST_EVENT, project_id=uuid.uuid4(), data={"from": "listener"})  # undone with its savepoint
        raise RuntimeError("listener bug")

    registered(broken, types={TEST_EVENT}, name="tests.broken")
    project = uuid.uuid4()
    with transaction.atomic():
        publish(type=TEST_EVENT, project_id=project, data={"kept": True})
    assert list(Event.objects.values_list("stream_id", "data")) == [(project, {"kept": True})]

    settings.REALTIME_VALIDATE_EVENTS = True  # in development and tests a broken listener fails loudly
    with pytest.raises(RuntimeError, match="listener bug"), transaction.atomic():
        publish(type=TEST_EVENT, project_id=project, data={"kept": False})
    assert Event.objects.count() == 1


def test_what_a_listener_publishes_does_not_reach_listeners_again(registered):
    calls = []

    def echo(event):
        calls.append(event.data)
        notify_user(user_id=uuid.uuid4(), type=TEST_NOTICE, data={"echo": True})

    registered(echo, types={TEST_NOTICE}, name="tests.echo")
    notify_user(user_id=uuid.uuid4(), type=TEST_NOTICE, data={"first": True})
    assert calls == [{"first": True}]
