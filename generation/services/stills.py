"""Stills: text-to-image renders for storyboard panels.

A still is a render of a text-to-image model (`ModelProfile.Kind.TEXT_TO_IMAGE`) for one panel: a
`GenerationJob` with `panel` instead of `shot`, one frame, on the same `gpu` queue, with the same
validation, consent check (`rights.clearance.clear_generation`: the cast and every talent named in
the prompt, however spelled), fair dispatch, progress, cancel, render-time consent re-check and
lineage as a shot's render. It finishes as a still take (`Take.panel`, a PNG) in the panel's
gallery, scanned for protected faces like any take. A panel with no still adopts its first still
take; people pick another with `use_still_take` (a still take is never published as a version).

- `submit_stills`: one job per panel (one batch), each with its panel's prompt (or `prompt` for one);
- `submit_missing_stills`: the board's panels that have no still and no still on the way;
- `use_still_take`: make a still take the panel's still;
- `adopt_still`: after the worker stored a still take, the panel takes it when it has no still;
- `rerun_still`: a still take's re-run (same seed, new seed, vary the prompt).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.db import transaction
from rest_framework.exceptions import NotFound, ValidationError

from generation import constraints
from generation.models import GenerationJob, ModelProfile, Take
from generation.selectors import active_profiles, still_profiles
from generation.services import scheduling
from generation.services._common import SUBMIT_ROLES
from generation.services.submit import PlannedRender, _check_capacity, _check_seed, _write_jobs, seeds_for
from projects import access as perms
from projects.consent import project_ref
from projects.models import Panel, Project, Sequence
from projects.services import set_generated_still
from rights.clearance import clear_generation
from rights.models import UseType
from studio.exceptions import Conflict

log = logging.getLogger(__name__)

MAX_PANELS_PER_BATCH = 100


def resolve_still_profile(model: ModelProfile | str | None) -> ModelProfile:
    """The text-to-image model to draw with: the one named, or the first registered; a 400 otherwise."""
    if isinstance(model, ModelProfile):
        profile = model
    elif model in (None, ""):
        profile = still_profiles().first()
        if profile is None:
            raise ValidationError(
                {
                    "model": [
                        "No text-to-image model is registered, so stills cannot be generated. Ask an "
                        "administrator to run `manage.py build_demo_model` or `manage.py register_model`."
                    ]
                }
            )
    else:
        profile = active_profiles().filter(name=model).first()
        if profile is None:
            names = ", ".join(still_profiles().values_list("name", flat=True)) or "none"
            raise ValidationError({"model": [f"Unknown model '{model}'. Text-to-image models: {names}."]})
    if not profile.makes_stills:
        names = ", ".join(still_profiles().values_list("name", flat=True)) or "none is registered yet"
        raise ValidationError(
            {"model": [f"Model '{profile.name}' is {profile.get_kind_display().lower()}; a still needs a text-to-image model ({names})."]}
        )
    return profile


def _check_access(*, actor, project: Project) -> None:
    perms.require_board_access(user=actor, project=project, edit=True)
    perms.require_project_role(user=actor, project=project, roles=SUBMIT_ROLES, action="generate stills")
    if project.status == getattr(Project.Status, "ARCHIVED", "archived"):
        raise Conflict(f"Project {project.code} is archived; reactivate it before generating stills.")


def submit_stills(
    *,
    actor,
    panels: list[Panel],
    prompt: str | None = None,
    model: ModelProfile | str | None = None,
    seed: int | None = None,
    count: int = 1,
    width: int | None = None,
    height: int | None = None,
    steps: int | None = None,
    guidance: float | None = None,
    negative_prompt: str | None = None,
    cast: Iterable = (),
    use_type: str = UseType.DIGITAL_REPLICA.value,
) -> list[GenerationJob]:
    """Queue stills for `panels` (all of one project) as one batch: `count` seeds for a single panel, one
    still per panel otherwise. Each uses its panel's prompt, or `prompt` (one panel only).

    404 when the caller cannot see the board, 403 for a role that may not render, 400 naming what is
    wrong (no prompt, a video model, parameters out of the model's range), 429 over the studio's
    queue limit or GPU quota, 403 with the consent policy's reasons when a prompt names (or the cast
    holds) a performer without consent. Nothing is written unless everything is valid."""
    if not panels:
        raise ValidationError({"panels": ["No panel to draw a still for."]})
    project = panels[0].project
    if any(p.project_id != project.pk for p in panels):
        raise ValidationError({"panels": ["All panels of one still batch must be on the same board."]})
    _check_access(actor=actor, project=project)
    profile = resolve_still_profile(model)
    errors: dict[str, list[str]] = {}
    if prompt is not None and len(panels) > 1:
        errors["prompt"] = ["A prompt can only replace one panel's prompt; a batch uses each panel's own prompt."]
    prompts = [prompt if prompt is not None else p.prompt for p in panels]
    for panel, text in zip(panels, prompts, strict=True):
        if message := constraints.check_prompt("prompt", text or "", required=True):
            number = panel.order + 1
            errors.setdefault("prompt", []).append(f"Panel {number}: {message} Write the panel's prompt on the board first.")
    if len(panels) > 1 and count != 1:
        errors["count"] = ["A batch over several panels draws one still each; send count 1 (or one panel for several seeds)."]
    elif not 1 <= count <= constraints.MAX_BATCH:
        errors["count"] = [f"count {count} is out of range: draw 1 to {constraints.MAX_BATCH} stills at once."]
    elif message := _check_seed(seed, count if len(panels) == 1 else len(panels)):
        errors["seed"] = [message]
    params, param_errors = constraints.resolve_parameters(
        profile=profile, frames=1, width=width, height=height, fps=None, steps=steps, guidance=guidance, negative_prompt=negative_prompt
    )
    errors.update(param_errors)
    cast = list(cast)
    if len(cast) > constraints.MAX_CAST:
        errors["cast"] = [f"At most {constraints.MAX_CAST} talent may be cast in one still; {len(cast)} were sent."]
    if use_type not in UseType.values:
        errors["use_type"] = [f"Unknown use type '{use_type}'. Use one of: {', '.join(UseType.values)}."]
    if errors:
        raise ValidationError(errors)
    seeds = seeds_for(seed, count if len(panels) == 1 else len(panels))
    targets = panels * count if len(panels) == 1 else panels
    _check_capacity(project=project, count=len(targets))
    scheduling.check_quota(project.organization_id)
    clearances = {}
    for text in dict.fromkeys(prompts):  # each prompt once: the name guard and the cast, before anything is written
        clearances[text] = clear_generation(
            studio=project.organization,
            project=project_ref(project),
            actor=actor,
            cast=cast,
            prompt=text,
            negative_prompt=params.negative_prompt,
            use_type=use_type,
            max_cast=constraints.MAX_CAST,
        )
    texts = prompts * count if len(panels) == 1 else prompts
    renders = [
        PlannedRender(prompt=text, seed=s, clearance=clearances[text], panel=panel)
        for panel, text, s in zip(targets, texts, seeds, strict=True)
    ]
    return _write_jobs(actor=actor, project=project, profile=profile, params=params, renders=renders, init_image=None, use_type=use_type)


def panels_missing_stills(sequence: Sequence) -> tuple[list[Panel], list[Panel]]:
    """(panels to draw, panels skipped for having no prompt): the board's panels with no still and no
    still render queued or running."""
    busy = set(
        GenerationJob.objects.filter(panel__storyboard__sequence=sequence, state__in=GenerationJob.ACTIVE_STATES).values_list(
            "panel_id", flat=True
        )
    )
    missing = [
        p
        for p in Panel.objects.filter(storyboard__sequence=sequence).select_related("project").order_by("order", "created_at")
        if not p.still and p.pk not in busy
    ]
    return [p for p in missing if (p.prompt or "").strip()], [p for p in missing if not (p.prompt or "").strip()]


def submit_missing_stills(*, actor, sequence: Sequence, model: ModelProfile | str | None = None, **options) -> tuple[list, list]:
    """One batch of stills for every panel of the board without one (and none on the way). Panels
    without a prompt are skipped and returned. (jobs, skipped panels); 400 when nothing is left to draw."""
    perms.require_board_access(user=actor, project=sequence.project)
    todo, skipped = panels_missing_stills(sequence)
    if not todo:
        reason = (
            f"{len(skipped)} panel{'s' if len(skipped) != 1 else ''} without a still {'have' if len(skipped) != 1 else 'has'} "
            "no prompt; write the prompts first."
            if skipped
            else "Every panel has a still or one on the way."
        )
        raise ValidationError({"panels": [f"No panel to draw a still for: {reason}"]})
    if len(todo) > MAX_PANELS_PER_BATCH:
        raise ValidationError({"panels": [f"{len(todo)} panels need a still; draw at most {MAX_PANELS_PER_BATCH} in one batch."]})
    return submit_stills(actor=actor, panels=todo, model=model, **options), skipped


def _usable_take(*, take: Take, panel: Panel) -> None:
    if take.panel_id != panel.pk:
        raise NotFound("This panel has no such still take.")
    if take.discarded:
        raise Conflict("This still take is discarded; restore it before using it as the panel's still.")
    if take.scan_held:
        from generation.services.take_scan import TakeHeld

        raise TakeHeld(take)


def use_still_take(*, actor, panel: Panel, take: Take) -> Panel:
    """Make one of the panel's still takes its still (its PNG is copied to the panel, so the animatic
    and the board need nothing from the generation tables). 404 for a take of another panel; 409 for
    a discarded take or one the likeness scan holds."""
    perms.require_board_access(user=actor, project=panel.project, edit=True)
    _usable_take(take=take, panel=panel)
    with take.media.open("rb") as handle:
        updated = set_generated_still(actor=actor, panel=panel, file=handle, take_id=take.pk)
    if updated is None:
        raise NotFound("This panel was deleted.")
    return updated


def adopt_still(*, take: Take) -> None:
    """After the worker's commit: a panel with no still takes this still take as its still (a panel that
    got one meanwhile keeps it). Runs in its own transaction, never inside the job row lock."""
    take_id = take.pk

    def adopt() -> None:
        fresh = Take.objects.select_related("panel__storyboard__sequence", "panel__project").filter(pk=take_id).first()
        if fresh is None or fresh.panel is None or fresh.panel.still:
            return
        try:
            with fresh.media.open("rb") as handle:
                set_generated_still(actor=None, panel=fresh.panel, file=handle, take_id=fresh.pk, only_if_empty=True)
        except Exception:  # noqa: BLE001 - the take is stored; people can still pick it on the board
            log.exception("panel %s could not adopt still take %s", fresh.panel_id, take_id)

    transaction.on_commit(adopt, robust=True)


def rerun_still(*, actor, take: Take, mode: str, prompt: str | None) -> list[GenerationJob]:
    """`takes.rerun_take` for a still take: through `submit_stills`, on its panel."""
    job = take.job
    if job is None or take.panel is None:
        raise Conflict("This still take has no render to run again.")
    return submit_stills(
        actor=actor,
        panels=[take.panel],
        prompt=prompt if mode == "vary_prompt" else job.prompt,
        model=job.model,
        seed=None if mode == "new_seed" else job.seed,
        width=job.width,
        height=job.height,
        steps=job.steps,
        guidance=job.guidance,
        negative_prompt=job.negative_prompt,
        cast=job.cast,
        use_type=(job.parameters or {}).get("use_type") or "digital_replica",
    )
