"""The worker side of a render: claim an attempt, report progress, finish, fail or store the take.

Every render *attempt* increments `GenerationJob.attempts`, and that number is the attempt's fencing
token (see the package docstring). The consent re-check when the render really starts is here too."""

from __future__ import annotations

import json
import logging
import os
import socket
import time
from dataclasses import dataclass
from pathlib import Path

from django.db import connection, transaction
from django.db.models.functions import Now
from django.utils import timezone

from generation.models import GenerationJob, Take
from generation.services import scheduling
from generation.services._common import State, _mark_cancelled, _mark_failed, _publish_state, _stale_cutoff
from generation.services.takes import store_take
from projects.consent import project_ref
from projects.models import Project
from rights import policy as consent_policy
from rights import selectors as rights_selectors
from rights import services as rights_services
from rights.models import UseType
from studio.audit import services as audit

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WorkerIdentity:
    node: str  # Celery node name, e.g. gpu@render-01
    host: str
    pid: int

    @classmethod
    def current(cls, node: str | None) -> WorkerIdentity:
        host = socket.gethostname()
        return cls(node=node or f"worker@{host}", host=host, pid=os.getpid())

    def __str__(self) -> str:
        return f"{self.node} (pid {self.pid})"


class JobLost(Exception):
    """This attempt no longer owns the job (re-queued by the reaper, or taken over)."""


def _pid_alive(pid: int | None, *, since) -> bool:
    import psutil

    if not pid:
        return False
    try:
        process = psutil.Process(pid)
        if process.status() == psutil.STATUS_ZOMBIE:
            return False
        # A process created after the attempt started is another process that reused the pid.
        return since is None or process.create_time() <= since.timestamp() + 1.0
    except psutil.NoSuchProcess:
        return False


def _attempt_alive(job: GenerationJob, me: WorkerIdentity) -> bool:
    """Is the job's current attempt still being rendered by a live process (other than this one)?"""
    fresh = GenerationJob.objects.filter(pk=job.pk, heartbeat_at__gte=_stale_cutoff()).exists()
    if not fresh:
        return False
    if job.worker_host == me.host:
        # Same machine: the process table is the truth, so a killed render is taken over at once.
        return job.worker_pid != me.pid and _pid_alive(job.worker_pid, since=job.started_at)
    return True


def start_attempt(*, job_id, worker: WorkerIdentity) -> GenerationJob | None:
    """Claim the job for a new render attempt, or None when this delivery must do nothing.

    Nothing to do when the job is gone, finished, cancelled, or being rendered by another live
    process. A job whose previous attempts all lost their worker fails once `max_attempts` is spent.
    """
    with transaction.atomic():
        job = (
            GenerationJob.objects.select_for_update(of=("self",), no_key=True)
                .select_related("model", "project", "shot").filter(pk=job_id).first()
        )
        if job is None:
            log.warning("generation job %s no longer exists; nothing to render", job_id)
            return None
        if job.is_terminal:
            log.info("generation job %s is already %s; duplicate delivery ignored", job_id, job.state)
            return None
        if job.state == State.RUNNING and _attempt_alive(job, worker):
            log.info("generation job %s is being rendered by %s; duplicate delivery ignored", job_id, job.worker)
            return None
        if job.cancel_requested:
            _mark_cancelled(job, note="cancelled before its render started")
            return None
        if job.attempts >= job.max_attempts:
            _mark_failed(
                job,
                error=(
                    f"The render was started {job.attempts} time{'s' if job.attempts != 1 else ''} and its worker was lost each time "
                    f"(last: {job.worker or 'unknown'}). Giving up after {job.max_attempts} attempts; check the GPU workers "
                    "(memory, drivers) and submit again."
                ),
            )
            return None
        now = timezone.now()
        job.attempts += 1
        job.state = State.RUNNING
        job.worker, job.worker_host, job.worker_pid = worker.node, worker.host, worker.pid
        job.started_at = now
        job.progress = {"step": 0, "total": job.steps, "elapsed": 0.0, "eta": None}
        job.error = ""
        job.save(update_fields=["attempts", "state", "worker", "worker_host", "worker_pid", "started_at", "progress", "error",
                                "updated_at"])
        GenerationJob.objects.filter(pk=job.pk).update(heartbeat_at=Now())  # the database clock, like every heartbeat
        _publish_state(job)
    return job


def record_progress(*, job_id, attempt: int, step: int, total: int, elapsed: float) -> bool:
    """Store the latest step on the job (and refresh its heartbeat); True when a cancel was requested.

    Raises JobLost when this attempt no longer owns the job. One statement per step.
    """
    eta = round(elapsed / step * (total - step), 3) if step else None
    progress = {"step": step, "total": total, "elapsed": round(elapsed, 3), "eta": eta}
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {GenerationJob._meta.db_table} SET progress = %s::jsonb, heartbeat_at = now(), updated_at = now() "  # noqa: S608
            "WHERE id = %s AND state = 'running' AND attempts = %s RETURNING cancel_requested",
            [json.dumps(progress), str(job_id), attempt],
        )
        row = cursor.fetchone()
    if row is None:
        raise JobLost(f"job {job_id} attempt {attempt} no longer owns the job")
    return bool(row[0])


def heartbeat(*, job_id, attempt: int) -> bool:
    """Refresh the heartbeat of a running attempt; False when this attempt no longer owns the job."""
    return bool(GenerationJob.objects.filter(pk=job_id, state=State.RUNNING, attempts=attempt).update(heartbeat_at=Now()))


def cancel_requested(*, job_id) -> bool:
    return GenerationJob.objects.filter(pk=job_id, cancel_requested=True).exists()


def _owned(job_id, attempt: int) -> GenerationJob | None:
    job = (
        GenerationJob.objects.select_for_update(of=("self",), no_key=True)
        .select_related("model", "project", "shot").filter(pk=job_id).first()
    )
    if job is None or job.state != State.RUNNING or job.attempts != attempt:
        return None
    return job


def finish_cancelled(*, job_id, attempt: int, timings: dict | None = None) -> bool:
    """The running attempt stopped because a cancel was requested: no version."""
    with transaction.atomic():
        job = _owned(job_id, attempt)
        if job is None:
            return False
        _mark_cancelled(job, note="stopped at a denoising step", timings=timings)
    return True


def fail_attempt(*, job_id, attempt: int, error: str, timings: dict | None = None) -> bool:
    with transaction.atomic():
        job = _owned(job_id, attempt)
        if job is None:
            return False
        _mark_failed(job, error=error, timings=timings)
    return True


def complete_attempt(*, job_id, attempt: int, video: Path, lineage: dict, timings: dict, store_started: float,
                     poster: Path | None = None, native: dict | None = None, frames_sha256: str = "") -> Take | None:
    """Store the job's one take and mark the job succeeded, in one transaction under the job row lock.

    Returns None (and writes nothing) when the attempt lost the job; a cancel requested after the
    last step still wins (no take), and so does a consent grant that stopped covering the render.
    `native`: the clip as probed ({fps, frames, width, height}); the job's values when omitted.
    """
    with transaction.atomic():
        # The job's likeness uses are locked before the job row: the order a revocation takes them in.
        uses = rights_services.lock_job_uses(job_id=job_id)
        job = _owned(job_id, attempt)
        if job is None:
            return None
        if job.cancel_requested:
            _mark_cancelled(job, note="cancel requested before the take was stored", timings=timings)
            return None
        stopped = [u for u in uses if u.state == u.State.INVALIDATED]
        if stopped:
            # The grant stopped covering the render after it started: no take.
            _mark_cancelled(job, note=f"consent stopped covering the render: {stopped[0].invalidated_reason}", timings=timings)
            return None
        native = native or {"fps": job.fps, "frames": job.frames, "width": job.width, "height": job.height}
        take = store_take(job=job, video=video, poster=poster, native=native, frames_sha256=frames_sha256, lineage=lineage,
                          timings=timings)
        timings["store"] = round(time.perf_counter() - store_started, 4)
        timings["total"] = round(timings.get("total", 0.0) + timings["store"], 4)
        if take.timings != timings:
            take.timings = dict(timings)
            take.save(update_fields=["timings", "updated_at"])
        job.state, job.finished_at, job.timings = State.SUCCEEDED, timezone.now(), timings
        job.progress = {**(job.progress or {}), "eta": 0}
        job.save(update_fields=["state", "finished_at", "timings", "progress", "updated_at"])
        audit.record(
            organization=job.project.organization, actor_label=f"worker {job.worker}", action="generation.succeeded", target=job,
            data={"take": str(take.id), "seed": job.seed, "attempts": job.attempts},
        )
        _publish_state(job)
        scheduling.job_ended(job, ran=True)
    return take


def consent_denial_at_render(*, job: GenerationJob) -> str | None:
    """The render really starts now: ask the consent policy again (`purpose="render"`), with the
    moment of rendering. None when it may go ahead; otherwise the reason to fail the attempt with
    (the denial is audited by the policy)."""
    project = Project.objects.select_related("organization").get(pk=job.project_id)
    decision = consent_policy.check_generation(
        studio=project.organization, project=project_ref(project), cast=job.cast, prompt=job.prompt, negative_prompt=job.negative_prompt,
        use_type=(job.parameters or {}).get("use_type") or UseType.DIGITAL_REPLICA.value, purpose="render",
        actor_label=f"render worker {job.worker}".strip(),
        scanned=((job.parameters or {}).get("init_image_scan") or {}).get("talent") or (),  # faces in the init image
    )
    if decision.permits:
        return None
    return f"Consent no longer covers this render, checked when it started. {decision.summary()}"[:4000]


def likeness_image_for_render(*, job: GenerationJob):
    """The talent reference image of an image-to-video job, read through the consent policy (raises
    `rights.policy.PolicyDenied` when its grant does not cover this render now)."""
    asset_id = (job.parameters or {}).get("likeness_asset")
    if not asset_id:
        return None
    project = Project.objects.select_related("organization").get(pk=job.project_id)
    return rights_selectors.asset_for_render(
        asset_id=asset_id, studio=project.organization, project=project_ref(project),
        use_type=(job.parameters or {}).get("use_type") or UseType.DIGITAL_REPLICA.value,
        actor_label=f"render worker {job.worker}".strip(),
    )
