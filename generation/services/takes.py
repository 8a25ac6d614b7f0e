"""Takes: the renders in a shot's gallery, before any of them is a version.

A finished render becomes a take (`store_take`, called by the worker inside the transaction that
marks its job succeeded). People star, discard, restore and re-run takes; publishing one
(`generation.services.publishing`, on the media queue) conforms it to the shot and makes the
shot's next version with the take's full lineage (take → job → prompt, seed, model, parameters,
conform). Only versions enter review and approval.

Who: the roles that may submit renders act on takes (`SUBMIT_ROLES`); client reviewers do not see
takes at all (`projects.access.TAKE_ROLES`). Each change writes, audits and publishes `take.updated`
in one transaction; `take.created` is published by the worker's transaction.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

from django.core.files import File
from django.db import transaction
from django.utils import timezone
from rest_framework.exceptions import ValidationError

from generation.models import GenerationJob, Take
from generation.services._common import SUBMIT_ROLES
from generation.services.submit import submit_generation
from projects.access import require_project_role
from studio.audit import services as audit
from studio.exceptions import Conflict
from studio.realtime.publish import publish

log = logging.getLogger(__name__)

RERUN_MODES = ("same_seed", "new_seed", "vary_prompt")


def take_event_data(take: Take) -> dict:
    return {
        "id": str(take.id), "shot": str(take.shot_id) if take.shot_id else None,
        "panel": str(take.panel_id) if take.panel_id else None, "job": str(take.job_id) if take.job_id else None, "seed": take.seed,
        "source": take.source, "starred": take.starred,
        "discarded": take.discarded, "version": str(take.version_id) if take.version_id else None,
        "scan_state": take.scan_state, "publish_state": take.publish_state or None,
    }


def _publish_take(take: Take, *, created: bool = False) -> None:
    publish(type="take.created" if created else "take.updated", project_id=take.project_id, data=take_event_data(take),
            audience="internal")


def _target(take_or_job) -> dict:
    """What a job or take renders for, for the audit log: its shot's code, or its panel's id (a still)."""
    return {"shot": take_or_job.shot.code} if take_or_job.shot_id else {"panel": str(take_or_job.panel_id)}


def _file_stem(take_or_job) -> str:
    if take_or_job.panel_id is not None:  # a still take: named after its panel (boards have no codes)
        return f"panel_{str(take_or_job.panel_id)[:8]}_still_{take_or_job.seed}"
    code = re.sub(r"[^A-Za-z0-9_-]+", "_", take_or_job.shot.code).strip("_") or "shot"
    if take_or_job.seed is None:  # an imported take without a seed
        return f"{code}_take_imported_{str(take_or_job.pk)[:8]}"
    return f"{code}_take_{take_or_job.seed}"


def store_take(*, job: GenerationJob, video: Path, poster: Path | None, native: dict, frames_sha256: str, lineage: dict,
               timings: dict) -> Take:
    """The job's one take (call inside the transaction holding the job row lock). Idempotent: a take
    already stored for the job is returned as it is. `video` is the render's file: an MP4, or for a
    still (a panel's job) a PNG of its one frame; a panel that has no still yet takes it as its still."""
    existing = Take.objects.filter(job_id=job.id).first()
    if existing is not None:
        return existing
    take = Take(
        organization_id=job.organization_id, project_id=job.project_id, shot_id=job.shot_id, panel_id=job.panel_id, job=job,
        model_id=job.model_id, created_by_id=job.created_by_id, prompt=job.prompt, negative_prompt=job.negative_prompt, seed=job.seed,
        parameters=dict(job.parameters or {}), timings=dict(timings), lineage=lineage,
        consent={"cast": list(job.cast or []), "use_type": (job.parameters or {}).get("use_type") or "digital_replica"},
        native_frames=native["frames"], native_fps_num=native["fps"].numerator, native_fps_den=native["fps"].denominator,
        native_width=native["width"], native_height=native["height"], frames_sha256=frames_sha256,
    )
    stem = _file_stem(job)
    with open(video, "rb") as handle:
        take.media.save(f"{stem}{video.suffix or '.mp4'}", File(handle), save=False)
    take.media_size = take.media.size
    if poster is not None:
        with open(poster, "rb") as handle:
            take.poster.save(f"{stem}_poster{poster.suffix}", File(handle), save=False)
    take.save(force_insert=True)
    from generation.services.take_scan import request_take_scan

    request_take_scan(take=take)
    audit.record(
        organization=job.project.organization, actor_label=f"worker {job.worker}".strip(), action="take.created", target=take,
        data={"job": str(job.id), **_target(job), "seed": job.seed, "native_fps": f"{take.native_fps_num}/{take.native_fps_den}",
              "native_frames": take.native_frames, "frames_sha256": frames_sha256},
    )
    _publish_take(take, created=True)
    if take.panel_id is not None:
        from generation.services.stills import adopt_still

        adopt_still(take=take)
    return take


def _locked(take: Take) -> Take:
    return Take.objects.select_for_update(of=("self",), no_key=True).select_related("project__organization", "shot", "job").get(pk=take.pk)


def _change(*, actor, take: Take, action: str, verb: str, **changes) -> Take:
    require_project_role(user=actor, project=take.project, roles=SUBMIT_ROLES, action=verb)
    with transaction.atomic():
        take = _locked(take)
        if all(getattr(take, k) == v for k, v in changes.items()):
            return take  # already so: nothing to write, audit or publish
        for key, value in changes.items():
            setattr(take, key, value)
        take.save(update_fields=[*changes, "updated_at"])
        audit.record(organization=take.project.organization, actor=actor, action=action, target=take,
                     data={**_target(take), "seed": take.seed, **{k: v for k, v in changes.items() if k != "discarded_at"}})
        _publish_take(take)
    return take


def star_take(*, actor, take: Take, starred: bool = True) -> Take:
    """Star (or unstar) a take in the gallery."""
    return _change(actor=actor, take=take, action="take.starred" if starred else "take.unstarred", verb="star takes",
                   starred=bool(starred))


def discard_take(*, actor, take: Take, discarded: bool = True) -> Take:
    """Discard a take (hidden from the gallery by default; its media is kept), or restore it.
    A published take cannot be discarded: it is a version now (409)."""
    require_project_role(user=actor, project=take.project, roles=SUBMIT_ROLES, action="discard takes")
    if discarded and take.version_id:
        raise Conflict(f"This take was published as {take.version.label}; it cannot be discarded. Work on the version instead.")
    return _change(actor=actor, take=take, action="take.discarded" if discarded else "take.restored",
                   verb="discard takes", discarded=bool(discarded), discarded_at=timezone.now() if discarded else None)


def rerun_take(*, actor, take: Take, mode: str, prompt: str | None = None) -> list[GenerationJob]:
    """Render the take again: `same_seed` (the same call: the same frames, on the same model and
    parameters), `new_seed` (a random seed, recorded), or `vary_prompt` (the same seed with a new
    prompt, so the difference is the prompt's). Goes through `submit_generation` (validation,
    consent, queue limit) like any render."""
    errors = {}
    if mode not in RERUN_MODES:
        errors["mode"] = [f"Unknown re-run mode '{mode}'. Use one of: {', '.join(RERUN_MODES)}."]
    elif mode == "vary_prompt" and not (prompt or "").strip():
        errors["prompt"] = ["vary_prompt needs the new prompt: send `prompt` with the text to render with the take's seed."]
    elif mode != "vary_prompt" and prompt not in (None, ""):
        errors["prompt"] = [f"{mode} re-renders the take's own prompt; to change it use mode 'vary_prompt'."]
    if errors:
        raise ValidationError(errors)
    job = take.job
    if take.panel_id is not None:
        from generation.services.stills import rerun_still

        return rerun_still(actor=actor, take=take, mode=mode, prompt=prompt.strip() if mode == "vary_prompt" else None)
    if job is None:
        raise Conflict(f"This take was imported from {take.source_tool or 'another tool'}; Greenlight has no render of it to run "
                       "again. Render the shot here, or import the new clip.")
    params = job.parameters or {}
    return submit_generation(
        actor=actor, shot=take.shot, prompt=prompt.strip() if mode == "vary_prompt" else job.prompt,
        negative_prompt=job.negative_prompt, seed=None if mode == "new_seed" else job.seed, model=job.model, frames=job.frames,
        width=job.width, height=job.height, fps=job.fps, steps=job.steps, guidance=job.guidance,
        init_image=job.init_image if job.init_image and not params.get("likeness_asset") else None, count=1, cast=job.cast,
        use_type=params.get("use_type") or "digital_replica", likeness_asset=params.get("likeness_asset"),
        init_source=params.get("init_source") if job.init_image else None,
    )
