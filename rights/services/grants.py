"""Consent grants: a studio requests, the agency grants, suspends, resumes or revokes; grants expire.

Grant transitions: pending → active (grant) ⇄ suspended (suspend / resume); pending, active or
suspended → revoked (revoke; from pending it declines the request); active or suspended →
expired (when valid_until passes: `expire_lapsed_grants`). Anything else is a 409 that says why.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from rest_framework.exceptions import ValidationError

from rights import signals, transitions
from rights.models import ConsentGrant, ContentRestriction, LikenessUse, Medium, Talent, UseType
from rights.refs import ProjectRef
from rights.services._common import (
    STUDIO_REQUEST_ROLES,
    _audit_both,
    _lock_grant,
    _lock_uses,
    _publish_grant,
    _require_agency_member,
    _retry_on_deadlock,
)
from rights.services.uses import on_grant_stopped_covering
from studio.exceptions import Conflict
from studio.tenancy.models import Organization, User
from studio.tenancy.selectors import require_membership

MIN_INTENDED_USE_CHARS = 40
MIN_INTENDED_USE_WORDS = 8
VAGUE_USE = re.compile(
    r"^\s*(any|all|every|unlimited|general|various|whatever|tbd|n/?a|misc\w*)\b.{0,40}$", re.IGNORECASE | re.DOTALL
)
# Blanket-licence boilerplate: the opposite of a "reasonably specific description of the intended use".
BLANKET_PHRASES = re.compile(
    r"\b(any and all|any uses?|all uses|any purposes?|all purposes|any (?:project|production|film|picture)s?|"
    r"throughout the universe|in perpetuity|now known or hereafter (?:known|devised))\b",
    re.IGNORECASE,
)
ISO_COUNTRIES = frozenset(
    """AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD
    CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF
    GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN
    KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA
    NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI
    SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI
    VN VU WF WS YE YT ZA ZM ZW""".split()
)
SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")


@dataclass
class GrantTerms:
    use_types: list[str]
    media: list[str]
    territories: list[str]
    valid_from: dt.datetime
    valid_until: dt.datetime
    intended_use: str
    content_restrictions: list[str]
    content_restrictions_note: str
    requires_per_use_approval: bool


def _clean_terms(
    *,
    use_types,
    media,
    territories,
    valid_from,
    valid_until,
    intended_use,
    content_restrictions,
    content_restrictions_note,
    requires_per_use_approval,
) -> GrantTerms:
    errors: dict[str, list[str]] = {}

    def choices(field: str, values, allowed: list[str], *, required: bool) -> list[str]:
        if values is None:
            values = []
        if not isinstance(values, list | tuple):
            errors[field] = [f"Send a list, e.g. [\"{allowed[0]}\"]."]
            return []
        out = []
        for value in values:
            if value not in allowed:
                errors[field] = [f"Unknown value '{value}'. Use any of: {', '.join(allowed)}."]
                return []
            if value not in out:
                out.append(value)
        if required and not out:
            errors[field] = [f"Name at least one, from: {', '.join(allowed)}."]
        return out

    use_types = choices("use_types", use_types, UseType.values, required=True)
    media = choices("media", media, Medium.values, required=True)
    content_restrictions = choices("content_restrictions", content_restrictions, ContentRestriction.values, required=False)
    clean_territories: list[str] = []
    if not isinstance(territories, list | tuple) or not territories:
        errors["territories"] = ["Name at least one territory: ISO 3166-1 alpha-2 codes such as US or FR, or WORLD."]
    else:
        for t in territories:
            code = str(t).strip().upper()
            if code != "WORLD" and code not in ISO_COUNTRIES:
                errors["territories"] = [f"'{t}' is not a territory; use ISO 3166-1 alpha-2 codes such as US or FR, or WORLD."]
                break
            if code not in clean_territories:
                clean_territories.append(code)
        if "WORLD" in clean_territories:
            clean_territories = ["WORLD"]
    if valid_from is None:
        errors["valid_from"] = ["Give the moment the grant starts (ISO 8601 with a time zone)."]
    if valid_until is None:
        errors["valid_until"] = ["Give the moment the grant ends; consent is never open-ended."]
    if valid_from is not None and valid_until is not None and valid_until <= valid_from:
        errors["valid_until"] = ["valid_until must be after valid_from."]
    text = (intended_use or "").strip()
    words = len(re.findall(r"\w+", text))
    blanket = BLANKET_PHRASES.search(text)
    if blanket:
        errors["intended_use"] = [
            f"The description reads as a blanket grant ('{blanket.group(0)}'); describe the reasonably specific intended use "
            "instead: which character, scenes or shots, and what the replica does."
        ]
    elif len(text) < MIN_INTENDED_USE_CHARS or words < MIN_INTENDED_USE_WORDS or VAGUE_USE.match(text):
        errors["intended_use"] = [
            "Describe the intended use reasonably specifically (at least "
            f"{MIN_INTENDED_USE_WORDS} words): which character, scenes or shots, and what the replica does "
            "— e.g. 'Digital replica of Ava Reyes as Mara in the harbour night exteriors of Moonrise (seq 010), "
            "no dialogue changes.' A grant without one is invalid."
        ]
    if not isinstance(requires_per_use_approval, bool):
        errors["requires_per_use_approval"] = ["Send true or false."]
    if errors:
        raise ValidationError(errors)
    return GrantTerms(
        use_types=use_types, media=media, territories=clean_territories, valid_from=valid_from, valid_until=valid_until,
        intended_use=text, content_restrictions=content_restrictions,
        content_restrictions_note=(content_restrictions_note or "").strip(), requires_per_use_approval=requires_per_use_approval,
    )


# ---------------------------------------------------------------- grant transitions

def request_grant(
    *,
    actor: User,
    talent: Talent,
    studio: Organization,
    project: ProjectRef | None = None,
    use_types: list[str],
    media: list[str],
    territories: list[str],
    valid_until: dt.datetime | None,
    intended_use: str,
    valid_from: dt.datetime | None = None,
    content_restrictions: list[str] | None = None,
    content_restrictions_note: str = "",
    requires_per_use_approval: bool = True,
    note: str = "",
) -> ConsentGrant:
    """A studio asks the talent's agency for consent (state `pending`)."""
    require_membership(user=actor, organization=studio, roles=STUDIO_REQUEST_ROLES, action="request consent")
    if studio.kind != Organization.Kind.STUDIO:
        raise ValidationError({"studio": ["Only a studio requests consent grants."]})
    if project is not None and project.organization_id != studio.pk:
        raise ValidationError({"project": ["This project belongs to another studio."]})
    terms = _clean_terms(
        use_types=use_types, media=media, territories=territories, valid_from=valid_from or timezone.now(),
        valid_until=valid_until, intended_use=intended_use, content_restrictions=content_restrictions,
        content_restrictions_note=content_restrictions_note, requires_per_use_approval=requires_per_use_approval,
    )
    project_id = project.id if project is not None else None
    if terms.valid_until <= timezone.now():
        raise ValidationError({"valid_until": ["The requested term has already ended; pick a future end."]})
    with transaction.atomic():
        return _create_pending_grant(
            actor=actor, requested_by=actor, talent=talent, studio=studio, project_id=project_id, terms=terms, note=note
        )


def _create_pending_grant(
    *, actor: User, requested_by: User | None, talent: Talent, studio: Organization, project_id, terms: GrantTerms, note: str = "",
) -> ConsentGrant:
    """Write, audit and publish a pending grant (inside the caller's transaction; permission already checked).
    Also used when an agency answers a consent request with a grant (`rights.services.consent_requests`)."""
    # One open request per talent, studio and project: lock the talent row so two clicks cannot race.
    Talent.objects.select_for_update(no_key=True).filter(pk=talent.pk).first()
    duplicate = ConsentGrant.objects.filter(
        talent=talent, grantee=studio, project_id=project_id, state=ConsentGrant.State.PENDING
    ).first()
    if duplicate is not None:
        raise Conflict(
            f"{studio.name} already has a pending request for {talent.name} on this "
            f"{'project' if project_id else 'studio'} (grant {duplicate.pk}); wait for {talent.organization.name} to answer it."
        )
    grant = ConsentGrant.objects.create(
        talent=talent, grantee=studio, project_id=project_id, requested_by=requested_by, request_note=(note or "").strip(),
        state=ConsentGrant.State.PENDING, state_changed_at=timezone.now(), **terms.__dict__,
    )
    grant = ConsentGrant.objects.select_related("talent__organization", "grantee", "project").get(pk=grant.pk)
    _audit_both(grant=grant, actor=actor, action="consent.requested", data=_grant_audit_data(grant))
    _publish_grant(grant, change="requested")
    return grant


def _grant_audit_data(grant: ConsentGrant, **extra) -> dict:
    data = {
        "talent": {"id": str(grant.talent_id), "name": grant.talent.name},
        "studio": {"id": str(grant.grantee_id), "name": grant.grantee.name},
        "project": {"id": str(grant.project_id), "code": grant.project.code} if grant.project_id else None,
        "state": grant.state,
        "use_types": list(grant.use_types),
        "media": list(grant.media),
        "territories": list(grant.territories),
        "valid_from": grant.valid_from.isoformat(),
        "valid_until": grant.valid_until.isoformat(),
        "intended_use": grant.intended_use,
        "content_restrictions": list(grant.content_restrictions),
        "requires_per_use_approval": grant.requires_per_use_approval,
    }
    if grant.document_sha256:
        data["document_sha256"] = grant.document_sha256
        data["signed_at"] = grant.signed_at.isoformat() if grant.signed_at else None
        data["signed_by"] = grant.signed_by
        data["signer_capacity"] = grant.signer_capacity
        data["survives_death"] = grant.survives_death
    data.update(extra)
    return data


def grant_consent(
    *,
    actor: User,
    grant: ConsentGrant,
    document_sha256: str,
    signed_at: dt.datetime | None,
    signed_by: str,
    signer_capacity: str,
    survives_death: bool = False,
    terms: dict | None = None,
) -> ConsentGrant:
    """The agency grants a pending request, recording the signed instrument. It may narrow or set the
    terms (`terms`: any of use_types, media, territories, valid_from, valid_until, intended_use,
    content_restrictions, content_restrictions_note, requires_per_use_approval)."""
    _require_agency_member(actor=actor, talent=grant.talent, action="grant consent")
    errors: dict[str, list[str]] = {}
    digest = (document_sha256 or "").strip().lower()
    if not SHA256_HEX.match(digest):
        errors["document_sha256"] = ["Give the SHA-256 of the signed consent document: 64 hexadecimal characters."]
    now = timezone.now()
    if signed_at is None:
        errors["signed_at"] = ["Give when the consent document was signed."]
    elif signed_at > now + dt.timedelta(minutes=5):
        errors["signed_at"] = ["The signing time cannot be in the future."]
    if not (signed_by or "").strip():
        errors["signed_by"] = ["Give the name of the person who signed."]
    if signer_capacity not in ConsentGrant.SignerCapacity.values:
        errors["signer_capacity"] = [f"Use one of: {', '.join(ConsentGrant.SignerCapacity.values)}."]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        grant = _lock_grant(grant)
        if conflict := transitions.grant_step_conflict(grant, "grant"):
            raise Conflict(conflict)
        talent = grant.talent
        if talent.is_deceased and signer_capacity not in ("estate", "union"):
            raise ValidationError({"signer_capacity": [
                f"{talent.name} is deceased: consent must be signed by the estate ({talent.estate_name}) or the union."
            ]})
        current = {f: getattr(grant, f) for f in GrantTerms.__dataclass_fields__}
        unknown = set(terms or {}) - set(current)
        if unknown:
            raise ValidationError({"terms": [f"Unknown terms {sorted(unknown)}; use any of {sorted(current)}."]})
        clean = _clean_terms(**{**current, **(terms or {})})
        if clean.valid_until <= now:
            raise ValidationError({"valid_until": ["The grant's term has already ended; set a future valid_until."]})
        changed = {k: v for k, v in clean.__dict__.items() if v != current[k]}
        for key, value in clean.__dict__.items():
            setattr(grant, key, value)
        grant.document_sha256 = digest
        grant.signed_at = signed_at
        grant.signed_by = signed_by.strip()[:200]
        grant.signer_capacity = signer_capacity
        grant.survives_death = bool(survives_death)
        grant.state = ConsentGrant.State.ACTIVE
        grant.state_changed_at = now
        grant.state_reason = ""
        grant.granted_by = actor
        grant.granted_at = now
        grant.save()
        _audit_both(
            grant=grant, actor=actor, action="consent.granted",
            data=_grant_audit_data(grant, previous_state="pending", changed_terms=sorted(changed)),
        )
        _publish_grant(grant, change="granted", previous="pending")
    return grant


@_retry_on_deadlock
def suspend_grant(*, actor: User, grant: ConsentGrant, reason: str) -> ConsentGrant:
    """Active → suspended (e.g. a strike suspension or a dispute hold). Uses stop being covered at once."""
    _require_agency_member(actor=actor, talent=grant.talent, action="suspend consent")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ["Say why the grant is suspended; the studio sees it."]})
    with transaction.atomic():
        grant = _lock_grant(grant)
        if conflict := transitions.grant_step_conflict(grant, "suspend"):
            raise Conflict(conflict)
        _lock_uses(grant)
        previous = grant.state
        grant.state, grant.state_reason, grant.state_changed_at = ConsentGrant.State.SUSPENDED, reason, timezone.now()
        grant.save(update_fields=["state", "state_reason", "state_changed_at", "updated_at"])
        _audit_both(
            grant=grant, actor=actor, action="consent.suspended", data=_grant_audit_data(grant, previous_state=previous, reason=reason)
        )
        on_grant_stopped_covering(grant, cause="suspended", actor=actor, reason=f"{grant.talent.name}'s grant was suspended: {reason}")
        _publish_grant(grant, change="suspended", previous=previous, reason=reason)
    return grant


def resume_grant(*, actor: User, grant: ConsentGrant, note: str = "") -> ConsentGrant:
    """Suspended → active. Uses invalidated by the suspension whose render finished are restored."""
    _require_agency_member(actor=actor, talent=grant.talent, action="resume consent")
    with transaction.atomic():
        grant = _lock_grant(grant)
        now = timezone.now()
        if conflict := transitions.grant_step_conflict(grant, "resume") or transitions.grant_blocked(grant, "resume", now=now):
            raise Conflict(conflict)
        previous = grant.state
        grant.state, grant.state_reason, grant.state_changed_at = ConsentGrant.State.ACTIVE, (note or "").strip(), now
        grant.save(update_fields=["state", "state_reason", "state_changed_at", "updated_at"])
        restored = _restore_suspended_uses(grant)
        _audit_both(
            grant=grant, actor=actor, action="consent.resumed",
            data=_grant_audit_data(grant, previous_state=previous, note=grant.state_reason, restored_uses=[str(u.pk) for u in restored]),
        )
        if restored:
            signals.grant_resumed_covering.send(sender=ConsentGrant, grant=grant, uses=restored)
        _publish_grant(grant, change="resumed", previous=previous)
    return grant


@_retry_on_deadlock
def revoke_grant(*, actor: User, grant: ConsentGrant, reason: str) -> ConsentGrant:
    """Pending, active or suspended → revoked (from pending: the request is declined). Takes effect at once."""
    _require_agency_member(actor=actor, talent=grant.talent, action="revoke consent")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ["Say why the grant is revoked; the studio sees it."]})
    with transaction.atomic():
        grant = _lock_grant(grant)
        if conflict := transitions.grant_step_conflict(grant, "revoke"):
            raise Conflict(conflict)
        _lock_uses(grant)
        previous = grant.state
        grant.state, grant.state_reason, grant.state_changed_at = ConsentGrant.State.REVOKED, reason, timezone.now()
        grant.save(update_fields=["state", "state_reason", "state_changed_at", "updated_at"])
        action = "consent.declined" if previous == ConsentGrant.State.PENDING else "consent.revoked"
        _audit_both(grant=grant, actor=actor, action=action, data=_grant_audit_data(grant, previous_state=previous, reason=reason))
        if previous != ConsentGrant.State.PENDING:
            on_grant_stopped_covering(grant, cause="revoked", actor=actor, reason=f"{grant.talent.name}'s grant was revoked: {reason}")
        _publish_grant(grant, change="declined" if previous == ConsentGrant.State.PENDING else "revoked", previous=previous, reason=reason)
    return grant


def expire_lapsed_grants(*, at: dt.datetime | None = None) -> list[ConsentGrant]:
    """Active or suspended grants whose valid_until has passed → expired (run periodically; the policy
    already treats them as expired from that moment, this records it and invalidates their uses)."""
    at = at or timezone.now()
    expired: list[ConsentGrant] = []
    ids = list(
        ConsentGrant.objects.filter(
            state__in=[ConsentGrant.State.ACTIVE, ConsentGrant.State.SUSPENDED], valid_until__lte=at
        ).values_list("pk", flat=True)
    )
    for pk in ids:
        grant = _expire_one(pk=pk, at=at)
        if grant is not None:
            expired.append(grant)
    return expired


@_retry_on_deadlock
def _expire_one(*, pk, at: dt.datetime) -> ConsentGrant | None:
    with transaction.atomic():
        grant = ConsentGrant.objects.select_for_update(of=("self",), no_key=True).select_related(
            "talent__organization", "grantee", "project"
        ).get(pk=pk)
        if grant.state not in (ConsentGrant.State.ACTIVE, ConsentGrant.State.SUSPENDED) or grant.valid_until > at:
            return None
        _lock_uses(grant)
        previous = grant.state
        grant.state, grant.state_changed_at = ConsentGrant.State.EXPIRED, at
        grant.state_reason = f"The term ended on {grant.valid_until.isoformat()}."
        grant.save(update_fields=["state", "state_reason", "state_changed_at", "updated_at"])
        _audit_both(
            grant=grant, actor=None, actor_label="system", action="consent.expired",
            data=_grant_audit_data(grant, previous_state=previous),
        )
        on_grant_stopped_covering(grant, cause="expired", actor=None, reason=f"{grant.talent.name}'s grant expired.")
        _publish_grant(grant, change="expired", previous=previous)
    return grant


def _restore_suspended_uses(grant: ConsentGrant) -> list[LikenessUse]:
    """On resume: uses invalidated by the suspension come back to their earlier state when their
    render finished (a version exists); uses whose job was cancelled stay invalidated."""
    uses = list(
        LikenessUse.objects.select_for_update(no_key=True).filter(
            grant=grant, state=LikenessUse.State.INVALIDATED, invalidated_cause="suspended", version__isnull=False
        )
    )
    for use in uses:
        use.state = use.state_before_invalidation or LikenessUse.State.PENDING_REVIEW
        use.state_before_invalidation = ""
        use.invalidated_at, use.invalidated_reason, use.invalidated_cause = None, "", ""
    if uses:
        LikenessUse.objects.bulk_update(
            uses, ["state", "state_before_invalidation", "invalidated_at", "invalidated_reason", "invalidated_cause", "updated_at"]
        )
    return uses
