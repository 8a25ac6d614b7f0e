"""What a client sees: the reads behind the rule "studio work stays internal until it is submitted".

The rule itself is `projects.access` (`client_visible_versions_q`, `submitted_versions_q`,
`submission_refusal`); here are the shapes it takes in the shot list, a shot, a version's
submission and actions, and the approval summary. Everyone but a client reviewer is unaffected.
For a client reviewer (docs/RIGHTS.md, "What a client sees"):

- a shot is listed only when it has a version submitted to them; its current version is their latest
  submitted one, its version count the number submitted, its prompt notes empty;
- a version's approval summary keeps the lanes' states and decisions, but no notes of the studio's
  lanes, nothing of the agency lane's decisions, and no consent reasons or quarantine reason (they name
  the cast and the agencies' decisions).
"""

from __future__ import annotations

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from projects import access as perms
from projects.models import Comment, Submission, Version
from studio.actions import BLOCKED, NOT_APPLICABLE, NOT_PERMITTED, Action, first_refusal


def client_versions() -> QuerySet:
    """Versions a client reviewer may see (any project; callers narrow it)."""
    return Version.objects.filter(perms.submitted_versions_q())


def latest_client_version(*, shot: str = "pk") -> Subquery:
    """The id of the latest version a client may see of the outer shot (`shot`: the outer row's shot id)."""
    latest = client_versions().filter(shot_id=OuterRef(shot)).order_by("-number").values("pk")[:1]
    return Subquery(latest)


def client_version_count(*, shot: str = "pk") -> Coalesce:
    counted = client_versions().filter(shot_id=OuterRef(shot)).order_by().values("shot_id").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def client_open_notes(*, version: str) -> Coalesce:
    """Unresolved, undeleted, non-internal root notes on the outer row's version `version` (an annotation name)."""
    notes = Comment.objects.filter(version_id=OuterRef(version), parent__isnull=True, resolved=False, deleted_at__isnull=True,
                                   internal=False)
    counted = notes.order_by().values("version_id").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def client_visible_shots_q(*, user) -> Q:
    """A filter for tenancy-scoped shots: on projects where `user` is a client reviewer, only shots with a
    version submitted to them."""
    return ~Q(project_id__in=perms.client_project_ids(user=user)) | Q(pk__in=client_versions().values("shot_id"))


def client_shots(queryset: QuerySet) -> QuerySet:
    """Shots (model rows) as a client reviewer sees them: those with a submitted version, each with
    `client_stack` (the versions they may see, newest first) and `open_notes` on the latest of them."""
    stack = client_versions().select_related("created_by").order_by("-number")
    return (
        queryset.filter(pk__in=client_versions().values("shot_id"))
        .prefetch_related(Prefetch("versions", queryset=stack, to_attr="client_stack"))
        .annotate(client_version_id=latest_client_version())
        .annotate(open_notes=client_open_notes(version="client_version_id"))
    )


def client_stack(shot) -> list[Version]:
    """The versions of `shot` a client reviewer may see, newest first (prefetched by `client_shots`)."""
    stack = getattr(shot, "client_stack", None)
    if stack is None:
        stack = list(client_versions().filter(shot=shot).select_related("created_by").order_by("-number"))
    return stack


def client_cut(shots: list, approved: dict) -> tuple[list, dict]:
    """A cut export for a client reviewer: the shots whose latest approved version is submitted to them."""
    visible = set(client_versions().filter(pk__in=[v.pk for v in approved.values()]).values_list("pk", flat=True))
    approved = {shot_id: version for shot_id, version in approved.items() if version.pk in visible}
    return [shot for shot in shots if shot.id in approved], approved


# ---------------------------------------------------------------- a version's submission

def active_submissions(versions: list[Version]) -> dict:
    """version pk -> its active submission (with who submitted it), for any number of versions in one query."""
    rows = Submission.objects.filter(version__in=[v.pk for v in versions], withdrawn_at__isnull=True).select_related("submitted_by")
    return {row.version_id: row for row in rows}


def submission_of(version: Version):
    """The version's active submission (as `version_actions` left it on the row, else read now)."""
    if hasattr(version, "_client_submission"):
        return version._client_submission
    version._client_submission = active_submissions([version]).get(version.pk)
    return version._client_submission


SUBMIT_REFUSAL = "Only producers, supervisors, admins and owners submit work to the client."


def submission_actions(version: Version, *, access, submission) -> list[Action]:
    """`submit_to_client` and `withdraw_from_client` for the caller, with the reason when not allowed."""
    mine = access is not None and access.internal and access.has(perms.SUBMIT_TO_CLIENT)
    not_mine = None if mine else SUBMIT_REFUSAL
    submitted, not_submitted = None, f"{version.label} is not submitted to the client."
    if submission is not None:
        submitted, not_submitted = f"{version.label} was submitted to the client on {submission.submitted_at:%Y-%m-%d}.", None
    return [
        first_refusal("submit_to_client", [(NOT_PERMITTED, not_mine), (NOT_APPLICABLE, submitted),
                                           (BLOCKED, perms.submission_refusal(version))]),
        first_refusal("withdraw_from_client", [(NOT_PERMITTED, not_mine), (NOT_APPLICABLE, not_submitted)]),
    ]


# ---------------------------------------------------------------- approvals

def _client_decisions(lane: dict) -> list[dict]:
    """The client lane's decisions as they are; the studio's lanes' without their notes (the studio's
    reasons); none of the agency's (the cast's consent is not the client's business)."""
    from projects import lanes

    if lane["lane"] == "client":
        return lane["decisions"]
    if lanes.LANES[lane["lane"]].automatic:
        return []
    return [{**decision, "note": ""} for decision in lane["decisions"]]


def client_approval_summary(summary: dict) -> dict:
    """The approval summary a client reviewer reads: lane states, the client lane's decisions, and nothing
    of the cast, the agencies or the other lanes' reasons."""
    lanes = [{**lane, "decisions": _client_decisions(lane)} for lane in summary["lanes"]]
    consent = {**summary["consent"], "summary": "", "reasons": [], "reviews": []}
    return {**summary, "quarantine_reason": "", "consent": consent, "lanes": lanes}
