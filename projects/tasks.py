"""Celery tasks of production tracking. Routed to the `media` queue (settings.CELERY_TASK_ROUTES)."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="projects.tasks.process_version_media", acks_late=True)
def process_version_media(version_id: str) -> dict:
    """Build a version's review proxy, poster and hover-scrub sprite; mark it ready or failed."""
    from projects import services

    version = services.process_version_media(version_id=version_id)
    if version is None:
        return {"version": version_id, "status": "missing"}
    return {"version": version_id, "status": version.processing_status, "frames": version.frame_count}
