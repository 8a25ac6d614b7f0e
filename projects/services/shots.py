"""Shots: create, edit, reorder and delete shots; who may move a shot's status."""

from __future__ import annotations

from collections.abc import Sequence as SequenceOf

from django.db import transaction
from rest_framework.exceptions import PermissionDenied, ValidationError

from projects import access as perms
from projects.models import Project, Shot
from projects.services._common import _frames, _insert, _is_uuid, _next_order, _publish_shot
from projects.services._shot_rules import _check_status_change, _shot_values
from studio.audit import services as audit
from studio.exceptions import Conflict
from studio.realtime.publish import publish
from studio.tenancy.models import Role, User

SHOT_FIELDS = {"code", "sequence", "order", "description", "prompt_notes", "frame_in", "frame_out", "status", "assignees"}
ARTIST_STATUSES = frozenset({Shot.Status.PENDING, Shot.Status.IN_PROGRESS, Shot.Status.REVIEW})


def create_shot(*, actor: User, project: Project, **fields) -> Shot:
    access = perms.require_project_role(user=actor, project=project, roles=perms.EDIT_SHOTS, action="create shots")
    unknown = set(fields) - SHOT_FIELDS
    if unknown:
        raise ValidationError({name: ["Unknown field."] for name in sorted(unknown)})
    if "code" not in fields:
        raise ValidationError({"code": [f"This field is required, e.g. {project.code}_010_0010."]})
    values = _shot_values(project, fields)
    values["frame_in"], values["frame_out"] = _frames(values.get("frame_in"), values.get("frame_out"))
    if "status" in values:
        _check_status_change(access=access, shot=None, new_status=values["status"])
    assignees = values.pop("assignees", [])
    with transaction.atomic():
        if "order" not in values:
            values["order"] = _next_order(project.shots.all())
        shot = _insert(Shot, duplicate={"code": [f"Shot {values['code']} already exists in this project."]}, project=project, **values)
        if assignees:
            shot.assignees.set(assignees)
        audit.record(
            organization=project.organization,
            actor=actor,
            action="shot.created",
            target=shot,
            data={"code": shot.code, "sequence": shot.sequence.code if shot.sequence else None},
        )
        _publish_shot(shot, "created")
    return shot


def update_shot(*, actor: User, shot: Shot, **changes) -> Shot:
    """Change a shot. Supervisors and up edit everything; an artist assigned to the shot may move
    its status between pending, in progress and review."""
    project = shot.project
    access = perms.project_access(user=actor, project=project)
    unknown = set(changes) - SHOT_FIELDS
    if unknown:
        raise ValidationError({name: ["Unknown field."] for name in sorted(unknown)})
    if not access.has(perms.EDIT_SHOTS):
        artist_may = (
            access.role == Role.ARTIST
            and set(changes) == {"status"}
            and changes["status"] in ARTIST_STATUSES
            and shot.status in ARTIST_STATUSES
            and shot.assignees.filter(pk=actor.pk).exists()
        )
        if not artist_may:
            raise PermissionDenied(
                f"Your role '{access.role}' may not edit shots; supervisors, producers, admins and owners may. "
                "Artists assigned to a shot may move its status between pending, in_progress and review."
            )
    values = _shot_values(project, changes)
    with transaction.atomic():
        shot = Shot.objects.select_for_update(no_key=True).get(pk=shot.pk)
        if "frame_in" in values or "frame_out" in values:
            values["frame_in"], values["frame_out"] = _frames(
                values["frame_in"] if "frame_in" in changes else shot.frame_in,
                values["frame_out"] if "frame_out" in changes else shot.frame_out,
            )
        if "status" in values:
            _check_status_change(access=access, shot=shot, new_status=values["status"])
        if "code" in values and Shot.objects.filter(project=project, code=values["code"]).exclude(pk=shot.pk).exists():
            raise ValidationError({"code": [f"Shot {values['code']} already exists in this project."]})
        assignees = values.pop("assignees", None)
        diff = {}
        for key, value in values.items():
            old = getattr(shot, key)
            if old != value:
                diff[key] = [getattr(old, "code", old), getattr(value, "code", value)]
                setattr(shot, key, value)
        if assignees is not None:
            before = sorted(str(u) for u in shot.assignees.values_list("email", flat=True))
            after = sorted(u.email for u in assignees)
            if before != after:
                shot.assignees.set(assignees)
                diff["assignees"] = [before, after]
        if diff:
            shot.save()
            audit.record(
                organization=project.organization,
                actor=actor,
                action="shot.updated",
                target=shot,
                data={"code": shot.code, "changes": diff},
            )
            _publish_shot(shot, "updated", fields=sorted(diff))
    return shot


def reorder_shots(*, actor: User, project: Project, shot_ids: SequenceOf) -> int:
    """Give the listed shots the order of the list (0, 1, 2 …). Shots not listed keep their order."""
    perms.require_project_role(user=actor, project=project, roles=perms.EDIT_SHOTS, action="reorder shots")
    ids = [str(s) for s in shot_ids]
    if not ids:
        raise ValidationError({"shots": ["Give the shot ids in their new order."]})
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ValidationError({"shots": [f"Each shot may appear once; repeated: {', '.join(duplicates[:10])}."]})
    bad = [i for i in ids if not _is_uuid(i)]
    if bad:
        raise ValidationError({"shots": [f"Not shot ids: {', '.join(bad[:10])}."]})
    with transaction.atomic():
        shots = {str(s.pk): s for s in Shot.objects.select_for_update(no_key=True).filter(project=project, pk__in=ids)}
        missing = [i for i in ids if i not in shots]
        if missing:
            raise ValidationError({"shots": [f"These ids are not shots of this project: {', '.join(missing[:10])}."]})
        changed = []
        for position, shot_id in enumerate(ids):
            shot = shots[shot_id]
            if shot.order != position:
                shot.order = position
                changed.append(shot)
        if changed:
            Shot.objects.bulk_update(changed, ["order"])
            audit.record(
                organization=project.organization, actor=actor, action="shot.reordered", target=project, data={"moved": len(changed)}
            )
            publish(type="shot.updated", project_id=project.id, data={"change": "reordered", "count": len(changed)})
    return len(changed)


def delete_shot(*, actor: User, shot: Shot) -> None:
    project = shot.project
    perms.require_project_role(user=actor, project=project, roles=perms.EDIT_SHOTS, action="delete shots")
    with transaction.atomic():
        shot = Shot.objects.select_for_update(no_key=True).get(pk=shot.pk)
        count = shot.versions.count()
        if count:
            raise Conflict(f"Shot {shot.code} has {count} version(s) and cannot be deleted; set its status to 'omitted' instead.")
        audit.record(organization=project.organization, actor=actor, action="shot.deleted", target=shot, data={"code": shot.code})
        _publish_shot(shot, "deleted")
        shot.delete()
