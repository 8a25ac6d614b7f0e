"""Jobs changed from outside the render: cancelled by a person or for consent, reaped when their worker went silent."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Now
from django.utils import timezone
from rest_framework.exceptions import PermissionDenied

from generation.models import GenerationJob
from generation.services import scheduling
from generation.services._common import (
    CANCEL_ANY_ROLES,
    SUBMIT_ROLES,
    State,
    _enqueue,
    _mark_cancelled,
    _mark_failed,
    _publish_state,
    _stale_cutoff,
)
from projects.access import require_project_role
from studio.audit import services as audit
from studio.exceptions import Conflict
from studio.realtime.publish import notify_user


def cancel_generation(*, actor, job: GenerationJob) -> GenerationJob:
    """Cancel a job: a queued one at once; a running one at its next denoising step (no version).

    The submitter may cancel their own jobs; supervisors, producers, admins and owners anyone's.
    """
    access = require_project_role(user=actor, project=job.project, roles=SUBMIT_ROLES, action="cancel generations")
    if access.role not in CANCEL_ANY_ROLES and job.created_by_id != actor.pk:
        allowed = ", ".join(sorted(str(r) for r in CANCEL_ANY_ROLES))
        raise PermissionDenied(f"Only the person who submitted this generation, or a {allowed}, may cancel it.")
    with transaction.atomic():
        job = GenerationJob.objects.select_for_update(of=("self",), no_key=True).select_related("model", "project").get(pk=job.pk)
        if job.is_terminal:
            raise Conflict(f"This generation already {job.state}; there is nothing to cancel.")
        if job.cancel_requested:
            return job  # asking twice changes nothing
        now = timezone.now()
        job.cancel_requested, job.cancel_requested_at, job.cancelled_by = True, now, actor
        if job.state == State.QUEUED:
            job.state, job.finished_at = State.CANCELLED, now
            action = "generation.cancelled"
        else:
            action = "generation.cancel_requested"
        job.save(update_fields=["cancel_requested", "cancel_requested_at", "cancelled_by", "state", "finished_at", "updated_at"])
        audit.record(organization=job.project.organization, actor=actor, action=action, target=job, data={"state": job.state})
        _publish_state(job)
        if job.state == State.CANCELLED:
            scheduling.job_ended(job, ran=False)
    return job


def cancel_jobs_for_consent(*, job_ids: Iterable, reason: str, cause: str, grant_id=None) -> list[GenerationJob]:
    """A consent grant stopped covering these jobs (`rights.signals.grant_stopped_covering`): queued
    ones are cancelled at once; running ones get a cancel request and stop at their next denoising
    step (no version). The job shows why (`error`), each is audited and published, and its submitter
    is notified. Runs in the transaction that changed the grant."""
    ids = sorted({str(j) for j in job_ids})
    if not ids:
        return []
    now = timezone.now()
    jobs = list(
        GenerationJob.objects.select_for_update(of=("self",), no_key=True).select_related("model", "project__organization")
        .filter(pk__in=ids, state__in=GenerationJob.ACTIVE_STATES).order_by("pk")
    )
    for job in jobs:
        job.cancel_requested, job.cancel_requested_at = True, job.cancel_requested_at or now
        job.error = f"Cancelled: {reason}"[:4000]
        if job.state == State.QUEUED:
            job.state, job.finished_at = State.CANCELLED, now
            action = "generation.cancelled"
        else:
            action = "generation.cancel_requested"
        job.save(update_fields=["cancel_requested", "cancel_requested_at", "error", "state", "finished_at", "updated_at"])
        audit.record(
            organization=job.project.organization, actor_label=f"consent {cause}", action=action, target=job,
            data={"state": job.state, "reason": reason, "cause": cause, "grant": str(grant_id) if grant_id else None},
        )
        _publish_state(job)
        if job.state == State.CANCELLED:
            scheduling.job_ended(job, ran=False)
        if job.created_by_id:
            notify_user(
                user_id=job.created_by_id, type="generation.cancelled", project_id=job.project_id,
                data={"job": str(job.id), "shot": str(job.shot_id) if job.shot_id else None, "state": job.state, "reason": reason},
            )
    return jobs


def reap_stale_jobs(*, stale_after: timedelta | None = None, max_runtime: timedelta | None = None) -> dict[str, int]:
    """Beat: running jobs whose worker stopped sending heartbeats are re-queued (within the attempt
    limit) or failed; jobs running longer than the maximum runtime fail. No job stays `running`."""
    max_runtime = max_runtime or timedelta(seconds=settings.GENERATION_MAX_RUNTIME_SECONDS)
    stale = Q(heartbeat_at__lt=_stale_cutoff(stale_after)) | Q(heartbeat_at__isnull=True)
    overdue = Q(started_at__lt=Now() - max_runtime)
    counts = {"requeued": 0, "failed": 0, "cancelled": 0}
    candidates = list(GenerationJob.objects.filter(state=State.RUNNING).filter(stale | overdue).values_list("pk", flat=True))
    for pk in candidates:
        with transaction.atomic():
            job = (
                GenerationJob.objects.select_for_update(of=("self",), skip_locked=True, no_key=True)
                .select_related("model", "project", "shot")
                .filter(pk=pk, state=State.RUNNING).filter(stale | overdue).first()
            )
            if job is None:
                continue
            is_overdue = GenerationJob.objects.filter(pk=pk).filter(overdue).exists()
            last = job.heartbeat_at.isoformat(timespec="seconds") if job.heartbeat_at else "never"
            if job.cancel_requested:
                _mark_cancelled(job, note=f"worker {job.worker} stopped responding after a cancel request")
                counts["cancelled"] += 1
            elif is_overdue:
                hours = max_runtime.total_seconds() / 3600
                _mark_failed(job, error=f"The render ran longer than the {hours:g} h limit on {job.worker} and was stopped being tracked. "
                                        "Try fewer frames or steps, or a smaller size.")
                counts["failed"] += 1
            elif job.attempts < job.max_attempts:
                job.state, job.queued_at, job.task_id = State.QUEUED, timezone.now(), str(uuid.uuid4())
                job.dispatched_at = None  # back in line: the dispatcher releases it again
                job.error = f"Worker {job.worker} stopped responding (last heartbeat {last}); re-queued."
                job.heartbeat_at, job.progress = None, {}
                job.save(update_fields=["state", "queued_at", "task_id", "dispatched_at", "error", "heartbeat_at", "progress",
                                        "updated_at"])
                audit.record(organization=job.project.organization, actor_label="generation reaper", action="generation.requeued",
                             target=job, data={"worker": job.worker, "attempts": job.attempts, "last_heartbeat": last})
                _publish_state(job)
                _enqueue(job)
                counts["requeued"] += 1
            else:
                _mark_failed(job, error=f"Worker {job.worker} stopped responding (last heartbeat {last}) and the job has used all "
                                        f"{job.max_attempts} attempts. Check the GPU workers and submit again.")
                counts["failed"] += 1
    return counts
