"""Writes of the generation engine. Each state change is one call that writes, audits and publishes.

Submitting and cancelling are called by the API; the `*_attempt` functions and `record_progress`
by the render task on a GPU worker; `reap_stale_jobs` by Celery beat.

Exactly-once versions: every render *attempt* increments `GenerationJob.attempts`, and that number
is the attempt's fencing token. A worker writes progress and creates the version only while the job
is still `running` *with its attempt number*, and creates the version inside the transaction that
holds the job row lock and marks the job succeeded. A redelivered message, a re-queued job or a late
worker therefore finds the job already owned, finished or re-queued, and creates nothing.
"""

from __future__ import annotations

import json
import logging
import os
import re
import secrets
import socket
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from fractions import Fraction
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.db import connection, transaction
from django.db.models import Q
from django.db.models.functions import Now
from django.utils import timezone
from rest_framework.exceptions import PermissionDenied, Throttled, ValidationError

from generation import constraints
from generation.families import FAMILIES, UnsupportedModelFolder, detect, spec_for
from generation.models import GenerationJob, ModelProfile
from generation.selectors import active_profiles, default_profile
from projects.access import require_project_role
from projects.models import Project, Shot, Version
from projects.services import create_version
from rights import policy as consent_policy
from rights import selectors as rights_selectors
from rights import services as rights_services
from rights.models import UseType
from studio.audit import services as audit
from studio.exceptions import Conflict
from studio.realtime.publish import notify_user, publish
from studio.tenancy.models import Role

log = logging.getLogger(__name__)

# Who may submit renders on a shot, and who may cancel renders submitted by someone else.
SUBMIT_ROLES = frozenset({Role.OWNER, Role.ADMIN, Role.PRODUCER, Role.SUPERVISOR, Role.ARTIST})
CANCEL_ANY_ROLES = frozenset({Role.OWNER, Role.ADMIN, Role.PRODUCER, Role.SUPERVISOR})
# Queued + running jobs one studio may have at once (a runaway script cannot flood the GPUs).
MAX_ACTIVE_JOBS_PER_ORGANIZATION = 200
RANDOM_SEED_RANGE = 2**32

State = GenerationJob.State


# --------------------------------------------------------------------------- events
def job_event_data(job: GenerationJob) -> dict:
    return {
        "id": str(job.id),
        "state": job.state,
        "shot": str(job.shot_id),
        "batch": str(job.batch_id),
        "model": job.model.name,
        "seed": job.seed,
        "attempts": job.attempts,
        "cancel_requested": job.cancel_requested,
        "progress": job.progress or {},
        "error": job.error,
        "timings": job.timings or {},
        "version": str(job.version_id) if job.version_id else None,
    }


def _publish_state(job: GenerationJob) -> None:
    publish(type="job.state_changed", project_id=job.project_id, job_id=job.id, data=job_event_data(job))


# --------------------------------------------------------------------------- model registry
def register_model_profile(
    *, name: str, folder: Path | str, values: dict, make_default: bool = False, actor_label: str = "register_model"
) -> tuple[ModelProfile, bool]:
    """Create or update the profile `name` for a pipeline folder. The folder is stored relative to
    MODELS_DIR when it lies inside it (so a moved data directory keeps working)."""
    folder = Path(folder).resolve()
    models_dir = Path(settings.MODELS_DIR).resolve()
    stored = str(folder.relative_to(models_dir)) if folder.is_relative_to(models_dir) else str(folder)
    with transaction.atomic():
        if make_default:
            ModelProfile.objects.filter(is_default=True).exclude(name=name).update(is_default=False)
        elif not ModelProfile.objects.filter(is_default=True).exclude(name=name).exists():
            make_default = True  # the first model is the default
        profile, created = ModelProfile.objects.update_or_create(
            name=name, defaults={**values, "folder": stored, "is_default": make_default, "is_active": True}
        )
        audit.record(
            organization=None, actor_label=actor_label, action="model.registered" if created else "model.updated", target=profile,
            data={"name": name, "family": profile.family, "kind": profile.kind, "folder": stored, "default": make_default},
        )
    return profile, created


def profile_values_for_folder(folder: Path, **overrides) -> dict:
    """Registry values for a checkpoint folder: the detected family's published defaults, then `overrides`."""
    detected = detect(folder)
    spec = spec_for(detected)
    values = {
        "family": detected.family,
        "kind": detected.kind,
        "pipeline_class": detected.pipeline_class,
        "vae_float32": spec.vae_float32,
        "default_frames": spec.default_frames,
        "default_width": spec.default_width,
        "default_height": spec.default_height,
        "default_fps_num": spec.fps_num,
        "default_fps_den": spec.fps_den,
        "default_steps": spec.default_steps,
        "default_guidance": spec.default_guidance,
        "default_negative_prompt": spec.default_negative_prompt,
        "max_sequence_length": spec.max_sequence_length,
        "frames_modulus": spec.frames_modulus,
        "min_frames": spec.min_frames,
        "max_frames": spec.max_frames,
        "size_multiple": spec.size_multiple,
        "min_width": spec.min_size,
        "max_width": spec.max_size,
        "min_height": spec.min_size,
        "max_height": spec.max_size,
        "min_steps": 1,
        "max_steps": spec.max_steps,
        "min_guidance": 0.0,
        "max_guidance": spec.max_guidance,
        "display_name": f"{spec.label} {'image' if detected.kind == 'i2v' else 'text'}-to-video",
    }
    values.update({k: v for k, v in overrides.items() if v is not None})
    return values


def check_profile_values(values: dict) -> list[str]:
    """Problems with registry values that the database constraints would reject less clearly."""
    problems = []
    if values["family"] not in FAMILIES:
        problems.append(f"unknown family {values['family']}")
    if values["min_frames"] > values["max_frames"]:
        problems.append(f"min frames {values['min_frames']} is above max frames {values['max_frames']}")
    for dim in ("width", "height"):
        default, multiple = values[f"default_{dim}"], values["size_multiple"]
        if default % multiple or not values[f"min_{dim}"] <= default <= values[f"max_{dim}"]:
            problems.append(f"default {dim} {default} must be a multiple of {multiple} within the allowed range")
    frames = values["default_frames"]
    if (frames - 1) % values["frames_modulus"] or not values["min_frames"] <= frames <= values["max_frames"]:
        problems.append(f"default frames {values['default_frames']} must be {values['frames_modulus']}k+1 within the allowed range")
    if not values["min_steps"] <= values["default_steps"] <= values["max_steps"]:
        problems.append(f"default steps {values['default_steps']} is outside {values['min_steps']}–{values['max_steps']}")
    if str(values.get("attention_backend", "native")).endswith("_hub"):
        problems.append("attention backends ending in _hub download kernels from a hub; workers are offline")
    return problems


def ensure_demo_profile(*, models_dir: Path | None = None) -> ModelProfile | None:
    """Register the demo model when its folder is built and no profile points at it yet (cheap; no torch)."""
    from generation import demo_model

    folder = demo_model.demo_folder(models_dir)
    if not demo_model.is_built(folder):
        return None
    existing = ModelProfile.objects.filter(name=demo_model.DEMO_MODEL_NAME).first()
    if existing is not None and existing.resolved_folder().resolve() == folder.resolve():
        return existing
    profile, _ = register_model_profile(
        name=demo_model.DEMO_MODEL_NAME, folder=folder, values=demo_model.demo_profile_values(), actor_label="build_demo_model"
    )
    return profile


# --------------------------------------------------------------------------- submit / cancel
def _resolve_profile(model: ModelProfile | str | None) -> ModelProfile:
    if isinstance(model, ModelProfile):
        return model
    if model in (None, ""):
        profile = default_profile()
        if profile is None:
            raise ValidationError(
                {"model": ["No default model is registered. Pass `model` explicitly, or ask an administrator to run "
                           "`manage.py build_demo_model` or `manage.py register_model`."]}
            )
        return profile
    profile = active_profiles().filter(name=model).first()
    if profile is None:
        names = list(active_profiles().values_list("name", flat=True))
        available = ", ".join(names) if names else "none (ask an administrator to register one)"
        raise ValidationError({"model": [f"Unknown model '{model}'. Available models: {available}."]})
    return profile


def _check_seed(seed: int | None, count: int) -> str | None:
    if seed is None:
        return None
    last = seed + count - 1
    if seed < 0 or last > constraints.SEED_MAX:
        nearest = 0 if seed < 0 else constraints.SEED_MAX - count + 1
        span = f" (with count {count}, seeds {seed}…{last} are used)" if count > 1 else ""
        return f"seed {seed} is out of range{span}: seeds run from 0 to {constraints.SEED_MAX}. The nearest valid value is {nearest}."
    return None


def _check_init_image(profile: ModelProfile, init_image) -> str | None:
    if profile.kind == ModelProfile.Kind.IMAGE_TO_VIDEO and init_image is None:
        return (f"Model '{profile.name}' is image-to-video: send an init_image (PNG or JPEG) as multipart form data, "
                "or a likeness_asset (a talent's reference image) by id.")
    if profile.kind == ModelProfile.Kind.TEXT_TO_VIDEO and init_image is not None:
        i2v = list(active_profiles().filter(kind=ModelProfile.Kind.IMAGE_TO_VIDEO).values_list("name", flat=True))
        hint = f"choose an image-to-video model ({', '.join(i2v)})" if i2v else "no image-to-video model is registered yet"
        return f"Model '{profile.name}' is text-to-video and takes no init_image; remove it, or {hint}."
    return None


def submit_generation(
    *,
    actor,
    shot: Shot,
    prompt: str,
    negative_prompt: str | None = None,
    seed: int | None = None,
    model: ModelProfile | str | None = None,
    frames: int | None = None,
    width: int | None = None,
    height: int | None = None,
    fps: Fraction | None = None,
    steps: int | None = None,
    guidance: float | None = None,
    init_image=None,
    count: int = 1,
    cast: Iterable = (),
    use_type: str = UseType.DIGITAL_REPLICA.value,
    likeness_asset=None,
) -> list[GenerationJob]:
    """Queue `count` renders of `shot` (seeds seed, seed+1, … or random ones), validated against the model.

    Raises 404 when the caller cannot see the project, 403 for a role that may not render (client
    reviewers), 400 naming every invalid field with its nearest valid value, and 403 with the
    consent policy's reasons when the cast or a talent named in the prompts is not covered (the
    denial is audited; nothing is queued). Nothing is written unless everything is valid; the render
    tasks are sent after commit. `likeness_asset` (image-to-video models): a talent's reference
    image, used instead of an uploaded `init_image`; its talent joins the cast.
    """
    project: Project = shot.project
    require_project_role(user=actor, project=project, roles=SUBMIT_ROLES, action="submit generations")
    if project.status == getattr(Project.Status, "ARCHIVED", "archived"):
        raise Conflict(f"Project {project.code} is archived; reactivate it before rendering new versions.")

    profile = _resolve_profile(model)
    errors: dict[str, list[str]] = {}
    prompt = prompt or ""
    if message := constraints.check_prompt("prompt", prompt, required=True):
        errors["prompt"] = [message]
    params, param_errors = constraints.resolve_parameters(
        profile=profile, frames=frames, width=width, height=height, fps=fps, steps=steps, guidance=guidance,
        negative_prompt=negative_prompt,
    )
    errors.update(param_errors)
    if not 1 <= count <= constraints.MAX_BATCH:
        nearest = 1 if count < 1 else constraints.MAX_BATCH
        errors["count"] = [
            f"count {count} is out of range: render 1 to {constraints.MAX_BATCH} seeds at once. The nearest valid value is {nearest}."
        ]
    elif message := _check_seed(seed, count):
        errors["seed"] = [message]
    asset = None
    if likeness_asset is not None:
        asset = rights_selectors.asset_for_studio(asset_id=getattr(likeness_asset, "pk", likeness_asset), studio=project.organization)
        if asset is None:
            errors["likeness_asset"] = [
                "No likeness asset with this id is available to your studio: pick one from the talent's assets while "
                "your studio holds an active consent grant for that talent."
            ]
        elif profile.kind != ModelProfile.Kind.IMAGE_TO_VIDEO:
            errors["likeness_asset"] = [
                f"Model '{profile.name}' is text-to-video and takes no reference image; choose an image-to-video model."
            ]
        elif init_image is not None:
            errors["likeness_asset"] = ["Send either an init_image or a likeness_asset as the first frame, not both."]
    if "likeness_asset" not in errors and (message := _check_init_image(profile, init_image if asset is None else asset)):
        errors["init_image"] = [message]
    cast_ids = [str(c.pk if hasattr(c, "pk") else c) for c in cast]
    if asset is not None and str(asset.talent_id) not in cast_ids:
        cast_ids.append(str(asset.talent_id))  # conditioning on a talent's likeness casts them
    if len(cast_ids) > constraints.MAX_CAST:
        errors["cast"] = [f"At most {constraints.MAX_CAST} talent may be cast in one render; {len(cast_ids)} were sent."]
    if use_type not in UseType.values:
        errors["use_type"] = [f"Unknown use type '{use_type}'. Use one of: {', '.join(UseType.values)}."]
    if errors:
        raise ValidationError(errors)

    active = GenerationJob.objects.filter(organization_id=project.organization_id, state__in=GenerationJob.ACTIVE_STATES).count()
    if active + count > MAX_ACTIVE_JOBS_PER_ORGANIZATION:
        raise Throttled(
            detail=f"Your studio already has {active} generations queued or running (limit {MAX_ACTIVE_JOBS_PER_ORGANIZATION}). "
                   "Wait for some to finish, or cancel some, then submit again."
        )

    # Consent: the cast and every talent named in the prompts must be covered. Checked before the
    # transaction that writes the jobs, so that a denial's audit events are not rolled back with it.
    consent = consent_policy.check_generation(
        studio=project.organization, project=project, cast=cast_ids, prompt=prompt, negative_prompt=params.negative_prompt,
        use_type=use_type, actor=actor,
    )
    consent.raise_unless_permitted()

    seeds = [seed + i for i in range(count)] if seed is not None else [secrets.randbelow(RANDOM_SEED_RANGE) for _ in range(count)]
    batch_id = uuid.uuid4()
    now = timezone.now()
    parameters = {
        "frames": params.frames, "width": params.width, "height": params.height,
        "fps": f"{params.fps.numerator}/{params.fps.denominator}", "steps": params.steps, "guidance": params.guidance,
        "max_sequence_length": profile.max_sequence_length, "init_image": init_image is not None, "use_type": use_type,
    }
    if asset is not None:
        parameters["likeness_asset"] = str(asset.pk)
    jobs: list[GenerationJob] = []
    with transaction.atomic():
        stored_image_name = ""
        for index, job_seed in enumerate(seeds):
            job = GenerationJob(
                organization_id=project.organization_id, project=project, shot=shot, model=profile, created_by=actor,
                batch_id=batch_id, batch_index=index, prompt=prompt, negative_prompt=params.negative_prompt, seed=job_seed,
                frames=params.frames, width=params.width, height=params.height, fps_num=params.fps.numerator,
                fps_den=params.fps.denominator, steps=params.steps, guidance=params.guidance, cast=cast_ids,
                parameters=parameters, state=State.QUEUED, max_attempts=max(1, int(settings.GENERATION_MAX_ATTEMPTS)),
                queued_at=now, task_id=str(uuid.uuid4()),
            )
            if init_image is not None:
                if not stored_image_name:
                    job.init_image.save(_safe_name(getattr(init_image, "name", "") or "init.png"), init_image, save=False)
                    stored_image_name = job.init_image.name
                else:
                    job.init_image.name = stored_image_name
            job.save(force_insert=True)
            rights_services.record_likeness_uses(decision=consent, job_id=job.id, shot=shot, actor=actor)
            audit.record(
                organization=project.organization, actor=actor, action="generation.submitted", target=job,
                data={"shot": shot.code, "model": profile.name, "seed": job_seed, "batch": str(batch_id), **parameters,
                      "cast": cast_ids, "consent": consent.outcome, "policy_version": consent.policy_version},
            )
            _publish_state(job)
            _enqueue(job)
            jobs.append(job)
    return jobs


def _safe_name(name: str) -> str:
    stem = Path(name).name
    return re.sub(r"[^A-Za-z0-9._-]+", "_", stem)[-100:] or "init.png"


def _enqueue(job: GenerationJob) -> None:
    from generation.tasks import render_generation

    job_id, task_id = str(job.id), job.task_id
    queue = settings.GENERATION_QUEUE
    transaction.on_commit(lambda: render_generation.apply_async(args=[job_id], queue=queue, task_id=task_id))


def cancel_generation(*, actor, job: GenerationJob) -> GenerationJob:
    """Cancel a job: a queued one at once; a running one at its next denoising step (no version).

    The submitter may cancel their own jobs; supervisors, producers, admins and owners anyone's.
    """
    access = require_project_role(user=actor, project=job.project, roles=SUBMIT_ROLES, action="cancel generations")
    if access.role not in CANCEL_ANY_ROLES and job.created_by_id != actor.pk:
        allowed = ", ".join(sorted(str(r) for r in CANCEL_ANY_ROLES))
        raise PermissionDenied(f"Only the person who submitted this generation, or a {allowed}, may cancel it.")
    with transaction.atomic():
        job = GenerationJob.objects.select_for_update(of=("self",)).select_related("model", "project").get(pk=job.pk)
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
    return job


# --------------------------------------------------------------------------- worker side
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


def _stale_cutoff(stale_after: timedelta | None = None):
    seconds = settings.GENERATION_STALE_AFTER_SECONDS if stale_after is None else stale_after.total_seconds()
    return Now() - timedelta(seconds=seconds)


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
            GenerationJob.objects.select_for_update(of=("self",)).select_related("model", "project", "shot").filter(pk=job_id).first()
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
    job = GenerationJob.objects.select_for_update(of=("self",)).select_related("model", "project", "shot").filter(pk=job_id).first()
    if job is None or job.state != State.RUNNING or job.attempts != attempt:
        return None
    return job


def _mark_cancelled(job: GenerationJob, *, note: str, timings: dict | None = None) -> None:
    job.state, job.finished_at = State.CANCELLED, timezone.now()
    if timings:
        job.timings = timings
    job.save(update_fields=["state", "finished_at", "timings", "updated_at"])
    audit.record(organization=job.project.organization, actor_label=f"worker {job.worker}".strip(), action="generation.cancelled",
                 target=job, data={"note": note, "progress": job.progress})
    _publish_state(job)


def _mark_failed(job: GenerationJob, *, error: str, timings: dict | None = None) -> None:
    job.state, job.finished_at, job.error = State.FAILED, timezone.now(), error[:4000]
    if timings:
        job.timings = timings
    job.save(update_fields=["state", "finished_at", "error", "timings", "updated_at"])
    audit.record(organization=job.project.organization, actor_label=f"worker {job.worker}".strip(), action="generation.failed",
                 target=job, data={"error": job.error[:500], "attempts": job.attempts})
    _publish_state(job)


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


def _version_file_name(job: GenerationJob) -> str:
    code = re.sub(r"[^A-Za-z0-9_-]+", "_", job.shot.code).strip("_") or "shot"
    return f"{code}_gen_{job.seed}.mp4"


def complete_attempt(*, job_id, attempt: int, video: Path, lineage: dict, timings: dict, store_started: float) -> Version | None:
    """Create the job's one version and mark it succeeded, in one transaction under the job row lock.

    Returns None (and writes nothing) when the attempt lost the job; a cancel requested after the
    last step still wins (no version).
    """
    with transaction.atomic():
        # The job's likeness uses are locked before the job row: the order a revocation takes them in.
        uses = rights_services.lock_job_uses(job_id=job_id)
        job = _owned(job_id, attempt)
        if job is None:
            return None
        if job.cancel_requested:
            _mark_cancelled(job, note="cancel requested before the version was stored", timings=timings)
            return None
        stopped = [u for u in uses if u.state == u.State.INVALIDATED]
        if stopped:
            # The grant stopped covering the render after it started: no version.
            _mark_cancelled(job, note=f"consent stopped covering the render: {stopped[0].invalidated_reason}", timings=timings)
            return None
        existing = job.version or Version.objects.filter(shot_id=job.shot_id, lineage__job=str(job.id)).first()
        if existing is None:
            with open(video, "rb") as handle:
                existing = create_version(
                    shot=job.shot, source=Version.Source.GENERATION, created_by=job.created_by, original=File(handle),
                    original_name=_version_file_name(job), lineage=lineage, frame_count=job.frames, fps=(job.fps_num, job.fps_den),
                    size=(job.width, job.height),
                )
        if uses:
            rights_services.attach_version(job_id=job.id, version=existing)
        timings["store"] = round(time.perf_counter() - store_started, 4)
        timings["total"] = round(timings.get("total", 0.0) + timings["store"], 4)
        job.version = existing
        job.state, job.finished_at, job.timings = State.SUCCEEDED, timezone.now(), timings
        job.progress = {**(job.progress or {}), "eta": 0}
        job.save(update_fields=["version", "state", "finished_at", "timings", "progress", "updated_at"])
        audit.record(
            organization=job.project.organization, actor_label=f"worker {job.worker}", action="generation.succeeded", target=job,
            data={"version": str(existing.id), "number": existing.number, "seed": job.seed, "attempts": job.attempts},
        )
        _publish_state(job)
    return existing


# --------------------------------------------------------------------------- consent
def consent_denial_at_render(*, job: GenerationJob) -> str | None:
    """The render really starts now: ask the consent policy again (`purpose="render"`), with the
    moment of rendering. None when it may go ahead; otherwise the reason to fail the attempt with
    (the denial is audited by the policy)."""
    project = Project.objects.select_related("organization").get(pk=job.project_id)
    decision = consent_policy.check_generation(
        studio=project.organization, project=project, cast=job.cast, prompt=job.prompt, negative_prompt=job.negative_prompt,
        use_type=(job.parameters or {}).get("use_type") or UseType.DIGITAL_REPLICA.value, purpose="render",
        actor_label=f"render worker {job.worker}".strip(),
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
        asset_id=asset_id, studio=project.organization, project=project,
        use_type=(job.parameters or {}).get("use_type") or UseType.DIGITAL_REPLICA.value,
        actor_label=f"render worker {job.worker}".strip(),
    )


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
        GenerationJob.objects.select_for_update(of=("self",)).select_related("model", "project__organization")
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
        if job.created_by_id:
            notify_user(
                user_id=job.created_by_id, type="generation.cancelled", project_id=job.project_id,
                data={"job": str(job.id), "shot": str(job.shot_id), "state": job.state, "reason": reason},
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
                GenerationJob.objects.select_for_update(of=("self",), skip_locked=True).select_related("model", "project", "shot")
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
                job.error = f"Worker {job.worker} stopped responding (last heartbeat {last}); re-queued."
                job.heartbeat_at, job.progress = None, {}
                job.save(update_fields=["state", "queued_at", "task_id", "error", "heartbeat_at", "progress", "updated_at"])
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


__all__ = [
    "CANCEL_ANY_ROLES", "SUBMIT_ROLES", "JobLost", "UnsupportedModelFolder", "WorkerIdentity", "cancel_generation",
    "cancel_jobs_for_consent", "complete_attempt", "consent_denial_at_render", "ensure_demo_profile", "fail_attempt",
    "finish_cancelled", "heartbeat", "likeness_image_for_render", "reap_stale_jobs", "record_progress", "register_model_profile",
    "start_attempt", "submit_generation",
]
