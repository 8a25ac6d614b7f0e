"""The generation check: before a render is queued, and again when a worker starts it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.utils import timezone

from rights.models import UseType
from rights.policy._decision import AGENCY_REVIEW_REQUIRED, ALLOW, DENY, NEEDS_AGENCY_REVIEW, PolicyDecision, Reason
from rights.policy._denials import _audit_denial
from rights.policy._talent import _check_prompt_size, _decide, _validate_context, _validate_use_type
from rights.refs import ProjectRef


def check_generation(
    *,
    studio,
    project: ProjectRef,
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
    scanned: Iterable = (),
) -> PolicyDecision:
    """May `studio` generate `prompt`/`negative_prompt` with `cast` (talent or ids) in `project` at `at`?

    Call it when a generation is submitted and again when a worker starts rendering it
    (`purpose="render"`). Denials are audited; raise with `decision.raise_unless_permitted()`.
    The likeness scan asks with `purpose="scan"` and the talent whose faces it saw (`scanned`).
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
        use_type=use_type, at=at, media=media, territory=territory, content_tags=content_tags, scanned=scanned,
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
        outcome=outcome, purpose=purpose, studio_id=str(studio.pk), project_id=str(project.id), at=at,
        reasons=tuple(reasons), reviews=tuple(reviews) if outcome != DENY else (), covered=tuple(covered),
        use_type=use_type, prompt=prompt or "", negative_prompt=negative_prompt or "", project=project,
    )
    if decision.denied:
        _audit_denial(decision=decision, studio=studio, project=project, actor=actor, actor_label=actor_label)
    return decision
