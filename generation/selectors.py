"""Reads of the generation engine."""

from __future__ import annotations

from datetime import UTC, datetime

from django.db.models import Count, QuerySet, Sum
from rest_framework.exceptions import ValidationError

from generation.models import GenerationJob, GpuAllowance, GpuUsage, ModelProfile, Take
from projects.access import WORK_ON_TAKES, access_for
from projects.likeness_scan import held_refusal, request_consent_refusal
from rights.models import LikenessUse
from studio.actions import BLOCKED, NOT_APPLICABLE, NOT_PERMITTED, first_refusal
from studio.tenancy.models import ORG_WIDE_ROLES, Role
from studio.tenancy.selectors import require_membership


def active_profiles() -> QuerySet[ModelProfile]:
    return ModelProfile.objects.filter(is_active=True).order_by("-is_default", "name")


def default_profile() -> ModelProfile | None:
    """The model a shot renders with when none is named (never a text-to-image model)."""
    videos = active_profiles().exclude(kind=ModelProfile.Kind.TEXT_TO_IMAGE)
    return videos.filter(is_default=True).first() or videos.first()


def still_profiles() -> QuerySet[ModelProfile]:
    """Active text-to-image models (stills for storyboard panels), by name."""
    return ModelProfile.objects.filter(is_active=True, kind=ModelProfile.Kind.TEXT_TO_IMAGE).order_by("name")


def job_queryset() -> QuerySet[GenerationJob]:
    """Jobs with what their API representation needs, in one query."""
    return GenerationJob.objects.select_related("model", "shot", "panel", "created_by", "version").order_by("-created_at", "batch_index")



def take_queryset() -> QuerySet[Take]:
    """Takes with what their API representation needs, in one query."""
    return Take.objects.select_related("model", "shot", "panel", "project", "created_by", "version", "job").order_by("-created_at")


def consent_states(job_ids) -> dict:
    """The consent state of each job's render (or imported take: `Take.use_key`), from its likeness
    uses, in one query: `none` (no cast or named talent), or the worst of `invalidated`, `rejected`, `pending_review`, `approved`."""
    order = [LikenessUse.State.INVALIDATED, LikenessUse.State.REJECTED, LikenessUse.State.PENDING_REVIEW, LikenessUse.State.APPROVED]
    found: dict = {}
    for job_id, state in LikenessUse.objects.filter(job_id__in=list(job_ids)).values_list("job_id", "state"):
        found.setdefault(job_id, set()).add(state)
    return {job_id: next((str(s) for s in order if s in states), "none") for job_id, states in found.items()}


def take_actions(takes: list[Take], *, user) -> dict:
    """`allowed_actions` of each take for `user` (star, unstar, discard, restore, rerun, publish), from
    the rules `generation.services.takes` enforces, in a few queries for the whole list."""
    roles = {}
    projects = {}
    for take in takes:
        projects.setdefault(take.project_id, take)
    for project in (t.project for t in projects.values()):
        found = access_for(user=user, project=project)
        roles[project.pk] = found.role if found else None
    states = consent_states([t.use_key for t in takes])
    result = {}
    for take in takes:
        may = roles.get(take.project_id) in WORK_ON_TAKES
        who = None if may else "Only artists, supervisors, producers, admins and owners work on takes."
        published = f"Published as {take.version.label}." if take.version_id else None
        still = "A still take becomes its panel's still, never a version." if take.is_still else None
        conforming = "Being conformed for publishing." if take.publish_state == Take.PublishState.CONFORMING else None
        stopped = "Consent stopped covering this take." if states.get(take.use_key) == "invalidated" else None
        imported = f"Imported from {take.source_tool or 'another tool'}: there is no render here to run again." if take.imported else None
        result[take.pk] = [
            first_refusal("star", [(NOT_PERMITTED, who), (NOT_APPLICABLE, "Already starred." if take.starred else None)]),
            first_refusal("unstar", [(NOT_PERMITTED, who), (NOT_APPLICABLE, None if take.starred else "Not starred.")]),
            first_refusal("discard", [(NOT_PERMITTED, who),
                                      (NOT_APPLICABLE, published or ("Already discarded." if take.discarded else None))]),
            first_refusal("restore", [(NOT_PERMITTED, who), (NOT_APPLICABLE, None if take.discarded else "Not discarded.")]),
            first_refusal("rerun", [(NOT_PERMITTED, who), (NOT_APPLICABLE, imported)]),
            first_refusal("publish", [(NOT_PERMITTED, who), (NOT_APPLICABLE, still or published or conforming),
                                      (BLOCKED, "Restore it first: it is discarded." if take.discarded else stopped),
                                      (BLOCKED, held_refusal(take))]),
            first_refusal("request_consent", [r for r in [request_consent_refusal(take, role=roles.get(take.project_id))] if r]),
        ]
    return result


# -- GPU scheduling: a studio's limits, quota and use; the usage ledger ----------------------------------

ALLOWANCE_READER_ROLES = frozenset(ORG_WIDE_ROLES)  # producers see the quota they render against
LEDGER_READER_ROLES = frozenset({Role.OWNER, Role.ADMIN})


def gpu_allowance_for(*, user, organization) -> dict:
    """The studio's concurrency limit and monthly quota, with this month's use and what is in the queue."""
    from generation.services import scheduling

    org = require_membership(user=user, organization=organization, roles=ALLOWANCE_READER_ROLES, action="see GPU limits").organization
    allowance = GpuAllowance.objects.filter(organization=org).first()
    start, end = scheduling.month_window()
    jobs = GenerationJob.objects.filter(organization=org)
    return {
        "organization": str(org.pk),
        "max_concurrent": scheduling.concurrency_limit(allowance),
        "max_concurrent_is_default": allowance is None or allowance.max_concurrent is None,
        "monthly_gpu_seconds": allowance.monthly_gpu_seconds if allowance else None,
        "used_gpu_seconds": round(scheduling.used_seconds(org.pk), 3),
        "period_start": start.isoformat(), "resets_at": end.isoformat(),
        "running": jobs.filter(state=GenerationJob.State.RUNNING).count(),
        "released": jobs.filter(state=GenerationJob.State.QUEUED, dispatched_at__isnull=False).count(),
        "waiting": jobs.filter(state=GenerationJob.State.QUEUED, dispatched_at__isnull=True).count(),
    }


def parse_month(value: str | None):
    """`YYYY-MM` (UTC) → the month's start; None → the current month. 400 naming the format otherwise."""
    from generation.services import scheduling

    if not value:
        return scheduling.month_window()[0]
    try:
        month = datetime.strptime(value, "%Y-%m").replace(tzinfo=UTC)
    except ValueError:
        month = None
    if month is None or not 2000 <= month.year <= 9000:
        raise ValidationError({"month": [f"'{value[:20]}' is not a month; pass it as YYYY-MM (2000 to 9000), e.g. 2026-12."]})
    return month


def gpu_usage_ledger(*, user, organization, month: str | None = None) -> dict:
    """GPU seconds of one month (UTC) per project, user and model, with the studio's total. Owners and admins."""
    from generation.services import scheduling

    org = require_membership(user=user, organization=organization, roles=LEDGER_READER_ROLES,
                             action="read the GPU usage ledger").organization
    start, end = scheduling.month_window(parse_month(month))
    rows = (GpuUsage.objects.filter(organization=org, finished_at__gte=start, finished_at__lt=end).order_by()
            .values("project_id", "project__code", "user_id", "user__email", "model__name")
            .annotate(renders=Count("id"), gpu_seconds=Sum("gpu_seconds"))
            .order_by("project__code", "user__email", "model__name"))
    out = [{
        "project": {"id": str(r["project_id"]) if r["project_id"] else None, "code": r["project__code"] or ""},
        "user": {"id": str(r["user_id"]) if r["user_id"] else None, "email": r["user__email"] or ""},
        "model": r["model__name"], "renders": r["renders"], "gpu_seconds": round(r["gpu_seconds"] or 0.0, 3),
    } for r in rows]
    return {"organization": {"id": str(org.pk), "name": org.name}, "month": start.strftime("%Y-%m"), "period_start": start.isoformat(),
            "period_end": end.isoformat(), "total_gpu_seconds": round(sum(r["gpu_seconds"] for r in out), 3), "rows": out}
