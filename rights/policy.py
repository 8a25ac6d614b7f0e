"""The one consent policy. Every path that renders, approves, exports or delivers a likeness asks here.

- `check_generation(...)`: before a generation is queued (`generation.services.submit_generation`),
  and again when a worker starts it (`generation.tasks.render_generation`, `purpose="render"`).
- `check_version_use(...)`: before a version is approved (`check_approval`, from every approval
  lane: `projects.lanes.check_decision_allowed`) or delivered (the original's download);
  `check_versions(...)` for a whole cut export at once (same rules, a fixed number of queries).

Both answer a `PolicyDecision`: `allow`, `needs_agency_review` or `deny`, with reasons that name
the talent and the missing scope. Denials are written to the audit chain of the studio and of
each agency whose talent was involved (so an agency sees attempted uses of its clients).

Rules (the consent flow is described in docs/RIGHTS.md):

1. Each cast talent needs a grant of the studio that is `active`, covers the project (or every
   project of the studio), the use type, the moment `at` (valid_from ≤ at < valid_until), and,
   when the caller names them, the medium, territory and content tags.
2. The name guard: a prompt or negative prompt that names a registered talent or alias (see
   `rights.names`) needs a covering grant with `name_or_likeness_in_prompt` or `digital_replica`.
3. A deceased talent is covered only by a grant signed by the estate (or the union), or by a
   lifetime grant marked `survives_death` that was signed before the death.
4. A covering grant that requires per-use approval makes a generation `needs_agency_review`
   (it may render; the agency must approve the use before the version can be approved,
   exported or delivered).
5. A grant of another studio is never considered, and a studio is never told whether one
   exists: "no grant for this studio" and "a grant only for another studio" are the same
   reason, `no_grant_for_studio`.

Efficiency: one query finds the cast and every talent named in the prompts (GIN-indexed array
overlap); one query loads those talents' grants for this studio.

Transactions: a denial's audit events are written where the check runs. Call the check before
opening the transaction that would write the job (or raise `PolicyDenied` after leaving it);
a denial audited inside a transaction that is then rolled back is lost with it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL
from django.utils import timezone
from rest_framework import status
from rest_framework.exceptions import APIException, ValidationError

from rights import names
from rights.models import ConsentGrant, LikenessUse, Talent, UseType
from studio import metrics
from studio.audit import services as audit

POLICY_VERSION = "2026-11.1"

ALLOW = "allow"
NEEDS_AGENCY_REVIEW = "needs_agency_review"
DENY = "deny"

VERSION_PURPOSES = ("approve", "export", "deliver")
# Use types that cover a talent named in a prompt without being cast.
PROMPT_NAME_USE_TYPES = frozenset({UseType.NAME_OR_LIKENESS_IN_PROMPT.value, UseType.DIGITAL_REPLICA.value})
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

    @property
    def denied(self) -> bool:
        return self.outcome == DENY

    @property
    def permits(self) -> bool:
        """May the work go ahead? A generation may render while the agency's review is pending;
        approval, export and delivery need `allow`."""
        if self.purpose in ("generation", "render"):
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
        }


def prompt_digest(prompt: str, negative_prompt: str = "") -> str:
    return hashlib.sha256(f"{prompt or ''}\x00{negative_prompt or ''}".encode()).hexdigest()


# ---------------------------------------------------------------- grant evaluation

def _fmt(moment: datetime | None) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC") if moment else "?"


def _possessive(name: str) -> str:
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def grant_failures(
    grant: ConsentGrant,
    *,
    talent: Talent,
    project,
    use_types: frozenset[str],
    at: datetime,
    media: str | None = None,
    territory: str | None = None,
    content_tags: Iterable[str] = (),
) -> list[tuple[str, str]]:
    """Why `grant` does not cover this use, as (code, message) pairs; empty when it covers."""
    who = _possessive(talent.name)
    agency = talent.organization.name
    out: list[tuple[str, str]] = []
    if grant.state == ConsentGrant.State.PENDING:
        out.append((PENDING, f"{who} consent request is still pending with {agency}."))
    elif grant.state == ConsentGrant.State.SUSPENDED:
        why = f": {grant.state_reason}" if grant.state_reason else ""
        out.append((SUSPENDED, f"{who} grant is suspended by {agency}{why}."))
    elif grant.state == ConsentGrant.State.REVOKED:
        why = f": {grant.state_reason}" if grant.state_reason else ""
        out.append((REVOKED, f"{who} grant was revoked by {agency} on {_fmt(grant.state_changed_at)}{why}."))
    elif grant.state == ConsentGrant.State.EXPIRED:
        out.append((EXPIRED, f"{who} grant expired on {_fmt(grant.valid_until)}."))
    if grant.project_id is not None and grant.project_id != project.pk:
        out.append((WRONG_PROJECT, f"{who} grant covers project {grant.project.code} only, not {project.code}."))
    if not (use_types & set(grant.use_types)):
        wanted = " or ".join(sorted(use_types))
        out.append((USE_TYPE_NOT_GRANTED, f"{who} grant covers {', '.join(grant.use_types)}, not {wanted}."))
    if at < grant.valid_from:
        out.append((NOT_YET_VALID, f"{who} grant is valid only from {_fmt(grant.valid_from)}."))
    elif at >= grant.valid_until and grant.state != ConsentGrant.State.EXPIRED:
        out.append((EXPIRED, f"{who} grant expired on {_fmt(grant.valid_until)}."))
    if talent.is_deceased and not _covers_deceased(grant, talent):
        estate = f" ({talent.estate_name})" if talent.estate_name else ""
        out.append((
            DECEASED_WITHOUT_ESTATE_GRANT,
            f"{talent.name} is deceased; consent must come from the estate{estate}, and this grant was not signed by it.",
        ))
    if media and media not in grant.media:
        out.append((MEDIUM_NOT_GRANTED, f"{who} grant does not cover the medium '{media}'."))
    if territory and "WORLD" not in grant.territories and territory.upper() not in grant.territories:
        out.append((TERRITORY_NOT_GRANTED, f"{who} grant does not cover the territory '{territory.upper()}'."))
    hit = sorted(t for t in content_tags if f"no_{t}" in grant.content_restrictions)
    if hit:
        out.append((CONTENT_RESTRICTED, f"{who} grant forbids {', '.join(hit)} content."))
    return out


def _covers_deceased(grant: ConsentGrant, talent: Talent) -> bool:
    if grant.signer_capacity in POSTMORTEM_SIGNERS:
        return True
    if grant.survives_death and grant.signed_at is not None:
        return talent.date_of_death is None or grant.signed_at.date() <= talent.date_of_death
    return False


def _specificity(grant: ConsentGrant) -> tuple:
    # Project grants before studio-wide grants; the stricter (per-use approval) first; newest first.
    return (grant.project_id is None, not grant.requires_per_use_approval, -grant.created_at.timestamp())


def _evaluate(
    *,
    talent: Talent,
    grants: list[ConsentGrant],
    studio,
    project,
    use_types: frozenset[str],
    use_type: str,
    via: str,
    at: datetime,
    matched: tuple[str, ...] = (),
    media: str | None = None,
    territory: str | None = None,
    content_tags: Iterable[str] = (),
) -> tuple[Coverage | None, list[Reason]]:
    agency = talent.organization.name
    if not grants:
        prefix = f"The prompt names {talent.name}" if via == "prompt" else f"{talent.name}"
        message = (
            f"{prefix} ({agency}) but {studio.name} has no consent grant for them; ask {agency} for one."
            if via == "prompt"
            else f"{talent.name} ({agency}) has no consent grant for {studio.name}; ask {agency} for one."
        )
        return None, [
            Reason(
                NO_GRANT_FOR_STUDIO, message, str(talent.pk), talent.name, agency, via, None, matched,
                agency_id=str(talent.organization_id),
            )
        ]
    evaluated = []
    for grant in grants:
        failures = grant_failures(
            grant, talent=talent, project=project, use_types=use_types, at=at,
            media=media, territory=territory, content_tags=content_tags,
        )
        evaluated.append((len(failures), _specificity(grant), grant, failures))
    covering = sorted((e for e in evaluated if e[0] == 0), key=lambda e: e[1])
    if covering:
        grant = covering[0][2]
        effective_use_type = use_type if use_type in grant.use_types else sorted(use_types & set(grant.use_types))[0]
        return Coverage(talent, grant, effective_use_type, via, grant.requires_per_use_approval), []
    _count, _spec, grant, failures = min(evaluated, key=lambda e: (e[0], e[1]))
    prefix = f"The prompt names {talent.name}; " if via == "prompt" else ""
    return None, [
        Reason(
            code, prefix + message, str(talent.pk), talent.name, agency, via, str(grant.pk), matched,
            agency_id=str(talent.organization_id),
        )
        for code, message in failures
    ]


def _as_uuid(value) -> uuid.UUID:
    if isinstance(value, Talent):
        return value.pk
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except (TypeError, ValueError):
        raise ValidationError({"cast": [f"'{value}' is not a talent id; send talent UUIDs."]})


def _is_uuid(value) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


# The talent ids to load: the cast, plus every talent with a name key among the prompt's candidate
# keys. The lateral subquery with OFFSET 0 makes PostgreSQL probe the key index once per candidate
# (an index probe is microseconds) instead of hashing the whole key table, which its cost model
# prefers for long candidate lists; ARRAY(...) is evaluated once, then talent rows come by primary key.
_TALENT_IDS_SQL = (
    "rights_talent.id = ANY(ARRAY("
    "SELECT n.talent_id FROM unnest(%s::varchar[]) AS k(key), "
    "LATERAL (SELECT talent_id FROM rights_talentnamekey WHERE key = k.key OFFSET 0) AS n"
    ") || %s::uuid[])"
)


def _load(*, cast_ids: set[uuid.UUID], keys: set[str], studio) -> tuple[dict, dict[uuid.UUID, list[ConsentGrant]]]:
    """Query 1: the cast and every talent named in the prompts (one index probe per candidate key,
    whatever the size of the registry). Query 2: those talents' grants for `studio`."""
    if not cast_ids and not keys:
        return {}, {}
    named_or_cast = RawSQL(_TALENT_IDS_SQL, (sorted(keys), sorted(cast_ids, key=str)), output_field=BooleanField())  # noqa: S611
    talents = {t.pk: t for t in Talent.objects.filter(named_or_cast).select_related("organization")}
    grants: dict[uuid.UUID, list[ConsentGrant]] = defaultdict(list)
    if talents:
        for grant in ConsentGrant.objects.filter(talent_id__in=list(talents), grantee_id=studio.pk).select_related("project"):
            grants[grant.talent_id].append(grant)
    return talents, grants


def _check_prompt_size(prompt: str, negative_prompt: str) -> None:
    if len(prompt or "") + len(negative_prompt or "") > names.MAX_PROMPT_CHARS:
        limit = names.MAX_PROMPT_CHARS
        raise ValidationError({"prompt": [f"The prompt and negative prompt together may have at most {limit} characters."]})


def _validate_use_type(use_type: str) -> None:
    if use_type not in UseType.values:
        raise ValidationError({"use_type": [f"Unknown use type '{use_type}'. Use one of: {', '.join(UseType.values)}."]})


def _validate_context(*, media: str | None, territory: str | None, content_tags: Iterable[str]) -> None:
    from rights.models import Medium

    if media is not None and media not in Medium.values:
        raise ValidationError({"media": [f"Unknown medium '{media}'. Use one of: {', '.join(Medium.values)}."]})
    unknown = [t for t in content_tags if t not in CONTENT_TAGS]
    if unknown:
        raise ValidationError({"content_tags": [f"Unknown content tags {unknown}. Use any of: {', '.join(CONTENT_TAGS)}."]})
    if territory is not None and not (isinstance(territory, str) and len(territory) in (2, 5)):
        raise ValidationError({"territory": ["Use an ISO 3166-1 alpha-2 country code such as US, or WORLD."]})


def _decide(
    *,
    purpose: str,
    studio,
    project,
    cast: Iterable,
    prompt: str,
    negative_prompt: str,
    use_type: str,
    at: datetime,
    media: str | None,
    territory: str | None,
    content_tags: tuple[str, ...],
    skip_talent_ids: set[uuid.UUID] = frozenset(),
    loaded: tuple[dict, dict] | None = None,
) -> tuple[list[Reason], list[Coverage]]:
    """`loaded`: talents and grants already loaded for several checks at once (a superset is fine:
    talents neither cast nor named here are skipped)."""
    cast_ids = {_as_uuid(member) for member in cast}
    keys = names.prompt_keys(prompt, negative_prompt)
    if loaded is None:
        talents, grants = _load(cast_ids=cast_ids - set(skip_talent_ids), keys=keys, studio=studio)
    else:
        talents, grants = loaded
    reasons: list[Reason] = []
    covered: list[Coverage] = []
    for talent_id in sorted(cast_ids - set(talents) - set(skip_talent_ids), key=str):
        reasons.append(Reason(UNKNOWN_TALENT, f"No talent has the id {talent_id}; pick the cast from the talent list.", str(talent_id), ""))
    for talent in sorted(talents.values(), key=lambda t: (t.name, str(t.pk))):
        if talent.pk in skip_talent_ids:
            continue
        matched = tuple(names.matched_names(name=talent.name, aliases=talent.aliases, keys=keys)) if keys else ()
        if talent.pk in cast_ids:
            use_types, via = frozenset({use_type}), "cast"
        elif matched:
            use_types, via = PROMPT_NAME_USE_TYPES, "prompt"
        else:
            continue
        coverage, why = _evaluate(
            talent=talent, grants=grants.get(talent.pk, []), studio=studio, project=project, use_types=use_types,
            use_type=use_type if via == "cast" else UseType.NAME_OR_LIKENESS_IN_PROMPT.value, via=via, at=at,
            matched=matched, media=media, territory=territory, content_tags=content_tags,
        )
        if coverage is not None:
            covered.append(coverage)
        reasons.extend(why)
    return reasons, covered


def check_generation(
    *,
    studio,
    project,
    cast: Iterable = (),
    prompt: str = "",
    negative_prompt: str = "",
    use_type: str = UseType.DIGITAL_REPLICA.value,
    at: datetime | None = None,
    media: str | None = None,
    territory: str | None = None,
    content_tags: Iterable[str] = (),
    actor=None,
    actor_label: str = "",
    purpose: str = "generation",
) -> PolicyDecision:
    """May `studio` generate `prompt`/`negative_prompt` with `cast` (talent or ids) in `project` at `at`?

    Call it when a generation is submitted and again when a worker starts rendering it
    (`purpose="render"`). Denials are audited; raise with `decision.raise_unless_permitted()`.
    """
    at = at or timezone.now()
    _validate_use_type(use_type)
    _check_prompt_size(prompt, negative_prompt)
    content_tags = tuple(content_tags)
    _validate_context(media=media, territory=territory, content_tags=content_tags)
    if project.organization_id != studio.pk:
        raise ValueError("check_generation: the project does not belong to the studio.")
    reasons, covered = _decide(
        purpose=purpose, studio=studio, project=project, cast=cast, prompt=prompt, negative_prompt=negative_prompt,
        use_type=use_type, at=at, media=media, territory=territory, content_tags=content_tags,
    )
    reviews = [
        Reason(
            AGENCY_REVIEW_REQUIRED,
            f"{c.talent.name}'s grant requires {c.talent.organization.name} to approve each use.",
            str(c.talent.pk), c.talent.name, c.talent.organization.name, c.via, str(c.grant.pk),
            agency_id=str(c.talent.organization_id),
        )
        for c in covered
        if c.requires_agency_review
    ]
    outcome = DENY if reasons else (NEEDS_AGENCY_REVIEW if reviews else ALLOW)
    decision = PolicyDecision(
        outcome=outcome, purpose=purpose, studio_id=str(studio.pk), project_id=str(project.pk), at=at,
        reasons=tuple(reasons), reviews=tuple(reviews) if outcome != DENY else (), covered=tuple(covered),
        use_type=use_type, prompt=prompt or "", negative_prompt=negative_prompt or "",
    )
    if decision.denied:
        _audit_denial(decision=decision, studio=studio, project=project, actor=actor, actor_label=actor_label)
    return decision


def check_version_use(
    *, version, purpose: str, at: datetime | None = None, actor=None, actor_label: str = "", audit: bool = True
) -> PolicyDecision:
    """May this version be approved, exported or delivered, as far as likeness consent goes?

    Looks at every `LikenessUse` of the version (invalidated → quarantined; rejected by the
    agency; grant no longer covering; agency review still pending), and re-runs the name guard
    on the version's lineage prompt, so a talent registered after the render is caught too.
    Cast listed in `version.lineage["cast"]` (talent ids) without a recorded use is checked like
    a generation.
    """
    if purpose not in VERSION_PURPOSES:
        raise ValueError(f"purpose must be one of {VERSION_PURPOSES}")
    at = at or timezone.now()
    from projects.models import Project

    project = Project.objects.select_related("organization").get(pk=version.project_id)
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
        outcome=outcome, purpose=purpose, studio_id=str(studio.pk), project_id=str(project.pk), at=at,
        reasons=tuple(reasons), reviews=tuple(reviews), covered=tuple(covered),
        prompt=prompt, negative_prompt=negative, extra={"version_id": str(version.pk)},
    )


def check_versions(
    *, project, versions: Iterable, purpose: str, at: datetime | None = None, actor=None, actor_label: str = ""
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
    if any(v.project_id != project.pk for v in versions):
        raise ValueError("check_versions: every version must belong to the project.")
    if not versions:
        return {}
    from projects.models import Project

    project = Project.objects.select_related("organization").get(pk=project.pk)
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
        cast_ids |= {_as_uuid(c) for c in cast}
        keys |= names.prompt_keys(prompt, negative)
    loaded = _load(cast_ids=cast_ids, keys=keys, studio=project.organization)
    out: dict[uuid.UUID, PolicyDecision] = {}
    for version in versions:
        uses = list(by_version.get(version.pk, []))
        job = (version.lineage or {}).get("job") if isinstance(version.lineage, dict) else None
        if job and _is_uuid(job):
            uses += by_job.get(uuid.UUID(str(job)), [])
            uses.sort(key=lambda u: (u.talent.name, u.created_at))
        decision = _version_decision(version=version, purpose=purpose, at=at, project=project, uses=uses, loaded=loaded)
        if decision.denied:
            _audit_denial(decision=decision, studio=project.organization, project=project, actor=actor, actor_label=actor_label)
        out[version.pk] = decision
    return out


def audit_denial(*, decision: PolicyDecision, actor=None, actor_label: str = "") -> None:
    """Write a denial to the audit chains (the studio's, and each involved agency's). For callers that
    ran a check with `audit=False` inside a transaction they then rolled back."""
    from projects.models import Project

    project = Project.objects.select_related("organization").get(pk=decision.project_id)
    _audit_denial(decision=decision, studio=project.organization, project=project, actor=actor, actor_label=actor_label)


def version_use_condition(version) -> Q:
    """The likeness uses of a version: linked to it, or recorded for the job its lineage names (in
    case the generation engine has not linked them yet)."""
    condition = Q(version_id=version.pk)
    lineage = version.lineage if isinstance(version.lineage, dict) else {}
    job = lineage.get("job")
    if job and _is_uuid(job):
        condition |= Q(job_id=uuid.UUID(str(job)), project_id=version.project_id, version__isnull=True)
    return condition


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
        "project": {"id": str(project.pk), "code": project.code, "name": project.name},
        "use_type": decision.use_type,
        "prompt_sha256": decision.prompt_sha256,
        **decision.extra,
    }
    with transaction.atomic():
        audit.record(
            organization=studio, actor=actor, actor_label=actor_label, action="consent.denied",
            target=project, data={**common, "reasons": [r.as_dict() for r in decision.reasons]},
        )
        agencies = Organization.objects.in_bulk(list(by_agency)) if by_agency else {}
        for agency_id, reasons in sorted(by_agency.items()):
            audit.record(
                organization=agencies[uuid.UUID(agency_id)], actor=actor, actor_label=actor_label, action="consent.denied",
                target_type="rights.talent", target_id=reasons[0].talent_id,
                data={**common, "studio": {"id": str(studio.pk), "name": studio.name}, "reasons": [r.as_dict() for r in reasons]},
            )


def check_approval(*, version, at: datetime | None = None, actor=None, actor_label: str = "", audit: bool = True) -> PolicyDecision:
    """`check_version_use(purpose="approve")`, for the approval lanes."""
    return check_version_use(version=version, purpose="approve", at=at, actor=actor, actor_label=actor_label, audit=audit)
