"""Benchmark: the fair GPU dispatcher (generation.services.scheduling) with a deep backlog.

Runs against a throw-away PostgreSQL database (created and dropped here; BENCH_DATABASE_NAME names
it). Three studios wait: one with BACKLOG jobs, one with 50, one with 1; GENERATION_GPU_SLOTS = 8.
Prints, per backlog size: one release (the slot count, the studios' turn, the locked pick, the stamp)
median and p95 with its SQL queries, and the queue estimates of a page of 100 waiting jobs (what a
job list answers). The tasks go to a throw-away queue, emptied at the end.

    .venv/bin/python tests/bench/bench_scheduling.py        # or: make bench
"""

from __future__ import annotations

import os
import statistics
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studio.settings")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

BACKLOGS = [500, 5_000]
RELEASES = 40
QUEUE = "gpu-bench-scheduling"


def setup_world():
    from generation import services
    from projects.models import Project, Shot
    from studio.tenancy.models import Organization

    profile = services.ensure_demo_profile()
    worlds = []
    for slug in ("big", "small", "single"):
        org = Organization.objects.create(kind="studio", name=f"Bench {slug}", slug=f"bench-{slug}")
        project = Project.objects.create(organization=org, code=slug.upper()[:4], name=slug)
        shot = Shot.objects.create(project=project, code=f"{slug}_010", frame_in=1001, frame_out=1048)
        worlds.append((org, project, shot))
    return profile, worlds


def add_jobs(profile, world, n: int) -> None:
    from generation.models import GenerationJob

    org, project, shot = world
    now = timezone.now()
    GenerationJob.objects.bulk_create([
        GenerationJob(organization=org, project=project, shot=shot, model=profile, prompt="bench", seed=i, frames=5, width=32,
                      height=32, fps_num=16, fps_den=1, steps=2, guidance=1.0, state="queued", queued_at=now, task_id=str(uuid.uuid4()))
        for i in range(n)
    ], batch_size=1000)


def free_a_slot() -> None:
    """What a finished render does to the counts (without the render)."""
    from generation.models import GenerationJob

    job = GenerationJob.objects.filter(state="queued", dispatched_at__isnull=False).order_by("dispatched_at").first()
    GenerationJob.objects.filter(pk=job.pk).update(state="succeeded", finished_at=timezone.now())


def measure_releases() -> tuple[float, float, int]:
    from generation import services

    times, queries = [], 0
    for _ in range(RELEASES):
        free_a_slot()
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            assert services.dispatch(limit=1) == 1
            times.append((time.perf_counter() - started) * 1000)
        queries = len(captured)
    return statistics.median(times), statistics.quantiles(times, n=20)[-1], queries


def measure_estimates(org) -> tuple[float, int]:
    from generation import services
    from generation.models import GenerationJob

    page = list(GenerationJob.objects.filter(organization=org, state="queued", dispatched_at__isnull=True).order_by("-created_at")[:100])
    times = []
    for _ in range(10):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            services.queue_estimates(page)
            times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), len(captured)


def main() -> int:
    import redis

    from generation import services

    settings.GENERATION_QUEUE = QUEUE
    settings.GENERATION_GPU_SLOTS = 8
    name = os.environ.get("BENCH_DATABASE_NAME", "bench_gl_scheduling")
    connection.settings_dict["TEST"]["NAME"] = name
    created = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    print(f"database: {created} (throw-away); PostgreSQL {connection.pg_version}; {RELEASES} releases per size, 8 slots")
    print(f"{'backlog':>8} {'release median ms':>18} {'p95 ms':>8} {'queries':>8} {'estimates(100) ms':>18} {'queries':>8}")
    try:
        profile, worlds = setup_world()
        add_jobs(profile, worlds[1], 50)
        add_jobs(profile, worlds[2], 1)
        have = 0
        for backlog in BACKLOGS:
            add_jobs(profile, worlds[0], backlog - have)
            have = backlog
            services.dispatch()  # fill the slots
            median, p95, queries = measure_releases()
            est, est_queries = measure_estimates(worlds[0][0])
            print(f"{backlog:>8} {median:>18.2f} {p95:>8.2f} {queries:>8} {est:>18.2f} {est_queries:>8}", flush=True)
    finally:
        broker.delete(QUEUE)
        broker.close()
        connection.creation.destroy_test_db(created, verbosity=0)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
