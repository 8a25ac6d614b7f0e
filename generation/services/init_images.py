"""Init images of image-to-video renders: where the first frame comes from, checked, and scanned.

An init image comes from one of three sources (`animate.animate_still` picks one):

- **a panel's still** (`from_panel`): the storyboard panel must belong to the shot's project;
- **an upload** (`from_upload`): a PNG, JPEG or WebP sent with the request;
- **a frame of a version** (`from_version_frame`, "use this frame" in the player): ffmpeg decodes
  exactly that frame — a frame number in the version's numbering (first_frame … last_frame), never
  a time — from the review proxy the player shows (the original until the proxy exists).

Every image is checked the same way (`check_image`: a real image of an accepted type, neither too
large nor too small; 400 naming the field otherwise) and its lineage says where it came from (panel
id and still hash / upload SHA-256 / version id and frame). `scan_init_image` runs the likeness scan
(`projects.likeness_scan.scan_image`, the same face matching as a take's) on it before anything is
queued; the talent it sees goes to the consent policy like talent named in a prompt.
"""

from __future__ import annotations

import hashlib
import io
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from django.core.files.base import ContentFile
from rest_framework.exceptions import NotFound, ValidationError

from projects import likeness_scan, media
from projects.models import Shot, Version
from projects.models_storyboard import Panel
from rights import selectors as rights_selectors
from studio import storage

MAX_INIT_IMAGE_BYTES = 20 * 1024 * 1024
MAX_INIT_IMAGE_PIXELS = 4096 * 4096
MIN_INIT_IMAGE_SIDE = 32
FORMATS = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp"}
FRAME_TIMEOUT_S = 120


@dataclass
class InitImage:
    """A checked first frame: the bytes to store with the job and where they came from (lineage)."""

    file: ContentFile
    source: dict = field(default_factory=dict)


def read_bytes(image) -> bytes:
    """The bytes of an uploaded file, a stored FieldFile or a ContentFile (left rewound)."""
    if hasattr(image, "open") and getattr(image, "closed", False):
        image.open("rb")
    image.seek(0)
    data = image.read()
    image.seek(0)
    return data


def check_image(data: bytes, *, field_name: str = "image") -> tuple[str, int, int]:
    """(format, width, height) of an acceptable init image; a 400 on `field_name` saying what is wrong otherwise."""
    from PIL import Image, UnidentifiedImageError

    if len(data) > MAX_INIT_IMAGE_BYTES:
        raise ValidationError(
            {
                field_name: [
                    f"The image is {len(data) / 2**20:.1f} MB; the limit is {MAX_INIT_IMAGE_BYTES // 2**20} MB. "
                    "Save it smaller (JPEG) and try again."
                ]
            }
        )
    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind, (width, height) = probe.format, probe.size
            probe.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError({field_name: ["This is not an image Greenlight can read: send a PNG, JPEG or WebP file."]}) from None
    if kind not in FORMATS:
        raise ValidationError({field_name: [f"{kind} images are not accepted as a first frame: send a PNG, JPEG or WebP file."]})
    if width * height > MAX_INIT_IMAGE_PIXELS:
        raise ValidationError({field_name: [f"The image is {width}×{height} pixels, larger than 4096×4096; downscale it first."]})
    if min(width, height) < MIN_INIT_IMAGE_SIDE:
        raise ValidationError(
            {field_name: [f"The image is {width}×{height} pixels; a first frame needs at least {MIN_INIT_IMAGE_SIDE} pixels on each side."]}
        )
    return kind, width, height


def _named(data: bytes, stem: str, kind: str) -> ContentFile:
    return ContentFile(data, name=f"{stem}.{FORMATS[kind]}")


def from_upload(upload) -> InitImage:
    data = read_bytes(upload)
    kind, width, height = check_image(data, field_name="image")
    digest = hashlib.sha256(data).hexdigest()
    source = {
        "kind": "upload",
        "sha256": digest,
        "filename": Path(getattr(upload, "name", "") or "").name[:200],
        "width": width,
        "height": height,
    }
    return InitImage(file=_named(data, f"upload-{digest[:12]}", kind), source=source)


def from_panel(*, shot: Shot, panel_id) -> InitImage:
    """The still of a panel on one of the shot's project's storyboards (another project's or studio's panel: 404)."""
    panel = Panel.objects.select_related("storyboard__sequence").filter(pk=panel_id, project_id=shot.project_id).first()
    if panel is None:
        raise NotFound("No panel with this id on this project's storyboards.")
    number = Panel.objects.filter(storyboard_id=panel.storyboard_id, order__lt=panel.order).count() + 1
    if not panel.still:
        raise ValidationError(
            {"panel": [f"Panel {number} of {panel.storyboard.sequence.code} has no still yet: generate or upload one first."]}
        )
    with panel.still.open("rb") as handle:
        data = handle.read()
    kind, width, height = check_image(data, field_name="panel")
    source = {
        "kind": "panel",
        "panel": str(panel.pk),
        "panel_number": number,
        "sequence": panel.storyboard.sequence.code,
        "still_source": panel.still_source,
        "sha256": hashlib.sha256(data).hexdigest(),
        "width": width,
        "height": height,
    }
    return InitImage(file=_named(data, f"panel-{str(panel.pk)[:8]}", kind), source=source)


def from_version_frame(*, shot: Shot, version_id, frame: int) -> InitImage:
    """Exactly frame number `frame` of a version of the shot's project, decoded by ffmpeg (by index, not time)."""
    version = Version.objects.select_related("shot").filter(pk=version_id, shot__project_id=shot.project_id).first()
    if version is None:
        raise NotFound("No version with this id in this project.")
    if not version.frame_count:
        raise ValidationError({"version": [f"{version.label} is still being processed; wait until it plays, then pick the frame."]})
    first, last = version.first_frame, version.first_frame + version.frame_count - 1
    if isinstance(frame, bool) or not isinstance(frame, int) or not first <= frame <= last:
        nearest = first if not isinstance(frame, int) or frame < first else last
        raise ValidationError(
            {"frame": [f"Frame {frame} is outside {version.label}'s frames {first}–{last}. The nearest valid value is {nearest}."]}
        )
    name = version.proxy.name or version.original.name
    data = _extract_frame(name, index=frame - first, label=version.label)
    kind, width, height = check_image(data, field_name="frame")
    source = {
        "kind": "version_frame",
        "version": str(version.pk),
        "version_label": version.label,
        "frame": frame,
        "index": frame - first,
        "media": "proxy" if version.proxy.name else "original",
        "sha256": hashlib.sha256(data).hexdigest(),
        "width": width,
        "height": height,
    }
    return InitImage(file=_named(data, f"frame-{str(version.pk)[:8]}-{frame}", kind), source=source)


def _extract_frame(name: str, *, index: int, label: str) -> bytes:
    """PNG bytes of the frame at 0-based `index` of the stored video `name` (ffmpeg's `select` counts decoded frames)."""
    with storage.local_copy(name) as path:
        cmd = [
            media.FFMPEG,
            "-nostdin",
            "-v",
            "error",
            "-i",
            str(path),
            "-vf",
            f"select=eq(n\\,{index})",
            "-fps_mode",
            "passthrough",
            "-frames:v",
            "1",
            "-f",
            "image2pipe",
            "-c:v",
            "png",
            "pipe:1",
        ]
        done = subprocess.run(cmd, capture_output=True, timeout=FRAME_TIMEOUT_S, check=False)  # noqa: S603
    if done.returncode != 0 or not done.stdout:
        raise ValidationError({"frame": [f"Frame {index + 1} of {label}'s media could not be decoded; pick another frame."]})
    return done.stdout


def scan_init_image(data: bytes) -> dict:
    """The likeness scan of an init image: faces found and the protected talent they match (ids)."""
    from PIL import Image

    references = rights_selectors.likeness_references()
    if not references:  # no protected face is registered anywhere: nothing can match
        return {"faces": None, "talent": []}
    with Image.open(io.BytesIO(data)) as image:
        rgb = np.asarray(image.convert("RGB"))
    outcome = likeness_scan.scan_image(rgb, references=references)
    matches = sorted(outcome.matches.values(), key=lambda m: m.talent_id)
    return {
        "faces": outcome.faces,
        "talent": [m.talent_id for m in matches],
        "matches": [{"talent": m.talent_id, "distance": m.distance} for m in matches],
    }
