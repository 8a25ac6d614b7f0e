"""Who may watch a stream: the realtime core asks; the app that owns the streams answers.

The core keys everything by a **stream id** (a UUID: the durable event log, presence, progress)
and knows nothing of what a stream is. The domain app that publishes into streams registers one
resolver at start (`register_stream_resolver`, from its `AppConfig.ready`); for Greenlight that is
`projects` (`projects.realtime.streams.ProjectStreams`: a stream is a project, and
`projects.access` decides who may see it).

With no resolver registered, the core **fails closed**: every subscription is refused and no
version is found, so a forgotten registration never opens a stream to anyone.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from typing import Any, Protocol

from studio.realtime.models import Audience

log = logging.getLogger(__name__)


class EventFilter(Protocol):
    """A per-watcher rule from the owning app, for watchers who see only part of a stream (in Greenlight:
    client reviewers, who see only the versions submitted to them). Pure: no database access."""

    # Event types after which the watcher's rule is read again (the consumer asks the resolver anew,
    # then filters that event with the fresh rule), e.g. a submission that changes what they see.
    refresh_types: frozenset[str]

    def __call__(self, event_type: str, data: Any) -> Any | None:
        """The `data` this watcher receives (the same object when unchanged, a redacted copy otherwise),
        or None when the event is not for them."""


@dataclass(frozen=True)
class StreamAccess:
    """What a caller may watch of one stream."""

    stream_id: uuid.UUID
    internal: bool  # the owning studio's own people: they also receive `audience="internal"` events
    events: EventFilter | None = None  # a per-event rule for watchers who see part of the stream; None: every event of their audience

    def may_see(self, audience: str) -> bool:
        return audience != Audience.INTERNAL or self.internal


class StreamResolver(Protocol):
    """What the realtime core asks the app that owns the streams. Both run in a thread (ORM allowed)."""

    def access(self, *, user, stream_id: uuid.UUID) -> StreamAccess | None:
        """What `user` may watch of the stream; None when nothing (or no such stream: same answer)."""

    def version_in_stream(self, *, stream_id: uuid.UUID, version_id: uuid.UUID) -> uuid.UUID | None:
        """The id of a version that belongs to the stream (for presence), or None."""


_resolver: StreamResolver | None = None


def register_stream_resolver(resolver: StreamResolver | None) -> None:
    """Install the resolver (called once, from the owning app's `ready()`); None uninstalls it."""
    global _resolver
    _resolver = resolver


def registered_resolver() -> StreamResolver | None:
    return _resolver


def parse_uuid(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        return None


def stream_access(*, user, stream_id) -> StreamAccess | None:
    """What `user` may watch of the stream; None when not at all, for a malformed id, or with no resolver."""
    pk = parse_uuid(stream_id)
    if pk is None:
        return None
    resolver = _resolver
    if resolver is None:
        log.error("realtime: no stream resolver is registered; refusing the subscription (fail closed)")
        return None
    return resolver.access(user=user, stream_id=pk)


def version_in_stream(*, stream_id, version_id) -> uuid.UUID | None:
    """The version's id when it belongs to the stream; None otherwise (and with no resolver)."""
    stream_pk, version_pk = parse_uuid(stream_id), parse_uuid(version_id)
    if stream_pk is None or version_pk is None or _resolver is None:
        return None
    return _resolver.version_in_stream(stream_id=stream_pk, version_id=version_pk)
