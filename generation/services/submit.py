"""Submitting renders: validate against the model, ask rights once, write the jobs, queue them on commit."""

from __future__ import annotations

import hashlib
import re
import secrets
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from rest_framework.exceptions import Throttled, ValidationError

from generation import constraints
from generation.models import GenerationJob, ModelProfile
from generation.selectors import active_profiles, default_profile
from generation.services import init_images, scheduling
from generation.services._common import SUBMIT_ROLES, State, _enqueue, _publish_state
from projects.access import require_project_role
from projects.consent import project_ref, shot_ref
from projects.models import Panel, Project, Shot
from rights.clearance import GenerationClearance, clear_generation
from rights.models import UseType
from studio.audit import services as audit
from studio.exceptions import Conflict

# Queued + running jobs one studio may have at once (a runaway script cannot flood the GPUs).
MAX_ACTIVE_JOBS_PER_ORGANIZATION = 200
RANDOM_SEED_RANGE = 2**32


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


def _check_seed(seed, count: int) -> str | None:
    if seed is None:
        return None
    if isinstance(seed, bool) or not isinstance(seed, int):
        try:
            constraints.parse_seed(seed)
        except ValueError as exc:
            return str(exc)
        return f"seed must be an integer, not {type(seed).__name__}; parse it with constraints.parse_seed first."
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
    init_source: dict | None = None,
) -> list[GenerationJob]:
    """Queue `count` renders of `shot` (seeds seed, seed+1, … or random ones), validated against the model.

    Raises 404 when the caller cannot see the project, 403 for a role that may not render (client
    reviewers), 400 naming every invalid field with its nearest valid value, and 403 with the
    consent policy's reasons when the cast or a talent named in the prompts is not covered (the
    denial is audited; nothing is queued). Nothing is written unless everything is valid; the render
    tasks are sent after commit. `likeness_asset` (image-to-video models): a talent's reference
    image, used instead of an uploaded `init_image`; its talent joins the cast. An `init_image` is
    scanned for protected faces first (`init_images.scan_init_image`): the talent it shows goes to
    the policy like talent named in a prompt (uncovered: 403, audited). `init_source` is where the
    image came from, for the lineage (`init_images`; an upload's SHA-256 when not given).

    Order: access → the request's own checks (400) → the studio's queue limit (429) → its monthly
    GPU quota (429 `gpu_quota_exceeded`: the quota, the use, when it resets) → rights, once
    (`rights.clearance.clear_generation`: the likeness asset, then consent) → the jobs.
    """
    project: Project = shot.project
    require_project_role(user=actor, project=project, roles=SUBMIT_ROLES, action="submit generations")
    if project.status == getattr(Project.Status, "ARCHIVED", "archived"):
        raise Conflict(f"Project {project.code} is archived; reactivate it before rendering new versions.")
    profile = _resolve_profile(model)
    if profile.makes_stills:
        raise ValidationError({"model": [f"Model '{profile.name}' is text-to-image: it draws stills for storyboard panels "
                                         "(Generate still on the board). Choose a text-to-video or image-to-video model for a shot."]})
    prompt, cast = prompt or "", list(cast)
    params = _checked_parameters(
        profile=profile, prompt=prompt, negative_prompt=negative_prompt, seed=seed, count=count, frames=frames, width=width,
        height=height, fps=fps, steps=steps, guidance=guidance, init_image=init_image, cast=cast, use_type=use_type,
        likeness_asset=likeness_asset,
    )
    _check_capacity(project=project, count=count)
    scheduling.check_quota(project.organization_id)
    first_frame = _first_frame(init_image, init_source)
    # Consent: the cast and every talent named in the prompts must be covered. Asked before the
    # transaction that writes the jobs, so that a denial's audit events are not rolled back with it.
    clearance = clear_generation(
        studio=project.organization, project=project_ref(project), actor=actor, cast=cast, prompt=prompt,
        negative_prompt=params.negative_prompt, use_type=use_type, likeness_asset=likeness_asset, max_cast=constraints.MAX_CAST,
        scanned=first_frame.get("init_image_scan", {}).get("talent", ()),
    )
    renders = [PlannedRender(prompt=prompt, seed=job_seed, clearance=clearance, shot=shot) for job_seed in seeds_for(seed, count)]
    return _write_jobs(actor=actor, project=project, profile=profile, params=params, renders=renders, init_image=init_image,
                       use_type=use_type, first_frame=first_frame)


def seeds_for(seed: int | None, count: int) -> list[int]:
    """seed, seed+1, … for `count` renders, or random seeds when none is given."""
    return [seed + i for i in range(count)] if seed is not None else [secrets.randbelow(RANDOM_SEED_RANGE) for _ in range(count)]


def _first_frame(init_image, init_source: dict | None) -> dict:
    """The lineage of an init image (where it came from) and its likeness scan; {} without one."""
    if init_image is None:
        return {}
    data = init_images.read_bytes(init_image)
    if init_source is None:
        init_source = {"kind": "upload", "sha256": hashlib.sha256(data).hexdigest(),
                       "filename": Path(getattr(init_image, "name", "") or "").name[:200]}
    return {"init_source": init_source, "init_image_scan": init_images.scan_init_image(data)}


def _checked_parameters(
    *, profile: ModelProfile, prompt: str, negative_prompt, seed, count: int, frames, width, height, fps, steps, guidance,
    init_image, cast: list, use_type: str, likeness_asset,
) -> constraints.Parameters:
    """The render parameters resolved against the model; a 400 naming every invalid field otherwise."""
    errors: dict[str, list[str]] = {}
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
    if likeness_asset is not None:
        if profile.kind != ModelProfile.Kind.IMAGE_TO_VIDEO:
            errors["likeness_asset"] = [
                f"Model '{profile.name}' is text-to-video and takes no reference image; choose an image-to-video model."
            ]
        elif init_image is not None:
            errors["likeness_asset"] = ["Send either an init_image or a likeness_asset as the first frame, not both."]
    if "likeness_asset" not in errors and (message := _check_init_image(profile, init_image if likeness_asset is None else likeness_asset)):
        errors["init_image"] = [message]
    if len(cast) > constraints.MAX_CAST:
        errors["cast"] = [f"At most {constraints.MAX_CAST} talent may be cast in one render; {len(cast)} were sent."]
    if use_type not in UseType.values:
        errors["use_type"] = [f"Unknown use type '{use_type}'. Use one of: {', '.join(UseType.values)}."]
    if errors:
        raise ValidationError(errors)
    return params


def _check_capacity(*, project: Project, count: int) -> None:
    active = GenerationJob.objects.filter(organization_id=project.organization_id, state__in=GenerationJob.ACTIVE_STATES).count()
    if active + count > MAX_ACTIVE_JOBS_PER_ORGANIZATION:
        raise Throttled(
            detail=f"Your studio already has {active} generations queued or running (limit {MAX_ACTIVE_JOBS_PER_ORGANIZATION}). "
                   "Wait for some to finish, or cancel some, then submit again."
        )


@dataclass(frozen=True)
class PlannedRender:
    """One job to write: what it renders for (a shot, or a storyboard panel's still), its prompt, seed and clearance."""

    prompt: str
    seed: int
    clearance: GenerationClearance
    shot: Shot | None = None
    panel: Panel | None = None


def _job_parameters(
    *, profile: ModelProfile, params, init_image, use_type: str, clearance: GenerationClearance, first_frame: dict,
) -> dict:
    parameters = {
        "frames": params.frames, "width": params.width, "height": params.height,
        "fps": f"{params.fps.numerator}/{params.fps.denominator}", "steps": params.steps, "guidance": params.guidance,
        "max_sequence_length": profile.max_sequence_length, "init_image": init_image is not None, "use_type": use_type,
        **first_frame,
    }
    if clearance.asset is not None:
        parameters["likeness_asset"] = str(clearance.asset.pk)
    return parameters


def _write_jobs(
    *, actor, project: Project, profile: ModelProfile, params, renders: list[PlannedRender], init_image, use_type: str,
    first_frame: dict | None = None,
) -> list[GenerationJob]:
    """One queued job per planned render (one batch), each with its likeness uses, audited and published;
    sent to the queue on commit."""
    batch_id = uuid.uuid4()
    now = timezone.now()
    jobs: list[GenerationJob] = []
    with transaction.atomic():
        stored_image_name = ""
        for index, render in enumerate(renders):
            parameters = _job_parameters(profile=profile, params=params, init_image=init_image, use_type=use_type,
                                         clearance=render.clearance, first_frame=first_frame or {})
            consent, cast_ids = render.clearance.decision, render.clearance.cast_ids
            job = GenerationJob(
                organization_id=project.organization_id, project=project, shot=render.shot, panel=render.panel, model=profile,
                created_by=actor, batch_id=batch_id, batch_index=index, prompt=render.prompt, negative_prompt=params.negative_prompt,
                seed=render.seed, frames=params.frames, width=params.width, height=params.height, fps_num=params.fps.numerator,
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
            render.clearance.record_uses(job_id=job.id, shot=shot_ref(render.shot) if render.shot is not None else None, actor=actor)
            target = {"shot": render.shot.code} if render.shot is not None else {"panel": str(render.panel.pk)}
            audit.record(
                organization=project.organization, actor=actor, action="generation.submitted", target=job,
                data={**target, "model": profile.name, "seed": render.seed, "batch": str(batch_id), **parameters,
                      "cast": cast_ids, "consent": consent.outcome, "policy_version": consent.policy_version},
            )
            _publish_state(job)
            _enqueue(job)
            jobs.append(job)
    return jobs


def _safe_name(name: str) -> str:
    stem = Path(name).name
    return re.sub(r"[^A-Za-z0-9._-]+", "_", stem)[-100:] or "init.png"
