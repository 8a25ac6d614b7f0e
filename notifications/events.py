"""The realtime messages the inbox sends on `/ws/me/`, with the shape of their `data`.

Registered from `NotificationsConfig.ready()` in the core's registry (studio/realtime/events.py);
the browser's types are generated from these declarations.
"""

from __future__ import annotations

from notifications.kinds import Kind
from studio.realtime.events import BOOLEAN, INTEGER, STRING, UUID, array, enum, nullable, obj, register

OWNER = "notifications"

TARGET = obj({}, {
    "project": UUID, "version": UUID, "shot": UUID, "frame": INTEGER, "comment": UUID, "job": UUID, "label": STRING,
    "consent_request": UUID, "grant": UUID,
    "sequence": UUID, "panel": UUID,  # a still rendered for a storyboard panel (its board is the sequence's)
})

# `notifications.api.serializers.NotificationSerializer`
NOTIFICATION = obj({
    "id": UUID, "kind": enum(Kind.values), "title": STRING, "body": STRING, "actor_name": STRING, "project": nullable(UUID),
    "target": TARGET, "created_at": STRING, "read": BOOLEAN,
})

NOTIFICATION_CREATED = obj({"notification": NOTIFICATION, "unread": INTEGER})
NOTIFICATION_READ = obj({"ids": array(UUID), "all": BOOLEAN, "unread": INTEGER})


def register_event_types() -> None:
    register("notification.created", schema=NOTIFICATION_CREATED, channel="user", owner=OWNER,
             description="A new notification in your inbox, with your unread count.")
    register("notification.read", schema=NOTIFICATION_READ, channel="user", owner=OWNER,
             description="Notifications were marked read (in another tab too): their ids, or all; your unread count.")
