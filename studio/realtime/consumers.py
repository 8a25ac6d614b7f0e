"""WebSocket consumers: the project stream, the personal stream and the review room.

Every message a client receives is an envelope `{id, type, project, job?, at, data}`; `id` is the
per-project event number for durable events and null for everything else. The protocol is in
docs/REALTIME.md.

Refusals: a caller who may not watch (anonymous, revoked token, not a member, no such project or
playlist, malformed id) gets the same answer — the socket is accepted and closed at once with code
4403, nothing sent — so the answer never reveals whether something exists.
"""

from __future__ import annotations

import abc
import asyncio
import functools
import json
import logging
import re
import time
from urllib.parse import parse_qs

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
from studio.realtime import presence, room, selectors
from studio.realtime.publish import EVENT_MESSAGE, encode, layer_message, make_envelope, project_group, user_group
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
_TAB_RE = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
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


def room_group(playlist_id) -> str:
    return f"room.{playlist_id}"


def _now_iso() -> str:
    return timezone.now().isoformat()


def _session_store_class() -> type[SessionBase]:
    return import_string(settings.SESSION_ENGINE + ".SessionStore")


class _Refused(Exception):
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
        try:
            await self.open()
        except _Refused as refusal:
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
        raise `_Refused` to refuse."""

    async def disconnect(self, code):
        metrics.websocket_closed(self)
        for task in self.tasks:
            task.cancel()
        if self.refused:
            return
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
        envelope = make_envelope(id=None, type=type, project=self.project_id, at=_now_iso(), data=data)
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


# ==================================================================== /ws/projects/{id}/

class ProjectStreamConsumer(BaseStreamConsumer):
    """Durable events (replayable with ?since=), live progress and presence of one project."""

    handlers = {"ping": "on_ping", "presence.view": "on_presence_view"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.access: selectors.ProjectAccess | None = None
        self.last_id = 0
        self.viewing: str | None = None

    async def open(self) -> None:
        user = self.scope.get("user")
        project_id = self.scope["url_route"]["kwargs"]["project_id"]
        access = await database_sync_to_async(selectors.project_access)(user=user, project_id=project_id)
        if access is None:
            raise _Refused()
        self.access = access
        self.project_id = str(access.project_id)
        since = self._parse_since()
        await self.accept()
        # Subscribe before reading the log: an event committed after the read arrives live, one
        # committed before it is in the read; duplicates are dropped by id in event_message.
        await self.join_group(project_group(self.project_id))
        replay = await self._replay(since)
        for text in await selectors.latest_progress_texts(project_id=self.project_id):
            await self.send(text_data=text)
        rev = await presence.current_rev(project_id=self.project_id)  # read first: later changes have a higher rev
        entries = await presence.viewers(project_id=self.project_id)
        await self.send_control("presence.snapshot", {"versions": presence.by_version(entries), "rev": rev})
        await self.send_control("stream.ready", {"last_id": self.last_id, **replay})
        self.tasks.append(asyncio.create_task(self._presence_loop()))

    def _parse_since(self) -> int | None:
        query = parse_qs(self.scope.get("query_string", b"").decode("latin1"))
        if "since" not in query:
            return None
        raw = query["since"][-1]
        if not raw.isdigit() or len(raw) > 18:
            raise _Refused(CLOSE_BAD_REQUEST, f"since must be the id of the last event you received (a whole number), not {raw[:40]!r}.")
        return int(raw)

    async def _replay(self, since: int | None) -> dict:
        last = await database_sync_to_async(selectors.last_event_id)(project_id=self.project_id)
        self.last_id = last
        if since is None:
            return {"replayed": 0}
        limit = int(getattr(settings, "REALTIME_REPLAY_LIMIT", 10000))
        if since > last:
            await self._reset("ahead", f"No event {since} yet in this project (the latest is {last}); reload and continue from {last}.")
            return {"replayed": 0}
        oldest = await database_sync_to_async(selectors.oldest_event_id)(project_id=self.project_id)
        after = since
        if oldest is not None and since < oldest - 1:
            if last - oldest + 1 > limit:
                await self._reset("too_far_behind", f"More than {limit} events were missed; reload the project's state.")
                return {"replayed": 0}
            await self._reset("history_pruned", f"Events before {oldest} were pruned; reload the project's state, then apply what follows.")
            after = oldest - 1
        elif last - since > limit:
            await self._reset("too_far_behind", f"More than {limit} events were missed; reload the project's state.")
            return {"replayed": 0}
        self.last_id = after
        sent = await self._catch_up(up_to=None)
        return {"replayed": sent}

    async def _reset(self, reason: str, detail: str) -> None:
        await self.send_control("stream.reset", {"reason": reason, "detail": detail})

    async def _catch_up(self, *, up_to: int | None) -> int:
        """Send every stored event after self.last_id (up to `up_to`) this caller may see, in order."""
        sent = 0
        while True:
            rows = await database_sync_to_async(selectors.events_between)(
                project_id=self.project_id, after=self.last_id, up_to=up_to, limit=REPLAY_BATCH
            )
            for seq, audience, text in rows:
                self.last_id = seq
                if self.access.may_see(audience):
                    await self.send(text_data=text)
                    sent += 1
            if len(rows) < REPLAY_BATCH:
                return sent

    async def event_message(self, message: dict) -> None:
        event_id = message.get("id")
        if event_id is None:  # ephemeral: progress, presence
            if self.access.may_see(message.get("audience", "all")):
                await self.send(text_data=message["text"])
            return
        if event_id <= self.last_id:
            return  # already sent (replay, or a catch-up that overtook the live message)
        if event_id > self.last_id + 1:
            # Numbers are committed in order, so everything before this one is in the log already:
            # fetch what the live stream did not bring (a dropped or slower message).
            await self._catch_up(up_to=event_id - 1)
        self.last_id = event_id
        if self.access.may_see(message.get("audience", "all")):
            await self.send(text_data=message["text"])

    async def on_ping(self, message: dict) -> None:
        # A cheap way for a client to make sure it missed nothing at the tail of the stream.
        await self.stream_resync(message)
        await self.send_control("stream.pong", {"last_id": self.last_id})

    async def stream_resync(self, message: dict) -> None:
        latest = await database_sync_to_async(selectors.last_event_id)(project_id=self.project_id)
        if latest > self.last_id:
            await self._catch_up(up_to=latest)

    def still_allowed(self) -> bool:
        if not self._auth_still_valid():
            return False
        access = selectors.project_access(user=self.scope["user"], project_id=self.project_id)
        if access is None:
            return False
        self.access = access  # a role change (e.g. to client reviewer) applies from now on
        return True

    # -- presence ------------------------------------------------------------------------
    async def on_presence_view(self, message: dict) -> None:
        version = message.get("version")
        if version is not None:
            frames = await database_sync_to_async(selectors.version_in_project)(project_id=self.project_id, version_id=version)
            if frames is None:
                await self.send_error("invalid", "version must be the id of a version of this project, or null.", "presence.view")
                return
            version = str(frames.id)
        previous = self.viewing
        user = self.scope["user"]
        if version is not None:
            await presence.enter(project_id=self.project_id, version_id=version, conn=self.channel_name, user_id=user.pk, name=user.name)
        elif previous is not None:
            await presence.leave(project_id=self.project_id, conn=self.channel_name)
        self.viewing = version
        await self._announce({v for v in (previous, version) if v})

    async def _announce(self, versions: set[str]) -> None:
        if not versions:
            return
        entries = await presence.viewers(project_id=self.project_id)
        rev = await presence.next_rev(project_id=self.project_id)
        for version in sorted(versions):
            envelope = make_envelope(
                id=None, type="presence.changed", project=self.project_id, at=_now_iso(),
                data={"version": version, "viewers": presence.summarise(entries, version), "rev": rev},
            )
            await self.channel_layer.group_send(project_group(self.project_id), layer_message(envelope))

    async def _presence_loop(self) -> None:
        period = max(0.1, presence.ttl_seconds() / 3)
        user = self.scope["user"]
        while True:
            await asyncio.sleep(period)
            try:
                if self.viewing:
                    await presence.refresh(
                        project_id=self.project_id, version_id=self.viewing, conn=self.channel_name, user_id=user.pk, name=user.name
                    )
                changed = await presence.sweep(project_id=self.project_id)
                await self._announce(changed)
            except Exception:  # noqa: BLE001 - keep the loop alive through a Redis hiccup
                log.exception("realtime: presence refresh failed")

    async def leave(self) -> None:
        if self.viewing:
            version, self.viewing = self.viewing, None
            await presence.leave(project_id=self.project_id, conn=self.channel_name)
            await self._announce({version})


# ==================================================================== /ws/me/

class UserStreamConsumer(BaseStreamConsumer):
    """The caller's own notifications (mentions, decisions asked of them)."""

    handlers = {"ping": "on_ping"}

    async def open(self) -> None:
        user = self.scope.get("user")
        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            raise _Refused()
        await self.accept()
        await self.join_group(user_group(user.pk))
        await self.send_control("stream.ready", {"user": str(user.pk)})

    async def event_message(self, message: dict) -> None:
        await self.send(text_data=message["text"])


# ==================================================================== /ws/playlists/{id}/room/

class ReviewRoomConsumer(BaseStreamConsumer):
    """A synced review of one playlist: the presenter leads, the others follow or detach."""

    error_type = "room.error"
    handlers = {
        "ping": "on_ping",
        "room.state": "on_state",
        "room.take": "on_take",
        "room.handover": "on_handover",
        "room.release": "on_release",
        "room.follow": "on_follow",
        "room.detach": "on_detach",
        "room.sync": "on_sync",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.playlist_id: str | None = None
        self.tab: str | None = None
        self.following = True
        self.access: selectors.ProjectAccess | None = None
        self.replaced = False

    async def open(self) -> None:
        user = self.scope.get("user")
        playlist_id = self.scope["url_route"]["kwargs"]["playlist_id"]
        found = await database_sync_to_async(selectors.playlist_access)(user=user, playlist_id=playlist_id)
        if found is None:
            raise _Refused()
        playlist, self.access = found
        self.playlist_id = str(playlist.pk)
        self.project_id = str(self.access.project_id)
        query = parse_qs(self.scope.get("query_string", b"").decode("latin1"))
        tab = (query.get("tab") or [""])[-1]
        if not _TAB_RE.match(tab):
            raise _Refused(CLOSE_BAD_REQUEST, "Pass ?tab=<id>: a random id per browser tab, 8–64 letters, digits, '-' or '_'.")
        self.tab = tab
        await self.accept()
        await self.join_group(room_group(self.playlist_id))
        try:
            outcome = await self._join()
        except room.RoomError as exc:
            self.refused = True
            await self.send_error(exc.code, exc.detail, "join")
            await self.channel_layer.group_discard(room_group(self.playlist_id), self.channel_name)
            await self.close(code=CLOSE_REPLACED if exc.code == "tab_taken" else CLOSE_FORBIDDEN)
            return
        if outcome.replaced_channel:
            await self.channel_layer.send(outcome.replaced_channel, {"type": "room.replaced"})
        await self._snapshot(outcome.room)
        await self._broadcast(outcome, origin=self.tab, ack=False)
        self.tasks.append(asyncio.create_task(self._heartbeat_loop()))

    async def _join(self) -> room.Outcome:
        user = self.scope["user"]
        first = _version_dict(await database_sync_to_async(selectors.first_version_of_playlist)(playlist_id=self.playlist_id))
        now = _now_ms()
        return await room.transact(
            self.playlist_id,
            lambda r: room.apply_join(
                r, tab=self.tab, user=str(user.pk), name=user.name, internal=self.access.internal, channel=self.channel_name, now_ms=now
            ),
            initial=lambda: room.new_room(version=first, now_ms=now),
        )

    async def _snapshot(self, state: dict) -> None:
        now = _now_ms()
        members = room.public_members(state, now)
        me = next((m for m in members if m["tab"] == self.tab), None)
        self.following = me["following"] if me else self.following
        await self.send_control("room.snapshot", {
            "playlist": self.playlist_id,
            "state": room.public_state(state),
            "members": members,
            "you": {"tab": self.tab, "following": self.following, "presenter": bool(me and me["presenter"]),
                    "may_take_over": self.access.internal},
            "server_time": now,
        })

    async def _broadcast(self, outcome: room.Outcome, *, origin: str | None, ack: bool = True) -> None:
        """Tell the room what changed.

        Echo suppression: the tab whose request caused the change never gets its own change back;
        it gets `room.ack` (or, on joining, the snapshot) instead.
        """
        state = outcome.room
        group = room_group(self.playlist_id)
        if outcome.state_changed:
            envelope = make_envelope(id=None, type="room.state", project=self.project_id, at=_now_iso(), data={
                "playlist": self.playlist_id, "state": room.public_state(state), "cause": outcome.cause, "by": origin,
            })
            await self.channel_layer.group_send(group, {
                "type": "room.message", "kind": "state", "cause": outcome.cause, "origin_tab": origin,
                "presenter_tab": (state.get("presenter") or {}).get("tab"), "text": encode(envelope),
            })
        if outcome.members_changed:
            envelope = make_envelope(id=None, type="room.members", project=self.project_id, at=_now_iso(), data={
                "playlist": self.playlist_id, "members": room.public_members(state, _now_ms()), "rev": state["rev"],
                "cause": outcome.cause,
            })
            await self.channel_layer.group_send(group, {
                "type": "room.message", "kind": "members", "origin_tab": origin, "text": encode(envelope),
            })
        if origin is not None and ack and (outcome.state_changed or outcome.members_changed):
            await self.send_control("room.ack", {
                "playlist": self.playlist_id, "rev": state["rev"], "cause": outcome.cause,
                "state": room.public_state(state), "members": room.public_members(state, _now_ms()),
            })

    async def room_message(self, message: dict) -> None:
        if message.get("origin_tab") == self.tab:
            return  # echo suppression: this tab caused it and already has room.ack / the snapshot
        if message["kind"] == "state":
            if message.get("presenter_tab") == self.tab:
                self.following = True  # handed the room: the presenter always leads it
            elif not self.following and message.get("cause") == "update":
                return  # detached: the playhead is not pushed; room.follow brings a fresh snapshot
        await self.send(text_data=message["text"])

    async def room_replaced(self, message: dict) -> None:
        self.replaced = True
        await self.send_error("replaced", "This tab id connected again on another socket; this one is closed.")
        await self.close(code=CLOSE_REPLACED)

    async def _run(self, request: str, operation, *, ack: bool = True) -> room.Outcome | None:
        try:
            outcome = await room.transact(self.playlist_id, operation)
        except room.RoomError as exc:
            await self.send_error(exc.code, exc.detail, request)
            return None
        await self._broadcast(outcome, origin=self.tab, ack=ack)
        if ack and not (outcome.state_changed or outcome.members_changed):
            # Nothing changed (already presenting, already following): still answer the request.
            await self.send_control("room.ack", {
                "playlist": self.playlist_id, "rev": outcome.room["rev"], "cause": "unchanged",
                "state": room.public_state(outcome.room), "members": room.public_members(outcome.room, _now_ms()),
            })
        return outcome

    async def on_state(self, message: dict) -> None:
        try:
            changes = room.validate_changes(message)
        except room.RoomError as exc:
            await self.send_error(exc.code, exc.detail, "room.state")
            return
        version = None
        if "version" in changes:
            find = database_sync_to_async(selectors.version_in_playlist)
            frames = await find(playlist_id=self.playlist_id, version_id=changes["version"])
            version = _version_dict(frames)
        await self._run("room.state", lambda r: room.apply_update(r, tab=self.tab, changes=changes, version=version, now_ms=_now_ms()))

    async def on_take(self, message: dict) -> None:
        await self._run("room.take", lambda r: room.apply_take(r, tab=self.tab, may_force=self.access.internal, now_ms=_now_ms()))

    async def on_handover(self, message: dict) -> None:
        await self._run("room.handover", lambda r: room.apply_handover(r, tab=self.tab, to_tab=message.get("to"), now_ms=_now_ms()))

    async def on_release(self, message: dict) -> None:
        await self._run("room.release", lambda r: room.apply_release(r, tab=self.tab, now_ms=_now_ms()))

    async def on_follow(self, message: dict) -> None:
        outcome = await self._run("room.follow", lambda r: room.apply_follow(r, tab=self.tab, following=True, now_ms=_now_ms()),
                                  ack=False)
        if outcome is not None:
            self.following = True
            await self._snapshot(outcome.room)

    async def on_detach(self, message: dict) -> None:
        outcome = await self._run("room.detach", lambda r: room.apply_follow(r, tab=self.tab, following=False, now_ms=_now_ms()))
        if outcome is not None:
            self.following = False

    async def on_sync(self, message: dict) -> None:
        state = await room.load(self.playlist_id)
        if state is None:
            await self.send_error("no_room", "The room has closed; reconnect to open it again.", "room.sync")
            return
        await self._snapshot(state)

    async def _heartbeat_loop(self) -> None:
        period = max(0.1, room.member_ttl() / 3)
        while True:
            await asyncio.sleep(period)
            try:
                outcome = await room.transact(
                    self.playlist_id, lambda r: room.apply_heartbeat(r, tab=self.tab, channel=self.channel_name, now_ms=_now_ms())
                )
                await self._broadcast(outcome, origin=None)
                if outcome.extra.get("gone") and not self.replaced:
                    # Pruned during a stall (or the room expired): join again, keeping this tab.
                    outcome = await self._join()
                    await self._snapshot(outcome.room)
                    await self._broadcast(outcome, origin=self.tab, ack=False)
            except room.RoomError as exc:
                log.warning("realtime: room heartbeat refused: %s", exc.detail)
            except Exception:  # noqa: BLE001 - keep the loop alive through a Redis hiccup
                log.exception("realtime: room heartbeat failed")

    def still_allowed(self) -> bool:
        if not self._auth_still_valid():
            return False
        found = selectors.playlist_access(user=self.scope["user"], playlist_id=self.playlist_id)
        if found is None:
            return False
        self.access = found[1]
        return True

    async def leave(self) -> None:
        if self.replaced or self.tab is None:
            return
        outcome = await room.transact(
            self.playlist_id, lambda r: room.apply_leave(r, tab=self.tab, channel=self.channel_name, now_ms=_now_ms())
        )
        await self._broadcast(outcome, origin=None)


# ==================================================================== anything else under /ws/

class NotFoundConsumer(BaseStreamConsumer):
    async def open(self) -> None:
        raise _Refused(CLOSE_NOT_FOUND)


def _now_ms() -> int:
    return int(time.time() * 1000)


def _version_dict(frames: selectors.VersionFrames | None) -> dict | None:
    if frames is None:
        return None
    return {
        "id": str(frames.id), "first_frame": frames.first_frame, "last_frame": frames.last_frame,
        "fps": [frames.fps_num, frames.fps_den],
    }
