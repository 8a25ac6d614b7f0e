"""The version checks: before a version is approved, exported or delivered (one version, or a
whole cut at once in a fixed number of queries)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from django.db.models import Q
from django.utils import timezone

from rights import names
from rights.models import LikenessUse, UseType
from rights.policy._decision import (
    AGENCY_REJECTED,
    ALLOW,
    AWAITING_AGENCY_REVIEW,
    DENY,
    NEEDS_AGENCY_REVIEW,
    QUARANTINED,
    VERSION_PURPOSES,
    Coverage,
    PolicyDecision,
    Reason,
)
from rights.policy._denials import _audit_denial
from rights.policy._grants import _as_uuid, _is_uuid, grant_failures
from rights.policy._talent import _decide, _load
from rights.refs import ProjectRef, VersionRef


def check_version_use(
    *, version: VersionRef, purpose: str, at: datetime | None = None, actor=None, actor_label: str = "", audit: bool = True
) -> PolicyDecision:
    """May this version be approved, exported or delivered, as far as likeness consent goes?

    Looks at every `LikenessUse` of the version (invalidated → quarantined; rejected by the
    agency; grant no longer covering; agency review still pending), and re-runs the name guard
    on the version's lineage prompt, so a talent registered after the render is caught too.
    Cast listed in `version.lineage["cast"]` (talent ids) without a recorded use is checked like
    a generation, and so is talent the likeness scan saw in the media (`version.scanned`): a face
    of a performer no grant covers holds the version (reasons with via "scan").
    """
    if purpose not in VERSION_PURPOSES:
        raise ValueError(f"purpose must be one of {VERSION_PURPOSES}")
    at = at or timezone.now()
    project = version.project
    if project is None:
        raise ValueError("check_version_use needs the version's project: build the VersionRef with it (projects.consent.version_ref).")
    uses = list(
        LikenessUse.objects.filter(version_use_condition(version))
        .select_related("talent__organization", "grant__project")
        .order_by("talent__name", "created_at")
    )
    decision = _version_decision(version=version, purpose=purpose, at=at, project=project, uses=uses, loaded=None)
    if decision.denied and audit:
        _audit_denial(decision=decision, studio=project.organization, project=project, actor=actor, actor_label=actor_label)
    return decision


def _lineage_inputs(version) -> tuple[str, str, list, str]:
    lineage = version.lineage if isinstance(version.lineage, dict) else {}
    prompt = str(lineage.get("prompt") or "")[: names.MAX_PROMPT_CHARS]
    negative = str(lineage.get("negative_prompt") or "")[: names.MAX_PROMPT_CHARS]
    cast = [c.get("id") if isinstance(c, dict) else c for c in (lineage.get("cast") or []) if c]
    cast = [c for c in cast if _is_uuid(c)]
    use_type = lineage.get("use_type") if lineage.get("use_type") in UseType.values else UseType.DIGITAL_REPLICA.value
    return prompt, negative, cast, use_type


def _scanned(version) -> tuple:
    """The talent the likeness scan saw: a `VersionRef`'s `scanned` (a version row's `scan_talent` also does)."""
    return tuple(getattr(version, "scanned", None) or getattr(version, "scan_talent", None) or ())


def _version_decision(*, version, purpose: str, at: datetime, project, uses: list, loaded: tuple[dict, dict] | None) -> PolicyDecision:
    """The version check on already loaded uses (and, for batches, talents and grants)."""
    studio = project.organization
    reasons: list[Reason] = []
    reviews: list[Reason] = []
    covered: list[Coverage] = []
    seen: set[uuid.UUID] = set()
    for use in uses:
        talent, grant = use.talent, use.grant
        seen.add(talent.pk)
        agency = talent.organization.name
        base = {"talent_id": str(talent.pk), "talent": talent.name, "agency": agency, "via": use.via, "grant_id": str(grant.pk),
                "use_id": str(use.pk), "agency_id": str(talent.organization_id)}
        if use.state == LikenessUse.State.INVALIDATED:
            reasons.append(Reason(QUARANTINED, f"Quarantined: {use.invalidated_reason or 'the grant no longer covers this use.'}", **base))
            continue
        if use.state == LikenessUse.State.REJECTED:
            note = f": {use.decision_note}" if use.decision_note else "."
            reasons.append(Reason(AGENCY_REJECTED, f"{agency} rejected this use of {talent.name}{note}", **base))
            continue
        failures = grant_failures(grant, talent=talent, project=project, use_types=frozenset({use.use_type}), at=at)
        if failures:
            reasons.extend(Reason(code, message, **base) for code, message in failures)
            continue
        covered.append(Coverage(talent, grant, use.use_type, use.via, use.requires_review))
        if use.requires_review and use.state == LikenessUse.State.PENDING_REVIEW:
            reviews.append(Reason(
                AWAITING_AGENCY_REVIEW, f"{agency} has not yet approved this use of {talent.name}.", **base,
            ))
    prompt, negative, lineage_cast, use_type = _lineage_inputs(version)
    extra_reasons, extra_covered = _decide(
        purpose=purpose, studio=studio, project=project, cast=lineage_cast, prompt=prompt, negative_prompt=negative,
        use_type=use_type, at=at, media=None, territory=None, content_tags=(), skip_talent_ids=seen, loaded=loaded,
        scanned=_scanned(version),
    )
    reasons.extend(extra_reasons)
    for c in extra_covered:
        # A likeness used without a recorded (and, where required, approved) use is not approvable.
        if c.requires_agency_review:
            reviews.append(Reason(
                AWAITING_AGENCY_REVIEW, f"{c.talent.organization.name} has not reviewed any use of {c.talent.name} in this version.",
                str(c.talent.pk), c.talent.name, c.talent.organization.name, c.via, str(c.grant.pk),
                agency_id=str(c.talent.organization_id),
            ))
        covered.append(c)
    outcome = DENY if reasons else (NEEDS_AGENCY_REVIEW if reviews else ALLOW)
    return PolicyDecision(
        outcome=outcome, purpose=purpose, studio_id=str(studio.pk), project_id=str(project.id), at=at,
        reasons=tuple(reasons), reviews=tuple(reviews), covered=tuple(covered),
        prompt=prompt, negative_prompt=negative, extra={"version_id": str(version.id)}, project=project,
    )


def check_versions(
    *, project: ProjectRef, versions: Iterable[VersionRef], purpose: str, at: datetime | None = None, actor=None, actor_label: str = ""
) -> dict[uuid.UUID, PolicyDecision]:
    """`check_version_use` for many versions of one project at once (a cut export): version id → decision.

    The same rules, loaded in a fixed number of queries whatever the number of versions: the
    versions' likeness uses, then the cast and every talent named in any of their prompts, then
    those talents' grants for the studio. Denials are audited as usual.
    """
    if purpose not in VERSION_PURPOSES:
        raise ValueError(f"purpose must be one of {VERSION_PURPOSES}")
    at = at or timezone.now()
    versions = list(versions)
    if any(v.project_id != project.id for v in versions):
        raise ValueError("check_versions: every version must belong to the project.")
    if not versions:
        return {}
    conditions = Q()
    for version in versions:
        conditions |= version_use_condition(version)
    by_version: dict = defaultdict(list)
    by_job: dict = defaultdict(list)
    for use in LikenessUse.objects.filter(conditions).select_related("talent__organization", "grant__project").order_by(
        "talent__name", "created_at"
    ):
        (by_version[use.version_id] if use.version_id else by_job[use.job_id]).append(use)
    cast_ids: set[uuid.UUID] = set()
    keys: set[str] = set()
    for version in versions:
        prompt, negative, cast, _use_type = _lineage_inputs(version)
        cast_ids |= {_as_uuid(c) for c in cast} | {_as_uuid(t) for t in _scanned(version)}
        keys |= names.prompt_keys(prompt, negative)
    loaded = _load(cast_ids=cast_ids, keys=keys, studio=project.organization)
    out: dict[uuid.UUID, PolicyDecision] = {}
    for version in versions:
        uses = list(by_version.get(version.id, []))
        job = (version.lineage or {}).get("job") if isinstance(version.lineage, dict) else None
        if job and _is_uuid(job):
            uses += by_job.get(uuid.UUID(str(job)), [])
            uses.sort(key=lambda u: (u.talent.name, u.created_at))
        decision = _version_decision(version=version, purpose=purpose, at=at, project=project, uses=uses, loaded=loaded)
        if decision.denied:
            _audit_denial(decision=decision, studio=project.organization, project=project, actor=actor, actor_label=actor_label)
        out[version.id] = decision
    return out


def version_use_condition(version: VersionRef) -> Q:
    """The likeness uses of a version: linked to it, or recorded for the job its lineage names (in
    case the generation engine has not linked them yet)."""
    condition = Q(version_id=version.id)
    lineage = version.lineage if isinstance(version.lineage, dict) else {}
    job = lineage.get("job")
    if job and _is_uuid(job):
        condition |= Q(job_id=uuid.UUID(str(job)), project_id=version.project_id, version__isnull=True)
    return condition


def check_approval(
    *, version: VersionRef, at: datetime | None = None, actor=None, actor_label: str = "", audit: bool = True
) -> PolicyDecision:
    """`check_version_use(purpose="approve")`, for the approval lanes."""
    return check_version_use(version=version, purpose="approve", at=at, actor=actor, actor_label=actor_label, audit=audit)
