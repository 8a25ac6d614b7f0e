"""The inbox: make a notification (once per cause), mark read, and tell the recipient's open tabs."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from rest_framework.exceptions import ValidationError

from notifications import selectors
from notifications.kinds import Kind
from notifications.models import Notification
from notifications.services._common import parse_uuid_list
from studio.realtime.publish import notify_user
from studio.tenancy.models import User


def notify(
    *,
    recipient: User,
    kind: str,
    dedupe_key: str,
    title: str,
    body: str = "",
    project_id=None,
    actor: User | None = None,
    target: dict | None = None,
) -> Notification | None:
    """Tell `recipient` about something, as they chose for `kind` (inbox, email digest, both or
    neither). Once per `dedupe_key`: the same cause again (a redelivered event) changes nothing.
    Returns the notification, or None when the recipient wants neither or was already told.
    Runs in the caller's transaction; the live `notification.created` leaves after commit."""
    if kind not in Kind.values:
        raise ValueError(f"Unknown notification kind {kind!r}.")
    if recipient is None or not recipient.is_active:
        return None
    choice = selectors.preference_for(user_id=recipient.pk, kind=kind)
    if not choice.in_app and not choice.email:
        return None
    notification = Notification(
        recipient=recipient, kind=kind, dedupe_key=dedupe_key[:200], title=title[:300], body=body[:2000], project_id=project_id,
        actor=actor, actor_name=(actor.name if actor else "")[:200], target=target or {}, in_app=choice.in_app,
        email_pending=choice.email,
    )
    with transaction.atomic():
        Notification.objects.bulk_create([notification], ignore_conflicts=True)
        notification = Notification.objects.filter(pk=notification.pk).first()
    if notification is None:
        return None  # told already
    if notification.in_app:
        notify_user(
            user_id=recipient.pk, type="notification.created", project_id=project_id,
            data={"notification": selectors.notification_payload(notification), "unread": selectors.unread_count(user_id=recipient.pk)},
        )
    return notification


def mark_read(*, user: User, ids: Iterable | None = None, read: bool = True) -> int:
    """Mark the caller's notifications `ids` read (or unread with read=False); ids=None: all of them.
    Ids that are not the caller's are refused (400) without marking anything. Returns how many changed."""
    everything = ids is None
    wanted = [] if everything else parse_uuid_list(ids, field="ids")
    with transaction.atomic():
        rows = Notification.objects.filter(recipient=user, in_app=True)
        if not everything:
            found = set(rows.filter(pk__in=wanted).values_list("pk", flat=True))
            missing = [str(i) for i in wanted if i not in found]
            if missing:
                raise ValidationError({"ids": [f"No notification of yours has the id {', '.join(missing[:5])}; reload your inbox."]})
            rows = rows.filter(pk__in=wanted)
        if read:
            changed_ids = list(rows.filter(read_at__isnull=True).values_list("pk", flat=True))
            Notification.objects.filter(pk__in=changed_ids).update(read_at=timezone.now(), email_pending=False)
        else:
            changed_ids = list(rows.filter(read_at__isnull=False).values_list("pk", flat=True))
            Notification.objects.filter(pk__in=changed_ids).update(read_at=None)
        if changed_ids:
            notify_user(
                user_id=user.pk, type="notification.read",
                data={"ids": [str(i) for i in changed_ids], "all": everything and read, "unread": selectors.unread_count(user_id=user.pk)},
            )
    return len(changed_ids)
