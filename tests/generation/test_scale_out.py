"""Two web processes and two render workers on one PostgreSQL, one Redis and one object store.

Issue 16's "beyond one machine" check, with real processes only: two uvicorn servers and two Celery
render workers (tiny demo renders), all on the same S3 bucket (a real SeaweedFS) with no shared media
folder. A client subscribed through web B sees the takes that a render submitted through web A made;
the renders are spread over both workers; web B is then killed and the client, reconnecting to web A
with the last event id it saw, gets every durable event it missed, in order, with no gap.
"""

from __future__ import annotations

import json
import uuid

import httpx
import pytest
from django.core.files.storage import default_storage
from websockets.sync.client import connect

from generation.models import GenerationJob, Take
from studio.realtime.models import Event
from studio.storage.config import storages_from_env
from tests.generation.conftest import start_worker
from tests.realtime.servers import ORIGIN, UvicornServer
from tests.support.waiting import wait_for
from tests.support.world import ALL_ROLES, build_world

pytestmark = [pytest.mark.worker, pytest.mark.slow]

RENDERS = 4
# Its own render queue: the session's `gpu_worker` (local media folder) consumes the folder's queue.
QUEUE = "gpu-test-scale-out"


@pytest.fixture
def stack(transactional_db, profile, seaweed, settings, django_db_blocker):
    """Web A, web B and render workers 1 and 2, all on one bucket prefix (this process too)."""
    url = seaweed.storage_url_for(f"scale-{uuid.uuid4().hex[:12]}")
    settings.STORAGES = storages_from_env({"STORAGE_URL": url}, expire=settings.MEDIA_URL_EXPIRES_SECONDS)
    settings.GENERATION_QUEUE = QUEUE
    env = {"STORAGE_URL": url, "GENERATION_QUEUE": QUEUE, "GENERATION_GPU_SLOTS": "auto"}
    webs = [UvicornServer(name=f"scale-{n}", env=env) for n in ("a", "b")]
    workers = []
    try:
        with django_db_blocker.unblock():
            for web in webs:
                web.start()
        workers = [start_worker(django_db_blocker, name=f"scale-gpu{n}", queue=QUEUE, **env) for n in (1, 2)]
        yield webs, workers
    finally:
        for process in [*workers, *webs]:
            process.stop()


def frames(ws, *, until, timeout: float = 120) -> list[dict]:
    """Messages from `ws` until `until(messages)` holds (the timeout only bounds a wait that never ends)."""
    seen: list[dict] = []

    def one_more():
        seen.append(json.loads(ws.recv(timeout=timeout)))
        return until(seen)

    wait_for(one_more, timeout=timeout, interval=0, what="the events on the socket")
    return seen


def test_two_web_processes_and_two_render_workers_share_one_store(stack, django_db_blocker):
    (web_a, web_b), _workers = stack
    with django_db_blocker.unblock():
        world = build_world(tag="so", roles=ALL_ROLES, tokens=True).alias(project="mr")
        token = world.tokens[world.artist.email]
    headers = {"Authorization": f"Token {token}"}
    stream = f"/ws/projects/{world.project.pk}/"

    with connect(f"{web_b.ws}{stream}", origin=ORIGIN, additional_headers=headers, open_timeout=20) as on_b:
        frames(on_b, until=lambda m: m[-1]["type"] == "stream.ready")
        response = httpx.post(f"{web_a.http}/api/v1/shots/{world.shot.pk}/generations/", headers=headers, timeout=30,
                              json={"prompt": "a red circle moving left on a blue background", "count": RENDERS, "steps": 2})
        assert response.status_code == 201, response.text
        jobs = {job["id"] for job in response.json()["jobs"]}
        seen = frames(on_b, until=lambda m: {e["data"]["job"] for e in m if e["type"] == "take.created"} == jobs)

    takes = list(Take.objects.filter(job_id__in=jobs))
    assert len(takes) == RENDERS
    assert all(default_storage.exists(take.media.name) for take in takes)  # in the bucket, written by the workers
    ran_on = {job.worker.split("@")[0] for job in GenerationJob.objects.filter(pk__in=jobs)}
    assert ran_on == {"scale-gpu1", "scale-gpu2"}, ran_on  # both workers rendered

    # Web B dies; events keep coming (takes starred through web A); the client resumes on web A.
    last_seen = max(e["id"] for e in seen if isinstance(e.get("id"), int))  # durable events carry their number
    web_b.kill()
    for take in takes:
        starred = httpx.post(f"{web_a.http}/api/v1/takes/{take.pk}/star/", headers=headers, json={}, timeout=30)
        assert starred.status_code == 200, starred.text
    missed = list(Event.objects.filter(stream_id=world.project.pk, seq__gt=last_seen).order_by("seq").values_list("seq", flat=True))
    with connect(f"{web_a.ws}{stream}?since={last_seen}", origin=ORIGIN, additional_headers=headers, open_timeout=20) as on_a:
        replay = frames(on_a, until=lambda m: m[-1]["type"] == "stream.ready")
    replayed = [e["id"] for e in replay if isinstance(e.get("id"), int)]
    assert replayed == missed and replayed == list(range(last_seen + 1, last_seen + 1 + len(missed)))  # no gap, in order
    assert sum(e["type"] == "take.updated" for e in replay) >= RENDERS  # each star, none lost
