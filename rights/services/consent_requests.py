"""Consent requests: a studio asks an agency for consent it lacks; the agency grants or refuses it.

A request is usually sent from a refusal (the consent policy's 403 `consent_denied` carries the
talent id, use type and project a browser needs to pre-fill it; later the likeness scan's hold). It names
the talent, the project, the use types, a description of the intended use and a term, and
optionally media and territories.

- `create_consent_request` (the studio: owner, admin, producer, legal) → `open`;
- `grant_consent_request` (the agency: owner, admin, agent, legal) → `granted`: in the same
  transaction a `ConsentGrant` is made from the request's terms (pending, requested by the
  requester) and granted with the signed instrument (`grant_consent`), so the grant's own
  audit events and `consent.changed` messages are written as for any grant;
- `refuse_consent_request` (the agency, with a reason the studio sees) → `refused`;
- `withdraw_consent_request` (the studio) → `withdrawn`.

Every step checks permission, writes, audits in both parties' chains (`consent_request.*`) and
publishes `consent_request.changed` on the project's stream (internal), in one transaction. The
notifications app tells the requester when the agency answers.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from rest_framework.exceptions import ValidationError

from rights import transitions
from rights.models import ConsentRequest, Medium, Talent
from rights.refs import ProjectRef
from rights.services._common import STUDIO_REQUEST_ROLES
from rights.services.grants import GrantTerms, _clean_terms, _create_pending_grant, grant_consent
from studio.audit import services as audit
from studio.exceptions import Conflict
from studio.realtime.publish import publish
from studio.tenancy.models import Organization, User
from studio.tenancy.selectors import require_membership

ORIGINS = ConsentRequest.Origin.values
MAX_REASON_CHARS = 5_000


def consent_request_summary(request: ConsentRequest, *, change: str, reason: str = "") -> dict:
    return {
        "request": str(request.pk), "change": change, "state": request.state,
        "talent": {"id": str(request.talent_id), "name": request.talent.name},
        "agency": {"id": str(request.agency_id), "name": request.agency.name},
        "studio": {"id": str(request.studio_id), "name": request.studio.name},
        "project": str(request.project_id), "use_types": list(request.use_types),
        "requested_by": str(request.requested_by_id) if request.requested_by_id else None,
        "grant": str(request.grant_id) if request.grant_id else None, "reason": reason,
    }


def _audit_data(request: ConsentRequest, **extra) -> dict:
    return {
        "talent": {"id": str(request.talent_id), "name": request.talent.name},
        "agency": {"id": str(request.agency_id), "name": request.agency.name},
        "studio": {"id": str(request.studio_id), "name": request.studio.name},
        "project": str(request.project_id), "state": request.state, "use_types": list(request.use_types),
        "media": list(request.media), "territories": list(request.territories), "description": request.description,
        "valid_from": request.valid_from.isoformat(), "valid_until": request.valid_until.isoformat(),
        "origin": request.origin, "origin_reason": request.origin_reason, **extra,
    }


def _record(request: ConsentRequest, *, actor, change: str, reason: str = "", **extra) -> None:
    """Both parties' audit chains, and the project's stream (after commit)."""
    data = _audit_data(request, reason=reason, **extra) if reason else _audit_data(request, **extra)
    for organization in (request.agency, request.studio):
        audit.record(organization=organization, actor=actor, action=f"consent_request.{change}", target=request, data=data)
    publish(
        type="consent_request.changed", project_id=request.project_id, audience="internal",
        data=consent_request_summary(request, change=change, reason=reason),
    )


def _lock(request: ConsentRequest) -> ConsentRequest:
    return ConsentRequest.objects.select_for_update(of=("self",), no_key=True).select_related(
        "talent__organization", "agency", "studio", "requested_by"
    ).get(pk=request.pk)


def _clean_request_terms(*, use_types, media, territories, valid_from, valid_until, description) -> GrantTerms:
    """The grant's own rules (`_clean_terms`), except that media and territories may be left for the
    agency to fill in when it grants: placeholders stand in for them during the check."""
    try:
        terms = _clean_terms(
            use_types=use_types, media=media or [Medium.values[0]], territories=territories or ["WORLD"], valid_from=valid_from,
            valid_until=valid_until, intended_use=description, content_restrictions=[], content_restrictions_note="",
            requires_per_use_approval=True,
        )
    except ValidationError as exc:
        detail = dict(exc.detail)
        if "intended_use" in detail:
            detail["description"] = detail.pop("intended_use")
        raise ValidationError(detail) from exc
    terms.media = terms.media if media else []
    terms.territories = terms.territories if territories else []
    return terms


def create_consent_request(
    *,
    actor: User,
    talent: Talent,
    project: ProjectRef,
    use_types: list[str],
    description: str,
    valid_until: dt.datetime | None,
    valid_from: dt.datetime | None = None,
    media: list[str] | None = None,
    territories: list[str] | None = None,
    origin: str = ConsentRequest.Origin.DIRECT,
    origin_reason: str = "",
) -> ConsentRequest:
    """The project's studio asks the talent's agency for consent (state `open`)."""
    studio = project.organization
    require_membership(user=actor, organization=studio, roles=STUDIO_REQUEST_ROLES, action="request consent")
    if studio.kind != Organization.Kind.STUDIO:
        raise ValidationError({"project": ["Only a studio's project can need consent."]})
    if origin not in ORIGINS:
        raise ValidationError({"origin": [f"Unknown origin '{origin}'. Use one of: {', '.join(ORIGINS)}."]})
    terms = _clean_request_terms(
        use_types=use_types, media=media, territories=territories, valid_from=valid_from or timezone.now(),
        valid_until=valid_until, description=description,
    )
    if terms.valid_until <= timezone.now():
        raise ValidationError({"valid_until": ["The requested term has already ended; pick a future end."]})
    with transaction.atomic():
        # One open request per talent, studio and project: the talent's row serialises two clicks.
        Talent.objects.select_for_update(no_key=True).filter(pk=talent.pk).first()
        duplicate = ConsentRequest.objects.filter(
            talent=talent, studio=studio, project_id=project.id, state=ConsentRequest.State.OPEN
        ).first()
        if duplicate is not None:
            raise Conflict(
                f"{studio.name} already has an open consent request for {talent.name} on {project.code} "
                f"(request {duplicate.pk}); wait for {talent.organization.name} to answer it, or withdraw it first."
            )
        request = ConsentRequest.objects.create(
            talent=talent, agency_id=talent.organization_id, studio=studio, project_id=project.id,
            use_types=terms.use_types, media=terms.media, territories=terms.territories, description=terms.intended_use,
            valid_from=terms.valid_from, valid_until=terms.valid_until, origin=origin, origin_reason=(origin_reason or "")[:40],
            requested_by=actor,
        )
        request = _lock(request)
        _record(request, actor=actor, change="created")
    return request


def _request_terms(request: ConsentRequest, overrides: dict | None) -> dict:
    """The grant's terms: the request's, with what the agency changed on top (checked by `grant_consent`)."""
    terms = {
        "use_types": list(request.use_types), "media": list(request.media), "territories": list(request.territories),
        "valid_from": request.valid_from, "valid_until": request.valid_until, "intended_use": request.description,
    }
    return {**terms, **(overrides or {})}


def grant_consent_request(
    *,
    actor: User,
    request: ConsentRequest,
    document_sha256: str,
    signed_at: dt.datetime | None,
    signed_by: str,
    signer_capacity: str,
    survives_death: bool = False,
    terms: dict | None = None,
) -> ConsentRequest:
    """The agency answers with a grant: made from the request's terms (the agency may change any of
    them, and must give media and territories the request left open), signed and active at once."""
    require_membership(user=actor, organization=request.agency, roles=transitions.AGENCY_ROLES, action="answer consent requests")
    with transaction.atomic():
        request = _lock(request)
        if conflict := transitions.request_step_conflict(request, "grant"):
            raise Conflict(conflict)
        merged = _request_terms(request, terms)
        pending = _create_pending_grant(
            actor=actor, requested_by=request.requested_by, talent=request.talent, studio=request.studio,
            project_id=request.project_id, terms=_pending_terms(merged), note=f"Consent request {request.pk}",
        )
        grant = grant_consent(
            actor=actor, grant=pending, document_sha256=document_sha256, signed_at=signed_at, signed_by=signed_by,
            signer_capacity=signer_capacity, survives_death=survives_death, terms=merged,
        )
        request.state, request.grant = ConsentRequest.State.GRANTED, grant
        request.answered_by, request.answered_at = actor, timezone.now()
        request.save(update_fields=["state", "grant", "answered_by", "answered_at", "updated_at"])
        _record(request, actor=actor, change="granted", grant=str(grant.pk))
    return request


def _pending_terms(merged: dict) -> GrantTerms:
    """Terms for the pending grant, checked in full (media and territories now required)."""
    try:
        return _clean_terms(
            content_restrictions=merged.get("content_restrictions") or [],
            content_restrictions_note=merged.get("content_restrictions_note") or "",
            requires_per_use_approval=merged.get("requires_per_use_approval", True),
            **{k: merged[k] for k in ("use_types", "media", "territories", "valid_from", "valid_until", "intended_use")},
        )
    except ValidationError as exc:
        detail = exc.detail if isinstance(exc.detail, dict) else {"terms": exc.detail}
        for field in ("media", "territories"):
            if field in detail and not merged.get(field):
                detail[field] = [f"The request left {field} open; name them in the grant."]
        raise ValidationError(detail) from exc


def refuse_consent_request(*, actor: User, request: ConsentRequest, reason: str) -> ConsentRequest:
    """The agency refuses, saying why (the studio sees the reason)."""
    require_membership(user=actor, organization=request.agency, roles=transitions.AGENCY_ROLES, action="answer consent requests")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ["Say why consent is refused; the studio sees it."]})
    if len(reason) > MAX_REASON_CHARS:
        raise ValidationError({"reason": [f"Keep the reason under {MAX_REASON_CHARS} characters."]})
    return _close(actor=actor, request=request, action="refuse", state=ConsentRequest.State.REFUSED, reason=reason)


def withdraw_consent_request(*, actor: User, request: ConsentRequest, reason: str = "") -> ConsentRequest:
    """The studio withdraws an open request."""
    require_membership(user=actor, organization=request.studio, roles=STUDIO_REQUEST_ROLES, action="withdraw consent requests")
    return _close(actor=actor, request=request, action="withdraw", state=ConsentRequest.State.WITHDRAWN,
                  reason=(reason or "").strip()[:MAX_REASON_CHARS])


def _close(*, actor: User, request: ConsentRequest, action: str, state: str, reason: str) -> ConsentRequest:
    with transaction.atomic():
        request = _lock(request)
        if conflict := transitions.request_step_conflict(request, action):
            raise Conflict(conflict)
        request.state, request.answer_reason = state, reason
        request.answered_by, request.answered_at = actor, timezone.now()
        request.save(update_fields=["state", "answer_reason", "answered_by", "answered_at", "updated_at"])
        _record(request, actor=actor, change=str(state), reason=reason)
    return request


__all__ = [
    "consent_request_summary", "create_consent_request", "grant_consent_request", "refuse_consent_request",
    "withdraw_consent_request",
]
