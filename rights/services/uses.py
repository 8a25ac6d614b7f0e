"""Likeness uses under review and under a grant that stopped covering them: the agency's decision
on a use, and the invalidation of uses (with the `grant_stopped_covering` signal) when a grant stops."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from rest_framework.exceptions import ValidationError

from rights import signals, transitions
from rights.models import ConsentGrant, LikenessUse
from rights.services._common import AGENCY_ROLES, _audit_both
from studio.audit import services as audit
from studio.exceptions import Conflict
from studio.realtime.publish import publish
from studio.tenancy.models import User
from studio.tenancy.selectors import require_membership


@dataclass(frozen=True)
class StoppedCovering:
    grant: ConsentGrant
    uses: list[LikenessUse]

    @property
    def job_ids(self) -> list[uuid.UUID]:
        return sorted({u.job_id for u in self.uses}, key=str)

    @property
    def version_ids(self) -> list[uuid.UUID]:
        return sorted({u.version_id for u in self.uses if u.version_id}, key=str)


def on_grant_stopped_covering(grant: ConsentGrant, *, cause: str, reason: str, actor=None) -> StoppedCovering:
    """`grant` no longer covers new or existing uses. Invalidates its pending and approved likeness
    uses (rejected ones stay rejected), audits it in both chains, publishes `consent.changed` to each
    affected project, and sends `rights.signals.grant_stopped_covering` in this transaction with the
    job and version ids, for the generation engine (cancel queued/running jobs) and the review app
    (quarantine versions). Call inside the transaction that changed the grant."""
    now = timezone.now()
    uses = list(
        LikenessUse.objects.select_for_update(no_key=True)
        .filter(grant=grant)
        .exclude(state=LikenessUse.State.REJECTED)
        .exclude(state=LikenessUse.State.INVALIDATED, invalidated_cause=cause)
    )
    for use in uses:
        if use.state != LikenessUse.State.INVALIDATED:
            use.state_before_invalidation = use.state
        use.state = LikenessUse.State.INVALIDATED
        use.invalidated_at, use.invalidated_reason, use.invalidated_cause = now, reason, cause
    if uses:
        LikenessUse.objects.bulk_update(
            uses, ["state", "state_before_invalidation", "invalidated_at", "invalidated_reason", "invalidated_cause", "updated_at"]
        )
    result = StoppedCovering(grant=grant, uses=uses)
    if uses:
        data = {
            "grant": str(grant.pk), "cause": cause, "reason": reason, "uses": [str(u.pk) for u in uses],
            "jobs": [str(j) for j in result.job_ids], "versions": [str(v) for v in result.version_ids],
        }
        _audit_both(grant=grant, actor=actor, actor_label="" if actor else "system", action="likeness_use.invalidated", data=data)
        by_project: dict = {}
        for use in uses:
            by_project.setdefault(use.project_id, []).append(use)
        for project_id, project_uses in by_project.items():
            publish(
                type="consent.changed", project_id=project_id, audience="internal",
                data={
                    "kind": "likeness_use", "change": "invalidated", "cause": cause, "reason": reason, "grant": str(grant.pk),
                    "uses": [str(u.pk) for u in project_uses],
                    "jobs": sorted({str(u.job_id) for u in project_uses}),
                    "versions": sorted({str(u.version_id) for u in project_uses if u.version_id}),
                },
            )
    signals.grant_stopped_covering.send(sender=ConsentGrant, grant=grant, cause=cause, result=result)
    return result


def decide_use(*, actor: User, use: LikenessUse, decision: str, note: str = "", notify: bool = True) -> LikenessUse:
    """The representing agency approves or rejects a use awaiting review (409 otherwise).

    `notify`: send `rights.signals.likeness_use_decided` in this transaction, so the review app
    restates the version's `agency` lane (a decision made on `/likeness-uses/{id}/decide/`). A
    caller that settles the lane itself right after this call (`projects.services.decide_approval`
    for the `agency` lane) passes `notify=False`.
    """
    if decision not in ("approve", "reject"):
        raise ValidationError({"decision": ["Use 'approve' or 'reject'."]})
    note = (note or "").strip()
    require_membership(user=actor, organization=use.talent.organization_id, roles=AGENCY_ROLES, action="decide likeness uses")
    if decision == "reject" and not note:
        raise ValidationError({"note": ["Say why the use is rejected; the studio sees it."]})
    with transaction.atomic():
        use = LikenessUse.objects.select_for_update(of=("self",), no_key=True).select_related(
            "talent__organization", "studio", "project", "shot"
        ).get(pk=use.pk)
        if conflict := transitions.use_decision_conflict(use):
            raise Conflict(conflict)
        use.state = LikenessUse.State.APPROVED if decision == "approve" else LikenessUse.State.REJECTED
        use.decided_by, use.decided_at, use.decision_note = actor, timezone.now(), note
        use.save(update_fields=["state", "decided_by", "decided_at", "decision_note", "updated_at"])
        data = {
            "decision": decision, "note": note, "talent": {"id": str(use.talent_id), "name": use.talent.name},
            "studio": {"id": str(use.studio_id), "name": use.studio.name},
            "project": {"id": str(use.project_id), "code": use.project.code},
            "shot": use.shot.code if use.shot_id else None, "job_id": str(use.job_id),
            "version": str(use.version_id) if use.version_id else None, "grant": str(use.grant_id),
        }
        action = "likeness_use.approved" if decision == "approve" else "likeness_use.rejected"
        audit.record(organization=use.talent.organization, actor=actor, action=action, target=use, data=data)
        audit.record(organization=use.studio, actor=actor, action=action, target=use, data=data)
        publish(
            type="consent.changed", project_id=use.project_id, audience="internal",
            data={"kind": "likeness_use", "change": use.state, "use": str(use.pk), "talent": str(use.talent_id),
                  "version": str(use.version_id) if use.version_id else None, "job_id": str(use.job_id), "note": note},
        )
        if notify:
            signals.likeness_use_decided.send(sender=LikenessUse, use=use, actor=actor, decision=decision, note=note)
    return use
