"""Reads of the inbox and the webhooks: unread counts, preferences with defaults, payloads."""

from __future__ import annotations

from django.db.models import QuerySet

from notifications.kinds import DEFAULTS, Default, Kind
from notifications.models import Notification, NotificationPreference, WebhookDelivery, WebhookEndpoint
from studio.tenancy.models import Role, User

WEBHOOK_ROLES = frozenset({Role.OWNER, Role.ADMIN})


def inbox(*, user: User) -> QuerySet[Notification]:
    """The caller's own notifications shown in the inbox, newest first."""
    return Notification.objects.filter(recipient=user, in_app=True)


def unread_count(*, user_id) -> int:
    return Notification.objects.filter(recipient_id=user_id, in_app=True, read_at__isnull=True).count()


def preference_for(*, user_id, kind: str) -> Default:
    row = NotificationPreference.objects.filter(user_id=user_id, kind=kind).values_list("in_app", "email").first()
    return Default(*row) if row else DEFAULTS[kind]


def preferences(*, user: User) -> list[dict]:
    """Every kind with the caller's choice (or the default), in the order kinds are declared."""
    rows = {p.kind: p for p in NotificationPreference.objects.filter(user=user)}
    out = []
    for kind in Kind:
        row = rows.get(kind.value)
        default = DEFAULTS[kind.value]
        out.append({
            "kind": kind.value, "label": kind.label,
            "in_app": row.in_app if row else default.in_app, "email": row.email if row else default.email,
            "default_in_app": default.in_app, "default_email": default.email,
        })
    return out


def notification_payload(notification: Notification) -> dict:
    """The notification as the browser gets it (the API and `notification.created` share it)."""
    return {
        "id": str(notification.id), "kind": notification.kind, "title": notification.title, "body": notification.body,
        "actor_name": notification.actor_name, "project": str(notification.project_id) if notification.project_id else None,
        "target": notification.target or {}, "created_at": notification.created_at.isoformat(),
        "read": notification.read_at is not None,
    }


def deliveries_of(*, endpoint: WebhookEndpoint) -> QuerySet[WebhookDelivery]:
    return WebhookDelivery.objects.filter(endpoint=endpoint).prefetch_related("attempt_log")
