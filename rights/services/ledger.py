"""The usage ledger: one likeness use per job and cast talent, recorded when a generation is
submitted, linked to the version the job produced, and locked while that version is stored."""

from __future__ import annotations

import uuid

from django.db import IntegrityError, transaction
from django.utils import timezone

from rights.models import LikenessUse
from rights.policy import PolicyDecision
from rights.refs import ShotRef, VersionRef
from studio.audit import services as audit
from studio.realtime.publish import publish
from studio.tenancy.models import User


def record_likeness_uses(
    *,
    decision: PolicyDecision,
    job_id: uuid.UUID,
    shot: ShotRef | None = None,
    version: VersionRef | None = None,
    actor: User | None = None,
) -> list[LikenessUse]:
    """Record one `LikenessUse` per covered talent of a permitted generation decision (idempotent per
    job and talent: a re-check at render time does not duplicate them). Uses of grants that need
    per-use approval start `pending_review`; the others start `approved`. The project is the one
    the decision checked (`decision.project`). A likeness scan's decision (`purpose="scan"`)
    records its covered talent whatever the others' outcome."""
    if decision.purpose == "scan":
        pass  # the scan records the covered talent even when others hold the media
    elif not decision.permits or decision.purpose not in ("generation", "render"):
        raise ValueError("record_likeness_uses needs a permitting generation decision.")
    if not decision.covered:
        return []
    project = decision.project
    if shot is not None and shot.project_id != project.id:
        raise ValueError("The shot is not in the decision's project.")
    digest = decision.prompt_sha256
    out: list[LikenessUse] = []
    with transaction.atomic():
        existing = {u.talent_id: u for u in LikenessUse.objects.filter(job_id=job_id)}
        for coverage in decision.covered:
            if coverage.talent.pk in existing:
                out.append(existing[coverage.talent.pk])
                continue
            try:
                with transaction.atomic():
                    use = LikenessUse.objects.create(
                        talent=coverage.talent, grant=coverage.grant, studio=project.organization, project_id=project.id,
                        shot_id=shot.id if shot is not None else None, job_id=job_id,
                        version_id=version.id if version is not None else None, use_type=coverage.use_type, via=coverage.via,
                        prompt=decision.prompt, negative_prompt=decision.negative_prompt, prompt_sha256=digest,
                        requires_review=coverage.requires_agency_review,
                        state=LikenessUse.State.PENDING_REVIEW if coverage.requires_agency_review else LikenessUse.State.APPROVED,
                        created_by=actor,
                    )
            except IntegrityError:
                out.append(LikenessUse.objects.get(job_id=job_id, talent=coverage.talent))
                continue
            out.append(use)
            data = {
                "talent": {"id": str(coverage.talent.pk), "name": coverage.talent.name},
                "studio": {"id": str(project.organization_id), "name": project.organization.name},
                "project": {"id": str(project.id), "code": project.code, "name": project.name},
                "shot": shot.code if shot is not None else None, "job_id": str(job_id), "grant": str(coverage.grant.pk),
                "use_type": coverage.use_type, "via": coverage.via, "state": use.state, "prompt_sha256": digest,
                "policy_version": decision.policy_version,
            }
            audit.record(organization=coverage.talent.organization, actor=actor, action="likeness_use.recorded", target=use, data=data)
            audit.record(organization=project.organization, actor=actor, action="likeness_use.recorded", target=use, data=data)
            publish(
                type="consent.changed", project_id=project.id, audience="internal",
                data={"kind": "likeness_use", "change": "recorded", "use": str(use.pk), "talent": str(coverage.talent.pk),
                      "job_id": str(job_id), "state": use.state},
            )
    return out


def attach_version(*, job_id: uuid.UUID, version: VersionRef) -> int:
    """Link the version a job produced to the job's likeness uses. Returns how many were linked."""
    with transaction.atomic():
        uses = list(LikenessUse.objects.select_for_update(of=("self",), no_key=True)
            .filter(job_id=job_id).select_related("talent__organization", "studio"))
        for use in uses:
            if use.project_id != version.project_id:
                raise ValueError("The version is not in the job's project.")
        if not uses:
            return 0
        LikenessUse.objects.filter(pk__in=[u.pk for u in uses]).update(version_id=version.id, updated_at=timezone.now())
        by_org: dict = {uses[0].studio_id: (uses[0].studio, [str(u.pk) for u in uses])}
        for use in uses:
            by_org.setdefault(use.talent.organization_id, (use.talent.organization, []))[1].append(str(use.pk))
        for org, use_ids in by_org.values():
            audit.record(
                organization=org, actor_label="system", action="likeness_use.version_attached",
                target_type="projects.version", target_id=str(version.id), data={"job_id": str(job_id), "uses": use_ids},
            )
    return len(uses)


def lock_job_uses(*, job_id: uuid.UUID) -> list[LikenessUse]:
    """Lock a job's likeness uses (call inside a transaction). A worker storing the job's version takes
    these locks *before* the job row, in the same order as a revocation (grant → uses → jobs →
    versions), so the two never deadlock."""
    return list(LikenessUse.objects.select_for_update(of=("self",), no_key=True).filter(job_id=job_id).order_by("pk"))
