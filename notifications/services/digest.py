"""The email digest: what each person chose to get by email, batched into one message per run.

Beat runs `notifications.tasks.send_email_digests` every NOTIFICATIONS_DIGEST_INTERVAL_SECONDS.
Each run takes the notifications waiting for email (and not yet read in the app), one recipient at
a time under row locks (two runs never send the same rows), sends one email through Django's email
backend and marks them emailed in the same transaction: a failed send leaves them waiting.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from notifications.kinds import Kind
from notifications.models import Notification
from studio.tenancy.models import User

log = logging.getLogger(__name__)

MAX_ITEMS_PER_EMAIL = 50


def _waiting():
    return Notification.objects.filter(email_pending=True, emailed_at__isnull=True, read_at__isnull=True)


def send_email_digests(*, limit_recipients: int = 500) -> dict[str, int]:
    """One digest email per recipient with notifications waiting. Returns {emails, notifications, failed}."""
    counts = {"emails": 0, "notifications": 0, "failed": 0}
    recipients = list(_waiting().order_by().values_list("recipient_id", flat=True).distinct()[:limit_recipients])
    for recipient_id in recipients:
        try:
            sent = _send_one(recipient_id)
        except Exception:  # noqa: BLE001 - one recipient's failure must not stop the others
            log.exception("email digest for %s failed; its notifications stay waiting", recipient_id)
            counts["failed"] += 1
            continue
        if sent:
            counts["emails"] += 1
            counts["notifications"] += sent
    return counts


def _send_one(recipient_id) -> int:
    with transaction.atomic():
        rows = list(
            _waiting().filter(recipient_id=recipient_id).select_for_update(skip_locked=True, no_key=True)
                .order_by("created_at")[:MAX_ITEMS_PER_EMAIL]
        )
        user = User.objects.filter(pk=recipient_id, is_active=True).first()
        if not rows:
            return 0
        ids = [n.pk for n in rows]
        if user is None or not user.email:
            Notification.objects.filter(pk__in=ids).update(email_pending=False)
            return 0
        message = EmailMessage(
            subject=_subject(rows), body=_body(user, rows), from_email=settings.DEFAULT_FROM_EMAIL, to=[user.email],
        )
        message.send(fail_silently=False)
        Notification.objects.filter(pk__in=ids).update(email_pending=False, emailed_at=timezone.now())
    return len(rows)


def _subject(rows: list[Notification]) -> str:
    if len(rows) == 1:
        return f"Greenlight: {rows[0].title}"[:200]
    return f"Greenlight: {len(rows)} new notifications"


def _body(user: User, rows: list[Notification]) -> str:
    labels = dict(Kind.choices)
    lines = [f"Hello {user.name or user.email},", "", "Here is what happened since the last digest:", ""]
    for n in rows:
        when = timezone.localtime(n.created_at).strftime("%Y-%m-%d %H:%M")
        lines.append(f"- [{labels.get(n.kind, n.kind)}] {n.title} ({when})")
        if n.body:
            lines.append(f"    {n.body[:300]}")
    base = getattr(settings, "PUBLIC_BASE_URL", "").rstrip("/")
    lines += ["", f"Open your inbox: {base}/" if base else "Open Greenlight to see your inbox.",
              "Choose what reaches you by email under Notifications > Preferences."]
    return "\n".join(lines)
