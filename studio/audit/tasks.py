"""Periodic audit work (Celery beat)."""

from celery import shared_task


@shared_task(name="studio.audit.tasks.checkpoint_audit_chains", ignore_result=True)
def checkpoint_audit_chains() -> int:
    """Every AUDIT_CHECKPOINT_SECONDS: anchor each chain's head outside the database (studio/audit/checkpoints.py)."""
    from studio.audit.checkpoints import write_checkpoints

    return len(write_checkpoints())
