"""What listening costs the publishers: a durable event with no webhook that wants it costs one
indexed query more; a mention costs a fixed number, however many notifications the person has."""

from __future__ import annotations

import uuid

from django.db import connection
from django.test.utils import CaptureQueriesContext

from studio.realtime.publish import publish
from tests.notifications.conftest import comment
from tests.support.realtime_events import TEST_EVENT


def _queries(fn) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        fn()
    return [q["sql"] for q in captured.captured_queries]


def test_a_project_event_costs_one_query_for_the_webhooks(db):
    sql = _queries(lambda: publish(type=TEST_EVENT, project_id=uuid.uuid4(), data={}))
    webhook_lookups = [q for q in sql if "notifications_webhookendpoint" in q]
    assert len(webhook_lookups) == 1
    assert not [q for q in sql if "notifications_notification" in q]  # not a type the inbox listens to


def test_a_mention_costs_the_same_however_full_the_inbox(studio, version, api):
    def mention(frame):
        return lambda: comment(api, studio.supervisor, version, frame=frame, body="x", mentions=[str(studio.artist.pk)])

    first = _queries(mention(1001))
    for frame in range(1002, 1012):
        comment(api, studio.supervisor, version, frame=frame, body="x", mentions=[str(studio.artist.pk)])
    later = _queries(mention(1012))
    inbox_sql = [q for q in later if "notifications_" in q]
    assert len(later) == len(first)
    assert len(inbox_sql) <= 6, inbox_sql
