"""Who may do what on a project. Services call `require_project_role`; selectors use `project_access`.

A person reaches a project in one of two ways:
- an organization-wide role in the studio (owner, admin, producer, supervisor, artist, legal): every
  project of that studio, with that role;
- a `ProjectMember` row (client reviewers, vendors, a freelance producer): that project only, with
  the role given there.

Not reaching the project at all is a 404 (its existence is not revealed); reaching it with a role
that may not do something is a 403 that names the roles that may.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from uuid import UUID

from django.db.models import Q
from rest_framework.exceptions import NotFound, PermissionDenied

from projects.models import Project, ProjectMember
from studio.tenancy.models import ORG_WIDE_ROLES, Membership, Role

# Who may do what. Kept together so a reviewer can read the whole permission model in one place.
MANAGE_PROJECT = frozenset({Role.OWNER, Role.ADMIN, Role.PRODUCER})  # settings, members, lanes
CREATE_PROJECT = MANAGE_PROJECT
EDIT_SHOTS = frozenset({Role.OWNER, Role.ADMIN, Role.PRODUCER, Role.SUPERVISOR})  # sequences, shots, imports
ADD_VERSIONS = frozenset({Role.OWNER, Role.ADMIN, Role.PRODUCER, Role.SUPERVISOR, Role.ARTIST})
COMMENT = frozenset({Role.OWNER, Role.ADMIN, Role.PRODUCER, Role.SUPERVISOR, Role.ARTIST, Role.REVIEWER, Role.LEGAL})
MODERATE_COMMENTS = frozenset({Role.OWNER, Role.ADMIN, Role.PRODUCER, Role.SUPERVISOR})  # resolve/delete others' notes
EDIT_PLAYLISTS = frozenset({Role.OWNER, Role.ADMIN, Role.PRODUCER, Role.SUPERVISOR})
CLIENT_ROLES = frozenset({Role.REVIEWER})


@dataclass(frozen=True)
class ProjectAccess:
    project: Project
    role: str
    via: str  # "organization", "project", or "agency" (a talent agency deciding its lane; see projects.lanes)
    organization_id: UUID | None = None  # for via="agency": the agency the caller decides for

    @property
    def is_client(self) -> bool:
        """Client reviewers: no internal notes, no internal playlists, no artist names."""
        return self.role in CLIENT_ROLES

    @property
    def internal(self) -> bool:
        return not self.is_client

    def has(self, roles: Iterable[str]) -> bool:
        return self.role in set(roles)


def access_for(*, user, project: Project) -> ProjectAccess | None:
    """The caller's role on `project`, or None when they cannot see it."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return None
    membership = Membership.objects.filter(user=user, organization_id=project.organization_id).values_list("role", flat=True).first()
    if membership in ORG_WIDE_ROLES:
        return ProjectAccess(project=project, role=membership, via="organization")
    member_role = ProjectMember.objects.filter(user=user, project=project).values_list("role", flat=True).first()
    if member_role is not None:
        return ProjectAccess(project=project, role=member_role, via="project")
    return None


def project_access(*, user, project: Project) -> ProjectAccess:
    access = access_for(user=user, project=project)
    if access is None:
        raise NotFound("Not found.")
    return access


def require_project_role(*, user, project: Project, roles: Iterable[str], action: str) -> ProjectAccess:
    """The caller's access to `project`; 404 when they cannot see it, 403 naming the roles that may."""
    access = project_access(user=user, project=project)
    roles = frozenset(roles)
    if access.role not in roles:
        allowed = ", ".join(sorted(str(r) for r in roles))
        raise PermissionDenied(f"Your role '{access.role}' on this project may not {action}; it needs one of: {allowed}.")
    return access


EDIT_NOTE_REFUSAL = "Only the version's author, supervisors, producers, admins and owners may edit its note."


def may_edit_version_note(*, access: ProjectAccess, version, user) -> bool:
    """Shot editors edit any version's note; people who add versions edit the notes of their own."""
    return access.has(EDIT_SHOTS) or (access.has(ADD_VERSIONS) and version.created_by_id == getattr(user, "pk", None))


def internal_rows_q(*, user, project_path: str = "project") -> Q:
    """A filter matching rows of projects where `user` is studio-internal (not a client reviewer).

    Used to hide internal notes and internal playlists from client reviewers in querysets that
    were already scoped by the tenancy base.
    """
    org_ids = list(Membership.objects.filter(user=user, role__in=list(ORG_WIDE_ROLES)).values_list("organization_id", flat=True))
    member_projects = ProjectMember.objects.filter(user=user).exclude(role__in=list(CLIENT_ROLES)).values("project_id")
    return Q(**{f"{project_path}__organization_id__in": org_ids}) | Q(**{f"{project_path}_id__in": member_projects})


def can_see_project(*, user, project: Project) -> bool:
    return access_for(user=user, project=project) is not None
