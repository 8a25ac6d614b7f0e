"""publish(): store a project event in the durable log and send it to everyone watching, after commit.

One envelope for every message a client receives: `{id, type, project, job?, at, data}`.

- `publish(...)` — durable events (`version.created`, `comment.created`, `job.state_changed` …).
  Stored in `realtime.Event` in the caller's transaction with the next per-project number (the
  envelope's `id`), sent after commit. A rolled-back transaction stores nothing and sends nothing.
- `publish_progress(...)` — ephemeral `job.progress`: not stored, not tied to transactions, coalesced
  to at most `REALTIME_PROGRESS_MAX_PER_SECOND` messages per job (the latest value always goes out,
  a trailing send closes each burst). The latest value is kept in Redis for late joiners.
- `notify_user(...)` — a personal notification on `/ws/me/` (mentions, decisions asked of someone),
  sent after commit.

Both hand what they publish to the listeners domain apps registered (`studio.realtime.listeners`),
in the caller's transaction (the `notifications` app builds its inbox and webhooks from them).

Every type is declared in the registry (`studio/realtime/events.py`: each app's `events.py`); a type
that is not registered for the channel is refused, and while `REALTIME_VALIDATE_EVENTS` is on (with
DEBUG and in tests) so is a payload that does not match its declared schema.

Sending happens on one background thread per process with its own event loop and Redis pool, so a
GPU worker's step callback never waits on the network and messages of one process leave in order.
A failed send never fails the write that caused it: durable events stay in the log and clients
catch up from it (see consumers/stream.py).
"""

from __future__ import annotations

import asyncio
import atexit
import json
import logging
import os
import re
import threading
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from channels.layers import DEFAULT_CHANNEL_LAYER, channel_layers
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone

from studio import logs
from studio.realtime import events, listeners, store
from studio.realtime.models import Audience, Event, EventCounter

log = logging.getLogger(__name__)

EVENT_MESSAGE = "event.message"  # the channel-layer message type every stream consumer handles
PROGRESS_TYPE = "job.progress"
PROGRESS_KEEP_SECONDS = 15 * 60  # how long the latest progress of a job is kept for late joiners
# `job.state_changed` with one of these states ends a job: its latest progress is dropped.
TERMINAL_JOB_STATES = frozenset({"succeeded", "completed", "failed", "error", "cancelled", "canceled"})
# Names that clients read as control or ephemeral messages; durable events may not use them.
RESERVED_PREFIXES = ("stream.", "room.", "presence.")
_TYPE_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")


def project_group(project_id) -> str:
    return f"project.{project_id}"


def user_group(user_id) -> str:
    return f"user.{user_id}"


def access_group(user_id) -> str:
    """Every open socket of one user (any consumer, any credential) joins this group."""
    return f"access.{user_id}"


ACCESS_RECHECK_MESSAGE = {"type": "access.recheck"}


def progress_key(project_id, job_id) -> str:
    return store.key("progress", project_id, job_id)


def progress_index_key(project_id) -> str:
    return store.key("progress-jobs", project_id)


def make_envelope(*, id: int | None, type: str, project, at: str, data: Any, job=None) -> dict[str, Any]:
    envelope: dict[str, Any] = {"id": id, "type": type, "project": str(project) if project else None}
    if job is not None:
        envelope["job"] = str(job)
    envelope["at"] = at
    envelope["data"] = data
    return envelope


def _jsonable(data: Any) -> Any:
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def encode(envelope: dict[str, Any]) -> str:
    return json.dumps(envelope, cls=DjangoJSONEncoder, separators=(",", ":"), ensure_ascii=False)


def with_meta(envelope: dict[str, Any]) -> dict[str, Any]:
    """Live envelopes sent while a request id is bound carry `meta: {request_id}` (never stored or replayed)."""
    meta = logs.request_meta()
    if meta:
        envelope["meta"] = meta
    return envelope


def build_envelope(*, type: str, project_id, data: dict, job_id=None, event_id=None) -> dict[str, Any]:
    return with_meta(make_envelope(
        id=event_id, type=type, project=project_id, job=job_id, at=timezone.now().isoformat(), data=_jsonable(data)
    ))


def layer_message(envelope: dict[str, Any], *, audience: str = Audience.ALL, text: str | None = None) -> dict[str, Any]:
    """The channel-layer message: the envelope pre-encoded once, plus what consumers filter on."""
    return {
        "type": EVENT_MESSAGE,
        "id": envelope["id"],
        "event_type": envelope["type"],
        "audience": str(audience),
        "text": text if text is not None else encode(envelope),
        "published_at": time.time(),  # for the fan-out lag metric (studio.metrics.observe_fanout)
    }


# ---------------------------------------------------------------- durable events

def _validate(*, type: str, project_id, data, job_id, audience) -> None:
    if not isinstance(type, str) or len(type) > 64 or not _TYPE_RE.match(type):
        raise ValueError(f"Event type {type!r} must look like 'noun.verb' (lower case, dots, at most 64 characters).")
    if type == PROGRESS_TYPE:
        raise ValueError("job.progress is ephemeral: use publish_progress(), not publish().")
    if type.startswith(RESERVED_PREFIXES):
        raise ValueError(f"Event type {type!r} uses a reserved prefix ({', '.join(RESERVED_PREFIXES)}).")
    if project_id in (None, ""):
        raise ValueError("A durable event belongs to a project: pass project_id.")
    if not isinstance(data, dict):
        raise ValueError("Event data must be a dict.")
    if audience not in Audience.values:
        raise ValueError(f"audience must be one of {', '.join(Audience.values)}, not {audience!r}.")
    if job_id is not None:
        uuid.UUID(str(job_id))  # raises ValueError for a malformed job id
    events.check(type, channel="project", audience=audience, data=data)


def _store(*, project_id, type: str, job_id, audience: str, data: Any, at) -> int:
    """Take the stream's next number (row lock until the transaction ends) and insert the event.

    A project's stream id is the project's id."""
    sql = f"""
        WITH counter AS (
            INSERT INTO {EventCounter._meta.db_table} (stream_id, last_seq) VALUES (%s, 1)
            ON CONFLICT (stream_id) DO UPDATE SET last_seq = {EventCounter._meta.db_table}.last_seq + 1
            RETURNING last_seq
        )
        INSERT INTO {Event._meta.db_table} (stream_id, seq, type, job_id, audience, data, at)
        SELECT %s, counter.last_seq, %s, %s, %s, %s::jsonb, %s FROM counter
        RETURNING seq
    """  # noqa: S608 - table names come from model metadata, values are parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, [project_id, project_id, type, job_id, audience, json.dumps(data), at])
        return cursor.fetchone()[0]


def publish(*, type: str, project_id, data: dict, job_id=None, audience: str = "all") -> dict[str, Any]:
    """Store a durable project event in the caller's transaction; send it once that transaction commits.

    `audience="internal"` limits delivery to the studio's own people: users whose access to the
    project comes only from a ProjectMember row (client reviewers, vendors) never receive it, live
    or on replay. Returns the envelope (its `id` is the per-project event number).
    """
    _validate(type=type, project_id=project_id, data=data, job_id=job_id, audience=audience)
    payload = _jsonable(data)
    job = str(job_id) if job_id is not None else None
    at = timezone.now()
    with transaction.atomic():
        seq = _store(project_id=project_id, type=type, job_id=job, audience=audience, data=payload, at=at)
        envelope = with_meta(make_envelope(id=seq, type=type, project=project_id, job=job, at=at.isoformat(), data=payload))
        message = layer_message(envelope, audience=audience)
        group = project_group(project_id)
        finished_job = job if type == "job.state_changed" and payload.get("state") in TERMINAL_JOB_STATES else None
        transaction.on_commit(lambda: _dispatcher().send(group, message, forget_progress=(project_id, finished_job)), robust=True)
        listeners.dispatch(listeners.Published(
            type=type, channel="project", project_id=str(project_id), data=payload, audience=audience, job_id=job,
            event_id=seq, at=envelope["at"],
        ))
    return envelope


def notify_user(*, user_id, type: str, data: dict, project_id=None) -> dict[str, Any]:
    """Send a personal notification to every open `/ws/me/` socket of `user_id`, after commit.

    Personal notifications are not replayed: the durable inbox is the owning app's table.
    """
    if not isinstance(type, str) or not _TYPE_RE.match(type) or len(type) > 64:
        raise ValueError(f"Notification type {type!r} must look like 'noun.verb'.")
    if not isinstance(data, dict):
        raise ValueError("Notification data must be a dict.")
    events.check(type, channel="user", data=data)
    envelope = build_envelope(type=type, project_id=project_id, data=data)
    message = layer_message(envelope)
    group = user_group(user_id)
    transaction.on_commit(lambda: _dispatcher().send(group, message), robust=True)
    listeners.dispatch(listeners.Published(
        type=type, channel="user", project_id=str(project_id) if project_id else None, data=envelope["data"],
        user_id=str(user_id), at=envelope["at"],
    ))
    return envelope


def recheck_access(*, user_id) -> None:
    """After the caller's transaction commits, make every open socket of `user_id` re-check at once
    that its credential (token or session) and its access still hold; those that do not close (4403).

    Called by the services that take access away: revoking a token, signing out, removing someone
    from an organization or a project, changing their role. The periodic re-check
    (`REALTIME_ACCESS_RECHECK_SECONDS`) stays as the safety net for a lost message."""
    group = access_group(user_id)
    transaction.on_commit(lambda: _dispatcher().send(group, dict(ACCESS_RECHECK_MESSAGE)), robust=True)


# ---------------------------------------------------------------- ephemeral progress

def publish_progress(*, project_id, job_id, data: dict, audience: str = Audience.ALL) -> None:
    """Ephemeral `job.progress` for everyone watching the project (`audience="internal"`: the studio's
    own people only, as for `publish`). Not stored, not transactional.

    Coalesced per job to at most REALTIME_PROGRESS_MAX_PER_SECOND messages a second: the first of a
    burst goes at once, later ones replace each other and the latest leaves when the interval is up.
    """
    events.check(PROGRESS_TYPE, channel="progress", audience=str(audience), data=data)
    envelope = build_envelope(type=PROGRESS_TYPE, project_id=project_id, data=data, job_id=job_id)
    _dispatcher().progress((str(project_id), str(job_id)), project_group(project_id), (envelope, str(audience)))


def flush(timeout: float = 5.0) -> bool:
    """Send everything this process still holds (pending progress included). True when all went out."""
    dispatcher = _instance
    if dispatcher is None or dispatcher.pid != os.getpid():
        return True
    return dispatcher.drain(timeout)


# ---------------------------------------------------------------- the sender thread

@dataclass
class _JobRate:
    last_sent: float = -1e9
    pending: tuple | None = None
    timer: asyncio.TimerHandle | None = None
    touched: float = field(default_factory=time.monotonic)


class _Dispatcher:
    """One per process: a daemon thread running an event loop that performs every send in order."""

    def __init__(self) -> None:
        self.pid = os.getpid()
        self.interval = 1.0 / max(1, int(getattr(settings, "REALTIME_PROGRESS_MAX_PER_SECOND", 10)))
        self.loop = asyncio.new_event_loop()
        self.jobs: dict[tuple[str, str], _JobRate] = {}
        self._ready = threading.Event()
        self.thread = threading.Thread(target=self._run, name="realtime-publisher", daemon=True)
        self.thread.start()
        self._ready.wait(10)
        atexit.register(self.drain, 2.0)

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.queue: asyncio.Queue[Callable[[], Awaitable[None]]] = asyncio.Queue()
        self.layer = channel_layers.make_backend(DEFAULT_CHANNEL_LAYER)
        self.loop.create_task(self._sender())
        self._ready.set()
        self.loop.run_forever()

    async def _sender(self) -> None:
        while True:
            operation = await self.queue.get()
            try:
                await operation()
            except Exception:  # noqa: BLE001 - a lost live message must never stop later ones
                log.exception("realtime send failed")
            finally:
                self.queue.task_done()

    # Called from any thread -------------------------------------------------------------
    def send(self, group: str, message: dict, forget_progress: tuple | None = None) -> None:
        self.loop.call_soon_threadsafe(self._enqueue_send, group, message, forget_progress)

    def progress(self, job_key: tuple[str, str], group: str, item: tuple[dict, str]) -> None:
        self.loop.call_soon_threadsafe(self._progress, job_key, group, item)

    def drain(self, timeout: float = 5.0) -> bool:
        if not self.thread.is_alive():
            return False
        future = asyncio.run_coroutine_threadsafe(self._drain(), self.loop)
        try:
            future.result(timeout)
        except Exception:  # noqa: BLE001 - a timeout at exit is reported, not raised
            log.warning("realtime: could not send everything within %.1fs", timeout)
            return False
        return True

    # On the loop thread ----------------------------------------------------------------
    def _enqueue_send(self, group: str, message: dict, forget_progress: tuple | None = None) -> None:
        async def operation() -> None:
            await self.layer.group_send(group, message)
            if forget_progress and forget_progress[1]:
                project_id, job_id = forget_progress
                client = store.async_client()
                await client.delete(progress_key(project_id, job_id))
                await client.zrem(progress_index_key(project_id), job_id)

        self.queue.put_nowait(operation)

    def _enqueue_progress(self, group: str, item: tuple[dict, str]) -> None:
        envelope, audience = item
        message = layer_message(envelope, audience=audience)
        # Kept for late joiners with its audience, so a consumer filters it as it filters live ones.
        kept = json.dumps({"audience": audience, "text": message["text"]})

        async def operation() -> None:
            await self.layer.group_send(group, message)
            client = store.async_client()
            project_id, job_id = envelope["project"], envelope["job"]
            async with client.pipeline(transaction=False) as pipe:
                pipe.set(progress_key(project_id, job_id), kept, ex=PROGRESS_KEEP_SECONDS)
                pipe.zadd(progress_index_key(project_id), {job_id: time.time()})
                pipe.expire(progress_index_key(project_id), PROGRESS_KEEP_SECONDS)
                await pipe.execute()

        self.queue.put_nowait(operation)

    def _progress(self, job_key: tuple[str, str], group: str, envelope: tuple[dict, str]) -> None:
        now = self.loop.time()
        rate = self.jobs.get(job_key)
        if rate is None:
            if len(self.jobs) > 1000:
                self._forget_idle(now)
            rate = self.jobs[job_key] = _JobRate()
        rate.touched = time.monotonic()
        if rate.timer is None and now - rate.last_sent >= self.interval:
            rate.last_sent = now
            self._enqueue_progress(group, envelope)
            return
        rate.pending = (group, envelope)
        if rate.timer is None:
            rate.timer = self.loop.call_at(rate.last_sent + self.interval, self._trailing, job_key)

    def _trailing(self, job_key: tuple[str, str]) -> None:
        rate = self.jobs.get(job_key)
        if rate is None:
            return
        rate.timer = None
        if rate.pending is not None:
            group, envelope = rate.pending
            rate.pending = None
            rate.last_sent = self.loop.time()
            self._enqueue_progress(group, envelope)

    def _forget_idle(self, now: float) -> None:
        for job_key, rate in list(self.jobs.items()):
            if rate.timer is None and now - rate.last_sent > 10 * self.interval:
                del self.jobs[job_key]

    async def _drain(self) -> None:
        for job_key, rate in list(self.jobs.items()):
            if rate.timer is not None:
                rate.timer.cancel()
                self._trailing(job_key)
        await self.queue.join()


_instance: _Dispatcher | None = None
_instance_lock = threading.Lock()


def _dispatcher() -> _Dispatcher:
    global _instance
    dispatcher = _instance
    if dispatcher is None or dispatcher.pid != os.getpid():
        with _instance_lock:
            if _instance is None or _instance.pid != os.getpid():
                _instance = _Dispatcher()
            dispatcher = _instance
    return dispatcher


def _after_fork_in_child() -> None:
    global _instance, _instance_lock
    _instance = None
    _instance_lock = threading.Lock()


os.register_at_fork(after_in_child=_after_fork_in_child)
