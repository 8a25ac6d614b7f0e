"""Reads for tenancy: who belongs where, and the one scoping rule every API view goes through."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from uuid import UUID

from django.db.models import Q, QuerySet
from rest_framework.exceptions import NotFound, PermissionDenied

from studio.tenancy.models import ORG_WIDE_ROLES, ApiToken, Membership, Organization, User

log = logging.getLogger(__name__)

# The `project_path` rule: (user=, project_path=) -> Q matching rows of the projects `user` was added
# to. The app that owns projects registers it at start (`projects.access.project_member_rows_q`,
# from `ProjectsConfig.ready`); the core never reads that app's tables itself.
ProjectScope = Callable[..., Q]
_project_scope: ProjectScope | None = None


def register_project_scope(rule: ProjectScope | None) -> None:
    """Install the `project_path` rule (called once, from the owning app's `ready()`); None removes it."""
    global _project_scope
    _project_scope = rule


def organization_ids_for(*, user: User, roles: Iterable[str] | None = None) -> list[UUID]:
    """Ids of the organizations where `user` holds one of `roles` (any role when None)."""
    if not getattr(user, "is_authenticated", False):
        return []
    qs = Membership.objects.filter(user=user)
    if roles is not None:
        qs = qs.filter(role__in=list(roles))
    return list(qs.values_list("organization_id", flat=True))


def memberships_for(*, user: User) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user).select_related("organization").order_by("organization__name")


def membership_of(*, user: User, organization: Organization | UUID | str) -> Membership | None:
    if not getattr(user, "is_authenticated", False):
        return None
    org_id = organization.pk if isinstance(organization, Organization) else organization
    return Membership.objects.filter(user=user, organization_id=org_id).select_related("organization").first()


def require_membership(
    *, user: User, organization: Organization | UUID | str, roles: Iterable[str] | None = None, action: str = ""
) -> Membership:
    """The caller's membership of `organization`.

    Not a member at all: 404 (the organization's existence is not revealed). A member without one
    of `roles`: 403 that says which roles may do it.
    """
    membership = membership_of(user=user, organization=organization)
    if membership is None:
        raise NotFound("Not found.")
    if roles is not None and membership.role not in set(roles):
        allowed = ", ".join(sorted(str(r) for r in roles))
        what = f" {action}" if action else " do this"
        raise PermissionDenied(f"Your role '{membership.role}' may not{what}; it needs one of: {allowed}.")
    return membership


def active_tokens_for(*, user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True)


def scope_queryset(
    queryset: QuerySet,
    *,
    user: User,
    tenant_path: str | tuple[str, ...] | None,
    project_path: str | None = None,
    owner_path: str | None = None,
    roles: Iterable[str] | None = None,
) -> QuerySet:
    """Restrict `queryset` to what `user` may see. Fails closed: with no rule, nothing is visible.

    - `owner_path`: the row belongs to one user (tokens, the user itself);
    - `tenant_path`: path(s) from the row to its Organization; visible to members of that
      organization holding one of `roles` (the organization-wide roles by default);
    - `project_path`: path from the row to its Project; also visible to members of that project
      (client reviewers and vendors who see one project and nothing else of the studio). The rule
      is the one the projects app registered (`register_project_scope`); with none registered, a
      queryset that asks for it yields nothing.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return queryset.none()
    if owner_path is None and tenant_path is None:
        return queryset.none()
    project_scope = _project_scope
    if project_path is not None and project_scope is None:
        log.error("tenancy: no project scope rule is registered; a view asking for project_path sees nothing (fail closed)")
        return queryset.none()

    condition = Q()
    if owner_path is not None:
        condition |= Q(**{owner_path: user.pk})
    if tenant_path is not None:
        paths = (tenant_path,) if isinstance(tenant_path, str) else tenant_path
        org_ids = organization_ids_for(user=user, roles=ORG_WIDE_ROLES if roles is None else roles)
        for path in paths:
            condition |= Q(**{f"{path}__in": org_ids})
    if project_path is not None:
        condition |= project_scope(user=user, project_path=project_path)
    return queryset.filter(condition)
