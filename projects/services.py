"""Writes for production tracking. Each service checks access, writes, audits and publishes.

Permission checks live here (see `projects.access` for the role sets); views only parse input and
serialise results. Every function is keyword-only; a failure raises a DRF exception with a message
that says what is wrong and how to fix it, and writes nothing.
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
import uuid
from collections.abc import Iterable
from collections.abc import Sequence as SequenceOf
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from uuid import UUID

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import F, Max, Q
from django.utils import timezone
from django.utils.text import get_valid_filename
from rest_framework import status as http_status
from rest_framework.exceptions import APIException, NotFound, PermissionDenied, ValidationError

from projects import access as perms
from projects import lanes as lane_registry
from projects import media
from projects.annotations import annotation_errors
from projects.models import (
    PROJECT_MEMBER_ROLES,
    Annotation,
    Approval,
    Comment,
    CommentRevision,
    Playlist,
    PlaylistItem,
    Project,
    ProjectMember,
    Sequence,
    Shot,
    Version,
    version_media_dir,
    version_upload_to,
)
from rights import policy as consent_policy
from rights.policy import PolicyDenied
from studio.audit import services as audit
from studio.exceptions import Conflict
from studio.realtime.publish import notify_user, publish
from studio.tenancy.models import ORG_WIDE_ROLES, Membership, Organization, Role, User
from studio.tenancy.selectors import require_membership

log = logging.getLogger(__name__)

CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$")
MAX_FRAME = 10_000_000
MAX_COMMENT_LENGTH = 10_000
MAX_ANNOTATIONS_PER_COMMENT = 50
MAX_PLAYLIST_ITEMS = 500
ASSIGNABLE_ROLES = frozenset({Role.OWNER, Role.ADMIN, Role.PRODUCER, Role.SUPERVISOR, Role.ARTIST})


class PayloadTooLarge(APIException):
    status_code = http_status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The upload is too large."
    default_code = "too_large"


# ---------------------------------------------------------------- helpers


def _code(value, *, field: str, example: str) -> str:
    value = (value or "").strip() if isinstance(value, str) else value
    if not isinstance(value, str) or not CODE_RE.match(value):
        raise ValidationError(
            {
                field: [
                    f"{value!r} is not a valid code: use 1-64 letters, digits, '_', '-' or '.', "
                    f"starting with a letter or digit, e.g. {example}."
                ]
            }
        )
    return value


def _text(value, *, field: str, max_length: int, required: bool = False) -> str:
    value = "" if value is None else value
    if not isinstance(value, str):
        raise ValidationError({field: ["Must be text."]})
    value = value.strip()
    if required and not value:
        raise ValidationError({field: ["This field is required and cannot be blank."]})
    if len(value) > max_length:
        raise ValidationError({field: [f"At most {max_length} characters (got {len(value)})."]})
    return value


def _int(value, *, field: str, minimum: int = -MAX_FRAME, maximum: int = MAX_FRAME, allow_none: bool = True) -> int | None:
    if value is None or value == "":
        if allow_none:
            return None
        raise ValidationError({field: ["This field is required: a whole number."]})
    if isinstance(value, bool):
        raise ValidationError({field: ["Must be a whole number."]})
    if isinstance(value, str):
        value = value.strip()
        if not re.fullmatch(r"-?\d+", value):
            raise ValidationError({field: [f"{value!r} is not a whole number."]})
        value = int(value)
    if isinstance(value, float):
        if not value.is_integer():
            raise ValidationError({field: [f"{value} is not a whole number; frames are integers."]})
        value = int(value)
    if not isinstance(value, int):
        raise ValidationError({field: ["Must be a whole number."]})
    if value < minimum or value > maximum:
        raise ValidationError({field: [f"Must be between {minimum} and {maximum} (got {value})."]})
    return value


def parse_fps(value) -> tuple[int, int]:
    """'24', '24/1', '24000/1001', 25, (30000, 1001) -> (num, den). Decimals are refused: use a ratio."""
    if isinstance(value, (tuple, list)) and len(value) == 2:
        num, den = value
    elif isinstance(value, int) and not isinstance(value, bool):
        num, den = value, 1
    elif isinstance(value, str) and re.fullmatch(r"\s*\d+\s*(/\s*\d+\s*)?", value):
        parts = [p.strip() for p in value.split("/")]
        num, den = int(parts[0]), int(parts[1]) if len(parts) == 2 else 1
    else:
        raise ValidationError(
            {"fps": [f"{value!r} is not a frame rate; give a whole number or a ratio such as '24', '25' or '24000/1001'."]}
        )
    if not isinstance(num, int) or not isinstance(den, int) or num <= 0 or den <= 0:
        raise ValidationError({"fps": ["The frame rate needs a positive numerator and denominator, e.g. '24000/1001'."]})
    rate = Fraction(num, den)
    if rate > 240 or rate < 1:
        raise ValidationError({"fps": [f"{num}/{den} is outside 1-240 frames per second."]})
    return rate.numerator, rate.denominator


def _frames(frame_in, frame_out) -> tuple[int | None, int | None]:
    frame_in = _int(frame_in, field="frame_in", minimum=0)
    frame_out = _int(frame_out, field="frame_out", minimum=0)
    if frame_in is not None and frame_out is not None and frame_out < frame_in:
        raise ValidationError(
            {"frame_out": [f"frame_out ({frame_out}) is before frame_in ({frame_in}); frame_out is the inclusive last frame."]}
        )
    return frame_in, frame_out


def _required_lanes(value) -> list[str]:
    names = lane_registry.project_lane_names()
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise ValidationError({"required_lanes": [f"Give a list of lane names from: {', '.join(names)}."]})
    automatic = [v for v in value if lane_registry.get_lane(v) is not None and lane_registry.get_lane(v).automatic]
    if automatic:
        raise ValidationError({"required_lanes": [
            f"The {', '.join(automatic)} lane is added automatically to the versions that need it (a likeness used under a "
            f"grant requiring the agency's approval); leave it out. Use: {', '.join(names)}."
        ]})
    unknown = [v for v in value if lane_registry.get_lane(v) is None]
    if unknown:
        raise ValidationError({"required_lanes": [f"Unknown lane(s) {', '.join(unknown)}; use: {', '.join(names)}."]})
    missing = [lane for lane in lane_registry.ALWAYS_REQUIRED if lane not in value]
    if missing:
        raise ValidationError(
            {"required_lanes": [f"The {', '.join(missing)} lane is always required: nothing is approved without the producer."]}
        )
    return [name for name in lane_registry.lane_names() if name in value]


def _insert(model, *, duplicate: dict, **values):
    """INSERT in a savepoint; a concurrent duplicate (unique constraint) becomes a clear 400."""
    try:
        with transaction.atomic():
            return model.objects.create(**values)
    except IntegrityError:
        raise ValidationError(duplicate)


def _publish_shot(shot: Shot, change: str, **extra) -> None:
    publish(
        type="shot.updated",
        project_id=shot.project_id,
        data={"id": str(shot.id), "code": shot.code, "status": shot.status, "change": change, **extra},
    )


# ---------------------------------------------------------------- projects and members

PROJECT_FIELDS = {"name", "code", "description", "fps", "width", "height", "start_frame", "status", "required_lanes"}


def _project_values(changes: dict) -> dict:
    values: dict = {}
    if "name" in changes:
        values["name"] = _text(changes["name"], field="name", max_length=200, required=True)
    if "code" in changes:
        values["code"] = _code(changes["code"], field="code", example="MR")
    if "description" in changes:
        values["description"] = _text(changes["description"], field="description", max_length=10_000)
    if "fps" in changes:
        values["fps_num"], values["fps_den"] = parse_fps(changes["fps"])
    for dim in ("width", "height"):
        if dim in changes:
            values[dim] = _int(changes[dim], field=dim, minimum=16, maximum=media.MAX_DIMENSION, allow_none=False)
    if "start_frame" in changes:
        values["start_frame"] = _int(changes["start_frame"], field="start_frame", minimum=0, allow_none=False)
    if "status" in changes:
        if changes["status"] not in Project.Status.values:
            raise ValidationError({"status": [f"Use one of: {', '.join(Project.Status.values)}."]})
        values["status"] = changes["status"]
    if "required_lanes" in changes:
        values["required_lanes"] = _required_lanes(changes["required_lanes"])
    return values


def create_project(*, actor: User, organization: Organization, **fields) -> Project:
    """Create a project in a studio. Owners, admins and producers of that studio may."""
    require_membership(user=actor, organization=organization, roles=perms.CREATE_PROJECT, action="create projects")
    if organization.kind != Organization.Kind.STUDIO:
        raise ValidationError({"organization": ["Projects belong to studios; this organization is a talent agency."]})
    unknown = set(fields) - PROJECT_FIELDS
    if unknown:
        raise ValidationError({name: ["Unknown field."] for name in sorted(unknown)})
    if "name" not in fields or "code" not in fields:
        raise ValidationError({k: ["This field is required."] for k in ("name", "code") if k not in fields})
    fields.setdefault("required_lanes", ["producer"])
    values = _project_values(fields)
    with transaction.atomic():
        if Project.objects.filter(organization=organization, code__iexact=values["code"]).exists():
            raise ValidationError({"code": [f"This studio already has a project with code {values['code']}; pick another code."]})
        project = _insert(
            Project,
            duplicate={"code": [f"This studio already has a project with code {values['code']}; pick another code."]},
            organization=organization,
            created_by=actor,
            **values,
        )
        audit.record(
            organization=organization,
            actor=actor,
            action="project.created",
            target=project,
            data={"name": project.name, "code": project.code, "required_lanes": project.required_lanes},
        )
        publish(type="project.updated", project_id=project.id, data={"id": str(project.id), "change": "created"}, audience="internal")
    return project


def update_project(*, actor: User, project: Project, **changes) -> Project:
    perms.require_project_role(user=actor, project=project, roles=perms.MANAGE_PROJECT, action="change project settings")
    unknown = set(changes) - PROJECT_FIELDS
    if unknown:
        raise ValidationError({name: ["Unknown field."] for name in sorted(unknown)})
    values = _project_values(changes)
    with transaction.atomic():
        project = Project.objects.select_for_update().get(pk=project.pk)
        if (
            "code" in values
            and Project.objects.filter(organization_id=project.organization_id, code__iexact=values["code"]).exclude(pk=project.pk).exists()
        ):
            raise ValidationError({"code": [f"This studio already has a project with code {values['code']}; pick another code."]})
        diff = {k: [getattr(project, k), v] for k, v in values.items() if getattr(project, k) != v}
        for key, value in values.items():
            setattr(project, key, value)
        if diff:
            project.save()
            restated = _restate_project_approvals(project) if "required_lanes" in diff else 0
            audit.record(
                organization=project.organization,
                actor=actor,
                action="project.updated",
                target=project,
                data={"changes": diff, "versions_restated": restated},
            )
            publish(
                type="project.updated", project_id=project.id, data={"id": str(project.id), "change": "updated", "fields": sorted(diff)}
            )
    return project


def add_project_member(*, actor: User, project: Project, email: str, role: str = Role.REVIEWER) -> ProjectMember:
    """Add a person to one project (client reviewer, vendor). They see this project and nothing else."""
    perms.require_project_role(user=actor, project=project, roles=perms.MANAGE_PROJECT, action="manage project members")
    if role not in PROJECT_MEMBER_ROLES:
        raise ValidationError({"role": [f"A project member can be one of: {', '.join(PROJECT_MEMBER_ROLES)}."]})
    user = User.objects.filter(email__iexact=(email or "").strip(), is_active=True).first()
    if user is None:
        raise ValidationError({"email": ["No active Greenlight account has this email; ask them to sign up first."]})
    org_role = Membership.objects.filter(user=user, organization_id=project.organization_id).values_list("role", flat=True).first()
    if org_role in ORG_WIDE_ROLES:
        raise ValidationError(
            {"email": [f"{user.email} already sees every project of this studio as {org_role}; no project membership is needed."]}
        )
    with transaction.atomic():
        member = _insert(
            ProjectMember,
            duplicate={"email": [f"{user.email} is already a member of this project; change their role instead."]},
            project=project,
            user=user,
            role=role,
            added_by=actor,
        )
        audit.record(
            organization=project.organization,
            actor=actor,
            action="project.member_added",
            target=member,
            data={"project": project.code, "user": user.email, "role": role},
        )
        publish(type="project.updated", project_id=project.id, data={"id": str(project.id), "change": "member_added", "user": str(user.id)})
    return member


def change_project_member_role(*, actor: User, member: ProjectMember, role: str) -> ProjectMember:
    project = member.project
    perms.require_project_role(user=actor, project=project, roles=perms.MANAGE_PROJECT, action="manage project members")
    if role not in PROJECT_MEMBER_ROLES:
        raise ValidationError({"role": [f"A project member can be one of: {', '.join(PROJECT_MEMBER_ROLES)}."]})
    with transaction.atomic():
        member = ProjectMember.objects.select_for_update().select_related("user").get(pk=member.pk)
        old = member.role
        if old != role:
            member.role = role
            member.save(update_fields=["role"])
            audit.record(
                organization=project.organization,
                actor=actor,
                action="project.member_role_changed",
                target=member,
                data={"project": project.code, "user": member.user.email, "from": old, "to": role},
            )
            publish(
                type="project.updated",
                project_id=project.id,
                data={"id": str(project.id), "change": "member_changed", "user": str(member.user_id)},
            )
    return member


def remove_project_member(*, actor: User, member: ProjectMember) -> None:
    project = member.project
    perms.require_project_role(user=actor, project=project, roles=perms.MANAGE_PROJECT, action="manage project members")
    with transaction.atomic():
        audit.record(
            organization=project.organization,
            actor=actor,
            action="project.member_removed",
            target=member,
            data={"project": project.code, "user": member.user.email, "role": member.role},
        )
        user_id = member.user_id
        member.delete()
        publish(
            type="project.updated", project_id=project.id, data={"id": str(project.id), "change": "member_removed", "user": str(user_id)}
        )


# ---------------------------------------------------------------- sequences


def _next_order(queryset) -> int:
    current = queryset.aggregate(m=Max("order"))["m"]
    return 0 if current is None else current + 1


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
        sequence = Sequence.objects.select_for_update().get(pk=sequence.pk)
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


# ---------------------------------------------------------------- shots

SHOT_FIELDS = {"code", "sequence", "order", "description", "prompt_notes", "frame_in", "frame_out", "status", "assignees"}
ARTIST_STATUSES = frozenset({Shot.Status.PENDING, Shot.Status.IN_PROGRESS, Shot.Status.REVIEW})


def resolve_assignees(*, project: Project, user_ids: Iterable) -> list[User]:
    """The users for `user_ids` (UUIDs or emails); each must be a studio-side person who sees the project."""
    wanted = list(dict.fromkeys(str(u).strip() for u in user_ids if str(u).strip()))
    if not wanted:
        return []
    ids = [w for w in wanted if _is_uuid(w)]
    emails = [w.lower() for w in wanted if not _is_uuid(w)]
    by_key: dict[str, User] = {}
    for user in User.objects.filter(is_active=True).filter(Q(pk__in=ids) | Q(email__in=emails)):
        by_key[str(user.pk)] = user
        by_key[user.email.lower()] = user
    eligible = set(
        Membership.objects.filter(
            organization_id=project.organization_id, role__in=list(ASSIGNABLE_ROLES), user__in=list(by_key.values())
        ).values_list("user_id", flat=True)
    ) | set(
        ProjectMember.objects.filter(project=project, user__in=list(by_key.values()))
        .exclude(role__in=list(perms.CLIENT_ROLES))
        .values_list("user_id", flat=True)
    )
    result: list[User] = []
    problems: list[str] = []
    for key in wanted:
        user = by_key.get(key if _is_uuid(key) else key.lower())
        if user is None or user.pk not in eligible:
            problems.append(key)
        elif user not in result:
            result.append(user)
    if problems:
        raise ValidationError(
            {
                "assignees": [
                    f"Cannot assign {', '.join(problems[:10])}: assignees must be studio members or non-client members of this project."
                ]
            }
        )
    return result


def _is_uuid(value: str) -> bool:
    try:
        UUID(value)
    except (ValueError, TypeError, AttributeError):
        return False
    return True


def _shot_values(project: Project, changes: dict) -> dict:
    values: dict = {}
    if "code" in changes:
        values["code"] = _code(changes["code"], field="code", example=f"{project.code}_010_0010")
    if "sequence" in changes:
        sequence = changes["sequence"]
        if sequence is not None and (not isinstance(sequence, Sequence) or sequence.project_id != project.id):
            raise ValidationError({"sequence": ["Unknown sequence for this project; create it first or leave the shot unsequenced."]})
        values["sequence"] = sequence
    if "order" in changes:
        values["order"] = _int(changes["order"], field="order", minimum=-1_000_000, maximum=1_000_000, allow_none=False)
    for name in ("description", "prompt_notes"):
        if name in changes:
            values[name] = _text(changes[name], field=name, max_length=20_000)
    if "frame_in" in changes or "frame_out" in changes:
        values["frame_in"], values["frame_out"] = changes.get("frame_in"), changes.get("frame_out")
    if "status" in changes:
        if changes["status"] not in Shot.Status.values:
            raise ValidationError({"status": [f"Unknown status {changes['status']!r}; use one of: {', '.join(Shot.Status.values)}."]})
        values["status"] = changes["status"]
    if "assignees" in changes:
        values["assignees"] = resolve_assignees(project=project, user_ids=changes["assignees"] or [])
    return values


def _check_status_change(*, access: perms.ProjectAccess, shot: Shot | None, new_status: str) -> None:
    old = shot.status if shot is not None else Shot.Status.PENDING
    if new_status == old:
        return
    if new_status == Shot.Status.APPROVED:
        raise ValidationError(
            {
                "status": [
                    "A shot becomes approved when one of its versions is approved in every required lane; "
                    "decide the version's approvals instead."
                ]
            }
        )
    if new_status == Shot.Status.FINAL:
        if not access.has(perms.MANAGE_PROJECT):
            raise PermissionDenied("Only producers, admins and owners may mark a shot final.")
        if old != Shot.Status.APPROVED:
            raise ValidationError({"status": ["Only an approved shot can be marked final; approve one of its versions first."]})
    if old == Shot.Status.FINAL and not access.has(perms.MANAGE_PROJECT):
        raise PermissionDenied("This shot is final; only producers, admins and owners may reopen it.")


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
        shot = Shot.objects.select_for_update().get(pk=shot.pk)
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
        shots = {str(s.pk): s for s in Shot.objects.select_for_update().filter(project=project, pk__in=ids)}
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
        shot = Shot.objects.select_for_update().get(pk=shot.pk)
        count = shot.versions.count()
        if count:
            raise Conflict(f"Shot {shot.code} has {count} version(s) and cannot be deleted; set its status to 'omitted' instead.")
        audit.record(organization=project.organization, actor=actor, action="shot.deleted", target=shot, data={"code": shot.code})
        _publish_shot(shot, "deleted")
        shot.delete()


# ---------------------------------------------------------------- versions


def _safe_filename(name: str | None, default: str = "original.mp4") -> str:
    base = os.path.basename((name or "").replace("\\", "/")).strip()
    base = get_valid_filename(base) if base else ""
    if not base or base in {".", ".."}:
        return default
    stem, ext = os.path.splitext(base)
    return f"{stem[:100]}{ext[:16]}"


def create_version(
    *,
    shot: Shot,
    source: str,
    created_by=None,
    original: File | None = None,
    original_name: str = "original.mp4",
    lineage: dict | None = None,
    frame_count: int | None = None,
    fps: tuple[int, int] | None = None,
    size: tuple[int, int] | None = None,
    note: str = "",
) -> Version:
    """Create the next version of `shot` (v001, v002 …; numbers never reused, safe when concurrent).

    The caller has checked permissions (`upload_version` for people; the generation service for
    renders). Takes the shot row lock for numbering, stores the original untouched, makes the
    version the shot's current one, audits, publishes `version.created` after commit and then
    hands the version to the `media` queue for its proxy, poster and sprite.
    """
    if source not in Version.Source.values:
        raise ValueError(f"source must be one of {Version.Source.values}, not {source!r}")
    from projects.tasks import process_version_media

    # Store the original before taking the shot's row lock: copying (or moving) a large file must
    # not hold up other writers of the shot. A failed insert removes it again.
    version_id = uuid.uuid4()
    stored_name, stored_size, safe_name = "", None, ""
    if original is not None:
        safe_name = _safe_filename(original_name)
        stored_name = default_storage.save(version_upload_to(Version(id=version_id, project_id=shot.project_id), safe_name), original)
        stored_size = default_storage.size(stored_name)
    try:
        version = _insert_version(
            version_id=version_id,
            shot=shot,
            source=source,
            created_by=created_by,
            stored_name=stored_name,
            stored_size=stored_size,
            original_name=safe_name,
            lineage=lineage,
            frame_count=frame_count,
            fps=fps,
            size=size,
            note=note,
            process=process_version_media,
        )
    except BaseException:
        if stored_name:
            default_storage.delete(stored_name)
        raise
    return version


def _insert_version(
    *,
    version_id,
    shot: Shot,
    source: str,
    created_by,
    stored_name: str,
    stored_size,
    original_name: str,
    lineage,
    frame_count,
    fps,
    size,
    note: str,
    process,
) -> Version:
    with transaction.atomic():
        locked = Shot.objects.select_for_update().select_related("project__organization").get(pk=shot.pk)
        project = locked.project
        number = locked.next_version_number
        locked.next_version_number = number + 1
        version = Version(
            id=version_id,
            project_id=locked.project_id,
            shot=locked,
            number=number,
            source=source,
            created_by=created_by,
            lineage=lineage or {},
            frame_count=frame_count,
            first_frame=locked.frame_in if locked.frame_in is not None else project.start_frame,
            fps_num=fps[0] if fps else project.fps_num,
            fps_den=fps[1] if fps else project.fps_den,
            width=size[0] if size else None,
            height=size[1] if size else None,
            note=note or "",
        )
        if stored_name:
            version.original.name = stored_name
            version.original_name = original_name
            version.original_size = stored_size
        else:
            version.processing_status = Version.Processing.FAILED
            version.failure_reason = "No media file was attached to this version."
        version.save(force_insert=True)
        update_fields = ["next_version_number", "current_version", "updated_at"]
        locked.current_version = version
        status_changed = locked.status in (Shot.Status.PENDING, Shot.Status.IN_PROGRESS)
        if status_changed:
            locked.status = Shot.Status.REVIEW
            update_fields.append("status")
        locked.save(update_fields=update_fields)
        actor_label = "" if created_by is not None else f"{source} pipeline"
        audit.record(
            organization=project.organization,
            actor=created_by,
            actor_label=actor_label,
            action="version.created",
            target=version,
            data={"shot": locked.code, "number": number, "source": source, "original": version.original_name},
        )
        publish(
            type="version.created",
            project_id=locked.project_id,
            data={
                "id": str(version.id),
                "shot": str(locked.id),
                "shot_code": locked.code,
                "number": number,
                "label": version.label,
                "source": source,
                "processing_status": version.processing_status,
            },
        )
        if status_changed:
            _publish_shot(locked, "status", current_version=str(version.id))
        if stored_name:
            transaction.on_commit(lambda: process.delay(str(version_id)))
    return version


def _upload_path(upload) -> tuple[str, tempfile.NamedTemporaryFile | None]:
    if hasattr(upload, "temporary_file_path"):
        return upload.temporary_file_path(), None
    suffix = os.path.splitext(getattr(upload, "name", "") or "")[1][:16]
    tmp = tempfile.NamedTemporaryFile(prefix="gl-upload-", suffix=suffix)  # noqa: SIM115 - closed by the caller
    for chunk in upload.chunks():
        tmp.write(chunk)
    tmp.flush()
    upload.seek(0)
    return tmp.name, tmp


def check_upload_size(size: int | None) -> None:
    limit = settings.MAX_UPLOAD_BYTES
    if size is not None and size > limit:
        raise PayloadTooLarge(
            f"The upload is {size:,} bytes; the limit is {limit:,} bytes ({limit / 2**20:.0f} MiB). "
            "Upload a smaller export (a review proxy is enough) or ask an admin to raise MAX_UPLOAD_BYTES."
        )


def upload_version(*, actor: User, shot: Shot, upload, note: str = "") -> Version:
    """A person uploads a video as the shot's next version. The file is probed before anything is stored."""
    perms.require_project_role(user=actor, project=shot.project, roles=perms.ADD_VERSIONS, action="add versions")
    if upload is None:
        raise ValidationError({"file": ["Attach the video as the multipart form field 'file'."]})
    note = _text(note, field="note", max_length=10_000)
    check_upload_size(upload.size)
    path, tmp = _upload_path(upload)
    try:
        try:
            info = media.probe(path)
            media.check_limits(info, max_seconds=settings.MAX_UPLOAD_SECONDS)
        except media.MediaError as exc:
            raise ValidationError({"file": [exc.message]}, code=exc.code)
        return create_version(
            shot=shot,
            source=Version.Source.UPLOAD,
            created_by=actor,
            original=upload,  # a temporary upload is moved into place, not copied
            original_name=upload.name,
            frame_count=info.frame_count,
            fps=info.fps_pair,
            size=(info.width, info.height),
            note=note,
        )
    finally:
        if tmp is not None:
            tmp.close()


def update_version(*, actor: User, version: Version, note: str) -> Version:
    access = perms.project_access(user=actor, project=version.project)
    if not (access.has(perms.EDIT_SHOTS) or (access.has(perms.ADD_VERSIONS) and version.created_by_id == actor.pk)):
        raise PermissionDenied("Only the version's author, supervisors, producers, admins and owners may edit its note.")
    note = _text(note, field="note", max_length=10_000)
    with transaction.atomic():
        version = Version.objects.select_for_update().get(pk=version.pk)
        if version.note != note:
            old, version.note = version.note, note
            version.save(update_fields=["note", "updated_at"])
            audit.record(
                organization=version.project.organization, actor=actor, action="version.updated", target=version, data={"note": [old, note]}
            )
            publish(type="version.updated", project_id=version.project_id, data={"id": str(version.id), "change": "note"})
    return version


def _store(path: Path, name: str) -> str:
    if default_storage.exists(name):
        default_storage.delete(name)
    with open(path, "rb") as fh:
        return default_storage.save(name, File(fh))


def process_version_media(*, version_id, claim: bool = False) -> Version | None:
    """Build the version's proxy, poster and sprite (runs on the `media` queue). Idempotent.

    Marks the version `ready`, or `failed` with a reason a person can act on. The media task passes
    `claim=True`: the attempt then claims the version first and stores its result only while it
    still holds the claim (projects/processing.py), so a killed worker never leaves it processing.
    """
    from projects import processing

    version = Version.objects.select_related("project__organization", "shot").filter(pk=version_id).first()
    if version is None:
        log.warning("version %s vanished before its media was processed", version_id)
        return None
    if claim:
        attempt = processing.claim(version_id=version_id)
        if attempt is None:  # finished already, or held by a live attempt: a duplicate delivery does nothing
            return Version.objects.filter(pk=version_id).first()
    else:
        attempt = None
    if not version.original:
        return _mark_failed(version, "No media file was attached to this version.")
    try:
        source = Path(version.original.path)
        with media.temporary_directory() as workdir:
            built = media.build_review_media(source, Path(workdir))
            folder = f"{version_media_dir(version)}/review"
            names = {
                "proxy": _store(built.proxy, f"{folder}/proxy.mp4"),
                "poster": _store(built.poster, f"{folder}/poster.jpg"),
                "sprite": _store(built.sprite, f"{folder}/sprite.jpg"),
            }
    except media.MediaError as exc:
        return _mark_failed(version, exc.message, attempt=attempt)
    except FileNotFoundError:
        return _mark_failed(version, "The original file is missing from storage; upload the version again.", attempt=attempt)
    except Exception:
        log.exception("processing media of version %s failed", version_id)
        _mark_failed(version, "Processing failed because of an internal error; the team has been notified. Upload it again later.",
                     attempt=attempt)
        raise
    info = built.proxy_info
    with transaction.atomic():
        version = Version.objects.select_for_update().select_related("project__organization", "shot").filter(pk=version_id).first()
        if version is None:
            for name in names.values():
                default_storage.delete(name)
            return None
        if not processing.holds_claim(version, attempt):
            return version  # a later attempt took over; its files have the same names
        version.proxy.name = names["proxy"]
        version.poster.name = names["poster"]
        version.sprite.name = names["sprite"]
        version.sprite_columns = built.sprite_info["columns"]
        version.sprite_tile_width = built.sprite_info["tile_width"]
        version.sprite_tile_height = built.sprite_info["tile_height"]
        version.sprite_frames = built.sprite_info["frames"]
        version.frame_count = info.frame_count
        version.fps_num, version.fps_den = info.fps_pair
        version.width, version.height = built.source_info.width, built.source_info.height
        version.processing_status = Version.Processing.READY
        version.failure_reason = ""
        version.save()
        audit.record(
            organization=version.project.organization,
            actor_label="media worker",
            action="version.media_ready",
            target=version,
            data={"frames": info.frame_count, "fps": f"{version.fps_num}/{version.fps_den}", "proxy": f"{info.width}x{info.height}"},
        )
        publish(
            type="version.updated",
            project_id=version.project_id,
            data={
                "id": str(version.id),
                "shot": str(version.shot_id),
                "change": "media_ready",
                "processing_status": "ready",
                "frame_count": info.frame_count,
            },
        )
    return version


def _mark_failed(version: Version, reason: str, *, attempt: int | None = None) -> Version:
    from projects import processing

    with transaction.atomic():
        version = Version.objects.select_for_update().select_related("project__organization").get(pk=version.pk)
        if not processing.holds_claim(version, attempt):
            return version
        version.processing_status = Version.Processing.FAILED
        version.failure_reason = reason[:2000]
        version.save(update_fields=["processing_status", "failure_reason", "updated_at"])
        audit.record(
            organization=version.project.organization,
            actor_label="media worker",
            action="version.media_failed",
            target=version,
            data={"reason": version.failure_reason},
        )
        publish(
            type="version.updated",
            project_id=version.project_id,
            data={
                "id": str(version.id),
                "shot": str(version.shot_id),
                "change": "media_failed",
                "processing_status": "failed",
                "failure_reason": version.failure_reason,
            },
        )
    return version


# ---------------------------------------------------------------- comments and annotations


def _check_frame(version: Version, value, *, field: str) -> int:
    frame = _int(value, field=field, allow_none=False)
    if version.frame_count is None:
        raise Conflict(f"{version.label} is still being processed, so its frames are not known yet; comment once it is ready.")
    first, last = version.first_frame, version.last_frame
    if not first <= frame <= last:
        raise ValidationError({field: [f"Frame {frame} is outside {version.label}, which runs from frame {first} to {last}."]})
    return frame


def _mentioned_users(*, project: Project, user_ids, internal: bool) -> list[User]:
    if user_ids is None:
        return []
    if not isinstance(user_ids, (list, tuple)):
        raise ValidationError({"mentions": ["Give a list of user ids."]})
    wanted = list(dict.fromkeys(str(u) for u in user_ids))
    bad = [u for u in wanted if not _is_uuid(u)]
    users = {str(u.pk): u for u in User.objects.filter(pk__in=[u for u in wanted if _is_uuid(u)], is_active=True)}
    problems = bad + [u for u in wanted if u in users and not _mentionable(users[u], project, internal)]
    problems += [u for u in wanted if _is_uuid(u) and u not in users]
    if problems:
        why = "people on this project's studio side" if internal else "people who can see this project"
        raise ValidationError({"mentions": [f"Only {why} can be mentioned; not: {', '.join(problems[:10])}."]})
    return [users[u] for u in wanted]


def _mentionable(user: User, project: Project, internal: bool) -> bool:
    access = perms.access_for(user=user, project=project)
    return access is not None and (access.internal or not internal)


def _annotation_rows(*, annotations, frame: int, frame_end: int | None) -> list[dict]:
    if annotations is None:
        return []
    if not isinstance(annotations, (list, tuple)):
        raise ValidationError({"annotations": ["Give a list of {frame, shapes} objects."]})
    if len(annotations) > MAX_ANNOTATIONS_PER_COMMENT:
        raise ValidationError({"annotations": [f"At most {MAX_ANNOTATIONS_PER_COMMENT} annotations per comment."]})
    last = frame_end if frame_end is not None else frame
    rows = []
    for index, item in enumerate(annotations):
        if not isinstance(item, dict):
            raise ValidationError({"annotations": [f"annotations[{index}] must be an object with 'shapes' (and optionally 'frame')."]})
        at = _int(item.get("frame", frame), field=f"annotations[{index}].frame", allow_none=False)
        if not frame <= at <= last:
            raise ValidationError({"annotations": [f"annotations[{index}] is on frame {at}, outside the comment's frames {frame}-{last}."]})
        errors = annotation_errors(item.get("shapes"))
        if errors:
            raise ValidationError({"annotations": [f"annotations[{index}]." + e for e in errors[:10]]})
        rows.append({"frame": at, "shapes": item["shapes"]})
    return rows


def _notify_mentioned(comment: Comment, people: Iterable[User], actor: User) -> None:
    """A personal notification for each person newly mentioned (not the author)."""
    for person in people:
        if person.pk == actor.pk:
            continue
        notify_user(
            user_id=person.pk,
            type="comment.mentioned",
            project_id=comment.project_id,
            data={
                "comment": str(comment.id),
                "version": str(comment.version_id),
                "frame": comment.frame,
                "by": actor.name,
                "body": comment.body[:300],
                "internal": comment.internal,
            },
        )


def _comment_event(comment: Comment, change: str) -> None:
    publish(
        type="comment.created" if change == "created" else "comment.updated",
        project_id=comment.project_id,
        data={
            "id": str(comment.id),
            "version": str(comment.version_id),
            "parent": str(comment.parent_id) if comment.parent_id else None,
            "frame": comment.frame,
            "frame_end": comment.frame_end,
            "internal": comment.internal,
            "resolved": comment.resolved,
            "deleted": comment.deleted_at is not None,
            "author": str(comment.author_id) if comment.author_id else None,
            "body": "" if comment.deleted_at else comment.body[:1000],
            "change": change,
            "mentions": [str(u) for u in comment.mentions.values_list("pk", flat=True)],
        },
        audience="internal" if comment.internal else "all",
    )


def create_comment(
    *,
    actor: User,
    version: Version,
    body: str = "",
    frame=None,
    frame_end=None,
    parent: Comment | None = None,
    internal: bool = False,
    mentions=None,
    annotations=None,
) -> Comment:
    """A note at a frame (or frame range) of a version, or a reply in an existing thread."""
    access = perms.require_project_role(user=actor, project=version.project, roles=perms.COMMENT, action="comment")
    body = _text(body, field="body", max_length=MAX_COMMENT_LENGTH)
    if not isinstance(internal, bool):
        raise ValidationError({"internal": ["Must be true or false."]})
    if internal and access.is_client:
        raise PermissionDenied("Client reviewers cannot write internal notes; leave 'internal' false.")
    if parent is not None:
        if parent.version_id != version.id:
            raise ValidationError({"parent": ["The comment you reply to is on another version."]})
        root = parent.parent if parent.parent_id else parent
        if root.internal and access.is_client:
            raise NotFound("Not found.")
        frame, frame_end, internal = root.frame, root.frame_end, root.internal or internal
        if annotations:
            raise ValidationError({"annotations": ["Replies cannot carry annotations; draw them on a new comment."]})
    else:
        root = None
        if frame is None or frame == "":
            first, last = version.first_frame, version.last_frame
            span = f" ({first}-{last})" if last is not None else ""
            raise ValidationError({"frame": [f"This field is required: the frame number this note is about{span}."]})
        frame = _check_frame(version, frame, field="frame")
        if frame_end is not None and frame_end != "":
            frame_end = _check_frame(version, frame_end, field="frame_end")
            if frame_end < frame:
                raise ValidationError({"frame_end": [f"frame_end ({frame_end}) is before frame ({frame}); a range runs forwards."]})
            if frame_end == frame:
                frame_end = None
        else:
            frame_end = None
    rows = _annotation_rows(annotations=annotations, frame=frame, frame_end=frame_end)
    if not body and not rows:
        raise ValidationError({"body": ["Write a note or draw an annotation."]})
    people = _mentioned_users(project=version.project, user_ids=mentions, internal=internal)
    with transaction.atomic():
        comment = Comment.objects.create(
            project_id=version.project_id,
            version=version,
            parent=root,
            author=actor,
            body=body,
            frame=frame,
            frame_end=frame_end,
            internal=internal,
        )
        if people:
            comment.mentions.set(people)
        Annotation.objects.bulk_create([Annotation(project_id=version.project_id, comment=comment, **row) for row in rows])
        audit.record(
            organization=version.project.organization,
            actor=actor,
            action="comment.created",
            target=comment,
            data={
                "version": str(version.id),
                "frame": frame,
                "frame_end": frame_end,
                "internal": internal,
                "reply_to": str(root.id) if root else None,
                "annotations": len(rows),
            },
        )
        _comment_event(comment, "created")
        _notify_mentioned(comment, people, actor)
    return comment


def edit_comment(*, actor: User, comment: Comment, **changes) -> Comment:
    """Edit the body or mentions (the author only; the previous body is kept), or resolve/reopen."""
    access = perms.require_project_role(user=actor, project=comment.project, roles=perms.COMMENT, action="comment")
    unknown = set(changes) - {"body", "resolved", "mentions"}
    if unknown:
        raise ValidationError({name: ["Unknown or read-only field."] for name in sorted(unknown)})
    is_author = comment.author_id == actor.pk
    if ("body" in changes or "mentions" in changes) and not is_author:
        raise PermissionDenied("Only the author may edit a comment's text or mentions.")
    if "resolved" in changes:
        if not isinstance(changes["resolved"], bool):
            raise ValidationError({"resolved": ["Must be true or false."]})
        if not (is_author or access.has(perms.MODERATE_COMMENTS) or (access.internal and access.role == Role.ARTIST)):
            raise PermissionDenied("Only the author or the studio team may resolve or reopen this comment.")
    with transaction.atomic():
        comment = Comment.objects.select_for_update().select_related("version", "project__organization").get(pk=comment.pk)
        if comment.deleted_at is not None:
            raise Conflict("This comment was deleted; it cannot be edited.")
        diff: dict = {}
        if "body" in changes:
            body = _text(changes["body"], field="body", max_length=MAX_COMMENT_LENGTH)
            if not body and not comment.annotations.exists():
                raise ValidationError({"body": ["A comment without annotations needs text; delete it instead."]})
            if body != comment.body:
                CommentRevision.objects.create(comment=comment, body=comment.body, edited_by=actor)
                diff["body"] = [comment.body, body]
                comment.body = body
                comment.edited_at = timezone.now()
        if "mentions" in changes:
            people = _mentioned_users(project=comment.project, user_ids=changes["mentions"], internal=comment.internal)
            before = sorted(str(u) for u in comment.mentions.values_list("pk", flat=True))
            after = sorted(str(u.pk) for u in people)
            if before != after:
                comment.mentions.set(people)
                diff["mentions"] = [before, after]
                new_people = [p for p in people if str(p.pk) not in before]
        if "resolved" in changes and changes["resolved"] != comment.resolved:
            comment.resolved = changes["resolved"]
            comment.resolved_by = actor if comment.resolved else None
            comment.resolved_at = timezone.now() if comment.resolved else None
            diff["resolved"] = [not comment.resolved, comment.resolved]
        if diff:
            comment.save()
            audit.record(
                organization=comment.project.organization, actor=actor, action="comment.updated", target=comment, data={"changes": diff}
            )
            _comment_event(comment, "resolved" if set(diff) == {"resolved"} else "edited")
            if "mentions" in diff:
                _notify_mentioned(comment, new_people, actor)
    return comment


def delete_comment(*, actor: User, comment: Comment) -> Comment:
    """Delete a comment's content (the author, or supervisors and up). The thread and history stay."""
    access = perms.require_project_role(user=actor, project=comment.project, roles=perms.COMMENT, action="comment")
    if comment.author_id != actor.pk and not access.has(perms.MODERATE_COMMENTS):
        raise PermissionDenied("Only the author, supervisors, producers, admins and owners may delete a comment.")
    with transaction.atomic():
        comment = Comment.objects.select_for_update().select_related("project__organization").get(pk=comment.pk)
        if comment.deleted_at is None:
            CommentRevision.objects.create(comment=comment, body=comment.body, edited_by=actor)
            comment.deleted_at = timezone.now()
            comment.body = ""
            comment.save(update_fields=["deleted_at", "body", "updated_at"])
            comment.annotations.all().delete()
            audit.record(organization=comment.project.organization, actor=actor, action="comment.deleted", target=comment)
            _comment_event(comment, "deleted")
    return comment


# ---------------------------------------------------------------- approvals


@dataclass
class LaneState:
    lane: str
    required: bool
    state: str
    decisions: list[Approval] = field(default_factory=list)


def lane_states(version: Version, approvals: Iterable[Approval]) -> tuple[str, list[LaneState]]:
    """The version's approval status and each lane's state from its decisions.

    A lane is `changes_requested` when any of its reviewers asks for changes, `approved` when at
    least one approves and none asks for changes, else `pending`. The version is `approved` when
    every required lane is approved, `changes_requested` when any lane asks for changes, else
    `pending`.
    """
    required = lane_registry.required_lanes_for(version)
    by_lane: dict[str, list[Approval]] = {}
    for approval in approvals:
        by_lane.setdefault(approval.lane, []).append(approval)
    states = []
    for name in lane_registry.lane_names():
        lane = lane_registry.LANES[name]
        if lane.read is not None:
            # Decisions kept elsewhere (the agency's reviews of likeness uses); shown only where the lane applies.
            if name not in required:
                continue
            state, decisions = lane.read(version)
            states.append(LaneState(lane=name, required=True, state=state, decisions=decisions))
            continue
        decisions = by_lane.get(name, [])
        kinds = {d.decision for d in decisions}
        if Approval.Decision.CHANGES_REQUESTED in kinds:
            state = "changes_requested"
        elif Approval.Decision.APPROVED in kinds:
            state = "approved"
        else:
            state = "pending"
        states.append(LaneState(lane=name, required=name in required, state=state, decisions=decisions))
    if version.quarantined_at is None and all(s.state == "approved" for s in states if s.required):
        # A quarantined version (its likeness grant stopped covering it) is never approved.
        overall = Version.ApprovalStatus.APPROVED
    elif any(s.state == "changes_requested" for s in states):
        overall = Version.ApprovalStatus.CHANGES_REQUESTED
    else:
        overall = Version.ApprovalStatus.PENDING
    return overall, states


def _restate_version(version: Version, before: str, after: str) -> Shot | None:
    """Store the version's new approval status and move its shot; returns the shot when it changed.

    approved -> the shot is approved (a final shot stays final); sent back -> the shot's retake count
    goes up by one and it returns to in progress; no longer approved -> back to review.
    """
    if after == before:
        return None
    version.approval_status = after
    version.save(update_fields=["approval_status", "updated_at"])
    shot = Shot.objects.select_for_update().get(pk=version.shot_id)
    fields = []
    if after == Version.ApprovalStatus.APPROVED and shot.status not in (Shot.Status.FINAL, Shot.Status.APPROVED):
        shot.status = Shot.Status.APPROVED
        fields.append("status")
    elif after == Version.ApprovalStatus.CHANGES_REQUESTED:
        shot.retake_count = F("retake_count") + 1
        fields.append("retake_count")
        if shot.status in (Shot.Status.REVIEW, Shot.Status.APPROVED, Shot.Status.PENDING):
            shot.status = Shot.Status.IN_PROGRESS
            fields.append("status")
    elif before == Version.ApprovalStatus.APPROVED and shot.status == Shot.Status.APPROVED:
        shot.status = Shot.Status.REVIEW
        fields.append("status")
    if not fields:
        return None
    shot.save(update_fields=[*fields, "updated_at"])
    shot.refresh_from_db(fields=["retake_count", "status"])
    return shot


def _restate_project_approvals(project: Project) -> int:
    """After the required lanes changed: recompute every decided version of the project."""
    changed = 0
    decided = Approval.objects.filter(project=project).values("version_id")
    versions = Version.objects.select_for_update().filter(project=project, pk__in=decided).select_related("project").order_by("pk")
    for version in versions:
        before = version.approval_status
        after, _ = lane_states(version, Approval.objects.filter(version=version))
        if after == before:
            continue
        changed += 1
        shot = _restate_version(version, before, after)
        publish(
            type="version.updated",
            project_id=project.id,
            data={"id": str(version.id), "change": "approval_status", "approval_status": after},
        )
        if shot is not None:
            _publish_shot(shot, "approval", retake_count=shot.retake_count, version=str(version.id))
    return changed


def decide_approval(*, actor: User, version: Version, lane: str, decision: str, note: str = "") -> Version:
    """Record `actor`'s decision in one lane of `version` — the only writer of approvals.

    Order: lane exists → caller may decide it → pre-decision policy (`lanes.check_decision_allowed`)
    → store the decision → recompute the version's status → move the shot (approved; or retake
    count +1 and back to in progress when the version is first sent back) → audit → publish.
    """
    lane_def = lane_registry.get_lane(lane) if isinstance(lane, str) else None
    if lane_def is None:
        raise ValidationError({"lane": [f"Unknown lane {lane!r}; use one of: {', '.join(lane_registry.lane_names())}."]})
    if decision not in Approval.Decision.values:
        raise ValidationError({"decision": [f"Use one of: {', '.join(Approval.Decision.values)}."]})
    note = _text(note, field="note", max_length=10_000)
    if decision == Approval.Decision.CHANGES_REQUESTED and not note:
        raise ValidationError({"note": ["Say what needs to change: a note is required when requesting changes."]})
    access = lane_registry.access_for_decision(lane=lane_def, user=actor, version=version)
    try:
        if lane_def.read is not None:
            return _decide_agency_lane(actor=actor, access=access, lane_def=lane_def, version=version, decision=decision, note=note)
        return _store_decision(actor=actor, access=access, lane_def=lane_def, version=version, decision=decision, note=note)
    except PolicyDenied as refused:
        # The check ran inside the rolled-back transaction without auditing; the refusal is audited now.
        _audit_refusal(actor=actor, version=version, lane=lane_def.name, decision=decision, refused=refused)
        raise


def _audit_refusal(*, actor: User, version: Version, lane: str, decision: str, refused: PolicyDenied) -> None:
    consent = refused.decision
    if consent.denied:
        consent_policy.audit_denial(decision=consent, actor=actor)
        return
    with transaction.atomic():
        audit.record(
            organization=version.project.organization,
            actor=actor,
            action="approval.refused",
            target=version,
            data={
                "shot": version.shot.code,
                "version": version.label,
                "lane": lane,
                "decision": decision,
                "outcome": consent.outcome,
                "policy_version": consent.policy_version,
                "reviews": [r.as_dict() for r in consent.reviews],
            },
        )


def _decide_agency_lane(*, actor: User, access, lane_def, version: Version, decision: str, note: str) -> Version:
    """The agency lane: the representing agency approves or rejects its talent's pending uses in the
    version (`rights.services.decide_use`); the `likeness_use_decided` receiver then restates the
    version, audits `approval.decided` and publishes, exactly as for a decision made on
    `/likeness-uses/{id}/decide/`. The use rows are locked before the version (the order a
    revocation takes them in)."""
    from rights import selectors as rights_selectors
    from rights import services as rights_services

    version = Version.objects.select_related("shot", "project__organization").get(pk=version.pk)
    lane_def.authorize(access=access, version=version)
    lane_registry.check_decision_allowed(version=version, lane=lane_def, decision=decision, access=access)
    with transaction.atomic():
        uses = rights_selectors.pending_reviews_for_agency(version=version, agency_id=access.organization_id)
        if not uses:
            reviewed = rights_selectors.review_uses_for_version(version=version)
            mine = [u for u in reviewed if u.talent.organization_id == access.organization_id]
            invalidated = [u for u in mine if u.state == "invalidated"]
            if invalidated:
                raise Conflict(f"{version.label} is quarantined ({invalidated[0].invalidated_reason}); there is nothing to decide.")
            states = ", ".join(sorted({f"{u.talent.name}: {u.state}" for u in mine})) or "none"
            raise Conflict(
                f"No use in {version.label} awaits your agency's review ({states}). Decisions are final; revoke or suspend "
                "the grant to stop further use."
            )
        verb = "approve" if decision == Approval.Decision.APPROVED else "reject"
        for use in uses:
            rights_services.decide_use(actor=actor, use=use, decision=verb, note=note)
    return Version.objects.select_related("shot", "project__organization").get(pk=version.pk)


def _store_decision(*, actor: User, access, lane_def, version: Version, decision: str, note: str) -> Version:
    with transaction.atomic():
        version = Version.objects.select_for_update().select_related("shot", "project__organization").get(pk=version.pk)
        lane_def.authorize(access=access, version=version)
        lane_registry.check_decision_allowed(version=version, lane=lane_def, decision=decision, access=access)
        now = timezone.now()
        approval, created = Approval.objects.update_or_create(
            version=version,
            lane=lane_def.name,
            reviewer=actor,
            defaults={"decision": decision, "note": note, "decided_at": now, "project_id": version.project_id},
        )
        _settle_decision(
            version=version, actor=actor, lane=lane_def.name, decision=decision, note=note,
            audit_extra={"role": access.role, "replaced_previous": not created},
        )
    return version


def _settle_decision(*, version: Version, actor: User, lane: str, decision: str, note: str, audit_extra: dict) -> None:
    """After a lane decision: restate the version (and its shot), audit the decision, publish it.
    Runs inside the deciding transaction with the version row locked."""
    before = version.approval_status
    after, _ = lane_states(version, Approval.objects.filter(version=version))
    shot_change = _restate_version(version, before, after)
    audit.record(
        organization=version.project.organization,
        actor=actor,
        action="approval.decided",
        target=version,
        data={
            "shot": version.shot.code,
            "version": version.label,
            "lane": lane,
            "decision": decision,
            "note": note,
            **audit_extra,
            "status": [before, after],
        },
    )
    publish(
        type="approval.decided",
        project_id=version.project_id,
        data={
            "version": str(version.id),
            "shot": str(version.shot_id),
            "lane": lane,
            "decision": decision,
            "reviewer": str(actor.pk),
            "approval_status": after,
            "note": note[:1000],
        },
    )
    if shot_change is not None:
        _publish_shot(shot_change, "approval", retake_count=shot_change.retake_count, version=str(version.id))


def record_agency_review(*, use, actor: User, decision: str, note: str = "") -> Version | None:
    """The agency decided one likeness use (`rights.signals.likeness_use_decided`): restate the
    `agency` lane of the use's version, audit it as an approval decision and publish it. Runs in the
    agency's transaction; the use row is already locked, the version is locked after it."""
    if use.version_id is None:
        return None  # the render has not produced its version yet; the lane reads the use once it has
    version = Version.objects.select_for_update().select_related("shot", "project__organization").get(pk=use.version_id)
    lane_decision = Approval.Decision.APPROVED if decision == "approve" else Approval.Decision.CHANGES_REQUESTED
    role = Membership.objects.filter(user=actor, organization_id=use.talent.organization_id).values_list("role", flat=True).first()
    _settle_decision(
        version=version, actor=actor, lane="agency", decision=lane_decision, note=note,
        audit_extra={
            "role": role,
            "agency": {"id": str(use.talent.organization_id), "name": use.talent.organization.name},
            "talent": {"id": str(use.talent_id), "name": use.talent.name},
            "use": str(use.pk),
            "replaced_previous": False,
        },
    )
    return version


# ---------------------------------------------------------------- consent quarantine


def quarantine_versions(*, version_ids: Iterable, reason: str, cause: str, grant_id=None, actor: User | None = None) -> list[Version]:
    """Versions whose likeness grant stopped covering them (`rights.signals.grant_stopped_covering`):
    they cannot be approved, exported or delivered, and show why. An approved one falls back to
    pending (its shot back to review). Audited, published (`version.updated`, change `quarantined`)
    and the version's author is notified. Runs in the transaction that changed the grant."""
    ids = sorted({str(v) for v in version_ids})
    if not ids:
        return []
    now = timezone.now()
    changed: list[Version] = []
    versions = Version.objects.select_for_update(of=("self",)).select_related("shot", "project__organization").filter(pk__in=ids)
    for version in versions.order_by("pk"):
        first = version.quarantined_at is None
        version.quarantined_at = version.quarantined_at or now
        version.quarantine_reason = reason[:4000]
        version.save(update_fields=["quarantined_at", "quarantine_reason", "updated_at"])
        before = version.approval_status
        after, _ = lane_states(version, Approval.objects.filter(version=version))
        shot_change = _restate_version(version, before, after)
        audit.record(
            organization=version.project.organization,
            actor=actor,
            actor_label="" if actor else f"consent {cause}",
            action="version.quarantined",
            target=version,
            data={"shot": version.shot.code, "version": version.label, "cause": cause, "reason": reason,
                  "grant": str(grant_id) if grant_id else None, "status": [before, after], "already_quarantined": not first},
        )
        _publish_quarantine(version, change="quarantined", approval_status=after)
        if shot_change is not None:
            _publish_shot(shot_change, "approval", retake_count=shot_change.retake_count, version=str(version.id))
        if version.created_by_id:
            notify_user(
                user_id=version.created_by_id, type="version.quarantined", project_id=version.project_id,
                data={"version": str(version.id), "shot": version.shot.code, "label": version.label, "reason": reason},
            )
        changed.append(version)
    return changed


def release_versions(*, version_ids: Iterable, actor: User | None = None, note: str = "") -> list[Version]:
    """A suspended grant was resumed (`rights.signals.grant_resumed_covering`): versions with no
    likeness use left invalidated leave quarantine (their approvals count again); the others keep it,
    with the remaining reason."""
    from rights import selectors as rights_selectors

    ids = sorted({str(v) for v in version_ids})
    released: list[Version] = []
    versions = Version.objects.select_for_update(of=("self",)).select_related("shot", "project__organization").filter(
        pk__in=ids, quarantined_at__isnull=False
    )
    for version in versions.order_by("pk"):
        remaining = rights_selectors.invalidated_uses_for_version(version=version)
        if remaining:
            version.quarantine_reason = remaining[0].invalidated_reason
            version.save(update_fields=["quarantine_reason", "updated_at"])
            continue
        previous = version.quarantine_reason
        version.quarantined_at, version.quarantine_reason = None, ""
        version.save(update_fields=["quarantined_at", "quarantine_reason", "updated_at"])
        before = version.approval_status
        after, _ = lane_states(version, Approval.objects.filter(version=version))
        shot_change = _restate_version(version, before, after)
        audit.record(
            organization=version.project.organization,
            actor=actor,
            actor_label="" if actor else "consent resumed",
            action="version.released",
            target=version,
            data={"shot": version.shot.code, "version": version.label, "was": previous, "note": note, "status": [before, after]},
        )
        _publish_quarantine(version, change="released", approval_status=after)
        if shot_change is not None:
            _publish_shot(shot_change, "approval", retake_count=shot_change.retake_count, version=str(version.id))
        released.append(version)
    return released


def _publish_quarantine(version: Version, *, change: str, approval_status: str) -> None:
    # Internal: the reason names the talent and the agency's decision, which client reviewers do not see.
    publish(
        type="version.updated",
        project_id=version.project_id,
        audience="internal",
        data={
            "id": str(version.id),
            "shot": str(version.shot_id),
            "change": change,
            "quarantined": version.quarantined_at is not None,
            "quarantine_reason": version.quarantine_reason,
            "approval_status": approval_status,
        },
    )


def check_delivery(*, version: Version, actor: User) -> None:
    """Before a version's original leaves the platform: the consent policy must allow delivery
    (403 with the reasons otherwise; a denial is audited by the policy)."""
    consent_policy.check_version_use(version=version, purpose="deliver", actor=actor).raise_unless_permitted()


# ---------------------------------------------------------------- playlists


def _playlist_versions(project: Project, version_ids) -> list[Version]:
    if not isinstance(version_ids, (list, tuple)):
        raise ValidationError({"versions": ["Give a list of version ids in playing order."]})
    ids = [str(v) for v in version_ids]
    if len(ids) > MAX_PLAYLIST_ITEMS:
        raise ValidationError({"versions": [f"A playlist holds at most {MAX_PLAYLIST_ITEMS} versions."]})
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ValidationError({"versions": [f"Each version may appear once; repeated: {', '.join(duplicates[:10])}."]})
    valid = [i for i in ids if _is_uuid(i)]
    found = {str(v.pk): v for v in Version.objects.filter(project=project, pk__in=valid)}
    missing = [i for i in ids if i not in found]
    if missing:
        raise ValidationError({"versions": [f"Not versions of this project: {', '.join(missing[:10])}."]})
    return [found[i] for i in ids]


def _set_items(playlist: Playlist, versions: list[Version]) -> None:
    playlist.items.all().delete()
    PlaylistItem.objects.bulk_create([PlaylistItem(playlist=playlist, version=v, order=i) for i, v in enumerate(versions)])


def _playlist_event(playlist: Playlist, change: str) -> None:
    publish(
        type="playlist.updated",
        project_id=playlist.project_id,
        data={"id": str(playlist.id), "name": playlist.name, "change": change},
        audience="internal" if playlist.audience == Playlist.Audience.INTERNAL else "all",
    )


def _playlist_values(changes: dict) -> dict:
    values = {}
    if "name" in changes:
        values["name"] = _text(changes["name"], field="name", max_length=200, required=True)
    if "description" in changes:
        values["description"] = _text(changes["description"], field="description", max_length=10_000)
    if "audience" in changes:
        if changes["audience"] not in Playlist.Audience.values:
            raise ValidationError({"audience": [f"Use one of: {', '.join(Playlist.Audience.values)}."]})
        values["audience"] = changes["audience"]
    return values


def create_playlist(
    *, actor: User, project: Project, name: str, description: str = "", audience: str = "internal", versions=()
) -> Playlist:
    perms.require_project_role(user=actor, project=project, roles=perms.EDIT_PLAYLISTS, action="build playlists")
    values = _playlist_values({"name": name, "description": description, "audience": audience})
    items = _playlist_versions(project, list(versions or []))
    with transaction.atomic():
        playlist = Playlist.objects.create(project=project, created_by=actor, **values)
        _set_items(playlist, items)
        audit.record(
            organization=project.organization,
            actor=actor,
            action="playlist.created",
            target=playlist,
            data={"name": playlist.name, "audience": playlist.audience, "versions": len(items)},
        )
        _playlist_event(playlist, "created")
    return playlist


def update_playlist(*, actor: User, playlist: Playlist, **changes) -> Playlist:
    project = playlist.project
    perms.require_project_role(user=actor, project=project, roles=perms.EDIT_PLAYLISTS, action="edit playlists")
    unknown = set(changes) - {"name", "description", "audience", "versions"}
    if unknown:
        raise ValidationError({name: ["Unknown field."] for name in sorted(unknown)})
    values = _playlist_values(changes)
    items = _playlist_versions(project, changes["versions"]) if "versions" in changes else None
    with transaction.atomic():
        playlist = Playlist.objects.select_for_update().get(pk=playlist.pk)
        for key, value in values.items():
            setattr(playlist, key, value)
        playlist.save()
        if items is not None:
            _set_items(playlist, items)
        audit.record(
            organization=project.organization, actor=actor, action="playlist.updated", target=playlist, data={"fields": sorted(changes)}
        )
        _playlist_event(playlist, "updated")
    return playlist


def delete_playlist(*, actor: User, playlist: Playlist) -> None:
    project = playlist.project
    perms.require_project_role(user=actor, project=project, roles=perms.EDIT_PLAYLISTS, action="delete playlists")
    with transaction.atomic():
        audit.record(
            organization=project.organization, actor=actor, action="playlist.deleted", target=playlist, data={"name": playlist.name}
        )
        _playlist_event(playlist, "deleted")
        playlist.delete()


# ---------------------------------------------------------------- shot-list imports (CSV, OTIO/EDL)


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
            sequences = {s.code: s for s in Sequence.objects.select_for_update().filter(project=project)}
            existing = {s.code: s for s in Shot.objects.select_for_update().filter(project=project).prefetch_related("assignees")}
            next_seq_order = _next_order(project.sequences.all())
            next_shot_order = _next_order(project.shots.all())
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
            summary["not_in_file"] = sorted(set(existing) - seen)
            if dry_run:
                transaction.set_rollback(True)
            else:
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
    except IntegrityError:
        raise Conflict(
            "The shot list changed while this import ran (someone created the same shot or sequence); nothing was written. "
            "Run the import again."
        )
    return summary


def resolve_or_404(queryset, pk):
    """A row of an already-scoped queryset, or 404 (bad UUIDs included)."""
    if not _is_uuid(str(pk)):
        raise NotFound("Not found.")
    row = queryset.filter(pk=pk).first()
    if row is None:
        raise NotFound("Not found.")
    return row
