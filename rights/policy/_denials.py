"""Denials in the audit chains: the studio's gets the whole decision, each involved agency the
reasons about its own talent."""

from __future__ import annotations

import uuid
from collections import defaultdict

from django.db import transaction

from rights.policy._decision import PolicyDecision, Reason
from studio import metrics
from studio.audit import services as audit


def audit_denial(*, decision: PolicyDecision, actor=None, actor_label: str = "") -> None:
    """Write a denial to the audit chains (the studio's, and each involved agency's). For callers that
    ran a check with `audit=False` inside a transaction they then rolled back."""
    project = decision.project
    if project is None:
        raise ValueError("audit_denial needs a decision made by a policy check (it carries its project).")
    _audit_denial(decision=decision, studio=project.organization, project=project, actor=actor, actor_label=actor_label)


def _audit_denial(*, decision: PolicyDecision, studio, project, actor, actor_label: str) -> None:
    """The studio's chain gets the whole decision; each involved agency gets the reasons about its talent."""
    from studio.tenancy.models import Organization

    metrics.consent_refused(decision.purpose)  # greenlight_consent_refusals_total{purpose}

    by_agency: dict[str, list[Reason]] = defaultdict(list)
    for reason in decision.reasons:
        if reason.agency_id:
            by_agency[reason.agency_id].append(reason)
    common = {
        "purpose": decision.purpose,
        "policy_version": decision.policy_version,
        "checked_at": decision.at.isoformat(),
        "project": {"id": str(project.id), "code": project.code, "name": project.name},
        "use_type": decision.use_type,
        "prompt_sha256": decision.prompt_sha256,
        **decision.extra,
    }
    with transaction.atomic():
        audit.record(
            organization=studio, actor=actor, actor_label=actor_label, action="consent.denied",
            target_type="projects.project", target_id=str(project.id), data={**common, "reasons": [r.as_dict() for r in decision.reasons]},
        )
        agencies = Organization.objects.in_bulk(list(by_agency)) if by_agency else {}
        for agency_id, reasons in sorted(by_agency.items()):
            audit.record(
                organization=agencies[uuid.UUID(agency_id)], actor=actor, actor_label=actor_label, action="consent.denied",
                target_type="rights.talent", target_id=reasons[0].talent_id,
                data={**common, "studio": {"id": str(studio.pk), "name": studio.name}, "reasons": [r.as_dict() for r in reasons]},
            )
