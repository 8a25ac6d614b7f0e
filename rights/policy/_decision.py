"""The decision's vocabulary: outcomes, reason codes, `Reason`, `Coverage`, `PolicyDecision` and
the 403 it raises (`PolicyDenied`)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from rest_framework import status
from rest_framework.exceptions import APIException

from rights.models import ConsentGrant, Talent, UseType
from rights.refs import ProjectRef

POLICY_VERSION = "2026-11.1"

ALLOW = "allow"
NEEDS_AGENCY_REVIEW = "needs_agency_review"
DENY = "deny"

VERSION_PURPOSES = ("approve", "export", "deliver")
# Use types that cover a talent named in a prompt without being cast.
PROMPT_NAME_USE_TYPES = frozenset({UseType.NAME_OR_LIKENESS_IN_PROMPT.value, UseType.DIGITAL_REPLICA.value})
# Use types that cover a face of a talent the likeness scan saw in a take or version.
SCAN_USE_TYPES = frozenset({UseType.DIGITAL_REPLICA.value})
# Signers whose consent covers a deceased talent.
POSTMORTEM_SIGNERS = frozenset({ConsentGrant.SignerCapacity.ESTATE.value, ConsentGrant.SignerCapacity.UNION.value})
CONTENT_TAGS = ("nudity_sexual", "violence_gore", "political", "endorsement", "dialogue_meaning_change", "appearance_change")

# Reason codes.
NO_GRANT_FOR_STUDIO = "no_grant_for_studio"
WRONG_PROJECT = "wrong_project"
USE_TYPE_NOT_GRANTED = "use_type_not_granted"
NOT_YET_VALID = "not_yet_valid"
EXPIRED = "expired"
SUSPENDED = "suspended"
REVOKED = "revoked"
PENDING = "pending"
DECEASED_WITHOUT_ESTATE_GRANT = "deceased_without_estate_grant"
MEDIUM_NOT_GRANTED = "medium_not_granted"
TERRITORY_NOT_GRANTED = "territory_not_granted"
CONTENT_RESTRICTED = "content_restricted"
UNKNOWN_TALENT = "unknown_talent"
QUARANTINED = "quarantined"
AGENCY_REJECTED = "agency_rejected"
AGENCY_REVIEW_REQUIRED = "agency_review_required"
AWAITING_AGENCY_REVIEW = "awaiting_agency_review"

# Refusals a consent request can cure (a new grant from the agency); the others wait on the agency
# (suspended, pending, quarantined, a decision) or on nothing at all (unknown talent).
REQUESTABLE = frozenset({
    NO_GRANT_FOR_STUDIO, WRONG_PROJECT, USE_TYPE_NOT_GRANTED, EXPIRED, REVOKED, DECEASED_WITHOUT_ESTATE_GRANT,
    MEDIUM_NOT_GRANTED, TERRITORY_NOT_GRANTED, NOT_YET_VALID,
})


@dataclass(frozen=True)
class Reason:
    code: str
    message: str
    talent_id: str
    talent: str
    agency: str = ""
    via: str = "cast"
    grant_id: str | None = None
    matched: tuple[str, ...] = ()
    use_id: str | None = None
    agency_id: str | None = None

    def as_dict(self) -> dict[str, Any]:
        data = {
            "code": self.code, "message": self.message, "talent_id": self.talent_id, "talent": self.talent,
            "agency": self.agency, "via": self.via, "grant_id": self.grant_id,
        }
        if self.matched:
            data["matched"] = list(self.matched)
        if self.use_id:
            data["use_id"] = self.use_id
        return data


@dataclass(frozen=True)
class Coverage:
    """One talent covered by one grant."""

    talent: Talent
    grant: ConsentGrant
    use_type: str
    via: str
    requires_agency_review: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "talent_id": str(self.talent.pk), "talent": self.talent.name, "grant_id": str(self.grant.pk),
            "use_type": self.use_type, "via": self.via, "requires_agency_review": self.requires_agency_review,
            "content_restrictions": list(self.grant.content_restrictions),
        }


@dataclass(frozen=True)
class PolicyDecision:
    outcome: str
    purpose: str
    studio_id: str
    project_id: str
    at: datetime
    reasons: tuple[Reason, ...] = ()
    reviews: tuple[Reason, ...] = ()
    covered: tuple[Coverage, ...] = ()
    use_type: str = ""
    prompt: str = ""
    negative_prompt: str = ""
    policy_version: str = POLICY_VERSION
    extra: dict = field(default_factory=dict)
    # The project checked (a `rights.refs.ProjectRef`): what a denial audited later and the likeness uses recorded name.
    project: ProjectRef | None = field(default=None, compare=False, repr=False)

    @property
    def denied(self) -> bool:
        return self.outcome == DENY

    @property
    def permits(self) -> bool:
        """May the work go ahead? A generation may render while the agency's review is pending;
        approval, export and delivery need `allow`."""
        if self.purpose in ("generation", "render", "scan"):
            return self.outcome in (ALLOW, NEEDS_AGENCY_REVIEW)
        return self.outcome == ALLOW

    @property
    def prompt_sha256(self) -> str:
        return prompt_digest(self.prompt, self.negative_prompt)

    def as_dict(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome,
            "purpose": self.purpose,
            "policy_version": self.policy_version,
            "checked_at": self.at.isoformat(),
            "reasons": [r.as_dict() for r in self.reasons],
            "reviews": [r.as_dict() for r in self.reviews],
            "covered": [c.as_dict() for c in self.covered],
        }

    def summary(self) -> str:
        if self.outcome == DENY:
            return "Consent does not cover this: " + " ".join(r.message for r in self.reasons)
        if self.outcome == NEEDS_AGENCY_REVIEW:
            return "The agency must approve this use first: " + " ".join(r.message for r in self.reviews)
        return "Allowed."

    def raise_unless_permitted(self) -> None:
        if not self.permits:
            raise PolicyDenied(self)


class PolicyDenied(APIException):
    """403 with the decision's reasons as JSON: {"error": "consent_denied", "detail", "outcome", "reasons", ...}."""

    status_code = status.HTTP_403_FORBIDDEN
    default_code = "consent_denied"

    def __init__(self, decision: PolicyDecision):
        code = "consent_denied" if decision.outcome == DENY else "agency_review_pending"
        super().__init__(detail=decision.summary(), code=code)
        self.decision = decision
        self.extra = {
            "outcome": decision.outcome,
            "purpose": decision.purpose,
            "policy_version": decision.policy_version,
            "reasons": [r.as_dict() for r in decision.reasons],
            "reviews": [r.as_dict() for r in decision.reviews],
            "request_consent": request_consent_prefill(decision),
        }


def request_consent_prefill(decision: PolicyDecision) -> dict | None:
    """What a browser needs to open a pre-filled consent request from this refusal (POST
    /api/v1/consent-requests/): the project, and per talent whose refusal a grant would cure, the
    talent id and the use type to ask for (a name in a prompt asks for `name_or_likeness_in_prompt`).
    None when no reason can be cured by a request."""
    talent: dict[str, dict] = {}
    for reason in decision.reasons:
        if reason.code not in REQUESTABLE or not reason.talent_id:
            continue
        if reason.via == "prompt":
            use_type = UseType.NAME_OR_LIKENESS_IN_PROMPT.value
        elif reason.via == "scan":
            use_type = UseType.DIGITAL_REPLICA.value
        else:
            use_type = decision.use_type or UseType.DIGITAL_REPLICA.value
        entry = talent.setdefault(reason.talent_id, {
            "talent_id": reason.talent_id, "talent": reason.talent, "agency": reason.agency, "reason_code": reason.code, "use_types": [],
        })
        if use_type not in entry["use_types"]:
            entry["use_types"].append(use_type)
    if not talent or not decision.project_id:
        return None
    scan = any(r.via == "scan" for r in decision.reasons if r.talent_id in talent)
    origin = "likeness_scan" if scan else "generation_refusal"
    return {"project": decision.project_id, "origin": origin, "talent": list(talent.values())}


def prompt_digest(prompt: str, negative_prompt: str = "") -> str:
    return hashlib.sha256(f"{prompt or ''}\x00{negative_prompt or ''}".encode()).hexdigest()
