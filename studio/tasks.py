"""Platform-level Celery tasks."""

from celery import shared_task


@shared_task(name="studio.tasks.ping")
def ping() -> str:
    """A no-op round trip used by health checks and tests to prove a worker consumes the broker."""
    return "pong"
