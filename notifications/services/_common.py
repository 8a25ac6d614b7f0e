"""Helpers shared by the notification services. Internal to `notifications.services`."""

from __future__ import annotations

import uuid

from rest_framework.exceptions import ValidationError

MAX_IDS = 500


def parse_uuid_list(values, *, field: str) -> list[uuid.UUID]:
    if not isinstance(values, (list, tuple)):
        raise ValidationError({field: ["Give a list of ids."]})
    if len(values) > MAX_IDS:
        raise ValidationError({field: [f"At most {MAX_IDS} ids at once; mark the rest in another call, or mark all."]})
    out, bad = [], []
    for value in values:
        try:
            out.append(uuid.UUID(str(value)))
        except ValueError:
            bad.append(str(value)[:40])
    if bad:
        raise ValidationError({field: [f"Not ids: {', '.join(bad[:5])}."]})
    return list(dict.fromkeys(out))


def parse_bool(value, *, field: str) -> bool:
    if isinstance(value, bool):
        return value
    raise ValidationError({field: ["Must be true or false."]})
