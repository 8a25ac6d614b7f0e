"""The email digest (one email per person with what they chose, never twice, read ones skipped, sent
by beat) and the live inbox on /ws/me/ (a mention arrives with the unread count; marking read
updates the other tabs)."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from django.conf import settings
from django.core import mail
from django.db import connections

from notifications import services
from notifications.models import Notification
from tests.notifications.conftest import comment


def test_one_digest_per_person_with_what_they_chose_never_sent_twice(studio, version, api):
    for frame in (1001, 1002):
        comment(api, studio.supervisor, version, frame=frame, body=f"Note at {frame}", mentions=[str(studio.artist.pk)])
    comment(api, studio.artist, version, frame=1003, body="Ping @producer", mentions=[str(studio.producer.pk)])
    api(studio.producer).patch("/api/v1/notification-preferences/", {"preferences": [{"kind": "mention", "email": False}]}, format="json")
    read_one = Notification.objects.filter(recipient=studio.artist).order_by("created_at").first()
    api(studio.artist).post(f"/api/v1/notifications/{read_one.pk}/read/", {}, format="json")
    comment(api, studio.supervisor, version, frame=1004, body="Third", mentions=[str(studio.artist.pk)])

    assert services.send_email_digests() == {"emails": 1, "notifications": 2, "failed": 0}
    [message] = mail.outbox
    assert message.to == [studio.artist.email] and message.subject == "Greenlight: 2 new notifications"
    assert "Note at 1002" in message.body and "Third" in message.body and "Note at 1001" not in message.body  # read in the app
    assert services.send_email_digests() == {"emails": 0, "notifications": 0, "failed": 0}
    assert len(mail.outbox) == 1
    assert Notification.objects.filter(recipient=studio.artist, emailed_at__isnull=False).count() == 2


def test_beat_sends_the_digest_on_a_schedule():
    entry = settings.CELERY_BEAT_SCHEDULE["notifications-email-digests"]
    assert entry["task"] == "notifications.tasks.send_email_digests"
    assert entry["schedule"] == settings.NOTIFICATIONS_DIGEST_INTERVAL_SECONDS
    from studio.celery import app

    app.loader.import_default_modules()
    assert "notifications.tasks.send_email_digests" in app.tasks
    assert "notifications.tasks.requeue_due_webhooks" in app.tasks


@pytest.fixture
async def close_thread_connections():
    """database_sync_to_async opens a connection on a worker thread: close it so the test database can be dropped."""
    yield
    await database_sync_to_async(connections.close_all)()


@pytest.mark.django_db(transaction=True)
async def test_a_mention_reaches_the_inbox_live_and_read_marks_reach_other_tabs(studio, version, api, connect, close_thread_connections):
    token = await database_sync_to_async(_token)(studio.artist)
    tab1 = await connect("/ws/me/", token=token)
    tab2 = await connect("/ws/me/", token=token)
    await tab1.recv_type("stream.ready"), await tab2.recv_type("stream.ready")

    await database_sync_to_async(comment)(api, studio.supervisor, version, frame=1010, body="Live one", mentions=[str(studio.artist.pk)])
    created = await tab1.recv_type("notification.created")
    assert created["data"]["unread"] == 1 and created["data"]["notification"]["title"].endswith("v001")
    assert created["data"]["notification"]["body"] == "Live one"
    assert (await tab2.recv_type("notification.created"))["data"]["notification"]["id"] == created["data"]["notification"]["id"]

    def mark_all():
        return api(studio.artist).post("/api/v1/notifications/mark-read/", {"all": True}, format="json")

    response = await database_sync_to_async(mark_all)()
    assert response.status_code == 200
    read = await tab2.recv_type("notification.read")
    assert read["data"] == {"ids": [created["data"]["notification"]["id"]], "all": True, "unread": 0}


def _token(user) -> str:
    from studio.tenancy import services as tenancy

    return tenancy.create_token(user=user, name="test")[1]
