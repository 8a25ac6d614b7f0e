"""How shot fields are cleaned, who may be assigned, and who may move a shot's status: shared by
the shot services and the shot-list imports. Internal to `projects.services`."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q
from rest_framework.exceptions import PermissionDenied, ValidationError

from projects import access as perms
from projects.models import Project, ProjectMember, Sequence, Shot
from projects.services._common import _code, _int, _is_uuid, _text
from studio.tenancy.models import Membership, Role, User

ASSIGNABLE_ROLES = frozenset({Role.OWNER, Role.ADMIN, Role.PRODUCER, Role.SUPERVISOR, Role.ARTIST})


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


