"""Writes for the realtime layer. Publishing itself is `studio.realtime.publish`."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from studio.realtime.models import Event, EventCounter


def prune_events(*, older_than: datetime.timedelta | None = None, batch: int = 5000) -> int:
    """Delete durable events older than the retention period (REALTIME_EVENT_RETENTION_DAYS).

    Event numbers are never reused (the per-stream counter is kept). A client that reconnects with
    a `since` older than what is left gets `stream.reset` (reason `history_pruned`) and reloads.
    Returns how many events were deleted.
    """
    if older_than is None:
        older_than = datetime.timedelta(days=int(getattr(settings, "REALTIME_EVENT_RETENTION_DAYS", 30)))
    if older_than < datetime.timedelta(0):
        raise ValueError("older_than must not be negative.")
    cutoff = timezone.now() - older_than
    deleted = 0
    while True:
        with transaction.atomic():
            ids = list(Event.objects.filter(at__lt=cutoff).order_by("id").values_list("id", flat=True)[:batch])
            if not ids:
                return deleted
            deleted += Event.objects.filter(id__in=ids).delete()[0]


def delete_stream(*, stream_id) -> int:
    """Delete every stored event of a stream and its counter, in the caller's transaction.

    The core holds no foreign key to what a stream belongs to, so the owning app calls this when
    the owner goes (`projects` does when a project is deleted). Returns how many events were deleted.
    """
    with transaction.atomic():
        deleted = Event.objects.filter(stream_id=stream_id).delete()[0]
        EventCounter.objects.filter(stream_id=stream_id).delete()
    return deleted
