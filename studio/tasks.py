"""Platform-level Celery tasks."""

from celery import shared_task


@shared_task(name="studio.tasks.ping")
def ping() -> str:
    """A no-op round trip used by health checks and tests to prove a worker consumes the broker."""
    return "pong"


@shared_task(name="studio.tasks.sweep_orphaned_media", ignore_result=True)
def sweep_orphaned_media() -> dict:
    """Hourly (CELERY_BEAT_SCHEDULE): remove media files no row references (studio/media_sweep.py)."""
    from studio.media_sweep import sweep_orphaned_media as sweep

    return sweep().as_dict()
