"""The one door a generation submit goes through: `clear_generation`.

A submit asks rights once. `clear_generation` resolves the likeness asset the render is conditioned
on (its talent joins the cast), runs the consent policy (`rights.policy.check_generation`, which
audits a denial) and raises unless it permits; it returns a `GenerationClearance` carrying the
decision together with the likeness uses to record, one per covered talent. The submit then calls
`clearance.record_uses(...)` for each job it writes, inside its own transaction.

The render-start re-check (`generation.services.attempts`) and the approval lanes still ask
`rights.policy` directly: it stays the one policy check.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from rest_framework.exceptions import ValidationError

from rights import policy, selectors, services
from rights.models import LikenessAsset, LikenessUse, UseType
from rights.refs import ProjectRef, ShotRef
from studio.tenancy.models import User

NO_ASSET = (
    "No likeness asset with this id is available to your studio: pick one from the talent's assets while "
    "your studio holds an active consent grant for that talent."
)


@dataclass(frozen=True)
class GenerationClearance:
    """What rights says about a submit: the decision, the asset, the cast as checked, the uses to record."""

    decision: policy.PolicyDecision
    asset: LikenessAsset | None
    cast_ids: list[str]

    @property
    def uses(self) -> tuple[policy.Coverage, ...]:
        """The likeness uses to record for each job: one per covered talent (cast or named in the prompts)."""
        return self.decision.covered

    def record_uses(self, *, job_id: uuid.UUID, shot: ShotRef | None, actor: User | None = None) -> list[LikenessUse]:
        """Record the uses for one job (idempotent per job and talent); call inside the transaction writing the job."""
        return services.record_likeness_uses(decision=self.decision, job_id=job_id, shot=shot, actor=actor)


def clear_generation(
    *,
    studio,
    project: ProjectRef,
    actor: User,
    cast: Iterable = (),
    prompt: str = "",
    negative_prompt: str = "",
    use_type: str = UseType.DIGITAL_REPLICA.value,
    likeness_asset=None,
    max_cast: int | None = None,
    scanned: Iterable = (),
) -> GenerationClearance:
    """May `studio` render this in `project`? Raises 400 (`likeness_asset`, `cast`) for an asset the
    studio may not use or a cast over `max_cast` once the asset's talent joins it, and 403
    (`PolicyDenied`, audited) when consent does not cover the cast or a talent named in the prompts.
    Call it before the transaction that writes the jobs, so a denial's audit is not rolled back.
    `scanned`: talent whose face the likeness scan saw in the init image (checked like the scan's)."""
    cast_ids = [str(c.pk if hasattr(c, "pk") else c) for c in cast]
    asset = None
    if likeness_asset is not None:
        asset = selectors.asset_for_studio(asset_id=getattr(likeness_asset, "pk", likeness_asset), studio=studio)
        if asset is None:
            raise ValidationError({"likeness_asset": [NO_ASSET]})
        if str(asset.talent_id) not in cast_ids:
            cast_ids.append(str(asset.talent_id))  # conditioning on a talent's likeness casts them
    if max_cast is not None and len(cast_ids) > max_cast:
        raise ValidationError({"cast": [f"At most {max_cast} talent may be cast in one render; {len(cast_ids)} were sent."]})
    decision = policy.check_generation(
        studio=studio, project=project, cast=cast_ids, prompt=prompt, negative_prompt=negative_prompt, use_type=use_type, actor=actor,
        scanned=[str(t) for t in scanned],
    )
    decision.raise_unless_permitted()
    return GenerationClearance(decision=decision, asset=asset, cast_ids=cast_ids)
