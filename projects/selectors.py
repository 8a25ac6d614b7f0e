"""Reads for production tracking. Views hand in querysets the tenancy base already scoped.

Every list here costs a fixed number of queries whatever its length (select_related, prefetches
and subquery annotations; see tests/projects/test_query_counts.py).
"""

from __future__ import annotations

from django.db.models import Case, CharField, Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce

from projects import access as perms
from projects import client_view
from projects.access import ProjectAccess, internal_rows_q
from projects.models import (
    Annotation,
    Approval,
    Comment,
    CommentRevision,
    Panel,
    Playlist,
    PlaylistItem,
    Project,
    ProjectMember,
    Shot,
    Version,
)
from studio.actions import BLOCKED, NOT_PERMITTED, Action, first_refusal
from studio.tenancy.models import ORG_WIDE_ROLES, Membership, Role, User

SHOT_ORDERINGS = {
    "order": ("sequence__order", "sequence__code", "order", "code"),
    "code": ("code",),
    "status": ("status", "sequence__order", "order", "code"),
    "frame_in": ("frame_in", "code"),
    "updated_at": ("updated_at", "code"),
    "retake_count": ("retake_count", "code"),
}


# What a shot row shows; loading only these keeps long lists fast (no version lineage JSON, …).
SHOT_LIST_COLUMNS = (
    "id",
    "project_id",
    "code",
    "order",
    "description",
    "prompt_notes",
    "frame_in",
    "frame_out",
    "status",
    "retake_count",
    "next_version_number",
    "created_at",
    "updated_at",
    "sequence__id",
    "sequence__code",
    "sequence__order",
    "current_version__id",
    "current_version__number",
    "current_version__source",
    "current_version__processing_status",
    "current_version__approval_status",
    "current_version__frame_count",
    "current_version__first_frame",
    "current_version__poster",
    "current_version__thumb",
    "current_version__created_at",
    "current_version__quarantined_at",
    "current_version__scan_state",
)


def shot_ordering(value: str | None) -> list[str]:
    """`order` (default: sequence order, then shot order), `code`, `status`, `frame_in`, `updated_at`,
    `retake_count`; a leading '-' reverses."""
    value = (value or "order").strip()
    descending = value.startswith("-")
    fields = SHOT_ORDERINGS.get(value.lstrip("-"))
    if fields is None:
        return list(SHOT_ORDERINGS["order"])
    if not descending:
        return list(fields)
    return [f[1:] if f.startswith("-") else f"-{f}" for f in fields]


def open_notes_count(*, access: ProjectAccess | None) -> Subquery:
    """Unresolved, undeleted root notes on a shot's current version (client reviewers: not the internal ones)."""
    notes = Comment.objects.filter(version_id=OuterRef("current_version_id"), parent__isnull=True, resolved=False, deleted_at__isnull=True)
    if access is not None and access.is_client:
        notes = notes.filter(internal=False)
    counted = notes.order_by().values("version_id").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def worst_likeness_use(*, version_column: str, access: ProjectAccess | None):
    """The most severe state of the likeness uses of a version (`studio.vocabulary.USE_SEVERITY`:
    rejected, invalidated, pending_review, approved), for the consent badges; None without uses.
    Uses linked to the version (`LikenessUse.version`, set when the render's version is made).
    Client reviewers never see the agency's decisions: None for them."""
    from django.db.models import Case, CharField, When

    from rights.models import LikenessUse
    from studio.vocabulary import USE_SEVERITY

    if access is not None and access.is_client:
        return Value(None, output_field=CharField())
    rank = Case(*(When(state=state, then=Value(i)) for i, state in enumerate(USE_SEVERITY)), default=Value(len(USE_SEVERITY)))
    worst = LikenessUse.objects.filter(version_id=OuterRef(version_column)).annotate(gl_rank=rank).order_by("gl_rank").values("state")[:1]
    return Subquery(worst, output_field=CharField())


def filter_shots(queryset: QuerySet, *, filters: dict | None = None) -> QuerySet:
    """The shots matching the list's filters, in the requested order (no columns chosen yet).

    Filters: `status` (comma-separated), `sequence` (id or code; `none` for unsequenced),
    `assignee` (user id, email, or `me`), `q` (code or description contains), `ordering`.
    """
    filters = filters or {}
    qs = queryset
    statuses = [s for s in (filters.get("status") or "").split(",") if s]
    if statuses:
        qs = qs.filter(status__in=statuses)
    sequence = (filters.get("sequence") or "").strip()
    if sequence == "none":
        qs = qs.filter(sequence__isnull=True)
    elif sequence:
        qs = qs.filter(Q(sequence__code=sequence) | Q(sequence_id=sequence)) if _is_uuid(sequence) else qs.filter(sequence__code=sequence)
    assignee = (filters.get("assignee") or "").strip()
    if assignee:
        if assignee == "me" and filters.get("user") is not None:
            qs = qs.filter(assignees=filters["user"])
        elif _is_uuid(assignee):
            qs = qs.filter(assignees__id=assignee)
        else:
            qs = qs.filter(assignees__email__iexact=assignee)
    search = (filters.get("q") or "").strip()
    if search:
        qs = qs.filter(Q(code__icontains=search) | Q(description__icontains=search))
    return qs.order_by(*shot_ordering(filters.get("ordering")))


def shot_list(queryset: QuerySet, *, access: ProjectAccess | None, filters: dict | None = None) -> QuerySet:
    """Shots (model rows, for ShotSerializer) with their sequence, current version (thumbnail),
    assignees and open-note count. The list endpoint renders its pages in PostgreSQL instead
    (`projects.shot_list_json`, the same fields and visibility)."""
    qs = filter_shots(queryset, filters=filters).select_related("sequence", "current_version").only(*SHOT_LIST_COLUMNS)
    if access is not None and access.is_client:
        return client_view.client_shots(qs)  # what a client sees: their submitted versions only
    if access is None or access.internal:
        qs = qs.prefetch_related(Prefetch("assignees", queryset=User.objects.only("id", "email", "display_name").order_by("email")))
    return qs.annotate(open_notes=open_notes_count(access=access),
                       current_likeness=worst_likeness_use(version_column="current_version_id", access=access))


def _is_uuid(value: str) -> bool:
    import uuid

    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def shot_detail(queryset: QuerySet, *, access: ProjectAccess | None) -> QuerySet:
    """One shot with its whole version stack (newest first)."""
    if access is not None and access.is_client:
        return shot_list(queryset, access=access)  # the stack is `client_stack` (client_view.client_shots)
    versions = (Version.objects.select_related("created_by").order_by("-number")
                .annotate(likeness_state=worst_likeness_use(version_column="pk", access=None)))
    panels = Panel.objects.select_related("storyboard__sequence")  # the storyboard panel it was made from (one at most)
    return shot_list(queryset, access=access).prefetch_related(
        Prefetch("versions", queryset=versions, to_attr="stack"), Prefetch("panels", queryset=panels, to_attr="board_panels")
    )


def version_list(queryset: QuerySet) -> QuerySet:
    return (queryset.select_related("shot", "created_by").order_by("-number")
            .annotate(likeness_state=worst_likeness_use(version_column="pk", access=None)))


def comment_thread_queryset(queryset: QuerySet, *, user, roots_only: bool = True) -> QuerySet:
    """Comments with author, mentions, annotations, edit history and their visible replies.

    Internal notes (and replies to them) are removed for client reviewers here, on top of the
    tenancy scoping.
    """
    visible = Q(internal=False) | internal_rows_q(user=user)
    queryset = queryset.filter(perms.client_visible_versions_q(user=user, version_path="version"))  # clients: submitted versions only
    # Edit history is a studio internal (projects.access): client reviewers get none.
    history = Prefetch("revisions", queryset=CommentRevision.objects.filter(internal_rows_q(user=user, project_path="comment__project")))
    replies = (
        Comment.objects.filter(visible)
        .select_related("author", "resolved_by", "agency")
        .prefetch_related("mentions", history)
        .order_by("created_at")
    )
    qs = (
        queryset.filter(visible)
        .select_related("author", "resolved_by", "agency")
        .prefetch_related(
            "mentions",
            history,
            Prefetch("annotations", queryset=Annotation.objects.order_by("frame", "created_at")),
            Prefetch("replies", queryset=replies),
        )
    )
    if roots_only:
        qs = qs.filter(parent__isnull=True)
    return qs.order_by("frame", "created_at")


def agency_note_threads(*, version: Version, agency_id) -> QuerySet:
    """What a talent agency sees of a version's notes: its own agency's threads (services.agency_notes)
    with every reply in them, without the edit history or whom the studio's replies mention."""
    quiet = (Prefetch("revisions", queryset=CommentRevision.objects.none()), Prefetch("mentions", queryset=User.objects.none()))
    replies = Comment.objects.select_related("author", "resolved_by", "agency").prefetch_related(*quiet).order_by("created_at")
    return (
        Comment.objects.filter(version=version, agency_id=agency_id, parent__isnull=True)
        .select_related("author", "resolved_by", "agency")
        .prefetch_related(*quiet, Prefetch("annotations", queryset=Annotation.objects.order_by("frame", "created_at")),
                          Prefetch("replies", queryset=replies))
        .order_by("frame", "created_at")
    )


def visible_comments_filter(*, user) -> Q:
    return Q(internal=False) | internal_rows_q(user=user)


def approval_summary(version: Version, *, agency_ids: set | None = None, user=None, access: ProjectAccess | None = None) -> dict:
    """The version's approval status, its required lanes, every lane's decisions, and what the consent
    policy says about approving it (quarantine, the agency's pending review, denials with reasons).

    `agency_ids`: the caller reaches the version only as the agency representing a talent it uses;
    they see the lanes' states but the decisions of the agency lane only, and only the consent
    reasons about their own talent (nothing else of the studio). With `user` (and their `access` to
    the project, None for an agency), `allowed_actions` says what they may decide in each lane.
    """
    from projects.consent import version_ref
    from projects.services import lane_states
    from rights import policy

    approvals = list(Approval.objects.filter(version=version).select_related("reviewer").order_by("decided_at"))
    status, states = lane_states(version, approvals)
    consent = policy.check_approval(version=version_ref(version, with_project=True), audit=False)
    reasons, reviews = list(consent.reasons), list(consent.reviews)
    actions = version_actions([version], user=user, access=access)[version.pk] if user is not None else []
    if access is not None and access.is_client:
        return client_view.client_approval_summary(_summary_dict(version, status, states, consent, reasons, reviews, actions, None))
    if agency_ids is not None:
        wanted = {str(a) for a in agency_ids}
        reasons = [r for r in reasons if r.agency_id in wanted]
        reviews = [r for r in reviews if r.agency_id in wanted]
    return _summary_dict(version, status, states, consent, reasons, reviews, actions, agency_ids)


def _summary_dict(version, status, states, consent, reasons, reviews, actions, agency_ids) -> dict:
    from projects import lanes
    from studio.vocabulary import lane_state_label

    return {
        "version": version.id,
        "status": status,
        "required_lanes": [s.lane for s in states if s.required],
        "quarantined": version.quarantined_at is not None,
        "quarantine_reason": version.quarantine_reason if agency_ids is None or reasons else "",
        "consent": {
            "outcome": consent.outcome,
            "summary": consent.summary() if agency_ids is None else "",
            "reasons": [r.as_dict() for r in reasons],
            "reviews": [r.as_dict() for r in reviews],
        },
        "lanes": [
            {
                "lane": s.lane,
                "label": lanes.LANES[s.lane].label,
                "required": s.required,
                "state": s.state,
                "state_label": lane_state_label(s.lane, s.state),
                "decisions": [
                    {
                        "id": d.id,
                        "reviewer": d.reviewer,
                        "decision": d.decision,
                        "note": d.note,
                        "decided_at": d.decided_at,
                    }
                    for d in s.decisions
                ]
                if agency_ids is None or lanes.LANES[s.lane].automatic
                else [],
            }
            for s in states
        ],
        "allowed_actions": [a.as_dict() for a in actions if a.lane is not None],
    }


def version_actions(versions: list[Version], *, user, access: ProjectAccess | None) -> dict:
    """version pk -> what `user` may do to it: approve or request changes in each approval lane
    (projects.lanes), write notes and internal notes, edit its note (projects.access). `access`: the
    caller's access to the versions' project (None for a talent agency). Three queries for any
    number of versions: their likeness uses under review, the caller's memberships, and nothing per row.
    """
    from projects import lanes
    from rights.selectors import review_uses_by_version

    uses = review_uses_by_version(versions)
    memberships = perms.memberships_of(user)
    submissions = client_view.active_submissions(versions) if access is not None else {}
    out: dict = {}
    for version in versions:
        version._client_submission = submissions.get(version.pk)  # for the serializer's `submission`
        actions = lanes.decision_actions(version=version, access=access, memberships=memberships, review_uses=uses[version.pk])
        out[version.pk] = [*actions, *_note_actions(version, user=user, access=access), _request_consent_action(version, access=access),
                           *client_view.submission_actions(version, access=access, submission=submissions.get(version.pk)),
                           _download_action(version, access=access)]
    return out


def _download_action(version: Version, *, access: ProjectAccess | None) -> Action:
    """`download`: the signed original leaves Greenlight (projects.delivery): not while the version is
    quarantined (the consent policy refuses delivery) or held by the likeness scan."""
    from projects.lanes import quarantine_refusal
    from projects.likeness_scan import held_refusal

    if access is None:
        return first_refusal("download", [(NOT_PERMITTED, "Only people on the project download its versions.")])
    return first_refusal("download", [(BLOCKED, quarantine_refusal(version, access=access, verb="downloaded") or held_refusal(version))])


def _request_consent_action(row, *, access: ProjectAccess | None) -> Action:
    """`request_consent`: a held version's consent request (its `likeness_scan.request_consent` pre-fills it)."""
    from projects.likeness_scan import request_consent_refusal

    role = access.role if access is not None and access.internal and access.via == "organization" else None
    refusal = request_consent_refusal(row, role=role)
    return first_refusal("request_consent", [refusal] if refusal else [])


INTERNAL_NOTES_REFUSAL = "Internal notes are for the studio's own people; client reviewers neither see nor write them."


def _note_actions(version: Version, *, user, access: ProjectAccess | None) -> list[Action]:
    on_project = "Only people on the project write notes on its versions."
    if access is None:
        return [first_refusal(name, [(NOT_PERMITTED, on_project)]) for name in ("comment", "comment_internal", "edit_note", "share")]
    comment = None if access.has(perms.COMMENT) else f"Your role '{access.role}' on this project may not write notes."
    internal = comment or (None if access.internal else INTERNAL_NOTES_REFUSAL)
    edit = None if perms.may_edit_version_note(access=access, version=version, user=user) else perms.EDIT_NOTE_REFUSAL
    return [
        first_refusal("comment", [(NOT_PERMITTED, comment)]),
        first_refusal("comment_internal", [(NOT_PERMITTED, internal)]),
        first_refusal("edit_note", [(NOT_PERMITTED, edit)]),
        # Share links for people without an account (projects/services/sharing.py): who may, and
        # held media, which never leaves through a link.
        first_refusal("share", [(NOT_PERMITTED, None if access.has(perms.SHARE_LINKS) else SHARE_REFUSAL),
                                (BLOCKED, perms.share_refusal(version))]),
    ]


SHARE_REFUSAL = "Only producers, supervisors, admins and owners make share links."


def playlist_queryset(queryset: QuerySet, *, user) -> QuerySet:
    """Playlists visible to `user`: internal playlists are hidden from client reviewers."""
    # Client reviewers see a shared playlist's submitted versions only.
    items = PlaylistItem.objects.filter(perms.client_visible_versions_q(user=user, version_path="version"))
    # The consent badges' likeness use (worst_likeness_use), never for client reviewers.
    likeness = Case(When(version__project_id__in=perms.client_project_ids(user=user), then=Value(None)),
                    default=worst_likeness_use(version_column="version_id", access=None), output_field=CharField())
    items = items.select_related("version__shot").annotate(likeness_state=likeness).order_by("order")
    return (
        queryset.filter(Q(audience=Playlist.Audience.CLIENT) | internal_rows_q(user=user))
        .select_related("created_by")
        .prefetch_related(Prefetch("items", queryset=items))
        .annotate(item_count=Count("items"))
    )


def project_people(*, project: Project, access: ProjectAccess) -> list[dict]:
    """Everyone who can see the project, for @mention and assignee pickers.

    Client reviewers see the project members and the studio's producers and supervisors, not the
    whole staff list.
    """
    staff = Membership.objects.filter(organization_id=project.organization_id, role__in=list(ORG_WIDE_ROLES)).select_related("user")
    if access.is_client:
        staff = staff.filter(role__in=[Role.OWNER, Role.ADMIN, Role.PRODUCER, Role.SUPERVISOR])
    people: dict = {}
    for membership in staff:
        if membership.user.is_active:
            people[membership.user_id] = {"user": membership.user, "role": membership.role, "via": "organization"}
    for member in ProjectMember.objects.filter(project=project).select_related("user"):
        if member.user.is_active and member.user_id not in people:
            people[member.user_id] = {"user": member.user, "role": member.role, "via": "project"}
    return sorted(people.values(), key=lambda p: (p["user"].display_name or p["user"].email).lower())


def latest_approved_versions(*, project: Project) -> dict:
    """shot id -> its latest approved version (one query)."""
    rows = (
        Version.objects.filter(project=project, approval_status=Version.ApprovalStatus.APPROVED)
        .order_by("shot_id", "-number")
        .distinct("shot_id")
    )
    return {v.shot_id: v for v in rows}


def cut_shots(*, project: Project) -> QuerySet:
    """The project's shots in cut order (sequence order, then shot order), omitted shots excluded."""
    return (
        Shot.objects.filter(project=project)
        .exclude(status=Shot.Status.OMITTED)
        .select_related("sequence")
        .order_by(*SHOT_ORDERINGS["order"])
    )


def export_comments(*, versions: list[Version], access: ProjectAccess) -> dict:
    """version id -> its root comments (visible to `access`), for cut markers."""
    qs = Comment.objects.filter(version__in=versions, parent__isnull=True, deleted_at__isnull=True).select_related("author")
    if access.is_client:
        qs = qs.filter(internal=False)
    result: dict = {}
    for comment in qs.order_by("frame", "created_at"):
        result.setdefault(comment.version_id, []).append(comment)
    return result
