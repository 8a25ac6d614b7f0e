"""Helpers shared by the projects services: input cleaning (codes, text, whole numbers, frame
ranges, fps), inserts that turn a unique-constraint race into a 400, and the `shot.updated` event.
Internal to `projects.services`; not re-exported."""

from __future__ import annotations

import re
from fractions import Fraction
from uuid import UUID

from django.db import IntegrityError, transaction
from django.db.models import Max
from rest_framework.exceptions import NotFound, ValidationError

from projects.models import Shot
from studio.realtime.publish import publish

CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$")
MAX_FRAME = 10_000_000


def _code(value, *, field: str, example: str) -> str:
    value = (value or "").strip() if isinstance(value, str) else value
    if not isinstance(value, str) or not CODE_RE.match(value):
        raise ValidationError(
            {
                field: [
                    f"{value!r} is not a valid code: use 1-64 letters, digits, '_', '-' or '.', "
                    f"starting with a letter or digit, e.g. {example}."
                ]
            }
        )
    return value


def _text(value, *, field: str, max_length: int, required: bool = False) -> str:
    value = "" if value is None else value
    if not isinstance(value, str):
        raise ValidationError({field: ["Must be text."]})
    value = value.strip()
    if required and not value:
        raise ValidationError({field: ["This field is required and cannot be blank."]})
    if len(value) > max_length:
        raise ValidationError({field: [f"At most {max_length} characters (got {len(value)})."]})
    return value


def _int(value, *, field: str, minimum: int = -MAX_FRAME, maximum: int = MAX_FRAME, allow_none: bool = True) -> int | None:
    if value is None or value == "":
        if allow_none:
            return None
        raise ValidationError({field: ["This field is required: a whole number."]})
    if isinstance(value, bool):
        raise ValidationError({field: ["Must be a whole number."]})
    if isinstance(value, str):
        value = value.strip()
        if not re.fullmatch(r"-?\d+", value):
            raise ValidationError({field: [f"{value!r} is not a whole number."]})
        value = int(value)
    if isinstance(value, float):
        if not value.is_integer():
            raise ValidationError({field: [f"{value} is not a whole number; frames are integers."]})
        value = int(value)
    if not isinstance(value, int):
        raise ValidationError({field: ["Must be a whole number."]})
    if value < minimum or value > maximum:
        raise ValidationError({field: [f"Must be between {minimum} and {maximum} (got {value})."]})
    return value


def _shown(value) -> str:
    """The user's input, short enough to repeat in a message."""
    text = repr(value)
    return text if len(text) <= 24 else text[:24] + "…"


def parse_fps(value) -> tuple[int, int]:
    """'24', '24/1', '24000/1001', 25, (30000, 1001) -> (num, den). Decimals are refused: use a ratio."""
    if isinstance(value, (tuple, list)) and len(value) == 2:
        num, den = value
    elif isinstance(value, int) and not isinstance(value, bool):
        num, den = value, 1
    elif isinstance(value, str) and re.fullmatch(r"\s*[0-9]{1,6}\s*(/\s*[0-9]{1,6}\s*)?", value):
        parts = [p.strip() for p in value.split("/")]
        num, den = int(parts[0]), int(parts[1]) if len(parts) == 2 else 1
    else:
        raise ValidationError(
            {"fps": [f"{_shown(value)} is not a frame rate; use the digits 0-9: '24', '25' or a ratio such as '24000/1001'."]}
        )
    if not isinstance(num, int) or not isinstance(den, int) or num <= 0 or den <= 0:
        raise ValidationError({"fps": ["The frame rate needs a positive numerator and denominator, e.g. '24000/1001'."]})
    rate = Fraction(num, den)
    if rate > 240 or rate < 1:
        raise ValidationError({"fps": [f"{num}/{den} is outside 1-240 frames per second."]})
    return rate.numerator, rate.denominator


def _frames(frame_in, frame_out) -> tuple[int | None, int | None]:
    frame_in = _int(frame_in, field="frame_in", minimum=0)
    frame_out = _int(frame_out, field="frame_out", minimum=0)
    if frame_in is not None and frame_out is not None and frame_out < frame_in:
        raise ValidationError(
            {"frame_out": [f"frame_out ({frame_out}) is before frame_in ({frame_in}); frame_out is the inclusive last frame."]}
        )
    return frame_in, frame_out


def _insert(model, *, duplicate: dict, **values):
    """INSERT in a savepoint; a concurrent duplicate (unique constraint) becomes a clear 400."""
    try:
        with transaction.atomic():
            return model.objects.create(**values)
    except IntegrityError:
        raise ValidationError(duplicate)


def _publish_shot(shot: Shot, change: str, **extra) -> None:
    publish(
        type="shot.updated",
        project_id=shot.project_id,
        data={"id": str(shot.id), "code": shot.code, "status": shot.status, "change": change, **extra},
    )


def _next_order(queryset) -> int:
    current = queryset.aggregate(m=Max("order"))["m"]
    return 0 if current is None else current + 1


def _is_uuid(value: str) -> bool:
    try:
        UUID(value)
    except (ValueError, TypeError, AttributeError):
        return False
    return True


def resolve_or_404(queryset, pk):
    """A row of an already-scoped queryset, or 404 (bad UUIDs included)."""
    if not _is_uuid(str(pk)):
        raise NotFound("Not found.")
    row = queryset.filter(pk=pk).first()
    if row is None:
        raise NotFound("Not found.")
    return row
