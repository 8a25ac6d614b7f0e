"""Celery tasks of the realtime layer."""

from celery import shared_task

from studio.realtime import services


@shared_task(name="studio.realtime.tasks.prune_events")
def prune_events() -> int:
    """Hourly (CELERY_BEAT_SCHEDULE): drop durable events past the retention period."""
    return services.prune_events()
