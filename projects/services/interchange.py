"""Shot-list imports (CSV, OTIO/EDL): apply the shots read from a file, all or nothing."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from rest_framework.exceptions import ValidationError

from projects import access as perms
from projects.models import Project, Sequence, Shot
from projects.services._common import _code, _frames, _next_order
from projects.services._shot_rules import _check_status_change, _shot_values
from studio.audit import services as audit
from studio.exceptions import Conflict
from studio.realtime.publish import publish
from studio.tenancy.models import User


@dataclass
class ShotSpec:
    """One shot as read from an interchange file. Only the keys in `values` are applied."""

    code: str
    values: dict
    line: str = ""


def apply_shot_specs(*, actor: User, project: Project, specs: list[ShotSpec], source: str, dry_run: bool = False) -> dict:
    """Create or update sequences and shots from an import; all or nothing. Returns a summary.

    `values` may hold: sequence (a code), order, description, prompt_notes, frame_in, frame_out,
    status, assignees (emails). Existing shots missing from the file are left alone and listed.
    """
    access = perms.require_project_role(user=actor, project=project, roles=perms.EDIT_SHOTS, action="import the shot list")
    errors: list[str] = []
    seen: set[str] = set()
    for spec in specs:
        if spec.code in seen:
            errors.append(f"{spec.line}: shot {spec.code} appears more than once.")
        seen.add(spec.code)
    if errors:
        raise ValidationError({"file": errors[:50]})
    summary = {
        "created": [],
        "updated": [],
        "unchanged": [],
        "sequences_created": [],
        "not_in_file": [],
        "dry_run": dry_run,
        "source": source,
    }
    try:
        with transaction.atomic():
            sequences = {s.code: s for s in Sequence.objects.select_for_update(no_key=True).filter(project=project)}
            existing = {s.code: s for s in Shot.objects.select_for_update(no_key=True)
                .filter(project=project).prefetch_related("assignees")}
            prepared = _prepare_specs(project=project, access=access, specs=specs, existing=existing)
            _apply_prepared(project=project, prepared=prepared, sequences=sequences, existing=existing, summary=summary)
            summary["not_in_file"] = sorted(set(existing) - seen)
            if dry_run:
                transaction.set_rollback(True)
            else:
                _record_import(actor=actor, project=project, source=source, summary=summary)
    except IntegrityError:
        raise Conflict(
            "The shot list changed while this import ran (someone created the same shot or sequence); nothing was written. "
            "Run the import again."
        )
    return summary


def _prepare_specs(*, project: Project, access, specs: list[ShotSpec], existing: dict) -> list[tuple]:
    """Check every spec against the project's rules: (code, sequence code, checked values, spec) for
    each, or a 400 listing every problem by its line in the file."""
    errors: list[str] = []
    prepared = []
    for spec in specs:
        values = dict(spec.values)
        try:
            code = _code(spec.code, field="code", example=f"{project.code}_010_0010")
            seq_code = values.pop("sequence", None)
            if seq_code:
                seq_code = _code(seq_code, field="sequence", example=f"{project.code}_010")
            shot = existing.get(code)
            checked = _shot_values(project, values)
            if "status" in checked:
                _check_status_change(access=access, shot=shot, new_status=checked["status"])
            if "frame_in" in values or "frame_out" in values:
                checked["frame_in"], checked["frame_out"] = _frames(
                    values["frame_in"] if "frame_in" in values else (shot.frame_in if shot else None),
                    values["frame_out"] if "frame_out" in values else (shot.frame_out if shot else None),
                )
        except ValidationError as exc:
            for name, messages in exc.detail.items():
                for message in messages if isinstance(messages, list) else [messages]:
                    errors.append(f"{spec.line}: {name}: {message}")
            continue
        prepared.append((code, seq_code, checked, spec))
    if errors:
        raise ValidationError({"file": errors[:50]})
    return prepared


def _apply_prepared(*, project: Project, prepared: list[tuple], sequences: dict, existing: dict, summary: dict) -> None:
    """Create the missing sequences and shots, update the changed ones; fills `summary`."""
    next_seq_order = _next_order(project.sequences.all())
    next_shot_order = _next_order(project.shots.all())
    for code, seq_code, checked, _spec in prepared:
        sequence = None
        if seq_code:
            sequence = sequences.get(seq_code)
            if sequence is None:
                sequence = Sequence.objects.create(project=project, code=seq_code, order=next_seq_order)
                next_seq_order += 1
                sequences[seq_code] = sequence
                summary["sequences_created"].append(seq_code)
        assignees = checked.pop("assignees", None)
        shot = existing.get(code)
        if shot is None:
            if "order" not in checked:
                checked["order"] = next_shot_order
                next_shot_order += 1
            shot = Shot.objects.create(project=project, code=code, sequence=sequence, **checked)
            if assignees:
                shot.assignees.set(assignees)
            summary["created"].append(code)
            continue
        changed = []
        if seq_code and shot.sequence_id != sequence.id:
            shot.sequence = sequence
            changed.append("sequence")
        for key, value in checked.items():
            if getattr(shot, key) != value:
                setattr(shot, key, value)
                changed.append(key)
        if assignees is not None and {u.pk for u in assignees} != {u.pk for u in shot.assignees.all()}:
            shot.assignees.set(assignees)
            changed.append("assignees")
        if changed:
            shot.save()
            summary["updated"].append(code)
        else:
            summary["unchanged"].append(code)


def _record_import(*, actor: User, project: Project, source: str, summary: dict) -> None:
    audit.record(
        organization=project.organization,
        actor=actor,
        action="shot_list.imported",
        target=project,
        data={
            "source": source,
            "created": len(summary["created"]),
            "updated": len(summary["updated"]),
            "sequences_created": summary["sequences_created"],
        },
    )
    if summary["created"] or summary["updated"] or summary["sequences_created"]:
        publish(
            type="shot.updated",
            project_id=project.id,
            data={
                "change": "imported",
                "source": source,
                "created": len(summary["created"]),
                "updated": len(summary["updated"]),
            },
        )
