"""Per-person choices: which kinds reach the inbox and which the email digest."""

from __future__ import annotations

from django.db import transaction
from rest_framework.exceptions import ValidationError

from notifications import selectors
from notifications.kinds import Kind
from notifications.models import Notification, NotificationPreference
from notifications.services._common import parse_bool
from studio.tenancy.models import User


def set_preferences(*, user: User, changes) -> list[dict]:
    """`changes`: [{kind, in_app?, email?}, …]. Validated whole before anything is written. Turning
    email off for a kind also drops its notifications still waiting for the digest."""
    if not isinstance(changes, (list, tuple)) or not changes:
        raise ValidationError({"preferences": ["Give a list of {kind, in_app, email} objects."]})
    parsed: dict[str, dict] = {}
    for index, item in enumerate(changes):
        if not isinstance(item, dict):
            raise ValidationError({"preferences": [f"preferences[{index}] must be an object with kind, in_app and/or email."]})
        kind = item.get("kind")
        if kind not in Kind.values:
            kinds = ", ".join(Kind.values)
            raise ValidationError({"preferences": [f"preferences[{index}].kind {kind!r} is not a kind; use one of {kinds}."]})
        unknown = set(item) - {"kind", "in_app", "email"}
        if unknown:
            raise ValidationError({"preferences": [f"preferences[{index}] has unknown fields: {', '.join(sorted(unknown))}."]})
        fields = {name: parse_bool(item[name], field=f"preferences[{index}].{name}") for name in ("in_app", "email") if name in item}
        if not fields:
            raise ValidationError({"preferences": [f"preferences[{index}] changes nothing; give in_app and/or email."]})
        parsed.setdefault(kind, {}).update(fields)
    with transaction.atomic():
        for kind, fields in parsed.items():
            current = selectors.preference_for(user_id=user.pk, kind=kind)
            values = {"in_app": fields.get("in_app", current.in_app), "email": fields.get("email", current.email)}
            NotificationPreference.objects.update_or_create(user=user, kind=kind, defaults=values)
            if not values["email"]:
                Notification.objects.filter(recipient=user, kind=kind, email_pending=True).update(email_pending=False)
    return selectors.preferences(user=user)
