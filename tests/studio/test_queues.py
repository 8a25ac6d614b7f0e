"""Media work goes to settings.MEDIA_QUEUE, read when it is sent (studio/queues.py)."""

from __future__ import annotations

import json

import redis as redis_lib

from projects.tasks import process_version_media
from studio.queues import send_media


def test_media_tasks_go_to_the_queue_the_settings_name_when_sent(settings):
    client = redis_lib.Redis.from_url(settings.REDIS_URL)
    queue = "media-test-queues-probe"
    client.delete(queue)
    try:
        settings.MEDIA_QUEUE = queue
        send_media(process_version_media, "3f1c0d2e-0000-4000-8000-000000000001")
        assert client.llen(queue) == 1 and client.llen("media") == 0
        message = json.loads(client.lpop(queue))
        assert message["headers"]["task"] == "projects.tasks.process_version_media"
        assert message["properties"]["delivery_info"]["routing_key"] == queue
    finally:
        client.delete(queue)
        client.close()

