"""Likeness assets: an agency's private reference images of its talent."""

from __future__ import annotations

import hashlib
import secrets
import uuid

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from rest_framework.exceptions import ValidationError

from rights import faces
from rights.models import LikenessAsset, Talent
from rights.services._common import _require_agency_member
from studio.audit import services as audit
from studio.tenancy.models import User

MAX_ASSET_BYTES = 25 * 1024 * 1024
MAX_ASSET_PIXELS = 8192
ASSET_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}


def upload_asset(
    *, actor: User, talent: Talent, file: UploadedFile, kind: str = LikenessAsset.Kind.FACE, description: str = ""
) -> LikenessAsset:
    """Store a reference image of `talent` privately (PNG, JPEG or WebP, verified by decoding it)."""
    from PIL import Image, UnidentifiedImageError

    _require_agency_member(actor=actor, talent=talent, action="upload likeness assets")
    if kind not in LikenessAsset.Kind.values:
        raise ValidationError({"kind": [f"Use one of: {', '.join(LikenessAsset.Kind.values)}."]})
    if file is None:
        raise ValidationError({"file": ["Choose a PNG, JPEG or WebP image to upload (the multipart form field 'file')."]})
    if file.size > MAX_ASSET_BYTES:
        raise ValidationError({"file": [f"The image is larger than {MAX_ASSET_BYTES // (1024 * 1024)} MB."]})
    if file.size == 0:
        raise ValidationError({"file": ["The file is empty (0 bytes); choose a PNG, JPEG or WebP image with content to upload."]})
    digest = hashlib.sha256()
    for chunk in file.chunks():
        digest.update(chunk)
    try:
        file.seek(0)
        with Image.open(file) as image:
            fmt = image.format
            width, height = image.size
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError({"file": ["This is not a readable image; upload a PNG, JPEG or WebP reference image."]})
    if fmt not in ASSET_FORMATS:
        raise ValidationError({"file": [f"{fmt} images are not accepted; upload PNG, JPEG or WebP."]})
    if width > MAX_ASSET_PIXELS or height > MAX_ASSET_PIXELS or width < 16 or height < 16:
        raise ValidationError({"file": [f"The image is {width}×{height}; use between 16 and {MAX_ASSET_PIXELS} pixels per side."]})
    file.seek(0)
    descriptor = _face_descriptor(file)
    file.seek(0)
    asset = LikenessAsset(
        id=uuid.uuid4(), talent=talent, kind=kind, description=(description or "").strip()[:500],
        storage_token=secrets.token_urlsafe(24), original_name=(getattr(file, "name", "") or "")[:255],
        content_type=ASSET_FORMATS[fmt], size_bytes=file.size, sha256=digest.hexdigest(), width=width, height=height,
        uploaded_by=actor, face_descriptor=descriptor, face_descriptor_model=faces.DESCRIPTOR_MODEL if descriptor else "",
    )
    ext = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp"}[fmt]
    with transaction.atomic():
        asset.file.save(f"asset.{ext}", file, save=False)
        storage, stored = asset.file.storage, asset.file.name
        try:
            asset.save(force_insert=True)
            audit.record(
                organization=talent.organization, actor=actor, action="likeness_asset.uploaded", target=asset,
                data={"talent": str(talent.pk), "kind": kind, "sha256": asset.sha256, "bytes": asset.size_bytes,
                      "face_found": descriptor is not None},
            )
        except Exception:
            storage.delete(stored)
            raise
    return asset


def _face_descriptor(file: UploadedFile) -> list[float] | None:
    """The likeness scan's reference descriptor of the image's main face (rights.faces), computed
    here, synchronously (about 0.3 s for a 1024 px image), so the asset is matched by every scan
    from the moment it exists. None when the image shows no frontal face."""
    import numpy as np
    from PIL import Image, ImageOps

    with Image.open(file) as image:
        rgb = ImageOps.exif_transpose(image).convert("RGB")
        rgb.thumbnail((faces.REFERENCE_MAX_SIDE, faces.REFERENCE_MAX_SIDE))
        return faces.reference_descriptor(np.asarray(rgb))


def delete_asset(*, actor: User, asset: LikenessAsset) -> None:
    talent = asset.talent
    _require_agency_member(actor=actor, talent=talent, action="delete likeness assets")
    with transaction.atomic():
        name = asset.file.name
        storage = asset.file.storage
        audit.record(
            organization=talent.organization, actor=actor, action="likeness_asset.deleted", target=asset,
            data={"talent": str(talent.pk), "sha256": asset.sha256},
        )
        asset.delete()
        transaction.on_commit(lambda: storage.delete(name))
