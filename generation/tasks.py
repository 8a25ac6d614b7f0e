"""Celery tasks of the generation engine.

`render_generation` runs on the `gpu` queue (settings.GENERATION_QUEUE), one job per worker process
at a time (prefork, concurrency 1 per GPU; acks_late + reject_on_worker_lost, so a render whose
process dies is delivered again). `reap_stale_jobs` runs from beat on the default queue.

torch and diffusers are imported inside the task, never at module import, so the media and default
workers (which also import this module) stay light.
"""

from __future__ import annotations

import hashlib
import logging
import tempfile
import threading
import time
from pathlib import Path

from celery import shared_task
from celery.signals import worker_init, worker_process_init, worker_ready, worker_shutdown
from django.conf import settings
from django.db import connection

from generation import gpu_workers, services, windows
from generation.models import GenerationJob
from projects.access import STUDIO_INTERNAL_AUDIENCE
from rights.policy import PolicyDenied
from studio.realtime.publish import publish_progress

log = logging.getLogger(__name__)


class GenerationCancelled(Exception):
    """Raised from the step callback: the pipeline stops at once, without decoding."""


class Heartbeat(threading.Thread):
    """Refreshes the running attempt's heartbeat while the process is alive (long loads and decodes
    included), so the reaper can tell a slow render from a dead worker."""

    def __init__(self, *, job_id, attempt: int, interval: float):
        super().__init__(name=f"heartbeat-{job_id}", daemon=True)
        self.job_id, self.attempt, self.interval = job_id, attempt, max(0.5, interval)
        self.stopped = threading.Event()
        self.lost = False

    def run(self) -> None:
        try:
            while not self.stopped.wait(self.interval):
                try:
                    if not services.heartbeat(job_id=self.job_id, attempt=self.attempt):
                        self.lost = True
                        return
                except Exception:  # noqa: BLE001 - a missed heartbeat is retried on the next beat
                    log.exception("heartbeat of generation job %s failed", self.job_id)
                    connection.close()
        finally:
            connection.close()

    def stop(self) -> None:
        self.stopped.set()


def _describe(exc: BaseException, job: GenerationJob) -> str:
    """A message for the job's `error`: what happened and what to try."""
    name = type(exc).__name__
    if name == "OutOfMemoryError":
        return (f"The GPU ran out of memory rendering {job.width}x{job.height}, {job.frames} frames. Try fewer frames or a smaller "
                "size, or ask an administrator to enable CPU offload or VAE tiling on this model.")
    if isinstance(exc, FileNotFoundError):
        return str(exc)
    return f"The render failed: {name}: {exc}"[:4000]


@shared_task(name="generation.tasks.render_generation", bind=True, acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def render_generation(self, job_id: str) -> str:
    task_started = time.perf_counter()
    me = services.WorkerIdentity.current(getattr(self.request, "hostname", None))
    job = services.start_attempt(job_id=job_id, worker=me)
    if job is None:
        return "skipped"
    attempt = job.attempts
    timings: dict = {"queue_wait": round(max(0.0, (job.started_at - job.queued_at).total_seconds()), 4) if job.queued_at else None}
    beat = Heartbeat(job_id=job.id, attempt=attempt, interval=settings.GENERATION_HEARTBEAT_SECONDS)
    beat.start()
    try:
        # Consent is checked again now that the render really happens (a grant may have lapsed, or a
        # talent named in the prompt been registered, since the job was queued).
        denial = services.consent_denial_at_render(job=job)
        if denial is not None:
            timings["total"] = round(time.perf_counter() - task_started, 4)
            services.fail_attempt(job_id=job.id, attempt=attempt, error=denial, timings=timings)
            return "denied"
        return _render(job, attempt=attempt, beat=beat, timings=timings, task_started=task_started, worker=me)
    except PolicyDenied as denied:  # the likeness reference image was refused at read time
        timings["total"] = round(time.perf_counter() - task_started, 4)
        error = f"Consent does not cover this render. {denied.decision.summary()}"[:4000]
        services.fail_attempt(job_id=job.id, attempt=attempt, error=error, timings=timings)
        return "denied"
    except GenerationCancelled:
        timings["total"] = round(time.perf_counter() - task_started, 4)
        services.finish_cancelled(job_id=job.id, attempt=attempt, timings=timings)
        return "cancelled"
    except services.JobLost:
        log.warning("generation job %s attempt %s lost its claim; stopping without a version", job.id, attempt)
        return "lost"
    except Exception as exc:  # noqa: BLE001 - any failure ends the attempt as failed, with the reason
        log.exception("generation job %s attempt %s failed", job.id, attempt)
        timings["total"] = round(time.perf_counter() - task_started, 4)
        services.fail_attempt(job_id=job.id, attempt=attempt, error=_describe(exc, job), timings=timings)
        return "failed"
    finally:
        beat.stop()


def _render(job: GenerationJob, *, attempt: int, beat: Heartbeat, timings: dict, task_started: float, worker) -> str:
    from generation import encoding, runner

    profile = job.model
    device = runner.select_device()
    spec = runner.LoadSpec.for_profile(profile, device)
    pipe, load_seconds, warm = runner.pipeline_cache().get(spec)
    timings["load"], timings["warm"] = round(load_seconds, 4), warm
    if services.cancel_requested(job_id=job.id):
        raise GenerationCancelled("cancelled while the model was loading")

    def on_step(step: int, total: int, elapsed: float) -> None:
        if beat.lost:
            raise services.JobLost(f"job {job.id} attempt {attempt} was taken over")
        cancel = services.record_progress(job_id=job.id, attempt=attempt, step=step, total=total, elapsed=elapsed)
        eta = round(elapsed / step * (total - step), 3)
        publish_progress(project_id=job.project_id, job_id=job.id, audience=STUDIO_INTERNAL_AUDIENCE,
                         data={"step": step, "total": total, "elapsed": round(elapsed, 3), "eta": eta})
        if cancel:
            raise GenerationCancelled(f"cancelled after step {step}/{total}")

    image = None
    asset = services.likeness_image_for_render(job=job)  # through the consent policy; None without one
    source = asset.file if asset is not None else (job.init_image if job.init_image else None)
    if source is not None:
        from PIL import Image

        with source.open("rb") as handle:
            image = Image.open(handle).convert("RGB").resize((job.width, job.height))
    request = runner.RenderRequest(
        prompt=job.prompt, negative_prompt=job.negative_prompt, seed=job.seed, frames=job.frames, width=job.width,
        height=job.height, fps=float(job.fps), steps=job.steps, guidance=job.guidance,
        max_sequence_length=profile.max_sequence_length, image=image,
    )
    lengths = windows.for_job(job)
    if len(lengths) > 1 and (image is None or not windows.can_continue(profile)):
        raise ValueError(f"{job.frames} frames is more than {profile.name} renders in one pass ({profile.max_frames}), and only an "
                         "image-to-video model given a first frame can continue windows.")
    result, window_records = runner.render_windows(pipe, request, lengths, on_step=on_step)
    timings["denoise"], timings["decode"] = round(result.denoise_seconds, 4), round(result.decode_seconds, 4)
    if window_records:
        timings["windows"] = len(window_records)

    scratch = Path(settings.DATA_DIR) / "tmp"
    scratch.mkdir(parents=True, exist_ok=True)
    frames_sha256 = hashlib.sha256(result.frames.tobytes()).hexdigest()
    with tempfile.TemporaryDirectory(prefix=f"gen-{job.id}-", dir=scratch) as tmp:
        started = time.perf_counter()
        if job.is_still:  # a panel's still: one frame, stored as a PNG (lossless), not a clip
            path = encoding.write_png(result.frames, Path(tmp) / f"{job.id}.png")
        else:
            path = encoding.encode_mp4(result.frames, Path(tmp) / f"{job.id}.mp4", fps=job.fps)
        timings["encode"] = round(time.perf_counter() - started, 4)
        started = time.perf_counter()
        # The take records what the file really is (ffprobe, packets counted; a PNG read back by Pillow).
        native = encoding.probe_png(path, fps=job.fps) if job.is_still else encoding.probe(path, decode=False)
        poster = encoding.write_poster(result.frames, Path(tmp) / f"{job.id}_poster.jpg")
        timings["probe"] = round(time.perf_counter() - started, 4)
        timings["peak_memory_mb"], timings["device"] = result.peak_memory_mb, result.device
        store_started = time.perf_counter()
        timings["total"] = round(store_started - task_started, 4)
        lineage = _lineage(job, spec=spec, worker=worker, timings=timings)
        lineage["frames_sha256"] = frames_sha256
        if window_records:
            lineage["windows"] = window_records
        take = services.complete_attempt(
            job_id=job.id, attempt=attempt, video=path, lineage=lineage, timings=timings, store_started=store_started, poster=poster,
            native=native, frames_sha256=frames_sha256,
        )
    return "succeeded" if take is not None else "discarded"


def _lineage(job: GenerationJob, *, spec, worker, timings: dict) -> dict:
    """Everything needed to reproduce the render, stored on the take (and on the version it is published as)."""
    import diffusers
    import torch

    profile = job.model
    target = {"shot": str(job.shot_id)} if job.shot_id else {"panel": str(job.panel_id), "output": "still (PNG, one frame)"}
    return {
        "job": str(job.id),
        **target,
        "batch": str(job.batch_id),
        "attempt": job.attempts,
        "prompt": job.prompt,
        "negative_prompt": job.negative_prompt,
        "seed": job.seed,
        "model": {"id": str(profile.id), "name": profile.name, "family": profile.family, "kind": profile.kind,
                  "pipeline_class": profile.pipeline_class, "step_cache": spec.step_cache or None},
        "parameters": {**job.parameters, "frames": job.frames, "width": job.width, "height": job.height,
                       "fps": f"{job.fps_num}/{job.fps_den}", "steps": job.steps, "guidance": job.guidance},
        "cast": job.cast,
        "use_type": (job.parameters or {}).get("use_type") or "digital_replica",
        "likeness_asset": (job.parameters or {}).get("likeness_asset"),
        "timings": dict(timings),
        "runtime": {"device": spec.device, "dtype": spec.dtype, "worker": str(worker), "torch": torch.__version__,
                    "diffusers": diffusers.__version__},
    }


@shared_task(name="generation.tasks.scan_take_likeness", acks_late=True, reject_on_worker_lost=True)
def scan_take_likeness(take_id: str, attempt: int) -> dict:
    """The likeness scan of a take, on the `media` queue (generation/services/take_scan.py)."""
    take = services.scan_take_likeness(take_id=take_id, attempt=attempt)
    return {"take": take_id, "status": take.scan_state if take is not None else "stale"}


@shared_task(name="generation.tasks.conform_take", acks_late=True, reject_on_worker_lost=True)
def conform_take(take_id: str, attempt: int) -> dict:
    """Publishing a take, on the `media` queue: conform it to its shot and make the shot's next version
    (generation/services/publishing.py). A stale message (older attempt, already published) does nothing."""
    take = services.run_publish(take_id=take_id, attempt=attempt)
    return {"take": take_id, "attempt": attempt, "status": take.publish_state if take is not None else "stale"}


@shared_task(name="generation.tasks.reap_stale_jobs", ignore_result=True)
def reap_stale_jobs() -> dict:
    counts = services.reap_stale_jobs()
    if any(counts.values()):
        log.warning("generation reaper: %s", counts)
    return counts


@shared_task(name="generation.tasks.dispatch_generations", ignore_result=True)
def dispatch_generations() -> int:
    """Beat safety tick: release whatever the event-driven dispatches left waiting (e.g. after a worker
    was added, or a dispatch lost to a crash between commit and send), and send again the messages of
    jobs released long ago that never started."""
    services.resend_stale_releases()
    return services.dispatch()


@worker_process_init.connect
def _preload_models(**_kwargs) -> None:
    """GENERATION_PRELOAD_MODELS (names): warm the pipeline cache when a GPU worker process starts.

    Loads in a thread: Celery kills a pool process whose initialisation takes longer than a few seconds.
    """
    names = list(getattr(settings, "GENERATION_PRELOAD_MODELS", []) or [])
    if not names:
        return

    def load() -> None:
        from generation import runner
        from generation.models import ModelProfile

        try:
            device = runner.select_device()
            for profile in ModelProfile.objects.filter(name__in=names, is_active=True):
                runner.pipeline_cache().get(runner.LoadSpec.for_profile(profile, device))
        except Exception:  # noqa: BLE001 - preloading is an optimisation; a job loads on demand
            log.exception("preloading %s failed", names)
        finally:
            connection.close()

    threading.Thread(target=load, name="generation-preload", daemon=True).start()


@worker_init.connect
def _import_torch_before_fork(sender=None, **_kwargs) -> None:
    """Render workers import torch and diffusers once, in the main process, before the pool forks:
    every pool process (also one restarted after its render was killed) then starts without paying
    the ~5 s import. Only imports happen here; CUDA is first touched inside a pool process."""
    try:
        consumed = set(sender.app.amqp.queues.consume_from or {})
    except AttributeError:
        return
    if settings.GENERATION_QUEUE not in consumed:
        return
    import diffusers  # noqa: F401
    from diffusers import DiffusionPipeline, WanPipeline  # noqa: F401

    from generation import runner  # noqa: F401  (torch, numpy)


_announcer: gpu_workers.Announcer | None = None


@worker_ready.connect
def _announce_render_worker(sender=None, **_kwargs) -> None:
    """A worker consuming the `gpu` queue announces its concurrency for `GENERATION_GPU_SLOTS=auto`
    (generation/gpu_workers.py) and, once announced, runs the dispatcher so its slots fill at once."""
    global _announcer
    queues = {queue.name for queue in getattr(getattr(sender, "task_consumer", None), "queues", None) or []}
    if settings.GENERATION_QUEUE not in queues:
        return
    concurrency = int(getattr(getattr(sender, "controller", None), "concurrency", 1) or 1)
    _announcer = gpu_workers.Announcer(sender.hostname, concurrency, on_first=_dispatch_from_the_announcer).start()


def _dispatch_from_the_announcer() -> None:
    try:
        services.dispatch()
    finally:
        connection.close()  # this thread's own connection; pool processes forked later must not share it


@worker_shutdown.connect
def _retire_render_worker(**_kwargs) -> None:
    if _announcer is not None:
        _announcer.stop()
