"""Grant evaluation: why a grant does or does not cover one talent for one use, and which covering
grant wins when several do."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from datetime import datetime

from rest_framework.exceptions import ValidationError

from rights.models import ConsentGrant, Talent
from rights.policy._decision import (
    CONTENT_RESTRICTED,
    DECEASED_WITHOUT_ESTATE_GRANT,
    EXPIRED,
    MEDIUM_NOT_GRANTED,
    NO_GRANT_FOR_STUDIO,
    NOT_YET_VALID,
    PENDING,
    POSTMORTEM_SIGNERS,
    REVOKED,
    SUSPENDED,
    TERRITORY_NOT_GRANTED,
    USE_TYPE_NOT_GRANTED,
    WRONG_PROJECT,
    Coverage,
    Reason,
)


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
    if grant.project_id is not None and grant.project_id != project.id:
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
