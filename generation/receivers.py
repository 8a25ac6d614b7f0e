"""How the generation engine follows consent changes (connected in `GenerationConfig.ready`).

Runs inside the transaction of the rights service that suspended, revoked or expired a grant, so
the jobs are cancelled atomically with it.
"""

from __future__ import annotations

from django.dispatch import receiver

from generation import services
from rights import signals


@receiver(signals.grant_stopped_covering, dispatch_uid="generation.cancel_jobs_for_consent")
def cancel_jobs(sender, grant, cause, result, **kwargs) -> None:
    if not result.job_ids:
        return
    reason = next((u.invalidated_reason for u in result.uses if u.invalidated_reason), f"The consent grant was {cause}.")
    services.cancel_jobs_for_consent(job_ids=result.job_ids, reason=reason, cause=cause, grant_id=grant.pk)


@receiver(signals.grant_changed, dispatch_uid="generation.rescan_held_takes")
def rescan_held_takes(sender, grant, change, **kwargs) -> None:
    """A grant of a talent changed: the takes the likeness scan holds for them in that studio are scanned again."""
    services.rescan_held_takes(organization_id=grant.grantee_id, talent_id=grant.talent_id)
