"""Celery tasks of production tracking. Routed to the `media` queue (settings.CELERY_TASK_ROUTES)."""

from __future__ import annotations

import logging

from celery import shared_task

log = logging.getLogger(__name__)


@shared_task(name="projects.tasks.process_version_media", acks_late=True, reject_on_worker_lost=True)
def process_version_media(version_id: str) -> dict:
    """Build a version's review proxy, poster and hover-scrub sprite; mark it ready or failed.

    Claims the version first (projects/processing.py): a redelivered or duplicate message for a
    finished version, or one a live worker holds, does nothing.
    """
    from projects import services

    version = services.process_version_media(version_id=version_id, claim=True)
    if version is None:
        return {"version": version_id, "status": "missing"}
    return {"version": version_id, "status": version.processing_status, "frames": version.frame_count}


@shared_task(name="projects.tasks.scan_version_likeness", acks_late=True, reject_on_worker_lost=True)
def scan_version_likeness(version_id: str, attempt: int) -> dict:
    """The likeness scan of a version (projects/services/likeness_scan.py). A stale attempt does nothing."""
    from projects import services

    version = services.scan_version_likeness(version_id=version_id, attempt=attempt)
    if version is None:
        return {"version": version_id, "status": "stale"}
    return {"version": version_id, "status": version.scan_state}


@shared_task(name="projects.tasks.build_watermarked_proxy", acks_late=True, reject_on_worker_lost=True)
def build_watermarked_proxy(mark_id: int) -> dict:
    """Make one viewer's forensically watermarked review proxy (projects/services/watermarks.py). Idempotent."""
    from projects import services

    mark = services.build_marked_proxy(mark_id=mark_id)
    return {"mark": mark_id, "status": mark.status if mark else "missing"}


@shared_task(name="projects.tasks.reap_stuck_media", ignore_result=True)
def reap_stuck_media() -> dict:
    """Every minute (CELERY_BEAT_SCHEDULE): re-queue or fail versions whose media worker was lost."""
    from projects import processing

    counts = processing.reap_stuck_media()
    if counts["requeued"] or counts["failed"]:
        log.warning("media reaper: %s", counts)
    return counts


@shared_task(name="projects.tasks.render_share_copy", acks_late=True, reject_on_worker_lost=True)
def render_share_copy(render_id: str) -> dict:
    """The watermarked copy of one version for one share-link viewer (projects/services/sharing.py)."""
    from projects import services

    render = services.make_share_copy(render_id=render_id)
    return {"render": render_id, "status": render.status if render else "missing"}


@shared_task(name="projects.tasks.build_storyboard_animatic", acks_late=True, reject_on_worker_lost=True)
def build_storyboard_animatic(animatic_id: str) -> dict:
    """Draw a storyboard's animatic (projects/services/animatics.py). Idempotent: a ready one is kept."""
    from projects import services

    animatic = services.build_animatic(animatic_id=animatic_id)
    if animatic is None:
        return {"animatic": animatic_id, "status": "missing"}
    return {"animatic": animatic_id, "status": animatic.status, "frames": animatic.frame_count}
