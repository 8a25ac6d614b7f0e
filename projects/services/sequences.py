"""Sequences: the groups of shots in a project's shot list."""

from __future__ import annotations

from django.db import transaction
from rest_framework.exceptions import ValidationError

from projects import access as perms
from projects.models import Project, Sequence
from projects.services._common import _code, _insert, _int, _next_order, _text
from studio.audit import services as audit
from studio.exceptions import Conflict
from studio.realtime.publish import publish
from studio.tenancy.models import User


def create_sequence(*, actor: User, project: Project, code: str, name: str = "", order=None, description: str = "") -> Sequence:
    perms.require_project_role(user=actor, project=project, roles=perms.EDIT_SHOTS, action="edit the shot list")
    code = _code(code, field="code", example="MR_010")
    name = _text(name, field="name", max_length=200)
    description = _text(description, field="description", max_length=10_000)
    order = _int(order, field="order", minimum=-1_000_000, maximum=1_000_000)
    with transaction.atomic():
        sequence = _insert(
            Sequence,
            duplicate={"code": [f"Sequence {code} already exists in this project."]},
            project=project,
            code=code,
            name=name,
            description=description,
            order=_next_order(project.sequences.all()) if order is None else order,
        )
        audit.record(organization=project.organization, actor=actor, action="sequence.created", target=sequence, data={"code": code})
        publish(type="shot.updated", project_id=project.id, data={"sequence": str(sequence.id), "code": code, "change": "sequence_created"})
    return sequence


def update_sequence(*, actor: User, sequence: Sequence, **changes) -> Sequence:
    project = sequence.project
    perms.require_project_role(user=actor, project=project, roles=perms.EDIT_SHOTS, action="edit the shot list")
    unknown = set(changes) - {"code", "name", "order", "description"}
    if unknown:
        raise ValidationError({name: ["Unknown field."] for name in sorted(unknown)})
    values = {}
    if "code" in changes:
        values["code"] = _code(changes["code"], field="code", example="MR_010")
    if "name" in changes:
        values["name"] = _text(changes["name"], field="name", max_length=200)
    if "description" in changes:
        values["description"] = _text(changes["description"], field="description", max_length=10_000)
    if "order" in changes:
        values["order"] = _int(changes["order"], field="order", minimum=-1_000_000, maximum=1_000_000, allow_none=False)
    with transaction.atomic():
        sequence = Sequence.objects.select_for_update(no_key=True).get(pk=sequence.pk)
        if "code" in values and Sequence.objects.filter(project=project, code=values["code"]).exclude(pk=sequence.pk).exists():
            raise ValidationError({"code": [f"Sequence {values['code']} already exists in this project."]})
        diff = {k: [getattr(sequence, k), v] for k, v in values.items() if getattr(sequence, k) != v}
        if diff:
            for key, value in values.items():
                setattr(sequence, key, value)
            sequence.save()
            audit.record(organization=project.organization, actor=actor, action="sequence.updated", target=sequence, data={"changes": diff})
            publish(
                type="shot.updated",
                project_id=project.id,
                data={"sequence": str(sequence.id), "code": sequence.code, "change": "sequence_updated"},
            )
    return sequence


def delete_sequence(*, actor: User, sequence: Sequence) -> None:
    project = sequence.project
    perms.require_project_role(user=actor, project=project, roles=perms.EDIT_SHOTS, action="edit the shot list")
    with transaction.atomic():
        count = sequence.shots.count()
        if count:
            raise Conflict(f"Sequence {sequence.code} still has {count} shot(s); move or delete them first.")
        audit.record(
            organization=project.organization, actor=actor, action="sequence.deleted", target=sequence, data={"code": sequence.code}
        )
        publish(
            type="shot.updated",
            project_id=project.id,
            data={"sequence": str(sequence.id), "code": sequence.code, "change": "sequence_deleted"},
        )
        sequence.delete()
