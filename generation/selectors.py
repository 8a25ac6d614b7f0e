"""Reads of the generation engine."""

from __future__ import annotations

from django.db.models import QuerySet

from generation.models import GenerationJob, ModelProfile, Take
from projects.access import WORK_ON_TAKES, access_for
from rights.models import LikenessUse
from studio.actions import BLOCKED, NOT_APPLICABLE, NOT_PERMITTED, first_refusal


def active_profiles() -> QuerySet[ModelProfile]:
    return ModelProfile.objects.filter(is_active=True).order_by("-is_default", "name")


def default_profile() -> ModelProfile | None:
    return active_profiles().filter(is_default=True).first() or active_profiles().first()


def job_queryset() -> QuerySet[GenerationJob]:
    """Jobs with what their API representation needs, in one query."""
    return GenerationJob.objects.select_related("model", "shot", "created_by", "version").order_by("-created_at", "batch_index")



def take_queryset() -> QuerySet[Take]:
    """Takes with what their API representation needs, in one query."""
    return Take.objects.select_related("model", "shot", "project", "created_by", "version", "job").order_by("-created_at")


def consent_states(job_ids) -> dict:
    """The consent state of each job's render, from its likeness uses, in one query: `none` (no
    cast or named talent), or the worst of `invalidated`, `rejected`, `pending_review`, `approved`."""
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
    states = consent_states([t.job_id for t in takes])
    result = {}
    for take in takes:
        may = roles.get(take.project_id) in WORK_ON_TAKES
        who = None if may else "Only artists, supervisors, producers, admins and owners work on takes."
        published = f"Published as {take.version.label}." if take.version_id else None
        stopped = "Consent stopped covering this take." if states.get(take.job_id) == "invalidated" else None
        result[take.pk] = [
            first_refusal("star", [(NOT_PERMITTED, who), (NOT_APPLICABLE, "Already starred." if take.starred else None)]),
            first_refusal("unstar", [(NOT_PERMITTED, who), (NOT_APPLICABLE, None if take.starred else "Not starred.")]),
            first_refusal("discard", [(NOT_PERMITTED, who),
                                      (NOT_APPLICABLE, published or ("Already discarded." if take.discarded else None))]),
            first_refusal("restore", [(NOT_PERMITTED, who), (NOT_APPLICABLE, None if take.discarded else "Not discarded.")]),
            first_refusal("rerun", [(NOT_PERMITTED, who)]),
            first_refusal("publish", [(NOT_PERMITTED, who), (NOT_APPLICABLE, published),
                                      (BLOCKED, "Restore it first: it is discarded." if take.discarded else stopped)]),
        ]
    return result
