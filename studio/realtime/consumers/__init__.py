"""WebSocket consumers: the project stream, the personal stream and the review room.

Every message a client receives is an envelope `{id, type, project, job?, at, data}`; `id` is the
per-project event number for durable events and null for everything else. The protocol is in
docs/REALTIME.md.

Refusals: a caller who may not watch (anonymous, revoked token, not a member, no such project or
playlist, malformed id) gets the same answer — the socket is accepted and closed at once with code
4403, nothing sent — so the answer never reveals whether something exists.

Modules: `base` (what every consumer shares, and the 4404 answer for unknown routes), `stream`
(/ws/projects/{id}/), `user` (/ws/me/), `room` (/ws/playlists/{id}/room/).
"""

from studio.realtime.consumers.base import (
    CLOSE_BAD_REQUEST,
    CLOSE_FORBIDDEN,
    CLOSE_NOT_FOUND,
    CLOSE_REPLACED,
    MAX_MESSAGE_BYTES,
    BaseStreamConsumer,
    NotFoundConsumer,
)
from studio.realtime.consumers.room import ReviewRoomConsumer, room_group
from studio.realtime.consumers.stream import ProjectStreamConsumer
from studio.realtime.consumers.user import UserStreamConsumer

__all__ = [
    "CLOSE_BAD_REQUEST", "CLOSE_FORBIDDEN", "CLOSE_NOT_FOUND", "CLOSE_REPLACED", "MAX_MESSAGE_BYTES", "BaseStreamConsumer",
    "NotFoundConsumer", "ProjectStreamConsumer", "ReviewRoomConsumer", "UserStreamConsumer", "room_group",
]
