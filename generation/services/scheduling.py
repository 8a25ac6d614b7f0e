"""Fair GPU scheduling across studios: the dispatcher, per-studio limits and quotas, the usage ledger.

A submitted job stays `queued` in PostgreSQL (`dispatched_at` empty) until the dispatcher releases
it to the `gpu` Celery queue. The dispatcher runs after every submit commits, whenever a render ends
(or a queued job is cancelled), and from a beat safety tick (`generation.tasks.dispatch_generations`).
Each release, in its own transaction:

1. takes a PostgreSQL advisory lock (dispatchers run one at a time, so the counts below are exact);
2. stops when `GENERATION_GPU_SLOTS` jobs are already released (queued with `dispatched_at`, or
   running) — the Celery queue never holds more than the workers can take, so it cannot build a
   first-come backlog;
3. walks the studios that have waiting jobs, least recently served first (`GpuAllowance.last_dispatched_at`),
   skipping a studio at its concurrency limit;
4. locks that studio's next job (highest `priority`, then oldest) with `SELECT … FOR UPDATE SKIP
   LOCKED` — a job row held by a cancel or another transaction is never waited on nor released twice —,
   marks it dispatched, stamps the studio's turn, and sends the task on commit.

Never one queue per studio: there is one `gpu` queue, and fairness lives in what is put on it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from rest_framework import status
from rest_framework.exceptions import APIException

from generation import gpu_workers
from generation.models import GenerationJob, GpuAllowance, GpuUsage

State = GenerationJob.State
DISPATCH_LOCK_KEY = 0x47_50_55_44  # "GPUD": pg_advisory_xact_lock key of the dispatcher
WAITING_ORDER = ("-priority", "queued_at", "batch_index", "id")
MIN_PRIORITY, MAX_PRIORITY = 0, 10
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class QuotaExceeded(APIException):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_code = "gpu_quota_exceeded"
    default_detail = "Your studio has used its monthly GPU quota."

    def __init__(self, *, quota: int, used: float, resets_at: datetime):
        super().__init__(
            f"Your studio has used {used:.0f} of its {quota} GPU seconds this month; new renders are refused until the quota "
            f"resets at {resets_at.isoformat()}. Ask an owner to raise the quota, or wait until then."
        )
        self.extra = {"quota_seconds": quota, "used_seconds": round(used, 3), "resets_at": resets_at.isoformat()}


# -- what counts ---------------------------------------------------------------------------------------

def _waiting():
    return GenerationJob.objects.filter(state=State.QUEUED, dispatched_at__isnull=True, cancel_requested=False)


def _released():
    """Jobs holding a GPU slot: sent to the queue and not yet finished."""
    return GenerationJob.objects.filter(Q(state=State.RUNNING) | Q(state=State.QUEUED, dispatched_at__isnull=False))


def concurrency_limit(allowance: GpuAllowance | None) -> int:
    if allowance is not None and allowance.max_concurrent:
        return allowance.max_concurrent
    return max(1, int(settings.GENERATION_DEFAULT_ORG_CONCURRENCY))


def _turn_key(allowance: GpuAllowance | None, org_id) -> tuple:
    last = allowance.last_dispatched_at if allowance is not None and allowance.last_dispatched_at else _EPOCH
    return (last, str(org_id))


# -- the dispatcher ------------------------------------------------------------------------------------

def dispatch(*, limit: int | None = None) -> int:
    """Release waiting jobs fairly until the slots are full or nothing may go; the number released."""
    released = 0
    while limit is None or released < limit:
        with transaction.atomic():
            if _release_one() is None:
                break
        released += 1
    return released


def gpu_slots() -> int:
    """How many jobs may be released to the `gpu` queue at once: `GENERATION_GPU_SLOTS`, or with
    `auto` what the live render workers can run (at least one, so a job is waiting in the queue
    for the first worker that comes up)."""
    if settings.GENERATION_GPU_SLOTS == "auto":
        return max(1, gpu_workers.live_slots())
    return max(1, int(settings.GENERATION_GPU_SLOTS))


def dispatch_on_commit() -> None:
    """Run the dispatcher once the current transaction commits (at once outside one); once per
    transaction however many jobs it wrote or ended."""
    if connection.in_atomic_block and any(entry[1] is dispatch for entry in connection.run_on_commit):
        return
    transaction.on_commit(dispatch)


def _release_one() -> GenerationJob | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [DISPATCH_LOCK_KEY])
    if _released().count() >= gpu_slots():
        return None
    waiting_orgs = set(_waiting().order_by().values_list("organization_id", flat=True).distinct())
    if not waiting_orgs:
        return None
    in_use = dict(_released().filter(organization_id__in=waiting_orgs).order_by().values("organization_id")
                  .annotate(n=Count("id")).values_list("organization_id", "n"))
    allowances = {a.organization_id: a for a in GpuAllowance.objects.filter(organization_id__in=waiting_orgs)}
    for org_id in sorted(waiting_orgs, key=lambda o: _turn_key(allowances.get(o), o)):
        if in_use.get(org_id, 0) >= concurrency_limit(allowances.get(org_id)):
            continue
        job = (_waiting().filter(organization_id=org_id).select_related("model")
               .select_for_update(of=("self",), skip_locked=True, no_key=True)
               .order_by(*WAITING_ORDER).first())
        if job is None:
            continue
        now = timezone.now()
        job.dispatched_at = now
        GenerationJob.objects.filter(pk=job.pk).update(dispatched_at=now)
        GpuAllowance.objects.update_or_create(organization_id=org_id, defaults={"last_dispatched_at": now})
        _send_on_commit(job)
        _published(job)
        return job
    return None


def _published(job: GenerationJob) -> None:
    from generation.services._common import _publish_state  # _common imports this module

    _publish_state(job)  # `released: true`: job cards refresh their place in line


def resend_stale_releases(*, older_than_seconds: int | None = None) -> int:
    """Beat: a job released long ago that never started lost its message (a broker restart, a crash
    between commit and send); send it again. A duplicate is harmless: `start_attempt` ignores a
    delivery for a job that is running, finished or cancelled."""
    seconds = settings.GENERATION_REDISPATCH_AFTER_SECONDS if older_than_seconds is None else older_than_seconds
    cutoff = timezone.now() - timedelta(seconds=seconds)
    stale = list(GenerationJob.objects.filter(state=State.QUEUED, dispatched_at__lt=cutoff).only("id", "task_id"))
    for job in stale:
        with transaction.atomic():
            GenerationJob.objects.filter(pk=job.pk, state=State.QUEUED).update(dispatched_at=timezone.now())
            _send_on_commit(job)
    return len(stale)


def _send_on_commit(job: GenerationJob) -> None:
    from generation.tasks import render_generation

    job_id, task_id, queue = str(job.id), job.task_id, settings.GENERATION_QUEUE
    transaction.on_commit(lambda: render_generation.apply_async(args=[job_id], queue=queue, task_id=task_id))


# -- the ledger ----------------------------------------------------------------------------------------

def record_usage(job: GenerationJob) -> GpuUsage | None:
    """A render that reached a GPU ended: one ledger row with its GPU seconds (the render's own total
    from its timings, else started → finished). Idempotent per job."""
    if job.started_at is None or job.finished_at is None:
        return None
    total = (job.timings or {}).get("total")
    seconds = float(total) if isinstance(total, int | float) else (job.finished_at - job.started_at).total_seconds()
    usage, _ = GpuUsage.objects.get_or_create(job=job, defaults={
        "organization_id": job.organization_id, "project_id": job.project_id, "user_id": job.created_by_id,
        "model_id": job.model_id, "outcome": job.state, "gpu_seconds": max(0.0, seconds), "started_at": job.started_at,
        "finished_at": job.finished_at,
    })
    return usage


def job_ended(job: GenerationJob, *, ran: bool) -> None:
    """Called by every terminal transition: the ledger (when it ran) and a dispatch after commit."""
    if ran:
        record_usage(job)
    dispatch_on_commit()


# -- quotas --------------------------------------------------------------------------------------------

def month_window(at: datetime | None = None) -> tuple[datetime, datetime]:
    at = (at or timezone.now()).astimezone(UTC)
    start = at.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    end = start.replace(year=start.year + 1, month=1) if start.month == 12 else start.replace(month=start.month + 1)
    return start, end


def used_seconds(organization_id, *, at: datetime | None = None) -> float:
    start, end = month_window(at)
    total = GpuUsage.objects.filter(organization_id=organization_id, finished_at__gte=start, finished_at__lt=end).aggregate(
        s=Sum("gpu_seconds"))["s"]
    return float(total or 0.0)


def check_quota(organization_id) -> None:
    """Raises QuotaExceeded (429: the quota, the use, when it resets) when the month's quota is spent."""
    allowance = GpuAllowance.objects.filter(organization_id=organization_id).first()
    if allowance is None or allowance.monthly_gpu_seconds is None:
        return
    used = used_seconds(organization_id)
    if used >= allowance.monthly_gpu_seconds:
        raise QuotaExceeded(quota=allowance.monthly_gpu_seconds, used=used, resets_at=month_window()[1])


# -- queue position and ETA ----------------------------------------------------------------------------

@dataclass(frozen=True)
class QueueEstimate:
    position: int  # 1 = released next
    eta_seconds: int


def average_render_seconds(model_id) -> float:
    """The model's mean GPU seconds over its last 20 successful renders (a default before any)."""
    recent = list(GpuUsage.objects.filter(model_id=model_id, outcome=State.SUCCEEDED).order_by("-finished_at")
                  .values_list("gpu_seconds", flat=True)[:20])
    return sum(recent) / len(recent) if recent else float(settings.GENERATION_DEFAULT_RENDER_SECONDS)


def queue_estimates(jobs) -> dict:
    """{job id: QueueEstimate} for the waiting jobs among `jobs` (a released or running job has none).

    The position simulates the round-robin: before the r-th job of its studio (r counted from 0 in
    the studio's order) go the studio's r earlier jobs and, from every other studio, up to r of its
    waiting jobs (r + 1 for a studio whose turn comes first). Concurrency limits are ignored, so
    the estimate is optimistic for a studio at its limit. ETA = ⌈position ÷ slots⌉ renders of the
    model's recent average GPU seconds."""
    waiting = [j for j in jobs if j.state == State.QUEUED and j.dispatched_at is None and not j.cancel_requested]
    if not waiting:
        return {}
    org_ids = {j.organization_id for j in waiting}
    counts = dict(_waiting().order_by().values("organization_id").annotate(n=Count("id")).values_list("organization_id", "n"))
    allowances = {a.organization_id: a for a in GpuAllowance.objects.filter(organization_id__in=counts.keys())}
    turn = {o: _turn_key(allowances.get(o), o) for o in counts}
    slots = gpu_slots()
    averages: dict = {}
    out = {}
    for org_id in org_ids:
        order = list(_waiting().filter(organization_id=org_id).order_by(*WAITING_ORDER).values_list("id", flat=True))
        rank = {pk: i for i, pk in enumerate(order)}
        for job in (j for j in waiting if j.organization_id == org_id and j.pk in rank):
            r = rank[job.pk]
            ahead = r + sum(min(n, r + (1 if turn[o] < turn[org_id] else 0)) for o, n in counts.items() if o != org_id)
            if job.model_id not in averages:
                averages[job.model_id] = average_render_seconds(job.model_id)
            out[job.pk] = QueueEstimate(position=ahead + 1, eta_seconds=int(math.ceil((ahead + 1) / slots) * averages[job.model_id]))
    return out
