"""The review room of a playlist: server-held playback state and members, in Redis.

One JSON document per playlist (`<prefix>:rt:room:<playlist id>`) holds the state — current version,
frame, playing, speed, the presenter — and the members (one per browser tab). Every change is an
optimistic Redis transaction (WATCH / MULTI / EXEC, retried on conflict), so two web processes can
serve the same room and never lose or interleave an update. Each change bumps `rev`; clients apply
a message only when its `rev` is newer than what they hold, which ends ping-ponging between tabs.

Frames, never seconds: `frame` is the frame number in the version's own frame space
(`first_frame … last_frame`). While playing, `frame` was true at server time `at` (ms since the
epoch); a follower places its playhead at `frame + (now - at) × fps × speed`.

The functions here are pure (`apply_*` take and return a plain dict) plus `transact`, which runs one
of them atomically; `projects.realtime.consumers` turns the outcome into messages. Presence's TTL and
the Redis client come from the realtime core (`studio.realtime.presence`, `studio.realtime.store`).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from redis.exceptions import WatchError

from projects.annotations import annotation_errors
from studio.realtime import presence, store

MAX_MEMBERS = 100
SPEED_LIMIT = 8.0
STATE_FIELDS = ("version", "frame", "playing", "speed")


class RoomError(Exception):
    """A request the room refuses; `code` is machine-readable, the message says what to do."""

    def __init__(self, code: str, detail: str):
        super().__init__(detail)
        self.code = code
        self.detail = detail


@dataclass
class Outcome:
    room: dict
    state_changed: bool = False
    members_changed: bool = False
    cause: str = ""
    replaced_channel: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def room_key(playlist_id) -> str:
    return store.key("room", playlist_id)


def member_ttl() -> float:
    return presence.ttl_seconds()


def room_ttl() -> int:
    return int(getattr(settings, "REALTIME_ROOM_TTL_SECONDS", 12 * 3600))


# ---------------------------------------------------------------- views of the document

def new_room(*, version: dict | None, now_ms: int) -> dict:
    return {
        "version": version["id"] if version else None,
        "first_frame": version["first_frame"] if version else None,
        "last_frame": version["last_frame"] if version else None,
        "fps": version["fps"] if version else None,
        "frame": version["first_frame"] if version else None,
        "playing": False,
        "speed": 1.0,
        "at": now_ms,
        "presenter": None,
        "rev": 1,
        "members": {},
    }


def alive_members(room: dict, now_ms: int) -> dict[str, dict]:
    return {tab: m for tab, m in room["members"].items() if m["expires"] > now_ms}


def presenter_present(room: dict, now_ms: int) -> bool:
    presenter = room.get("presenter")
    return bool(presenter) and presenter["tab"] in alive_members(room, now_ms)


def public_state(room: dict) -> dict:
    return {
        "version": room["version"],
        "frame": room["frame"],
        "playing": room["playing"],
        "speed": room["speed"],
        "at": room["at"],
        "fps": room["fps"],
        "first_frame": room["first_frame"],
        "last_frame": room["last_frame"],
        "presenter": dict(room["presenter"]) if room.get("presenter") else None,
        "rev": room["rev"],
        "drawing": room.get("drawing"),
    }


def public_members(room: dict, now_ms: int) -> list[dict]:
    presenter_tab = (room.get("presenter") or {}).get("tab")
    rows = [
        {"tab": tab, "user": m["user"], "name": m["name"], "following": m["following"], "presenter": tab == presenter_tab}
        for tab, m in alive_members(room, now_ms).items()
    ]
    return sorted(rows, key=lambda r: (not r["presenter"], r["name"].lower(), r["tab"]))


def frame_now(room: dict, now_ms: int) -> int | None:
    """Where the playhead is now, extrapolated from the last reported frame while playing."""
    frame = room["frame"]
    if frame is None or not room["playing"] or not room["fps"]:
        return frame
    num, den = room["fps"]
    advanced = math.floor((now_ms - room["at"]) / 1000 * num / den * room["speed"])
    frame = frame + advanced
    if room["first_frame"] is not None:
        frame = max(frame, room["first_frame"])
    if room["last_frame"] is not None:
        frame = min(frame, room["last_frame"])
    return frame


def _pause(room: dict, now_ms: int) -> None:
    if room["playing"]:
        room["frame"] = frame_now(room, now_ms)
        room["playing"] = False
        room["at"] = now_ms


def _clear_presenter(room: dict, now_ms: int) -> None:
    room["presenter"] = None
    _pause(room, now_ms)


def _prune(room: dict, now_ms: int) -> tuple[bool, bool]:
    """Drop expired members. Returns (members changed, state changed)."""
    expired = [tab for tab, m in room["members"].items() if m["expires"] <= now_ms]
    for tab in expired:
        del room["members"][tab]
    state_changed = False
    if room.get("presenter") and room["presenter"]["tab"] not in room["members"]:
        _clear_presenter(room, now_ms)
        state_changed = True
    return bool(expired), state_changed


# ---------------------------------------------------------------- validation

def validate_changes(message: dict) -> dict:
    """The playback fields of a `room.state` message, type-checked. Raises RoomError."""
    changes = {k: message[k] for k in STATE_FIELDS if k in message}
    unknown = sorted(set(message) - set(STATE_FIELDS) - {"type", "rev"})
    if unknown:
        raise RoomError("invalid", f"Unknown field(s) {', '.join(unknown)}; room.state takes {', '.join(STATE_FIELDS)}.")
    if not changes:
        raise RoomError("invalid", f"room.state needs at least one of: {', '.join(STATE_FIELDS)}.")
    if "frame" in changes:
        frame = changes["frame"]
        if isinstance(frame, bool) or not isinstance(frame, int):
            raise RoomError(
                "invalid",
                "frame must be an integer frame number (not seconds); convert with the version's fps, e.g. 1001 + round(t * fps).",
            )
    if "playing" in changes and not isinstance(changes["playing"], bool):
        raise RoomError("invalid", "playing must be true or false.")
    if "speed" in changes:
        speed = changes["speed"]
        if isinstance(speed, bool) or not isinstance(speed, int | float) or not math.isfinite(speed):
            raise RoomError("invalid", "speed must be a number such as 1, 0.5 or -2 (negative plays backwards).")
        if speed == 0 or abs(speed) > SPEED_LIMIT or abs(speed) < 0.1:
            raise RoomError(
                "invalid", f"speed must be between 0.1 and {SPEED_LIMIT:g} in size (negative plays backwards); pause with playing=false."
            )
        changes["speed"] = float(speed)
    if "version" in changes and not isinstance(changes["version"], str):
        raise RoomError("invalid", "version must be the id of a version in this playlist.")
    return changes


# ---------------------------------------------------------------- operations (pure)

def apply_join(room: dict, *, tab: str, user: str, name: str, internal: bool, channel: str, now_ms: int) -> Outcome:
    _, state_changed = _prune(room, now_ms)
    existing = room["members"].get(tab)
    if existing is None and len(room["members"]) >= MAX_MEMBERS:
        raise RoomError("room_full", f"This room already has {MAX_MEMBERS} tabs open; close one and join again.")
    replaced = existing["channel"] if existing and existing["channel"] != channel else None
    if existing and existing["user"] != user:
        raise RoomError("tab_taken", "This tab id belongs to someone else's tab; generate a new random tab id.")
    room["members"][tab] = {
        "user": user, "name": name, "internal": internal, "following": True,
        "channel": channel, "expires": now_ms + int(member_ttl() * 1000),
    }
    if state_changed:
        room["rev"] += 1
    room["rev"] += 1
    return Outcome(room=room, state_changed=state_changed, members_changed=True, cause="presenter_left" if state_changed else "join",
                   replaced_channel=replaced)


def apply_leave(room: dict, *, tab: str, channel: str, now_ms: int) -> Outcome:
    member = room["members"].get(tab)
    if member is None or member["channel"] != channel:
        return Outcome(room=room)  # already gone, or this tab reconnected on another socket
    del room["members"][tab]
    state_changed = False
    if room.get("presenter") and room["presenter"]["tab"] == tab:
        _clear_presenter(room, now_ms)
        state_changed = True
    room["rev"] += 1
    return Outcome(room=room, state_changed=state_changed, members_changed=True, cause="presenter_left" if state_changed else "leave")


def apply_heartbeat(room: dict, *, tab: str, channel: str, now_ms: int) -> Outcome:
    member = room["members"].get(tab)
    mine = member is not None and member["channel"] == channel
    if mine:
        member["expires"] = now_ms + int(member_ttl() * 1000)
    members_changed, state_changed = _prune(room, now_ms)
    if members_changed or state_changed:
        room["rev"] += 1
    return Outcome(room=room, state_changed=state_changed, members_changed=members_changed, cause="presenter_left",
                   extra={"gone": not mine})


def _require_presenter(room: dict, tab: str) -> None:
    presenter = room.get("presenter")
    if not presenter or presenter["tab"] != tab:
        who = f"{presenter['name']} is presenting" if presenter else "nobody is presenting"
        raise RoomError("not_presenter", f"Only the presenter may change playback ({who}); send room.take to present.")


def apply_update(room: dict, *, tab: str, changes: dict, version: dict | None, now_ms: int) -> Outcome:
    _prune(room, now_ms)
    _require_presenter(room, tab)
    if "version" in changes:
        if version is None:
            raise RoomError("invalid", "That version is not in this playlist.")
        if version["id"] != room["version"]:
            room.update(version=version["id"], first_frame=version["first_frame"], last_frame=version["last_frame"], fps=version["fps"])
            room["frame"] = changes.get("frame", version["first_frame"])
            room["drawing"] = None  # a drawing belongs to a frame of the version it was drawn on
    if "frame" in changes:
        frame = changes["frame"]
        first, last = room["first_frame"], room["last_frame"]
        if room["version"] is None:
            raise RoomError("invalid", "Choose a version before setting a frame.")
        if (first is not None and frame < first) or (last is not None and frame > last):
            span = f"{first}–{last}" if last is not None else f"{first} onwards"
            raise RoomError("frame_out_of_range", f"Frame {frame} is outside this version's frames ({span}).")
        room["frame"] = frame
    elif room["playing"] and ("playing" in changes or "speed" in changes):
        room["frame"] = frame_now(room, now_ms)  # keep the playhead where it is when pausing / changing speed
    if "playing" in changes:
        room["playing"] = changes["playing"]
    if "speed" in changes:
        room["speed"] = changes["speed"]
    room["at"] = now_ms
    room["rev"] += 1
    return Outcome(room=room, state_changed=True, cause="update")


def validate_drawing(message: dict) -> tuple[int, list]:
    """The frame and shapes of a `room.draw` message (shapes as in annotations; [] clears). Raises RoomError."""
    unknown = sorted(set(message) - {"type", "frame", "shapes"})
    if unknown:
        raise RoomError("invalid", f"Unknown field(s) {', '.join(unknown)}; room.draw takes frame and shapes.")
    frame, shapes = message.get("frame"), message.get("shapes")
    if isinstance(frame, bool) or not isinstance(frame, int):
        raise RoomError("invalid", "frame must be the integer frame number the drawing is on.")
    errors = [] if shapes == [] else annotation_errors(shapes)
    if errors:
        raise RoomError("invalid", errors[0])
    return frame, shapes


def apply_draw(room: dict, *, tab: str, frame: int, shapes: list, now_ms: int) -> Outcome:
    """The presenter's live drawing, shown to followers on its frame; an empty list clears it."""
    _prune(room, now_ms)
    _require_presenter(room, tab)
    if room["version"] is None:
        raise RoomError("invalid", "Choose a version before drawing.")
    first, last = room["first_frame"], room["last_frame"]
    if (first is not None and frame < first) or (last is not None and frame > last):
        span = f"{first}–{last}" if last is not None else f"{first} onwards"
        raise RoomError("frame_out_of_range", f"Frame {frame} is outside this version's frames ({span}).")
    room["drawing"] = {"version": room["version"], "frame": frame, "shapes": shapes} if shapes else None
    room["rev"] += 1
    return Outcome(room=room, state_changed=True, cause="draw")


def apply_take(room: dict, *, tab: str, may_force: bool, now_ms: int) -> Outcome:
    members_changed, _ = _prune(room, now_ms)
    member = room["members"].get(tab)
    if member is None:
        raise RoomError("not_member", "Join the room before presenting.")
    presenter = room.get("presenter")
    if presenter and presenter["tab"] == tab:
        return Outcome(room=room)
    if presenter and not may_force:
        raise RoomError("presenter_active", f"{presenter['name']} is presenting; ask them to hand over.")
    room["presenter"] = {"user": member["user"], "name": member["name"], "tab": tab}
    member["following"] = True
    room["rev"] += 1
    return Outcome(room=room, state_changed=True, members_changed=True, cause="take")


def apply_handover(room: dict, *, tab: str, to_tab: str, now_ms: int) -> Outcome:
    _prune(room, now_ms)
    _require_presenter(room, tab)
    target = room["members"].get(to_tab) if isinstance(to_tab, str) else None
    if target is None:
        raise RoomError("invalid", "Hand over to the `tab` of someone in the room (see room.members).")
    if to_tab == tab:
        return Outcome(room=room)
    room["presenter"] = {"user": target["user"], "name": target["name"], "tab": to_tab}
    target["following"] = True
    room["rev"] += 1
    return Outcome(room=room, state_changed=True, members_changed=True, cause="handover")


def apply_release(room: dict, *, tab: str, now_ms: int) -> Outcome:
    _prune(room, now_ms)
    _require_presenter(room, tab)
    _clear_presenter(room, now_ms)
    room["rev"] += 1
    return Outcome(room=room, state_changed=True, members_changed=True, cause="release")


def apply_follow(room: dict, *, tab: str, following: bool, now_ms: int) -> Outcome:
    _prune(room, now_ms)
    member = room["members"].get(tab)
    if member is None:
        raise RoomError("not_member", "Join the room first.")
    if room.get("presenter") and room["presenter"]["tab"] == tab and not following:
        raise RoomError("invalid", "The presenter leads the room; hand over or release before detaching.")
    if member["following"] == following:
        return Outcome(room=room)
    member["following"] = following
    room["rev"] += 1
    return Outcome(room=room, members_changed=True, cause="follow" if following else "detach")


# ---------------------------------------------------------------- the atomic wrapper

async def load(playlist_id) -> dict | None:
    raw = await store.async_client().get(room_key(playlist_id))
    return json.loads(raw) if raw else None


async def transact(playlist_id, operation, *, initial=None, attempts: int = 50) -> Outcome:
    """Run `operation(room) -> Outcome` atomically against the stored room and save the result.

    `initial()` builds the document when the room does not exist yet (only joins pass it).
    """
    client = store.async_client()
    key = room_key(playlist_id)
    for _ in range(attempts):
        async with client.pipeline(transaction=True) as pipe:
            try:
                await pipe.watch(key)
                raw = await pipe.get(key)
                if raw:
                    room = json.loads(raw)
                elif initial is not None:
                    room = initial()
                else:
                    raise RoomError("no_room", "The room has closed; join it again.")
                outcome = operation(room)
                pipe.multi()
                if outcome.state_changed or outcome.members_changed or outcome.extra or not raw:
                    pipe.set(key, json.dumps(outcome.room, separators=(",", ":")), ex=room_ttl())
                else:
                    pipe.expire(key, room_ttl())
                await pipe.execute()
                return outcome
            except WatchError:
                continue
    raise RoomError("busy", "The room is changing too fast; try again.")
