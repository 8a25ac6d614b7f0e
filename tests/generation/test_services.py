"""The job state machine that makes renders exactly-once: claiming attempts, fencing, completing,
and the reaper. Driven through the services a worker and beat call (no worker process here)."""

from __future__ import annotations

import os
import subprocess
from datetime import timedelta
from fractions import Fraction

import numpy as np
import pytest
from django.db.models.functions import Now
from django.utils import timezone

from generation import encoding, services
from generation.models import GenerationJob, Take
from projects.models import Version
from studio.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def job(world):
    (queued,) = services.submit_generation(actor=world.artist, shot=world.shot, prompt="harbour at night", seed=5)
    return queued


@pytest.fixture
def clip(tmp_path):
    return encoding.encode_mp4(np.full((17, 64, 64, 3), 90, np.uint8), tmp_path / "clip.mp4", fps=Fraction(16))


def me() -> services.WorkerIdentity:
    return services.WorkerIdentity.current("gen-test@here")


def dead_pid() -> int:
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


def set_running(job, **fields):
    values = {"state": "running", "attempts": 1, "worker": "gpu@elsewhere", "worker_host": me().host, "worker_pid": dead_pid(),
              "started_at": timezone.now(), "heartbeat_at": timezone.now()}
    values.update(fields)
    GenerationJob.objects.filter(pk=job.pk).update(**values)


def complete(job_id, attempt, clip):
    return services.complete_attempt(job_id=job_id, attempt=attempt, video=clip, lineage={"job": str(job_id)}, timings={"total": 1.0},
                                     store_started=0.0)


def test_a_queued_job_is_claimed_as_attempt_one(job):
    claimed = services.start_attempt(job_id=job.id, worker=me())
    assert claimed.state == "running" and claimed.attempts == 1
    assert (claimed.worker, claimed.worker_pid) == ("gen-test@here", os.getpid())
    stored = GenerationJob.objects.get(pk=job.pk)
    assert stored.heartbeat_at is not None and stored.progress == {"step": 0, "total": 4, "elapsed": 0.0, "eta": None}


def test_a_duplicate_delivery_while_a_live_process_renders_does_nothing(job):
    set_running(job, worker_pid=os.getppid())  # a live process on this machine that is not us
    assert services.start_attempt(job_id=job.id, worker=me()) is None
    assert GenerationJob.objects.get(pk=job.pk).attempts == 1


def test_a_redelivery_after_the_render_process_died_takes_over_at_once(job):
    set_running(job)  # fresh heartbeat, but the pid is gone
    claimed = services.start_attempt(job_id=job.id, worker=me())
    assert claimed is not None and claimed.attempts == 2 and claimed.worker_pid == os.getpid()


def test_another_machine_is_trusted_until_its_heartbeat_is_stale(job, settings):
    set_running(job, worker_host="render-07", worker_pid=1)
    assert services.start_attempt(job_id=job.id, worker=me()) is None
    GenerationJob.objects.filter(pk=job.pk).update(heartbeat_at=Now() - timedelta(seconds=settings.GENERATION_STALE_AFTER_SECONDS + 5))
    assert services.start_attempt(job_id=job.id, worker=me()).attempts == 2


def test_a_job_whose_worker_died_on_every_attempt_fails_with_the_reason(job):
    set_running(job, attempts=3, max_attempts=3)
    assert services.start_attempt(job_id=job.id, worker=me()) is None
    failed = GenerationJob.objects.get(pk=job.pk)
    assert failed.state == "failed" and failed.finished_at is not None
    assert "started 3 times and its worker was lost each time (last: gpu@elsewhere)" in failed.error


def test_finished_and_cancelled_jobs_are_never_started_again(job, world):
    services.cancel_generation(actor=world.artist, job=job)
    assert services.start_attempt(job_id=job.id, worker=me()) is None
    assert GenerationJob.objects.get(pk=job.pk).attempts == 0


def test_progress_is_fenced_by_the_attempt_number(job, world):
    claimed = services.start_attempt(job_id=job.id, worker=me())
    assert services.record_progress(job_id=job.id, attempt=1, step=2, total=4, elapsed=1.0) is False
    assert GenerationJob.objects.get(pk=job.pk).progress == {"step": 2, "total": 4, "elapsed": 1.0, "eta": 1.0}
    with pytest.raises(services.JobLost):
        services.record_progress(job_id=job.id, attempt=claimed.attempts + 1, step=3, total=4, elapsed=1.5)
    assert services.heartbeat(job_id=job.id, attempt=1) is True and services.heartbeat(job_id=job.id, attempt=2) is False
    services.cancel_generation(actor=world.artist, job=job)
    assert services.record_progress(job_id=job.id, attempt=1, step=3, total=4, elapsed=1.5) is True


def test_completing_creates_exactly_one_take_and_only_for_the_owning_attempt(job, clip):
    services.start_attempt(job_id=job.id, worker=me())
    assert complete(job.id, 2, clip) is None  # a stale attempt number: nothing
    assert Take.objects.count() == 0
    take = complete(job.id, 1, clip)
    assert take is not None and take.job_id == job.id and (take.native_frames, take.native_fps) == (17, 16)
    done = GenerationJob.objects.get(pk=job.pk)
    assert done.state == "succeeded" and done.take == take and done.version is None and done.timings["total"] >= 1.0
    assert complete(job.id, 1, clip) is None  # a second completion of the same attempt: nothing
    assert Take.objects.count() == 1 and Version.objects.count() == 0  # a version comes only from publishing the take
    assert AuditEvent.objects.filter(action="generation.succeeded", target_id=str(job.id)).count() == 1


def test_a_cancel_that_lands_after_the_last_step_still_wins(job, world, clip):
    services.start_attempt(job_id=job.id, worker=me())
    services.cancel_generation(actor=world.artist, job=job)
    assert complete(job.id, 1, clip) is None
    assert GenerationJob.objects.get(pk=job.pk).state == "cancelled" and Version.objects.count() == 0 and Take.objects.count() == 0


def test_the_reaper_requeues_silent_jobs_within_the_attempt_limit(job):
    set_running(job, heartbeat_at=timezone.now() - timedelta(minutes=10))
    assert services.reap_stale_jobs() == {"requeued": 1, "failed": 0, "cancelled": 0}
    requeued = GenerationJob.objects.get(pk=job.pk)
    assert requeued.state == "queued" and requeued.attempts == 1 and requeued.heartbeat_at is None
    assert "stopped responding" in requeued.error and requeued.task_id != job.task_id


def test_the_reaper_fails_silent_jobs_that_used_every_attempt(job):
    set_running(job, attempts=3, heartbeat_at=timezone.now() - timedelta(minutes=10))
    assert services.reap_stale_jobs() == {"requeued": 0, "failed": 1, "cancelled": 0}
    failed = GenerationJob.objects.get(pk=job.pk)
    assert failed.state == "failed" and "used all 3 attempts" in failed.error


def test_the_reaper_finishes_a_cancel_whose_worker_died(job):
    set_running(job, cancel_requested=True, heartbeat_at=timezone.now() - timedelta(minutes=10))
    assert services.reap_stale_jobs()["cancelled"] == 1
    assert GenerationJob.objects.get(pk=job.pk).state == "cancelled"


def test_the_reaper_fails_renders_that_run_past_the_limit_even_with_heartbeats(job):
    set_running(job, started_at=timezone.now() - timedelta(hours=5))
    assert services.reap_stale_jobs() == {"requeued": 0, "failed": 1, "cancelled": 0}
    assert "ran longer than the 4 h limit" in GenerationJob.objects.get(pk=job.pk).error


def test_the_reaper_leaves_healthy_renders_alone(job):
    set_running(job)
    assert services.reap_stale_jobs() == {"requeued": 0, "failed": 0, "cancelled": 0}
    assert GenerationJob.objects.get(pk=job.pk).state == "running"


def test_renders_are_routed_to_the_gpu_queue_and_the_reaper_is_scheduled(settings):
    from studio.celery import app

    assert app.amqp.router.route({}, "generation.tasks.render_generation")["queue"].name == "gpu"
    schedule = {entry["task"]: entry for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "generation.tasks.reap_stale_jobs" in schedule
    assert settings.CELERY_TASK_ACKS_LATE and settings.CELERY_TASK_REJECT_ON_WORKER_LOST
