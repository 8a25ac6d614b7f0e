"""Reads for the realtime layer: who may watch what, and the durable event log.

A project's stream is keyed by its id (the stream id of its events, presence and progress); who may
watch it is asked of the resolver the domain registered (studio.realtime.access), never decided here.
"""

from __future__ import annotations

import json
import time

from django.db.models import Max, Min

from studio.realtime import store
from studio.realtime.access import StreamAccess, stream_access
from studio.realtime.models import Event
from studio.realtime.publish import PROGRESS_KEEP_SECONDS, encode, progress_index_key, progress_key
from studio.tenancy.models import ApiToken
from studio.tenancy.services import hash_token_key


def user_for_token(*, key: str):
    """The active user of an active API token, or None."""
    if not key:
        return None, None
    token = ApiToken.objects.select_related("user").filter(key_hash=hash_token_key(key), revoked_at__isnull=True).first()
    if token is None or not token.user.is_active:
        return None, None
    return token.user, token


def token_is_active(*, token_id) -> bool:
    return ApiToken.objects.filter(pk=token_id, revoked_at__isnull=True, user__is_active=True).exists()


def project_access(*, user, project_id) -> StreamAccess | None:
    """What `user` may watch of the project's stream; None when not at all (or no such project: same
    answer). Decided by the app that registered the stream resolver (studio.realtime.access)."""
    return stream_access(user=user, stream_id=project_id)


# ---------------------------------------------------------------- the durable log

def last_event_id(*, project_id) -> int:
    return Event.objects.filter(stream_id=project_id).aggregate(m=Max("seq"))["m"] or 0


def oldest_event_id(*, project_id) -> int | None:
    return Event.objects.filter(stream_id=project_id).aggregate(m=Min("seq"))["m"]


def events_between(*, project_id, after: int, up_to: int | None = None, limit: int = 500) -> list[tuple[int, str, str]]:
    """(id, audience, encoded envelope) of events with after < id <= up_to, oldest first.

    Every audience is returned: the caller filters, and still advances past events it may not see.
    """
    qs = Event.objects.filter(stream_id=project_id, seq__gt=after)
    if up_to is not None:
        qs = qs.filter(seq__lte=up_to)
    return [(e.seq, e.audience, encode(e.envelope())) for e in qs.order_by("seq")[:limit]]


# ---------------------------------------------------------------- ephemeral progress

def latest_progress(*, project_id, job_id=None) -> list[dict]:
    """The latest `job.progress` envelope of each recent job of the project (or of one job)."""
    client = store.sync_client()
    if job_id is not None:
        raw = client.get(progress_key(project_id, job_id))
        return [json.loads(json.loads(raw)["text"])] if raw else []
    jobs = client.zrangebyscore(progress_index_key(project_id), time.time() - PROGRESS_KEEP_SECONDS, "+inf")
    if not jobs:
        return []
    raws = client.mget([progress_key(project_id, j.decode()) for j in jobs])
    return [json.loads(json.loads(r)["text"]) for r in raws if r]


async def latest_progress_texts(*, project_id) -> list[tuple[str, str]]:
    """Async variant for consumers: (audience, encoded envelope) of each, ready to filter and send."""
    client = store.async_client()
    jobs = await client.zrangebyscore(progress_index_key(project_id), time.time() - PROGRESS_KEEP_SECONDS, "+inf")
    if not jobs:
        return []
    raws = await client.mget([progress_key(project_id, j.decode()) for j in jobs])
    kept = [json.loads(r) for r in raws if r]
    return [(k["audience"], k["text"]) for k in kept]


def stream_position(*, stream_id) -> int:
    """The number of the last durable event of a stream (0 before its first): it grows in the very
    transaction of every change that publishes, so it serves as the stream's change counter (the
    validator of conditional reads, studio.http.conditional). One query on the counter's primary key."""
    from studio.realtime.models import EventCounter

    return EventCounter.objects.filter(stream_id=stream_id).values_list("last_seq", flat=True).first() or 0
