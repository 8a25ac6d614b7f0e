"""Helpers shared by the generation services: who may submit and cancel, the `job.state_changed`
event, sending a job to the `gpu` queue after commit, and the terminal transitions of a job.
Internal to `generation.services`; not re-exported except `job_event_data`."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models.functions import Now
from django.utils import timezone

from generation.models import GenerationJob
from generation.services import scheduling
from projects.access import STUDIO_INTERNAL_AUDIENCE
from studio.audit import services as audit
from studio.realtime.publish import publish
from studio.tenancy.models import Role

# Who may submit renders on a shot, and who may cancel renders submitted by someone else.
SUBMIT_ROLES = frozenset({Role.OWNER, Role.ADMIN, Role.PRODUCER, Role.SUPERVISOR, Role.ARTIST})
CANCEL_ANY_ROLES = frozenset({Role.OWNER, Role.ADMIN, Role.PRODUCER, Role.SUPERVISOR})

State = GenerationJob.State


def job_event_data(job: GenerationJob) -> dict:
    return {
        "id": str(job.id),
        "state": job.state,
        "shot": str(job.shot_id) if job.shot_id else None,
        "panel": str(job.panel_id) if job.panel_id else None,
        "batch": str(job.batch_id),
        "model": job.model.name,
        "seed": job.seed,
        "attempts": job.attempts,
        "cancel_requested": job.cancel_requested,
        "progress": job.progress or {},
        "error": job.error,
        "timings": job.timings or {},
        "priority": job.priority,
        "released": job.dispatched_at is not None,
        "version": str(job.version_id) if job.version_id else None,
    }


def _publish_state(job: GenerationJob) -> None:
    # Jobs are studio internals (projects.access): client reviewers never receive their events.
    publish(type="job.state_changed", project_id=job.project_id, job_id=job.id, data=job_event_data(job),
            audience=STUDIO_INTERNAL_AUDIENCE)


def _enqueue(job: GenerationJob) -> None:
    """The job waits in PostgreSQL; the dispatcher (services.scheduling) releases it to the `gpu`
    queue after commit, fairly across studios."""
    scheduling.dispatch_on_commit()


def _stale_cutoff(stale_after: timedelta | None = None):
    seconds = settings.GENERATION_STALE_AFTER_SECONDS if stale_after is None else stale_after.total_seconds()
    return Now() - timedelta(seconds=seconds)


def _mark_cancelled(job: GenerationJob, *, note: str, timings: dict | None = None) -> None:
    ran = job.state == State.RUNNING
    job.state, job.finished_at = State.CANCELLED, timezone.now()
    if timings:
        job.timings = timings
    job.save(update_fields=["state", "finished_at", "timings", "updated_at"])
    audit.record(organization=job.project.organization, actor_label=f"worker {job.worker}".strip(), action="generation.cancelled",
                 target=job, data={"note": note, "progress": job.progress})
    _publish_state(job)
    scheduling.job_ended(job, ran=ran)


def _mark_failed(job: GenerationJob, *, error: str, timings: dict | None = None) -> None:
    ran = job.state == State.RUNNING
    job.state, job.finished_at, job.error = State.FAILED, timezone.now(), error[:4000]
    if timings:
        job.timings = timings
    job.save(update_fields=["state", "finished_at", "error", "timings", "updated_at"])
    audit.record(organization=job.project.organization, actor_label=f"worker {job.worker}".strip(), action="generation.failed",
                 target=job, data={"error": job.error[:500], "attempts": job.attempts})
    _publish_state(job)
    scheduling.job_ended(job, ran=ran)
