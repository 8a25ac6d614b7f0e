"""WebSocket consumers of the core: the project stream and the personal stream.

Every message a client receives is an envelope `{id, type, project, job?, at, data}`; `id` is the
per-project event number for durable events and null for everything else. The protocol is in
docs/REALTIME.md.

Refusals: a caller who may not watch (anonymous, revoked token, not a member, no such project,
malformed id) gets the same answer — the socket is accepted and closed at once with code 4403,
nothing sent — so the answer never reveals whether something exists.

Modules: `base` (what every consumer shares, and the 4404 answer for unknown routes; domain apps
build their own consumers on it, e.g. the review room in `projects.realtime`), `stream`
(/ws/projects/{id}/), `user` (/ws/me/).
"""

from studio.realtime.consumers.base import (
    CLOSE_BAD_REQUEST,
    CLOSE_FORBIDDEN,
    CLOSE_NOT_FOUND,
    CLOSE_REPLACED,
    MAX_MESSAGE_BYTES,
    TAB_RE,
    BaseStreamConsumer,
    NotFoundConsumer,
    Refused,
    now_iso,
)
from studio.realtime.consumers.stream import ProjectStreamConsumer
from studio.realtime.consumers.user import UserStreamConsumer

__all__ = [
    "CLOSE_BAD_REQUEST", "CLOSE_FORBIDDEN", "CLOSE_NOT_FOUND", "CLOSE_REPLACED", "MAX_MESSAGE_BYTES", "TAB_RE", "BaseStreamConsumer",
    "NotFoundConsumer", "ProjectStreamConsumer", "Refused", "UserStreamConsumer", "now_iso",
]
