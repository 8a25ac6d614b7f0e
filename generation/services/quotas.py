"""What people change about GPU scheduling: a studio's limits and quota (owners), a job's priority
(producers and up). Reading them, and the usage ledger, is in `generation.selectors`."""

from __future__ import annotations

from django.db import transaction
from rest_framework.exceptions import ValidationError

from generation.models import GenerationJob, GpuAllowance
from generation.services import scheduling
from generation.services._common import CANCEL_ANY_ROLES, State, _publish_state
from projects.access import require_project_role
from studio.audit import services as audit
from studio.exceptions import Conflict
from studio.tenancy.models import Organization, Role
from studio.tenancy.selectors import require_membership

ALLOWANCE_ROLES = frozenset({Role.OWNER})
PRIORITY_ROLES = CANCEL_ANY_ROLES  # owners, admins, producers, supervisors
MAX_CONCURRENT = 1000
MAX_MONTHLY_SECONDS = 10**12
_UNSET = object()


def _checked_allowance(max_concurrent, monthly_gpu_seconds) -> dict:
    errors, values = {}, {}
    if max_concurrent is not _UNSET:
        if max_concurrent is not None and (isinstance(max_concurrent, bool) or not isinstance(max_concurrent, int)
                                           or not 1 <= max_concurrent <= MAX_CONCURRENT):
            errors["max_concurrent"] = [f"max_concurrent must be a whole number from 1 to {MAX_CONCURRENT}, or null for the default."]
        values["max_concurrent"] = max_concurrent
    if monthly_gpu_seconds is not _UNSET:
        if monthly_gpu_seconds is not None and (isinstance(monthly_gpu_seconds, bool) or not isinstance(monthly_gpu_seconds, int)
                                                or not 0 <= monthly_gpu_seconds <= MAX_MONTHLY_SECONDS):
            errors["monthly_gpu_seconds"] = [f"monthly_gpu_seconds must be a whole number of seconds from 0 to {MAX_MONTHLY_SECONDS}, "
                                             "or null for no quota."]
        values["monthly_gpu_seconds"] = monthly_gpu_seconds
    if errors:
        raise ValidationError(errors)
    if not values:
        raise ValidationError({"non_field_errors": ["Send max_concurrent and/or monthly_gpu_seconds."]})
    return values


def set_gpu_allowance(*, actor, organization: Organization | str, max_concurrent=_UNSET, monthly_gpu_seconds=_UNSET) -> GpuAllowance:
    """An owner sets the studio's GPU concurrency limit and/or monthly GPU-second quota (null: the
    default / no quota). Audited; the dispatcher runs after commit (a raised limit frees jobs at once)."""
    membership = require_membership(user=actor, organization=organization, roles=ALLOWANCE_ROLES, action="set GPU limits and quotas")
    org = membership.organization
    values = _checked_allowance(max_concurrent, monthly_gpu_seconds)
    with transaction.atomic():
        allowance, _ = GpuAllowance.objects.select_for_update(no_key=True).get_or_create(organization=org)
        before = {"max_concurrent": allowance.max_concurrent, "monthly_gpu_seconds": allowance.monthly_gpu_seconds}
        for name, value in values.items():
            setattr(allowance, name, value)
        allowance.updated_by = actor
        allowance.save()
        audit.record(organization=org, actor=actor, action="generation.gpu_allowance_changed", target=allowance,
                     data={"before": before, "after": values})
        scheduling.dispatch_on_commit()
    return allowance


def set_job_priority(*, actor, job: GenerationJob, priority) -> GenerationJob:
    """A producer (or supervisor, admin, owner) moves a waiting job within its studio's order:
    higher priority is released first. 409 once the job was released to a GPU."""
    require_project_role(user=actor, project=job.project, roles=PRIORITY_ROLES, action="change the priority of generations")
    if isinstance(priority, bool) or not isinstance(priority, int) or not scheduling.MIN_PRIORITY <= priority <= scheduling.MAX_PRIORITY:
        raise ValidationError({"priority": [f"priority must be a whole number from {scheduling.MIN_PRIORITY} (normal) to "
                                            f"{scheduling.MAX_PRIORITY} (first); '{priority}' was sent."]})
    with transaction.atomic():
        job = (
            GenerationJob.objects.select_for_update(of=("self",), no_key=True)
            .select_related("model", "project__organization").get(pk=job.pk)
        )
        if job.state != State.QUEUED or job.dispatched_at is not None or job.cancel_requested:
            where = "was already sent to a GPU" if job.state == State.QUEUED and job.dispatched_at else f"is {job.state}"
            raise Conflict(f"This generation {where}; only a job still waiting in the queue can change priority.")
        if job.priority == priority:
            return job
        before, job.priority = job.priority, priority
        job.save(update_fields=["priority", "updated_at"])
        audit.record(organization=job.project.organization, actor=actor, action="generation.priority_changed", target=job,
                     data={"before": before, "after": priority})
        _publish_state(job)
    return job
