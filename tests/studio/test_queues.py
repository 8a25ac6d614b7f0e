"""Media work goes to settings.MEDIA_QUEUE, read when it is sent (studio/queues.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

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



def test_the_routes_follow_the_queues_a_deployment_names():
    """Beat's tasks and tasks sent by name are routed by CELERY_TASK_ROUTES: renders to GENERATION_QUEUE
    and media work to MEDIA_QUEUE, as a deployment's environment names them (read in a fresh process)."""
    code = "import json, studio.settings as s; print(json.dumps(s.CELERY_TASK_ROUTES))"
    env = {**os.environ, "GENERATION_QUEUE": "gpu-a100", "MEDIA_QUEUE": "media-east"}
    routes = json.loads(subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True, text=True).stdout)
    assert routes["generation.tasks.render_*"] == {"queue": "gpu-a100"}
    assert {routes[k]["queue"] for k in ("generation.tasks.scan_*", "generation.tasks.conform_*", "projects.tasks.*")} == {"media-east"}
