"""Media processing that survives its worker: claims, fencing and the reaper.

A version is `processing` from its creation until the media worker marks it `ready` or `failed`.
The `process_version_media` task runs with acks_late, so a media worker process that dies is
delivered again by Celery; a whole worker (or node) that dies leaves its message unacknowledged in
the broker until the visibility timeout. Neither may leave a version in `processing`:

- **Claim.** A delivery first claims the version under its row lock (`claim`): it increments
  `processing_attempts` (the fencing token) and records when and where (`host:pid`) it started.
  A delivery for a version that is already `ready` or `failed` does nothing (transcodes are
  idempotent); one for a version held by a live attempt does nothing either. An attempt is dead
  when its process is gone (same machine: the process table) or when its lease ran out: the time
  the probes and the three ffmpeg runs may take for this version's duration, after which each of
  them has been killed by its own time limit.
- **Fencing.** The result is stored only while the attempt still holds the claim.
- **Reaper** (beat, every minute, `projects.tasks.reap_stuck_media`): a claimed version whose
  attempt is dead is re-queued, and failed with a reason once `MEDIA_PROCESSING_MAX_ATTEMPTS`
  attempts were lost; an unclaimed version whose message has waited `MEDIA_REQUEUE_AFTER_SECONDS`
  (its worker died before acknowledging it, or the broker lost it) is queued again. A duplicate
  message finds the version claimed or finished and does nothing.
"""

from __future__ import annotations

import logging
import os
import socket
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from projects import media
from projects.models import Version
from studio.queues import send_media

log = logging.getLogger(__name__)

LEASE_MARGIN_SECONDS = 60


def worker_identity() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def lease_seconds(version: Version) -> float:
    """How long one processing attempt of this version may take, at most: two probes and three
    ffmpeg runs, each bounded by its own time limit (projects/media.py), plus a margin."""
    duration = version.duration_seconds or 0.0
    encode = media.encode_timeout(media.ProbeResult(format_name="", codec="", width=0, height=0, fps=version.fps or 1,
                                                    frame_count=version.frame_count or 0, duration=duration))
    return 2 * media.PROBE_TIMEOUT_S + 3 * encode + LEASE_MARGIN_SECONDS


def _pid_alive(pid: int, *, since: datetime | None) -> bool:
    import psutil

    try:
        process = psutil.Process(pid)
        if process.status() == psutil.STATUS_ZOMBIE:
            return False
        # A process created after the claim is another one that reused the pid.
        return since is None or process.create_time() <= since.timestamp() + 1.0
    except psutil.NoSuchProcess:
        return False


def attempt_alive(version: Version, *, now: datetime | None = None) -> bool:
    """Is the attempt holding the claim still at work?"""
    if version.processing_started_at is None:
        return False
    now = now or timezone.now()
    if now - version.processing_started_at > timedelta(seconds=lease_seconds(version)):
        return False
    host, _, pid = version.processing_worker.rpartition(":")
    if host == socket.gethostname() and pid.isdigit():
        return int(pid) != os.getpid() and _pid_alive(int(pid), since=version.processing_started_at)
    return True


def _give_up(version: Version) -> None:
    from projects.services.media import mark_media_failed

    mark_media_failed(
        version,
        f"Processing was started {version.processing_attempts} times and its media worker was lost each time "
        f"(last: {version.processing_worker or 'unknown'}). Upload the version again; if it happens again, check the media workers.",
    )


def claim(*, version_id, worker: str | None = None) -> int | None:
    """Claim the version's processing for this delivery: the attempt number, or None to do nothing."""
    with transaction.atomic():
        version = Version.objects.select_for_update(of=("self",), no_key=True).filter(pk=version_id).first()
        if version is None or version.processing_status != Version.Processing.PROCESSING:
            return None
        if attempt_alive(version):
            log.info("media of version %s is being processed by %s; duplicate delivery ignored", version_id, version.processing_worker)
            return None
        if version.processing_attempts >= settings.MEDIA_PROCESSING_MAX_ATTEMPTS:
            _give_up(version)
            return None
        version.processing_attempts += 1
        version.processing_started_at = timezone.now()
        version.processing_worker = (worker or worker_identity())[:255]
        version.save(update_fields=["processing_attempts", "processing_started_at", "processing_worker", "updated_at"])
        return version.processing_attempts


def holds_claim(version: Version, attempt: int | None) -> bool:
    """Within the row lock: may this attempt store its result?"""
    if attempt is None:
        return True  # called directly (tests, shell): no claim to honour
    return version.processing_status == Version.Processing.PROCESSING and version.processing_attempts == attempt


def _requeue(version: Version, *, reason: str) -> None:
    from projects.tasks import process_version_media
    from studio.audit import services as audit

    version.processing_started_at, version.processing_queued_at = None, timezone.now()
    version.save(update_fields=["processing_started_at", "processing_queued_at", "updated_at"])
    audit.record(organization=version.project.organization, actor_label="media reaper", action="version.media_requeued",
                 target=version, data={"reason": reason, "attempts": version.processing_attempts})
    version_id = str(version.id)
    transaction.on_commit(lambda: send_media(process_version_media, version_id), robust=True)


def reap_stuck_media(*, requeue_after: timedelta | None = None) -> dict[str, int]:
    """Beat: no version stays `processing` after its worker is gone (see the module docstring)."""
    requeue_after = requeue_after if requeue_after is not None else timedelta(seconds=settings.MEDIA_REQUEUE_AFTER_SECONDS)
    counts = {"requeued": 0, "failed": 0, "waiting": 0}
    now = timezone.now()
    waited = Q(processing_started_at__isnull=True) & (
        Q(processing_queued_at__lt=now - requeue_after) | Q(processing_queued_at__isnull=True, created_at__lt=now - requeue_after)
    )
    candidates = Version.objects.filter(processing_status=Version.Processing.PROCESSING).filter(
        Q(processing_started_at__isnull=False) | waited).values_list("pk", flat=True)
    for pk in list(candidates):
        with transaction.atomic():
            version = (
                Version.objects.select_for_update(of=("self",), skip_locked=True, no_key=True)
                .select_related("project__organization", "shot")
                .filter(pk=pk, processing_status=Version.Processing.PROCESSING).first()
            )
            if version is None:
                continue
            if version.processing_started_at is None:
                _requeue(version, reason="its processing message was not picked up")
                counts["requeued"] += 1
            elif attempt_alive(version, now=now):
                counts["waiting"] += 1
            elif version.processing_attempts >= settings.MEDIA_PROCESSING_MAX_ATTEMPTS:
                _give_up(version)
                counts["failed"] += 1
            else:
                _requeue(version, reason=f"media worker {version.processing_worker} was lost")
                counts["requeued"] += 1
    return counts
