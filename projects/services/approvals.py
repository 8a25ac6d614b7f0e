"""Approvals: the decision of one lane of a version (producer, client, agency); see `projects.lanes`."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from rest_framework.exceptions import ValidationError

from projects import access as perms
from projects import lanes as lane_registry
from projects.consent import version_ref
from projects.models import Approval, Version
from projects.services._common import _publish_shot, _text
from projects.services._lane_state import _restate_version, lane_states
from rights import policy as consent_policy
from rights.policy import PolicyDenied
from studio.audit import services as audit
from studio.exceptions import Conflict
from studio.realtime.publish import publish
from studio.tenancy.models import Membership, User


def decide_approval(*, actor: User, version: Version, lane: str, decision: str, note: str = "") -> Version:
    """Record `actor`'s decision in one lane of `version` — the only writer of approvals.

    Order: lane exists → caller may decide it → pre-decision policy (`lanes.check_decision_allowed`)
    → store the decision → recompute the version's status → move the shot (approved; or retake
    count +1 and back to in progress when the version is first sent back) → audit → publish.
    """
    lane_def = lane_registry.get_lane(lane) if isinstance(lane, str) else None
    if lane_def is None:
        raise ValidationError({"lane": [f"Unknown lane {lane!r}; use one of: {', '.join(lane_registry.lane_names())}."]})
    if decision not in Approval.Decision.values:
        raise ValidationError({"decision": [f"Use one of: {', '.join(Approval.Decision.values)}."]})
    note = _text(note, field="note", max_length=10_000)
    if decision == Approval.Decision.CHANGES_REQUESTED and not note:
        raise ValidationError({"note": ["Say what needs to change: a note is required when requesting changes."]})
    access = perms.access_for_decision(lane=lane_def.name, user=actor, version=version)
    perms.require_client_may_see(access=access, version=version)  # a client decides only what was submitted to them
    try:
        if lane_def.read is not None:
            return _decide_agency_lane(actor=actor, access=access, lane_def=lane_def, version=version, decision=decision, note=note)
        return _store_decision(actor=actor, access=access, lane_def=lane_def, version=version, decision=decision, note=note)
    except PolicyDenied as refused:
        # The check ran inside the rolled-back transaction without auditing; the refusal is audited now.
        _audit_refusal(actor=actor, version=version, lane=lane_def.name, decision=decision, refused=refused)
        raise


def _audit_refusal(*, actor: User, version: Version, lane: str, decision: str, refused: PolicyDenied) -> None:
    consent = refused.decision
    if consent.denied:
        consent_policy.audit_denial(decision=consent, actor=actor)
        return
    with transaction.atomic():
        audit.record(
            organization=version.project.organization,
            actor=actor,
            action="approval.refused",
            target=version,
            data={
                "shot": version.shot.code,
                "version": version.label,
                "lane": lane,
                "decision": decision,
                "outcome": consent.outcome,
                "policy_version": consent.policy_version,
                "reviews": [r.as_dict() for r in consent.reviews],
            },
        )


def _decide_agency_lane(*, actor: User, access, lane_def, version: Version, decision: str, note: str) -> Version:
    """The agency lane: the representing agency approves or rejects its talent's pending uses in the
    version (`rights.services.decide_use`, without its notification), then this service settles the
    lane itself (`record_agency_review`: restate the version, audit `approval.decided`, publish),
    exactly as the receiver does for a decision made on `/likeness-uses/{id}/decide/`. The use rows
    are locked before the version (the order a revocation takes them in)."""
    from rights import selectors as rights_selectors
    from rights import services as rights_services

    version = Version.objects.select_related("shot", "project__organization").get(pk=version.pk)
    lane_def.authorize(access=access, version=version)
    lane_registry.check_decision_allowed(version=version, lane=lane_def, decision=decision, access=access)
    with transaction.atomic():
        uses = rights_selectors.pending_reviews_for_agency(version=version_ref(version), agency_id=access.organization_id)
        if not uses:
            reviewed = rights_selectors.review_uses_for_version(version=version_ref(version))
            mine = [u for u in reviewed if u.talent.organization_id == access.organization_id]
            raise Conflict(lane_registry.agency_decision_conflict(label=version.label, uses=mine))
        verb = "approve" if decision == Approval.Decision.APPROVED else "reject"
        for use in uses:
            use = rights_services.decide_use(actor=actor, use=use, decision=verb, note=note, notify=False)
            record_agency_review(use=use, actor=actor, decision=verb, note=note)
    return Version.objects.select_related("shot", "project__organization").get(pk=version.pk)


def _store_decision(*, actor: User, access, lane_def, version: Version, decision: str, note: str) -> Version:
    with transaction.atomic():
        version = (
            Version.objects.select_for_update(of=("self",), no_key=True)
            .select_related("shot", "project__organization").get(pk=version.pk)
        )
        lane_def.authorize(access=access, version=version)
        lane_registry.check_decision_allowed(version=version, lane=lane_def, decision=decision, access=access)
        now = timezone.now()
        approval, created = Approval.objects.update_or_create(
            version=version,
            lane=lane_def.name,
            reviewer=actor,
            defaults={"decision": decision, "note": note, "decided_at": now, "project_id": version.project_id},
        )
        _settle_decision(
            version=version, actor=actor, lane=lane_def.name, decision=decision, note=note,
            audit_extra={"role": access.role, "replaced_previous": not created},
        )
    return version


def _settle_decision(*, version: Version, actor: User, lane: str, decision: str, note: str, audit_extra: dict) -> None:
    """After a lane decision: restate the version (and its shot), audit the decision, publish it.
    Runs inside the deciding transaction with the version row locked."""
    before = version.approval_status
    after, _ = lane_states(version, Approval.objects.filter(version=version))
    shot_change = _restate_version(version, before, after)
    audit.record(
        organization=version.project.organization,
        actor=actor,
        action="approval.decided",
        target=version,
        data={
            "shot": version.shot.code,
            "version": version.label,
            "lane": lane,
            "decision": decision,
            "note": note,
            **audit_extra,
            "status": [before, after],
        },
    )
    publish(
        type="approval.decided",
        project_id=version.project_id,
        data={
            "version": str(version.id),
            "shot": str(version.shot_id),
            "lane": lane,
            "decision": decision,
            "reviewer": str(actor.pk),
            "approval_status": after,
            "note": note[:1000],
        },
    )
    if shot_change is not None:
        _publish_shot(shot_change, "approval", retake_count=shot_change.retake_count, version=str(version.id))


def record_agency_review(*, use, actor: User, decision: str, note: str = "") -> Version | None:
    """The agency decided one likeness use: restate the `agency` lane of the use's version, audit it
    as an approval decision and publish it. Called directly by the agency lane of `decide_approval`,
    and by `projects.receivers` for a decision made in rights (`rights.signals.likeness_use_decided`).
    Runs in the agency's transaction; the use row is already locked, the version is locked after it."""
    if use.version_id is None:
        return None  # the render has not produced its version yet; the lane reads the use once it has
    version = (
        Version.objects.select_for_update(of=("self",), no_key=True)
        .select_related("shot", "project__organization").get(pk=use.version_id)
    )
    lane_decision = Approval.Decision.APPROVED if decision == "approve" else Approval.Decision.CHANGES_REQUESTED
    role = Membership.objects.filter(user=actor, organization_id=use.talent.organization_id).values_list("role", flat=True).first()
    _settle_decision(
        version=version, actor=actor, lane="agency", decision=lane_decision, note=note,
        audit_extra={
            "role": role,
            "agency": {"id": str(use.talent.organization_id), "name": use.talent.organization.name},
            "talent": {"id": str(use.talent_id), "name": use.talent.name},
            "use": str(use.pk),
            "replaced_previous": False,
        },
    )
    return version
