"""Who may see or act on a project, a shot or a version: the one place that decides it.

A person reaches a project in one of two ways:
- an organization-wide role in the studio (owner, admin, producer, supervisor, artist, legal): every
  project of that studio, with that role;
- a `ProjectMember` row (client reviewers, vendors, a freelance producer): that project only, with
  the role given there.
A shot or a version is reached through its project. For the `agency` approval lane, a member of the
talent agency that reviews a version's likeness use reaches that version as the agency
(`access_for_decision`).

Not reaching the project at all is a 404 (its existence is not revealed); reaching it with a role
that may not do something is a 403 that names the roles that may.

Everything else asks here:
- services call `require_project_role`; views and selectors use `project_access` / `access_for`;
- the tenancy base's `project_path` rule (rows of projects a user was added to) is
  `project_member_rows_q`, registered with the core by `ProjectsConfig.ready`
  (`studio.tenancy.selectors.register_project_scope`);
- the realtime streams (`projects.realtime.streams`) and the review room (`projects.realtime`) turn
  `access_for` into what the realtime core needs; `projects.lanes` gets the deciding caller's access
  from `access_for_decision`; rights' project directory (`projects.consent`) asks `access_for`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from uuid import UUID

from django.db.models import Q
from rest_framework.exceptions import NotFound, PermissionDenied

from projects.models import Playlist, Project, ProjectMember
from studio.tenancy.models import ORG_WIDE_ROLES, Membership, Role

# Who may do what. Kept together so a reviewer can read the whole permission model in one place.
MANAGE_PROJECT = frozenset({Role.OWNER, Role.ADMIN, Role.PRODUCER})  # settings, members, lanes
CREATE_PROJECT = MANAGE_PROJECT
EDIT_SHOTS = frozenset({Role.OWNER, Role.ADMIN, Role.PRODUCER, Role.SUPERVISOR})  # sequences, shots, imports
ADD_VERSIONS = frozenset({Role.OWNER, Role.ADMIN, Role.PRODUCER, Role.SUPERVISOR, Role.ARTIST})
COMMENT = frozenset({Role.OWNER, Role.ADMIN, Role.PRODUCER, Role.SUPERVISOR, Role.ARTIST, Role.REVIEWER, Role.LEGAL})
MODERATE_COMMENTS = frozenset({Role.OWNER, Role.ADMIN, Role.PRODUCER, Role.SUPERVISOR})  # resolve/delete others' notes
EDIT_PLAYLISTS = frozenset({Role.OWNER, Role.ADMIN, Role.PRODUCER, Role.SUPERVISOR})
DELIVER = frozenset({Role.OWNER, Role.ADMIN, Role.PRODUCER, Role.SUPERVISOR})  # delivery packages of approved cuts
CLIENT_ROLES = frozenset({Role.REVIEWER})
# Share links for people without an account (projects/services/sharing.py): made, revoked and their
# view log read by producers and supervisors (and owners, admins) of the studio.
SHARE_LINKS = frozenset({Role.OWNER, Role.ADMIN, Role.PRODUCER, Role.SUPERVISOR})
# Takes (renders in a shot's gallery, before any is a version) are the studio's work in progress:
# everyone but client reviewers sees them; those who add versions star, discard, re-run and publish them.
SEE_TAKES = frozenset({Role.OWNER, Role.ADMIN, Role.PRODUCER, Role.SUPERVISOR, Role.ARTIST, Role.LEGAL})
WORK_ON_TAKES = ADD_VERSIONS
# Submitting versions (or a playlist) to the project's client reviewers, and withdrawing them
# (projects/services/submissions.py): the studio's producers and supervisors (and owners, admins).
SUBMIT_TO_CLIENT = frozenset({Role.OWNER, Role.ADMIN, Role.PRODUCER, Role.SUPERVISOR})
# Storyboards (pre-vis: panels, stills, animatics, panel notes) are the studio's work in progress like
# takes: everyone but client reviewers reads them (a board answers 404 to a client reviewer, as a take
# does); those who add versions edit panels; "Make shots" writes the shot list, so it needs EDIT_SHOTS.
SEE_BOARDS = SEE_TAKES
EDIT_BOARDS = ADD_VERSIONS


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
    org_ids = Membership.objects.filter(user=user, role__in=list(ORG_WIDE_ROLES)).values("organization_id")  # a subquery
    member_projects = ProjectMember.objects.filter(user=user).exclude(role__in=list(CLIENT_ROLES)).values("project_id")
    return Q(**{f"{project_path}__organization_id__in": org_ids}) | Q(**{f"{project_path}_id__in": member_projects})


# ---------------------------------------------------------------- studio internals
# One visibility rule for what is the studio's own: generation jobs (prompts, seeds, cast, workers,
# artists), their realtime events (`job.*`), a version's lineage and author, internal notes and
# playlists, a comment's edit history. Client reviewers never get them, in lists, single rows or
# events; the studio's own people (`ProjectAccess.internal`) do. Querysets filter with
# `internal_rows_q`, serializers ask `sees_studio_internals`, publishers send to
# `STUDIO_INTERNAL_AUDIENCE` (the realtime core drops those events for non-internal watchers).
STUDIO_INTERNAL_AUDIENCE = "internal"


def sees_studio_internals(access: ProjectAccess | None) -> bool:
    """True for the studio's own people on the project; False for client reviewers and for no access."""
    return access is not None and access.internal


def require_take_access(*, user, project: Project) -> ProjectAccess:
    """Access to a project's takes: 404 when the project is not visible, 403 for client reviewers."""
    access = project_access(user=user, project=project)
    if not access.has(SEE_TAKES):
        raise PermissionDenied("Takes are the studio's work in progress; client reviewers see a shot's published versions only.")
    return access


def require_board_access(*, user, project: Project, edit: bool = False) -> ProjectAccess:
    """Access to a project's storyboards: 404 when the project is not visible or for client
    reviewers (boards are the studio's work in progress); 403 to edit without EDIT_BOARDS."""
    access = project_access(user=user, project=project)
    if not access.has(SEE_BOARDS):
        raise NotFound("Not found.")
    if edit and not access.has(EDIT_BOARDS):
        allowed = ", ".join(sorted(str(r) for r in EDIT_BOARDS))
        raise PermissionDenied(f"Your role '{access.role}' on this project may not edit storyboards; it needs one of: {allowed}.")
    return access


def take_rows_q(*, user, project_path: str = "project") -> Q:
    """Rows of projects where `user` may see takes (an already tenancy-scoped queryset filtered with it
    drops client reviewers' rows, so a take answers 404 to them)."""
    org_ids = list(Membership.objects.filter(user=user, role__in=list(SEE_TAKES)).values_list("organization_id", flat=True))
    member_projects = ProjectMember.objects.filter(user=user, role__in=list(SEE_TAKES)).values("project_id")
    return Q(**{f"{project_path}__organization_id__in": org_ids}) | Q(**{f"{project_path}_id__in": member_projects})


# ---------------------------------------------------------------- watermarked review copies
# The review proxy streamed to anyone outside the studio carries a forensic watermark naming that viewer
# (projects/services/watermarks.py, docs/RIGHTS.md "Forensic watermark"): client reviewers, a talent
# agency deciding its lane, and anyone else who reaches the project through a ProjectMember row only
# (vendors, freelancers). The studio's own people (an organization-wide role) get the plain proxy.
TRACE_MARKS = frozenset({Role.OWNER, Role.ADMIN, Role.PRODUCER})  # "Trace a frame", in their own organization


def review_copy_audience(access: ProjectAccess) -> str | None:
    """None for the plain proxy; otherwise why the viewer gets a marked copy: client, agency or external."""
    if access.via == "agency":
        return "agency"
    if access.is_client:
        return "client"
    if access.via != "organization":
        return "external"
    return None


def can_see_project(*, user, project: Project) -> bool:
    return access_for(user=user, project=project) is not None


def studio_access_for(*, user, project: Project) -> ProjectAccess | None:
    """The caller's access when it comes from an organization-wide role in the owning studio (not
    from a ProjectMember row); None otherwise. Used where only the studio itself may act, e.g. when
    rights looks up a project for a grant request."""
    access = access_for(user=user, project=project)
    return access if access is not None and access.via == "organization" else None


def project_member_rows_q(*, user, project_path: str) -> Q:
    """Rows whose project (`project_path` from the row) `user` was added to as a ProjectMember.

    The tenancy base's `project_path` rule (`studio.tenancy.selectors.scope_queryset`); registered
    with the core by `ProjectsConfig.ready`, so the core never reads projects' tables itself.
    """
    return Q(**{f"{project_path}__in": ProjectMember.objects.filter(user=user).values("project_id")})


def roles_by_project(*, user, projects: Iterable[Project]) -> dict:
    """project id -> the caller's role on it (None where they have none), for a page of projects in two queries."""
    projects = list(projects)
    org_roles = dict(Membership.objects.filter(user=user, role__in=list(ORG_WIDE_ROLES)).values_list("organization_id", "role"))
    member_roles = dict(ProjectMember.objects.filter(user=user, project__in=[p.pk for p in projects]).values_list("project_id", "role"))
    return {p.pk: org_roles.get(p.organization_id) or member_roles.get(p.pk) for p in projects}


def playlist_visible_to(*, access: ProjectAccess, playlist: Playlist) -> bool:
    """Playlists kept for the studio (audience "internal") are invisible to client reviewers."""
    return playlist.audience != Playlist.Audience.INTERNAL or access.internal


def acting_agency_ids(*, user, project: Project) -> set | None:
    """None when the caller sees `project` (studio staff, project members); otherwise the ids of
    the organizations they act for (a talent agency reviewing a version's likeness use sees only
    what concerns its own talent)."""
    if can_see_project(user=user, project=project):
        return None
    return set(Membership.objects.filter(user=user, role__in=list(ORG_WIDE_ROLES)).values_list("organization_id", flat=True))


# ---------------------------------------------------------------- deciding an approval lane

@dataclass(frozen=True)
class CallerMembership:
    """One of the caller's organization memberships, as the agency lane needs it."""

    organization_id: UUID
    role: str
    organization_name: str


def memberships_of(user, *, organizations: Iterable | None = None) -> list[CallerMembership]:
    """The caller's memberships (of `organizations`, when given), by organization name. One query."""
    from studio.tenancy.models import Membership as MembershipRow

    if not getattr(user, "is_authenticated", False):
        return []
    rows = MembershipRow.objects.filter(user=user)
    if organizations is not None:
        rows = rows.filter(organization_id__in=list(organizations))
    rows = rows.order_by("organization__name").values_list("organization_id", "role", "organization__name")
    return [CallerMembership(*row) for row in rows]


def agency_access(*, memberships: list[CallerMembership], agency_ids: Iterable, project) -> ProjectAccess | None:
    """For the agency lane: a member of an agency that reviews the version decides as that agency
    (the first by name, when they belong to several), even if they also belong to the studio."""
    wanted = set(agency_ids)
    for membership in sorted(memberships, key=lambda m: m.organization_name):
        if membership.organization_id in wanted:
            return ProjectAccess(project=project, role=membership.role, via="agency", organization_id=membership.organization_id)
    return None



def access_for_decision(*, lane: str, user, version) -> ProjectAccess:
    """How `user` reaches `version` to decide the approval lane named `lane`; 404 when they cannot see it at all.

    For the agency lane, a member of an agency reviewing the version decides as that agency (even
    if they also belong to the studio); anyone else is judged by their project role.
    """
    if lane == "agency":
        from projects.consent import version_ref
        from rights.selectors import reviewing_agencies_for_version

        agencies = [a.pk for a in reviewing_agencies_for_version(version=version_ref(version))]
        access = agency_access(memberships=memberships_of(user, organizations=agencies), agency_ids=agencies, project=version.project)
        if access is not None:
            return access
    access = access_for(user=user, project=version.project)
    if access is None:
        raise NotFound("Not found.")
    return access


# ---------------------------------------------------------------- share links

def share_refusal(version) -> str | None:
    """Why `version` may not be shown through a share link (None when it may): held media never
    leaves through a link: a quarantined version (its consent stopped covering it) or one whose
    review media is not ready, and one the likeness scan holds (a protected face without consent)."""
    if version.quarantined_at is not None or getattr(version, "scan_held", False):
        return "This version is on hold and cannot be shown through a share link."
    if version.processing_status != "ready" or not version.proxy:
        return "This version's media is not available."
    return None


# ---------------------------------------------------------------- what a client sees
# Studio work stays internal until it is submitted (projects.submission_models.Submission). On a
# project where the caller is a client reviewer they reach a version only while it has an active
# submission and is neither held by the likeness scan, quarantined nor without review media; any other
# version of it answers 404 to them (rows, media, notes, approvals) and its events do not reach them.
# Everyone else (the studio, vendors, an agency deciding its lane) is not restricted by this rule.

def client_project_ids(*, user):
    """A subquery: the projects where `user` is a client reviewer (a reviewer ProjectMember row and no
    organization-wide role in the project's studio, as `access_for` decides)."""
    org_ids = Membership.objects.filter(user=user, role__in=list(ORG_WIDE_ROLES)).values("organization_id")
    return (
        ProjectMember.objects.filter(user=user, role__in=list(CLIENT_ROLES))
        .exclude(project__organization_id__in=org_ids)
        .values("project_id")
    )


def submitted_versions_q(*, version_path: str = "") -> Q:
    """Versions a client reviewer may see: submitted (an active submission) and not withheld."""
    from projects.models import Submission, Version

    p = f"{version_path}__" if version_path else ""
    active = Submission.objects.filter(withdrawn_at__isnull=True).values("version_id")
    return (
        Q(**{f"{p}pk__in": active})
        & Q(**{f"{p}quarantined_at__isnull": True})
        & ~Q(**{f"{p}scan_state": Version.ScanState.HELD})
        & Q(**{f"{p}processing_status": Version.Processing.READY})
    )


def client_visible_versions_q(*, user, version_path: str = "") -> Q:
    """A filter for an already tenancy-scoped queryset of versions (or of rows reached through
    `version_path`): on projects where `user` is a client reviewer, only submitted, unwithheld versions."""
    project = f"{version_path}__project_id__in" if version_path else "project_id__in"
    return ~Q(**{project: client_project_ids(user=user)}) | submitted_versions_q(version_path=version_path)


def client_may_see_version(*, access: ProjectAccess | None, version) -> bool:
    """For one version already in hand: True unless `access` is a client reviewer's and the version is
    not submitted (or is withheld)."""
    if access is None or not access.is_client:
        return True
    from projects.models import Version

    return Version.objects.filter(pk=version.pk).filter(submitted_versions_q()).exists()


def require_client_may_see(*, access: ProjectAccess | None, version) -> None:
    """404 for a client reviewer acting on a version not submitted to them (services call it; views filter first)."""
    if not client_may_see_version(access=access, version=version):
        raise NotFound("Not found.")


def client_reviewers(*, project: Project) -> list:
    """The active people who are client reviewers of `project` (as `access_for` decides: no org-wide role there)."""
    from studio.tenancy.models import User

    org_wide = Membership.objects.filter(organization_id=project.organization_id, role__in=list(ORG_WIDE_ROLES)).values("user_id")
    members = ProjectMember.objects.filter(project=project, role__in=list(CLIENT_ROLES)).exclude(user_id__in=org_wide).values("user_id")
    return list(User.objects.filter(pk__in=members, is_active=True).order_by("email"))


def submission_refusal(version) -> str | None:
    """Why `version` may not be submitted to the client (None when it may): held or quarantined media
    never reaches a client, and a version is submitted once its review media is ready."""
    label = getattr(version, "label", "This version")
    if version.quarantined_at is not None:
        return f"{label} is quarantined (a likeness grant stopped covering it); it cannot be submitted to the client."
    if getattr(version, "scan_held", False):
        return f"{label} is held by the likeness scan (a protected face without consent); it cannot be submitted to the client."
    if version.processing_status == "failed":
        return f"{label}'s review media failed to process; upload it again before submitting it to the client."
    if version.processing_status != "ready" or not version.proxy:
        return f"{label} is still processing; submit it to the client once its review proxy is ready."
    return None
