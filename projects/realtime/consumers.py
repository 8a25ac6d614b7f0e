"""/ws/playlists/{id}/room/: the synced review of one playlist (presenter, followers).

Built on the realtime core's consumer base (refusal, JSON messages with limits, the access
re-check); the room's state lives in Redis (`projects.realtime.room`); who may join is asked of
`projects.access` (`projects.realtime.selectors.playlist_access`). Routed by
`projects.realtime.routing`, which `ProjectsConfig.ready` registers with the core.

What a client sees holds in the room too: a client reviewer receives the room's state with a
version that was not submitted to them (or is withheld now) hidden — no id, frames or drawing
(`HIDDEN`, `client_visible_versions_q`) — and presents only the playlist's versions they may see.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from urllib.parse import parse_qs

from channels.db import database_sync_to_async

from projects.access import ProjectAccess
from projects.realtime import room, selectors
from studio.realtime.consumers import CLOSE_BAD_REQUEST, CLOSE_FORBIDDEN, CLOSE_REPLACED, TAB_RE, BaseStreamConsumer, Refused, now_iso
from studio.realtime.publish import encode, make_envelope

log = logging.getLogger(__name__)


# What a client reviewer receives instead of a version they may not see: nothing of it.
HIDDEN = {"version": None, "first_frame": None, "last_frame": None, "fps": None, "frame": None, "playing": False, "drawing": None,
          "hidden": True}


def room_group(playlist_id) -> str:
    return f"room.{playlist_id}"


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
        "room.draw": "on_draw",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.playlist_id: str | None = None
        self.tab: str | None = None
        self.following = True
        self.access: ProjectAccess | None = None
        self.replaced = False
        self.client_sees: dict[str, bool] = {}  # client reviewers: version id -> may see it (kept until the access re-check)

    async def open(self) -> None:
        user = self.scope.get("user")
        playlist_id = self.scope["url_route"]["kwargs"]["playlist_id"]
        found = await database_sync_to_async(selectors.playlist_access)(user=user, playlist_id=playlist_id)
        if found is None:
            raise Refused()
        playlist, self.access = found
        self.playlist_id = str(playlist.pk)
        self.project_id = str(self.access.project.pk)
        query = parse_qs(self.scope.get("query_string", b"").decode("latin1"))
        tab = (query.get("tab") or [""])[-1]
        if not TAB_RE.match(tab):
            raise Refused(CLOSE_BAD_REQUEST, "Pass ?tab=<id>: a random id per browser tab, 8–64 letters, digits, '-' or '_'.")
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
            "state": await self._visible(room.public_state(state)),
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
            envelope = make_envelope(id=None, type="room.state", project=self.project_id, at=now_iso(), data={
                "playlist": self.playlist_id, "state": room.public_state(state), "cause": outcome.cause, "by": origin,
            })
            await self.channel_layer.group_send(group, {
                "type": "room.message", "kind": "state", "cause": outcome.cause, "origin_tab": origin,
                "presenter_tab": (state.get("presenter") or {}).get("tab"), "text": encode(envelope),
            })
        if outcome.members_changed:
            envelope = make_envelope(id=None, type="room.members", project=self.project_id, at=now_iso(), data={
                "playlist": self.playlist_id, "members": room.public_members(state, _now_ms()), "rev": state["rev"],
                "cause": outcome.cause,
            })
            await self.channel_layer.group_send(group, {
                "type": "room.message", "kind": "members", "origin_tab": origin, "text": encode(envelope),
            })
        if origin is not None and ack and (outcome.state_changed or outcome.members_changed):
            await self.send_control("room.ack", {
                "playlist": self.playlist_id, "rev": state["rev"], "cause": outcome.cause,
                "state": await self._visible(room.public_state(state)), "members": room.public_members(state, _now_ms()),
            })

    async def room_message(self, message: dict) -> None:
        if message.get("origin_tab") == self.tab:
            return  # echo suppression: this tab caused it and already has room.ack / the snapshot
        if message["kind"] == "state":
            if message.get("presenter_tab") == self.tab:
                self.following = True  # handed the room: the presenter always leads it
            elif not self.following and message.get("cause") in ("update", "draw"):
                return  # detached: the playhead is not pushed; room.follow brings a fresh snapshot
            if self.access.is_client:
                await self.send(text_data=await self._visible_text(message["text"]))
                return
        await self.send(text_data=message["text"])

    async def _visible(self, state: dict) -> dict:
        """The room's state as this member may see it: a client reviewer gets `HIDDEN` in place of a
        version not submitted to them (the one rule, `client_visible_versions_q`)."""
        version = state.get("version")
        if self.access.internal or version is None:
            return state
        if not self.client_sees.get(version):  # a refusal is asked again: the version may have been submitted since
            self.client_sees[version] = await database_sync_to_async(selectors.client_may_see)(user=self.scope["user"], version_id=version)
        return state if self.client_sees[version] else {**state, **HIDDEN}

    async def _shows_hidden(self, request: str) -> bool:
        """A client presenting while the room shows a version hidden from them may not seek or draw on
        it (its frame range would answer the errors): refused until they choose an item they see."""
        if self.access.internal:
            return False
        state = await room.load(self.playlist_id)
        if state is None or (await self._visible(room.public_state(state))).get("hidden") is not True:
            return False
        await self.send_error("invalid", "Choose one of the playlist's items first: the room shows a version not shared with you.", request)
        return True

    async def _visible_text(self, text: str) -> str:
        envelope = json.loads(text)
        state = envelope["data"]["state"]
        visible = await self._visible(state)
        if visible is state:
            return text
        envelope["data"]["state"] = visible
        return encode(envelope)

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
                "state": await self._visible(room.public_state(outcome.room)), "members": room.public_members(outcome.room, _now_ms()),
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
            frames = await find(playlist_id=self.playlist_id, version_id=changes["version"], other_versions=self.access.internal,
                                client=None if self.access.internal else self.scope["user"])
            version = _version_dict(frames)
        elif await self._shows_hidden("room.state"):
            return
        await self._run("room.state", lambda r: room.apply_update(r, tab=self.tab, changes=changes, version=version, now_ms=_now_ms()))

    async def on_draw(self, message: dict) -> None:
        try:
            frame, shapes = room.validate_drawing(message)
        except room.RoomError as exc:
            await self.send_error(exc.code, exc.detail, "room.draw")
            return
        if await self._shows_hidden("room.draw"):
            return
        await self._run("room.draw", lambda r: room.apply_draw(r, tab=self.tab, frame=frame, shapes=shapes, now_ms=_now_ms()))

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
        self.client_sees = {}  # submissions and withholdings since: read again
        return True

    async def leave(self) -> None:
        if self.replaced or self.tab is None:
            return
        outcome = await room.transact(
            self.playlist_id, lambda r: room.apply_leave(r, tab=self.tab, channel=self.channel_name, now_ms=_now_ms())
        )
        await self._broadcast(outcome, origin=None)


def _now_ms() -> int:
    return int(time.time() * 1000)


def _version_dict(frames: selectors.VersionFrames | None) -> dict | None:
    if frames is None:
        return None
    return {
        "id": str(frames.id), "first_frame": frames.first_frame, "last_frame": frames.last_frame,
        "fps": [frames.fps_num, frames.fps_den],
    }
