"""What every WebSocket consumer shares: refusal, JSON messages with a size and rate limit, one
inbox fed by the socket and the channel layer, background tasks, the periodic access re-check."""

from __future__ import annotations

import abc
import asyncio
import functools
import json
import logging
import re
import time

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.layers import get_channel_layer
from channels_redis.core import BoundedQueue
from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.utils import timezone
from django.utils.module_loading import import_string

from studio import metrics
from studio.realtime import selectors
from studio.realtime.publish import EVENT_MESSAGE, access_group, encode, make_envelope
from studio.tenancy.models import User

log = logging.getLogger(__name__)

CLOSE_FORBIDDEN = 4403  # not allowed (or no such thing: same answer)
CLOSE_BAD_REQUEST = 4400  # a malformed `since` or tab id
CLOSE_REPLACED = 4409  # the same tab id connected again on another socket
CLOSE_NOT_FOUND = 4404  # no such WebSocket route
MAX_MESSAGE_BYTES = 16 * 1024
RATE_PER_SECOND = 50.0
RATE_BURST = 100.0
REPLAY_BATCH = 500
TAB_RE = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
INBOX_CAPACITY = 1000


async def _pump(source, inbox: asyncio.Queue) -> None:
    """Move messages from an awaitable source into the consumer's inbox; hand over any failure.

    Stops after `websocket.disconnect`, the last message of a socket: some servers answer every
    later receive() at once with another disconnect, and looping on that would starve the loop.
    """
    try:
        while True:
            message = await source()
            inbox.put_nowait(message)
            if message.get("type") == "websocket.disconnect":
                return
    except asyncio.CancelledError:
        raise
    except BaseException as exc:  # noqa: BLE001 - re-raised by the consumer's loop
        inbox.put_nowait(exc)


def now_iso() -> str:
    return timezone.now().isoformat()


def _session_store_class() -> type[SessionBase]:
    return import_string(settings.SESSION_ENGINE + ".SessionStore")


class Refused(Exception):
    """Raised from `open()` to refuse a socket: accepted, then closed with `code` (after `detail`, if any)."""

    def __init__(self, code: int = CLOSE_FORBIDDEN, detail: str | None = None):
        super().__init__(detail or "")
        self.code = code
        self.detail = detail


class BaseStreamConsumer(AsyncWebsocketConsumer, metaclass=abc.ABCMeta):
    """Refusal, JSON messages with a size and rate limit, background tasks, periodic access re-check."""

    error_type = "stream.error"
    handlers: dict[str, str] = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.refused = False
        self.closing = False
        self.joined_groups: list[str] = []
        self.tasks: list[asyncio.Task] = []
        self.project_id: str | None = None
        self._allowance = RATE_BURST
        self._allowance_at = time.monotonic()
        self._rate_warned_at = 0.0

    async def __call__(self, scope, receive, send):
        """Channels' AsyncConsumer.__call__ with one inbox instead of a task and an `asyncio.wait`
        per message: the channel layer feeds the inbox directly (RealtimeChannelLayer.attach), a
        small task feeds it from the socket, and this loop dispatches in arrival order."""
        self.scope = scope
        self.channel_layer = get_channel_layer(self.channel_layer_alias)
        self.channel_name = await self.channel_layer.new_channel()
        self.channel_receive = functools.partial(self.channel_layer.receive, self.channel_name)
        self.base_send = send
        inbox: asyncio.Queue = BoundedQueue(INBOX_CAPACITY)  # a stuck client: the oldest is dropped
        attach = getattr(self.channel_layer, "attach", None)
        pumps = [asyncio.create_task(_pump(receive, inbox))]
        if attach is not None:
            attach(self.channel_name, inbox.put_nowait)
        else:
            pumps.append(asyncio.create_task(_pump(self.channel_receive, inbox)))
        try:
            while True:
                item = await inbox.get()
                if isinstance(item, BaseException):
                    raise item
                await self.dispatch(item)
        except StopConsumer:
            pass
        finally:
            if attach is not None:
                self.channel_layer.detach(self.channel_name)
            for pump in pumps:
                pump.cancel()
            await asyncio.gather(*pumps, return_exceptions=True)

    async def dispatch(self, message):
        """Channels' dispatch, minus its per-message `aclose_old_connections()` thread hop.

        That hop runs on the single thread that serves database_sync_to_async, so with hundreds of
        sockets every live event queued behind hundreds of hops. Every database access here goes
        through database_sync_to_async, which closes stale connections itself.
        """
        handler = getattr(self, get_handler_name(message), None)
        if message.get("type") == EVENT_MESSAGE:
            metrics.observe_fanout(message)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    # -- lifecycle ---------------------------------------------------------------------
    async def connect(self):
        user = self.scope.get("user")
        if getattr(user, "is_authenticated", False):
            # Joined before the access check, so a revocation committed meanwhile is not missed.
            await self.join_group(access_group(user.pk))
        try:
            await self.open()
        except Refused as refusal:
            self.refused = True
            await self.accept()
            if refusal.detail:
                await self.send_control(self.error_type, {"code": "bad_request", "detail": refusal.detail})
            await self.close(code=refusal.code)
            return
        if not self.refused:
            metrics.websocket_opened(self)
            self.tasks.append(asyncio.create_task(self._recheck_loop()))

    @abc.abstractmethod
    async def open(self) -> None:
        """Each stream's own opening (authenticate, check access, accept, snapshot or replay);
        raise `Refused` to refuse."""

    async def disconnect(self, code):
        metrics.websocket_closed(self)
        for task in self.tasks:
            task.cancel()
        if not self.refused:
            try:
                await self.leave()
            except Exception:  # noqa: BLE001 - cleanup must not stop the group discards below
                log.exception("realtime: cleanup after disconnect failed")
        for group in self.joined_groups:
            await self.channel_layer.group_discard(group, self.channel_name)

    async def leave(self) -> None:
        """Per-consumer cleanup (presence, room membership)."""

    async def stream_resync(self, message: dict) -> None:
        """The channel layer lost Redis and is back (RealtimeChannelLayer._rejoin): live messages
        may have been lost meanwhile. Streams with a durable log catch up from it."""

    async def join_group(self, group: str) -> None:
        await self.channel_layer.group_add(group, self.channel_name)
        self.joined_groups.append(group)

    # -- sending -------------------------------------------------------------------------
    async def send_control(self, type: str, data: dict) -> None:
        envelope = make_envelope(id=None, type=type, project=self.project_id, at=now_iso(), data=data)
        await self.send(text_data=encode(envelope))

    async def send_error(self, code: str, detail: str, request: str | None = None) -> None:
        await self.send_control(self.error_type, {"code": code, "detail": detail, "request": request})

    # -- receiving -----------------------------------------------------------------------
    def _take_token(self) -> bool:
        now = time.monotonic()
        self._allowance = min(RATE_BURST, self._allowance + (now - self._allowance_at) * RATE_PER_SECOND)
        self._allowance_at = now
        if self._allowance < 1:
            return False
        self._allowance -= 1
        return True

    async def receive(self, text_data=None, bytes_data=None):
        if self.refused:
            return
        if text_data is None:
            await self.send_error("invalid", "Send JSON text frames, not binary.")
            return
        if len(text_data) > MAX_MESSAGE_BYTES:
            await self.send_error("too_large", f"Messages are limited to {MAX_MESSAGE_BYTES} bytes.")
            return
        if not self._take_token():
            if time.monotonic() - self._rate_warned_at > 1:
                self._rate_warned_at = time.monotonic()
                await self.send_error("rate_limited", f"Slow down: at most {RATE_PER_SECOND:g} messages a second; extra ones are dropped.")
            return
        try:
            message = json.loads(text_data)
        except ValueError:
            await self.send_error("invalid", 'Messages are JSON objects such as {"type": "ping"}.')
            return
        if not isinstance(message, dict) or not isinstance(message.get("type"), str):
            await self.send_error("invalid", 'Messages are JSON objects with a "type", such as {"type": "ping"}.')
            return
        handler = self.handlers.get(message["type"])
        if handler is None:
            allowed = ", ".join(sorted(self.handlers))
            kind = message["type"][:64]
            await self.send_error("unknown_type", f"Unknown message type {kind!r}; use one of: {allowed}.", kind)
            return
        await getattr(self, handler)(message)

    # -- access re-check -----------------------------------------------------------------
    def _auth_still_valid(self) -> bool:
        user = self.scope.get("user")
        auth = self.scope.get("auth") or {}
        if user is None or not getattr(user, "is_authenticated", False):
            return False
        if not User.objects.filter(pk=user.pk, is_active=True).exists():
            return False
        if auth.get("method") == "token":
            return bool(auth.get("token_id")) and selectors.token_is_active(token_id=auth["token_id"])
        session_key = auth.get("session_key")
        return bool(session_key) and _session_store_class()().exists(session_key)

    def still_allowed(self) -> bool:
        """Runs in a thread: is the caller still signed in and still allowed? Subclasses extend it."""
        return self._auth_still_valid()

    async def access_recheck(self, message: dict) -> None:
        """A service took access away from this user (`studio.realtime.publish.recheck_access`):
        re-check now, and close this socket if its credential or its access no longer holds."""
        if self.refused or self.closing:
            return
        try:
            allowed = await database_sync_to_async(self.still_allowed)()
        except Exception:  # noqa: BLE001 - the periodic re-check will try again
            log.exception("realtime: access re-check failed")
            return
        if not allowed:
            self.closing = True
            await self.close(code=CLOSE_FORBIDDEN)

    async def _recheck_loop(self) -> None:
        interval = max(0.2, float(getattr(settings, "REALTIME_ACCESS_RECHECK_SECONDS", 60)))
        while True:
            await asyncio.sleep(interval)
            try:
                allowed = await database_sync_to_async(self.still_allowed)()
            except Exception:  # noqa: BLE001 - a database hiccup is not a reason to drop the socket
                log.exception("realtime: access re-check failed")
                continue
            if not allowed:
                await self.close(code=CLOSE_FORBIDDEN)
                return

    async def on_ping(self, message: dict) -> None:
        await self.send_control("stream.pong", {})


# ==================================================================== anything else under /ws/

class NotFoundConsumer(BaseStreamConsumer):
    async def open(self) -> None:
        raise Refused(CLOSE_NOT_FOUND)
