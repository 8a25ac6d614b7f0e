"""Celery tasks of the rights app."""

from celery import shared_task

from rights import services


@shared_task(name="rights.tasks.expire_lapsed_grants")
def expire_lapsed_grants() -> int:
    """Record the expiry of grants whose term ended (schedule it, e.g. every 5 minutes, with beat)."""
    return len(services.expire_lapsed_grants())
