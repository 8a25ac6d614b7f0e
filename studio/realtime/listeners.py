"""Listeners: domain apps that react to what is published, without the publisher naming them.

An app that must learn of events other apps publish (the `notifications` app: mentions, decisions,
finished renders) registers a listener from its `AppConfig.ready()`:

    register_listener(handle, types={"comment.created", "approval.decided"})

`publish()` and `notify_user()` call each matching listener with a `Published` record inside the
publishing transaction, right after the event is stored; what a listener writes therefore commits
or rolls back with the change that caused it, and what it publishes itself goes out after commit.
The core knows nothing of the listener (it imports no domain app); with none registered, nothing
happens.

Each listener runs in its own savepoint. A failing listener never fails the write that caused it:
its savepoint is rolled back and the error logged — except while events are validated
(`REALTIME_VALIDATE_EVENTS`, on in development and tests), when it is raised, so a broken listener
fails the tests that reach it. A listener that publishes does not reach listeners again (no loops).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from studio.realtime import events

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Published:
    """One published message as listeners see it (`data` as sent, JSON types)."""

    type: str
    channel: str  # "project" (publish) or "user" (notify_user)
    project_id: str | None
    data: dict[str, Any]
    audience: str = "all"
    job_id: str | None = None
    user_id: str | None = None  # the recipient, for channel "user"
    event_id: int | None = None  # the stream's event number, for channel "project"
    at: str = ""


@dataclass(frozen=True)
class _Listener:
    handle: Callable[[Published], None]
    types: frozenset[str] | None
    name: str


_listeners: list[_Listener] = []
_local = threading.local()


def register_listener(handle: Callable[[Published], None], *, types: Iterable[str] | None = None, name: str = "") -> None:
    """Call `handle(published)` for every published message of `types` (all types when None).
    Registering the same function again is a no-op (apps may be set up twice in one process)."""
    label = name or f"{getattr(handle, '__module__', '?')}.{getattr(handle, '__qualname__', repr(handle))}"
    if any(existing.name == label for existing in _listeners):
        return
    _listeners.append(_Listener(handle=handle, types=frozenset(types) if types is not None else None, name=label))


def listener_names() -> list[str]:
    return [listener.name for listener in _listeners]


def dispatch(published: Published) -> None:
    """Run the listeners for `published` in the caller's transaction (see the module docstring)."""
    if getattr(_local, "active", False):
        return
    wanted = [listener for listener in _listeners if listener.types is None or published.type in listener.types]
    if not wanted:
        return
    _local.active = True
    try:
        for listener in wanted:
            try:
                with transaction.atomic():
                    listener.handle(published)
            except Exception:
                if events.validation_enabled():
                    raise
                log.exception("realtime listener %s failed on %s; the change it reacted to stands", listener.name, published.type)
    finally:
        _local.active = False
