"""A panel's still: an uploaded drawing or photo (PNG, JPEG or WebP, checked by decoding it with
Pillow, never by its name), or a generated still take (`set_generated_still`, called by
`generation.services.stills`). Nothing is half-written: the file is
stored only after every check passed, and removed again when the row cannot be written; the
replaced file is removed after commit."""

from __future__ import annotations

import hashlib
import uuid

from django.db import transaction
from rest_framework.exceptions import ValidationError

from projects import access as perms
from projects.models import Panel
from projects.services.storyboards import _audit, locked_board, publish_board
from studio.audit import services as audit
from studio.tenancy.models import User

MAX_STILL_BYTES = 20 * 1024 * 1024
MAX_STILL_SIDE = 8192
MIN_STILL_SIDE = 16
MAX_STILL_PIXELS = 40_000_000
STILL_FORMATS = {"PNG": ("image/png", "png"), "JPEG": ("image/jpeg", "jpg"), "WEBP": ("image/webp", "webp")}
ACCEPTED = "a PNG, JPEG or WebP image"


def inspect_still(file) -> tuple[str, int, int, str]:
    """(format, width, height, sha256) of an uploaded image, or a 400 saying what is wrong."""
    from PIL import Image, UnidentifiedImageError

    if file is None:
        raise ValidationError({"file": [f"Choose {ACCEPTED} to upload (the multipart form field 'file')."]})
    size = getattr(file, "size", 0) or 0
    if size == 0:
        raise ValidationError({"file": [f"The file is empty (0 bytes); choose {ACCEPTED} with content."]})
    if size > MAX_STILL_BYTES:
        raise ValidationError({"file": [f"The image is {size / 2**20:.1f} MB; a still may be at most {MAX_STILL_BYTES // 2**20} MB."]})
    digest = hashlib.sha256()
    for chunk in file.chunks():
        digest.update(chunk)
    try:
        file.seek(0)
        with Image.open(file) as image:
            fmt, (width, height) = image.format, image.size
            if width * height > MAX_STILL_PIXELS:
                raise ValidationError({"file": [f"The image is {width}×{height}; use at most {MAX_STILL_PIXELS:,} pixels."]})
            image.verify()
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError({"file": [f"This is not a readable image; upload {ACCEPTED} (a drawing or a photo)."]})
    finally:
        file.seek(0)
    if fmt not in STILL_FORMATS:
        raise ValidationError({"file": [f"{fmt} images are not accepted; upload PNG, JPEG or WebP."]})
    if not (MIN_STILL_SIDE <= width <= MAX_STILL_SIDE and MIN_STILL_SIDE <= height <= MAX_STILL_SIDE):
        raise ValidationError(
            {"file": [f"The image is {width}×{height}; use between {MIN_STILL_SIDE} and {MAX_STILL_SIDE} pixels per side."]}
        )
    return fmt, width, height, digest.hexdigest()


def upload_panel_still(*, actor: User, panel: Panel, file) -> Panel:
    """Make `file` the panel's still (replacing any still it had)."""
    perms.require_board_access(user=actor, project=panel.project, edit=True)
    return _replace_still(actor=actor, panel=panel, file=file, source=Panel.StillSource.UPLOAD, take_id=None,
                          action="panel.still_uploaded")


def set_generated_still(*, actor: User | None, panel: Panel, file, take_id: uuid.UUID, only_if_empty: bool = False) -> Panel | None:
    """Make a generated still take's PNG the panel's still (`generation.services.stills` checks the
    take: its panel, consent, scan). `actor` None: the worker adopting the first still of a panel that
    had none (`only_if_empty`: a panel that got a still meanwhile keeps it; None is returned)."""
    return _replace_still(actor=actor, panel=panel, file=file, source=Panel.StillSource.TAKE, take_id=take_id,
                          action="panel.still_chosen" if actor is not None else "panel.still_generated", only_if_empty=only_if_empty)


def _replace_still(*, actor: User | None, panel: Panel, file, source: str, take_id, action: str,
                   only_if_empty: bool = False) -> Panel | None:
    fmt, width, height, sha256 = inspect_still(file)
    content_type, ext = STILL_FORMATS[fmt]
    storage = Panel._meta.get_field("still").storage
    with transaction.atomic():
        board = locked_board(panel.storyboard.sequence)
        panel = Panel.objects.filter(pk=panel.pk).first()
        if panel is None or (only_if_empty and (panel.still or panel.still_source)):
            return None
        previous = panel.still.name if panel.still else ""
        panel.still.save(f"still-{uuid.uuid4().hex[:12]}.{ext}", file, save=False)
        stored = panel.still.name
        try:
            with transaction.atomic():
                panel.still_source, panel.still_take_id = source, take_id
                panel.still_content_type, panel.still_width, panel.still_height, panel.still_sha256 = content_type, width, height, sha256
                if actor is not None:
                    panel.updated_by = actor
                panel.save()
                data = {"sha256": sha256, "bytes": file.size, "size": [width, height], "format": fmt, "sequence": str(board.sequence_id)}
                if take_id is not None:
                    data["take"] = str(take_id)
                audit.record(organization=board.project.organization, actor=actor, actor_label="" if actor else "still generated",
                             action=action, target=panel, data=data)
                publish_board(board, "still_changed", panel=str(panel.id))
        except Exception:
            storage.delete(stored)
            raise
        if previous and previous != stored:
            transaction.on_commit(lambda: storage.delete(previous))
    return panel


def clear_panel_still(*, actor: User, panel: Panel) -> Panel:
    perms.require_board_access(user=actor, project=panel.project, edit=True)
    storage = Panel._meta.get_field("still").storage
    with transaction.atomic():
        board = locked_board(panel.storyboard.sequence)
        panel = Panel.objects.get(pk=panel.pk)
        if not panel.still and not panel.still_source:
            return panel
        previous = panel.still.name if panel.still else ""
        panel.still = ""
        panel.still_source, panel.still_take_id = Panel.StillSource.NONE, None
        panel.still_content_type, panel.still_width, panel.still_height, panel.still_sha256 = "", None, None, ""
        panel.updated_by = actor
        panel.save()
        _audit(board, actor=actor, action="panel.still_cleared", target=panel, data={})
        publish_board(board, "still_changed", panel=str(panel.id))
        if previous:
            transaction.on_commit(lambda: storage.delete(previous))
    return panel
