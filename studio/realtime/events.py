"""The registry of realtime message types: name → JSON Schema of its `data`, channel and audience.

Every message a browser receives over a socket has a registered type. Each app declares the types
it sends in its own `events.py` and registers them from its `AppConfig.ready()` (the core never
imports the domain apps); the core registers only its own control messages (`stream.*`,
`presence.*`, below). From this registry:

- `publish()`, `publish_progress()` and `notify_user()` refuse a type that is not registered for
  their channel or audience, and — while developing and in tests (`REALTIME_VALIDATE_EVENTS`,
  default on with `DEBUG` and under pytest) — a payload that does not match the type's schema, so a
  payload that drifts from its declaration fails the tests that publish it;
- `frontend/scripts/gen-api.mjs` writes the browser's types (`manage.py realtime_schema` prints the
  registry as JSON): one envelope type per message, and unions discriminated on `type`.

Channels: `project` — durable project events (`publish`); `progress` — ephemeral job progress
(`publish_progress`); `user` — personal notifications on `/ws/me/` (`notify_user`); `control` —
messages the consumers send themselves (`stream.ready`, `presence.changed` …).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

CHANNELS = ("project", "progress", "user", "control")
AUDIENCES = ("all", "internal")


class EventPayloadError(ValueError):
    """A payload that does not match its registered schema (raised only while validation is on)."""


@dataclass(frozen=True)
class EventType:
    name: str
    schema: dict
    channel: str = "project"
    # Audiences `publish(audience=...)` may use for this type ("internal": not for client reviewers).
    audiences: frozenset[str] = frozenset({"all"})
    description: str = ""
    owner: str = ""
    validator: Draft202012Validator = field(compare=False, repr=False, default=None)  # type: ignore[assignment]

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name, "channel": self.channel, "audiences": sorted(self.audiences),
            "description": self.description, "owner": self.owner, "schema": self.schema,
        }


_registry: dict[str, EventType] = {}


def register(
    name: str,
    *,
    schema: dict,
    channel: str = "project",
    audiences: Iterable[str] = ("all",),
    description: str = "",
    owner: str = "",
) -> EventType:
    """Declare a message type. Registering the same declaration again is a no-op (apps may be set
    up twice in one process); a different declaration under a taken name is an error."""
    if channel not in CHANNELS:
        raise ValueError(f"channel must be one of {', '.join(CHANNELS)}, not {channel!r}.")
    audience_set = frozenset(audiences)
    if not audience_set or not audience_set <= set(AUDIENCES):
        raise ValueError(f"audiences must be a non-empty subset of {AUDIENCES}, not {sorted(audience_set)!r}.")
    Draft202012Validator.check_schema(schema)
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    event = EventType(
        name=name, schema=copy.deepcopy(schema), channel=channel, audiences=audience_set, description=description,
        owner=owner, validator=validator,
    )
    existing = _registry.get(name)
    if existing is not None:
        if existing.as_dict() != event.as_dict():
            raise ValueError(f"Event type {name!r} is already registered by {existing.owner or 'another module'} with another shape.")
        return existing
    _registry[name] = event
    return event


def lookup(name: str) -> EventType | None:
    return _registry.get(name)


def registered() -> dict[str, EventType]:
    """Every registered type, by name (sorted)."""
    return dict(sorted(_registry.items()))


def validation_enabled() -> bool:
    return bool(getattr(settings, "REALTIME_VALIDATE_EVENTS", False))


def validate(name: str, data: Any) -> None:
    """Check `data` against the registered schema of `name`; EventPayloadError names the first mismatch."""
    event = _registry.get(name)
    if event is None:
        raise ValueError(f"Event type {name!r} is not registered; declare it in its app's events.py.")
    error = best_match(event.validator.iter_errors(data))
    if error is None:
        return
    # For a union (oneOf), name the variant that came closest (fewest mismatches) and what it lacks.
    while error.context:
        branches: dict = {}
        for sub in error.context:
            branches.setdefault(sub.relative_schema_path[0], []).append(sub)
        error = best_match(min(branches.values(), key=len))
    where = "/".join(str(p) for p in error.absolute_path) or "(the payload)"
    raise EventPayloadError(f"{name} payload does not match its schema at {where}: {error.message}")


def check(name: str, *, channel: str, data: Any, audience: str = "all") -> EventType:
    """What publish()/publish_progress()/notify_user() ask before sending: the type is registered for
    this channel and audience; while validation is on, the payload matches its schema."""
    event = _registry.get(name)
    if event is None:
        raise ValueError(
            f"Event type {name!r} is not registered; declare it in its app's events.py "
            "(see docs/REALTIME.md, 'Adding an event type')."
        )
    if event.channel != channel:
        raise ValueError(f"Event type {name!r} is registered for the {event.channel!r} channel, not {channel!r}.")
    if audience not in event.audiences:
        raise ValueError(f"Event type {name!r} is not sent to audience {audience!r}; registered: {', '.join(sorted(event.audiences))}.")
    if validation_enabled():
        validate(name, json.loads(json.dumps(data, cls=DjangoJSONEncoder)))  # as it will be sent
    return event


def describe() -> dict[str, Any]:
    """The registry as JSON (for the generated browser types)."""
    return {"types": [event.as_dict() for event in registered().values()]}


# ---------------------------------------------------------------- schema helpers for declarations

UUID: dict = {"type": "string", "format": "uuid"}
STRING: dict = {"type": "string"}
INTEGER: dict = {"type": "integer"}
NUMBER: dict = {"type": "number"}
BOOLEAN: dict = {"type": "boolean"}


def nullable(schema: dict) -> dict:
    """`schema` or null."""
    kind = schema.get("type")
    if isinstance(kind, str):
        out = {**schema, "type": [kind, "null"]}
        if "enum" in schema:
            out["enum"] = [*schema["enum"], None]
        return out
    return {"anyOf": [schema, {"type": "null"}]}


def enum(values: Iterable[str]) -> dict:
    return {"type": "string", "enum": [str(v) for v in values]}


def const(value: str) -> dict:
    return {"type": "string", "enum": [value]}


def array(items: dict) -> dict:
    return {"type": "array", "items": items}


def obj(required: dict[str, dict], optional: dict[str, dict] | None = None, *, title: str = "", description: str = "") -> dict:
    """A closed object: these properties and no others (a new field must be declared)."""
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {**required, **(optional or {})},
        "required": list(required),
        "additionalProperties": False,
    }
    if title:
        schema["title"] = title
    if description:
        schema["description"] = description
    return schema


def one_of(*variants: dict) -> dict:
    return {"oneOf": list(variants)}


# ---------------------------------------------------------------- the core's own messages

_VIEWER = obj({"user": UUID, "name": STRING, "tabs": INTEGER})


def register_core_types() -> None:
    """Control messages the consumers send (see docs/REALTIME.md). Called from RealtimeConfig.ready()."""
    core = "studio.realtime"
    register(
        "stream.ready", channel="control", owner=core,
        description="Replay done, live from here: the newest event id (project stream), or who is connected (/ws/me/).",
        schema=one_of(
            obj({"last_id": nullable(INTEGER), "replayed": INTEGER}, title="ProjectStreamReady"),
            obj({"user": UUID}, title="UserStreamReady"),
        ),
    )
    register(
        "stream.reset", channel="control", owner=core,
        description="The server cannot replay what was missed: reload state over the REST API, then apply what follows.",
        schema=obj({"reason": enum(["history_pruned", "too_far_behind", "ahead"]), "detail": STRING}),
    )
    register(
        "stream.pong", channel="control", owner=core,
        description="Answer to a ping, after any stored event the socket had not delivered yet.",
        schema=obj({}, {"last_id": nullable(INTEGER)}),
    )
    register(
        "stream.error", channel="control", owner=core,
        description="A refused client message or malformed request; nothing changed.",
        schema=obj({"code": STRING, "detail": STRING}, {"request": nullable(STRING)}),
    )
    register(
        "presence.snapshot", channel="control", owner=core,
        description="Who looks at which version, when the socket connects.",
        schema=obj({"versions": {"type": "object", "additionalProperties": array(_VIEWER)}, "rev": INTEGER}),
    )
    register(
        "presence.changed", channel="control", owner=core,
        description="The full list of viewers of one version; apply only when rev is higher than the last applied.",
        schema=obj({"version": UUID, "viewers": array(_VIEWER), "rev": INTEGER}),
    )
    _register_room_types(core)


_ROOM_CAUSE = enum([
    "", "join", "leave", "presenter_left", "update", "take", "handover", "release", "follow", "detach", "unchanged", "draw",
])
_ROOM_STATE = obj({
    "version": nullable(UUID), "frame": nullable(INTEGER), "playing": BOOLEAN, "speed": NUMBER, "at": INTEGER,
    "fps": nullable({"type": "array", "items": INTEGER, "minItems": 2, "maxItems": 2}),
    "first_frame": nullable(INTEGER), "last_frame": nullable(INTEGER),
    "presenter": nullable(obj({"user": UUID, "name": STRING, "tab": STRING})), "rev": INTEGER,
}, {
    # The presenter's live drawing (room.draw): shapes as in annotations, on one frame of one version.
    "drawing": nullable(obj({"version": UUID, "frame": INTEGER, "shapes": {"type": "array", "items": {"type": "object"}}})),
    # True to a member who may not see what is shown (a client reviewer, a version not submitted to them):
    # version, frames and drawing are then null.
    "hidden": BOOLEAN,
})
_ROOM_MEMBER = obj({"tab": STRING, "user": UUID, "name": STRING, "following": BOOLEAN, "presenter": BOOLEAN})


def _register_room_types(core: str) -> None:
    """The review room's messages (`/ws/playlists/{id}/room/`, see docs/REALTIME.md)."""
    register(
        "room.snapshot", channel="control", owner=core, description="The whole room: on joining, after room.follow or room.sync.",
        schema=obj({
            "playlist": UUID, "state": _ROOM_STATE, "members": array(_ROOM_MEMBER),
            "you": obj({"tab": STRING, "following": BOOLEAN, "presenter": BOOLEAN, "may_take_over": BOOLEAN}),
            "server_time": INTEGER,
        }),
    )
    register(
        "room.state", channel="control", owner=core, description="The playback state changed; `by` is the tab that caused it.",
        schema=obj({"playlist": UUID, "state": _ROOM_STATE, "cause": _ROOM_CAUSE, "by": nullable(STRING)}),
    )
    register(
        "room.members", channel="control", owner=core, description="Someone joined, left, expired, followed or detached.",
        schema=obj({"playlist": UUID, "members": array(_ROOM_MEMBER), "rev": INTEGER, "cause": _ROOM_CAUSE}),
    )
    register(
        "room.ack", channel="control", owner=core, description="To the tab whose request changed the room, instead of its own echo.",
        schema=obj({"playlist": UUID, "rev": INTEGER, "cause": _ROOM_CAUSE, "state": _ROOM_STATE, "members": array(_ROOM_MEMBER)}),
    )
    register(
        "room.error", channel="control", owner=core, description="A refused room request; nothing changed.",
        schema=obj({"code": STRING, "detail": STRING}, {"request": nullable(STRING)}),
    )
