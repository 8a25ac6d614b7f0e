"""Writes of the notifications app, one module per concept; callers import from here.

| module | what |
|---|---|
| `inbox` | `notify` (once per cause, as the recipient chose), `mark_read` |
| `preferences` | `set_preferences` |
| `digest` | `send_email_digests` (beat) |
| `webhooks` | `create_endpoint`, `update_endpoint`, `rotate_secret`, `delete_endpoint`, `send_ping`, `redeliver` |
| `deliveries` | `enqueue_for_event` (listener), `attempt_delivery` (task), `requeue_due` (beat) |
"""

from notifications.services.deliveries import attempt_delivery, enqueue_for_event, requeue_due, webhook_event_types
from notifications.services.digest import send_email_digests
from notifications.services.inbox import mark_read, notify
from notifications.services.preferences import set_preferences
from notifications.services.webhooks import create_endpoint, delete_endpoint, redeliver, rotate_secret, send_ping, update_endpoint

__all__ = [
    "attempt_delivery", "create_endpoint", "delete_endpoint", "enqueue_for_event", "mark_read", "notify", "redeliver", "requeue_due",
    "rotate_secret", "send_email_digests", "send_ping", "set_preferences", "update_endpoint", "webhook_event_types",
]
