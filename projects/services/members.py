"""Project members: people added to one project only (client reviewers, vendors)."""

from __future__ import annotations

from django.db import transaction
from rest_framework.exceptions import ValidationError

from projects import access as perms
from projects.models import PROJECT_MEMBER_ROLES, Project, ProjectMember
from projects.services._common import _insert
from studio.audit import services as audit
from studio.realtime.publish import publish, recheck_access
from studio.tenancy.models import ORG_WIDE_ROLES, Membership, Role, User


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
        member = ProjectMember.objects.select_for_update(of=("self",), no_key=True).select_related("user").get(pk=member.pk)
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
            recheck_access(user_id=member.user_id)  # their open sockets take the new role (or close) at once
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
        recheck_access(user_id=user_id)  # their sockets on this project close at once
