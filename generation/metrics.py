"""The generation engine's metrics (definitions live in studio/metrics.py).

- Scrape time, in the web process: jobs queued and running per organization, and the age of each
  organization's oldest queued job, read from PostgreSQL (the source of truth) when Prometheus asks.
- After each render task, in the worker process that ran it: the attempt's outcome, its stage
  timings (as stored on the job) by model, the mean step time, the job's queue wait per
  organization, and on CUDA the device's memory. Nothing is recorded inside the render loop.
"""

from __future__ import annotations

import logging
import sys

from celery.signals import task_postrun
from django.db.models import Count, Min
from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily

from studio import metrics

log = logging.getLogger(__name__)

RENDER_TASK = "generation.tasks.render_generation"
STAGES = ("load", "denoise", "decode", "encode", "store", "total")
# Outcomes after which the job's stored timings are this attempt's own (render_generation's return values).
MEASURED_OUTCOMES = frozenset({"succeeded", "discarded", "failed", "denied", "cancelled"})


def generation_jobs():
    from generation.models import GenerationJob

    State = GenerationJob.State
    rows = (
        GenerationJob.objects.filter(state__in=[State.QUEUED, State.RUNNING])
        .values("organization_id", "state")
        .annotate(count=Count("id"), oldest=Min("queued_at"))
        .order_by()
    )
    jobs = GaugeMetricFamily("greenlight_generation_jobs", "Generation jobs queued or running, per organization.",
                             labels=["organization", "state"])
    oldest = GaugeMetricFamily("greenlight_generation_oldest_queued_seconds",
                               "Age of each organization's oldest queued generation job.", labels=["organization"])
    now = timezone.now()
    for row in rows:
        organization = str(row["organization_id"])
        jobs.add_metric([organization, row["state"]], float(row["count"]))
        if row["state"] == State.QUEUED and row["oldest"] is not None:
            oldest.add_metric([organization], max(0.0, (now - row["oldest"]).total_seconds()))
    return [jobs, oldest]


metrics.register_source("generation_jobs", generation_jobs)


def _record_gpu_memory(device: str) -> None:
    torch = sys.modules.get("torch")  # only a process that rendered has imported it
    if torch is None or not device.startswith("cuda") or not torch.cuda.is_available():
        return
    index = torch.device(device)
    free, total = torch.cuda.mem_get_info(index)
    metrics.GPU_MEMORY.labels(device=device, kind="peak_allocated").set(torch.cuda.max_memory_allocated(index))
    metrics.GPU_MEMORY.labels(device=device, kind="reserved").set(torch.cuda.memory_reserved(index))
    metrics.GPU_MEMORY.labels(device=device, kind="total").set(total)
    metrics.GPU_MEMORY.labels(device=device, kind="free").set(free)


def record_render(*, job_id, outcome: str) -> None:
    from generation.models import GenerationJob

    job = GenerationJob.objects.select_related("model").filter(pk=job_id).first()
    if job is None:
        return
    model = job.model.name
    metrics.RENDERS.labels(model=model, outcome=outcome).inc()
    if outcome not in MEASURED_OUTCOMES:  # another delivery owns the job: its timings are not this attempt's
        return
    timings = job.timings or {}
    if isinstance(timings.get("queue_wait"), (int, float)):
        metrics.GENERATION_QUEUE_WAIT.labels(organization=str(job.organization_id)).observe(timings["queue_wait"])
    if outcome == "succeeded":
        for stage in STAGES:
            value = timings.get(stage)
            if isinstance(value, (int, float)):
                metrics.RENDER_SECONDS.labels(model=model, stage=stage).observe(value)
        steps_done = int((job.progress or {}).get("step") or 0)
        if isinstance(timings.get("denoise"), (int, float)) and steps_done > 0:
            metrics.RENDER_STEP_SECONDS.labels(model=model).observe(timings["denoise"] / steps_done)
    _record_gpu_memory(str(timings.get("device") or ""))


@task_postrun.connect
def _after_render(task=None, args=None, kwargs=None, retval=None, **_kwargs) -> None:
    if getattr(task, "name", None) != RENDER_TASK:
        return
    job_id = (args or [None])[0] if args else (kwargs or {}).get("job_id")
    try:
        record_render(job_id=job_id, outcome=str(retval) if isinstance(retval, str) else "error")
    except Exception:  # noqa: BLE001 - metrics never fail a task
        log.exception("recording the metrics of render %s failed", job_id)
