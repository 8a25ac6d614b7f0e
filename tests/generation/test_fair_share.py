"""Fair share with a real Celery worker: one studio's backlog of 30 renders does not starve another
studio's single render. One worker process and one GPU slot (GENERATION_GPU_SLOTS=1), tiny renders.

Only the order of events is asserted (the worker's own `started_at` stamps, written one after the
other by the same process), never how long anything took."""

from __future__ import annotations

import pytest
import redis as redis_lib

from generation import services
from generation.models import GenerationJob
from studio.exceptions import Conflict
from tests.generation.conftest import start_worker, submit, wait_state
from tests.support.waiting import wait_for

QUEUE = "gpu-test-fair-share"
TINY = {"steps": 2, "frames": 5, "width": 32, "height": 32}


@pytest.fixture
def fair_worker(transactional_db, django_db_blocker, demo_model_folder, settings):
    settings.GENERATION_QUEUE = QUEUE
    settings.GENERATION_GPU_SLOTS = 1
    broker = redis_lib.Redis.from_url(settings.CELERY_BROKER_URL)
    broker.delete(QUEUE)
    worker = start_worker(django_db_blocker, name="fair", queue=QUEUE, GENERATION_GPU_SLOTS=1)
    yield worker
    worker.stop()
    broker.delete(QUEUE)
    broker.close()


def test_another_studios_job_starts_within_one_render_of_a_worker_freeing_up(transactional_db, world, api, fair_worker):
    backlog: list[str] = []
    for _ in range(4):
        backlog += [j["id"] for j in submit(api(world.producer), world.shot, count=8, **TINY)][: 30 - len(backlog)]
    # The worker is busy with Northlight's backlog: its first render has started.
    wait_for(lambda: GenerationJob.objects.filter(pk__in=backlog, started_at__isnull=False).exists(), timeout=120,
             what="Northlight's first render to start")
    (harbor,) = submit(api(world.rival), world.hl_shot, **TINY)
    started_when_submitted = GenerationJob.objects.filter(pk__in=backlog, started_at__isnull=False).count()
    done = wait_state(harbor["id"], "succeeded", timeout=180)

    started_before = GenerationJob.objects.filter(pk__in=backlog, started_at__lt=done.started_at).count()
    # At most the one Northlight render already released when Harbor submitted starts before it…
    assert started_before <= started_when_submitted + 1, (started_when_submitted, started_before)
    # …and the rest of the backlog waits: first come, first served would have run all 30 first.
    assert started_before < len(backlog) - 20
    assert GenerationJob.objects.filter(pk__in=backlog, state="running").count() <= 1  # one slot: never two at once
    assert done.gpu_usage.gpu_seconds >= 0 and done.gpu_usage.organization_id == world.harbor.id  # the ledger row

    for job in GenerationJob.objects.filter(pk__in=backlog, state="queued"):
        try:
            services.cancel_generation(actor=world.producer, job=job)
        except Conflict:
            pass  # released and rendered meanwhile
    for job_id in backlog:
        wait_state(job_id, ("succeeded", "cancelled", "failed"), timeout=180)
    assert set(GenerationJob.objects.filter(pk__in=backlog).values_list("state", flat=True)) <= {"succeeded", "cancelled"}
