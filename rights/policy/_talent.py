"""Who is involved: the cast and every talent named in the prompts (two queries whatever the size
of the registry), each evaluated against their grants for the studio; and the checks of the inputs."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime

from django.db.models import BooleanField
from django.db.models.expressions import RawSQL
from rest_framework.exceptions import ValidationError

from rights import names
from rights.models import ConsentGrant, Talent, UseType
from rights.policy._decision import CONTENT_TAGS, PROMPT_NAME_USE_TYPES, SCAN_USE_TYPES, UNKNOWN_TALENT, Coverage, Reason
from rights.policy._grants import _as_uuid, _evaluate

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
    scanned: Iterable = (),
) -> tuple[list[Reason], list[Coverage]]:
    """`loaded`: talents and grants already loaded for several checks at once (a superset is fine:
    talents neither cast nor named here are skipped). `scanned`: talent the likeness scan saw in
    the media (via "scan"; a grant for a digital replica covers them)."""
    cast_ids = {_as_uuid(member) for member in cast}
    scanned_ids = {_as_uuid(member) for member in scanned} - cast_ids
    keys = names.prompt_keys(prompt, negative_prompt)
    if loaded is None:
        talents, grants = _load(cast_ids=(cast_ids | scanned_ids) - set(skip_talent_ids), keys=keys, studio=studio)
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
            use_types, via, recorded = frozenset({use_type}), "cast", use_type
        elif matched:
            use_types, via, recorded = PROMPT_NAME_USE_TYPES, "prompt", UseType.NAME_OR_LIKENESS_IN_PROMPT.value
        elif talent.pk in scanned_ids:
            use_types, via, recorded = SCAN_USE_TYPES, "scan", UseType.DIGITAL_REPLICA.value
        else:
            continue
        coverage, why = _evaluate(
            talent=talent, grants=grants.get(talent.pk, []), studio=studio, project=project, use_types=use_types,
            use_type=recorded, via=via, at=at, matched=matched, media=media, territory=territory, content_tags=content_tags,
        )
        if coverage is not None:
            covered.append(coverage)
        reasons.extend(_held_by_scan(r) if via == "scan" else r for r in why)
    return reasons, covered


def _held_by_scan(reason: Reason) -> Reason:
    """A scan's refusal says where the talent came from: a face in the media, not a name or the cast."""
    return replace(reason, message=(
        f"Held by the likeness scan: a face in this media matches {reason.talent}, a performer {reason.agency} protects. "
        + reason.message
    ))
