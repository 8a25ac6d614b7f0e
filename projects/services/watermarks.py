"""Forensically watermarked review proxies, one per (version, viewer), and "Trace a frame".

- `review_copy` (the media view asks it for every proxy stream): the studio's own people get the plain
  proxy; anyone outside the studio (`access.review_copy_audience`) gets their own marked copy. The first
  request creates the `WatermarkMark` row and, after commit, sends `projects.tasks.build_watermarked_proxy`
  to the media queue; until the copy is ready the answer is "preparing" (the view says 202 and never
  falls back to the unmarked proxy). A failed copy, or one whose message waited longer than
  `WATERMARK_REQUEUE_AFTER`, is queued again by the next request.
- `build_marked_proxy` (the task): reads the version's proxy through the storage API into a temporary
  folder, marks every frame (studio/watermark) and stores the copy next to the proxy.
- `trace` (producers): reads a leaked still or clip and resolves the mark to its viewer and version,
  in the caller's own organizations only; a mark of another organization reads as "no mark found".

New media code reads and writes through `default_storage` only (the S3 option), with ffmpeg on temp files.
"""

from __future__ import annotations

import logging
import tempfile
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from rest_framework.exceptions import ValidationError

from projects import access as perms
from projects import media
from projects.models import Version, WatermarkMark, version_media_dir
from studio.audit import services as audit
from studio.queues import send_media
from studio.tenancy.models import Membership, Organization
from studio.watermark import payload, secret_key
from studio.watermark import video as wm_video

log = logging.getLogger(__name__)

WATERMARK_REQUEUE_AFTER = timedelta(minutes=10)
TRACE_MAX_BYTES = {"still": 20 * 1024 * 1024, "clip": 200 * 1024 * 1024}
TRACE_MIN_CONFIDENCE = 2.2  # the reader's score: 1.5-2.1 measured without a mark, 2.9+ with one (docs/RIGHTS.md)


@dataclass(frozen=True)
class ReviewCopy:
    """What the media view streams: `name` in default storage, or nothing yet (`preparing`)."""

    name: str | None
    marked: bool
    mark: WatermarkMark | None = None

    @property
    def preparing(self) -> bool:
        return self.name is None


def encoder_options() -> list[str]:
    """The review proxy's own H.264 settings (projects/media.py), so the marked copy steps frames alike."""
    return [
        "-c:v", "libx264", "-profile:v", "high", "-pix_fmt", "yuv420p", "-preset", media.PROXY_PRESET,
        "-crf", str(media.PROXY_CRF), "-g", str(media.PROXY_GOP), "-keyint_min", str(media.PROXY_GOP),
        "-sc_threshold", "0", "-bf", "0", "-movflags", "+faststart", "-map_metadata", "-1",
    ]  # fmt: skip


def review_copy(*, access: perms.ProjectAccess, user, version: Version) -> ReviewCopy:
    """The proxy `user` may stream (see the module docstring). The version's proxy must exist."""
    audience = perms.review_copy_audience(access)
    if audience is None:
        return ReviewCopy(name=version.proxy.name, marked=False)
    with transaction.atomic():
        mark, created = WatermarkMark.objects.select_for_update(no_key=True).get_or_create(
            version=version,
            viewer=user,
            defaults={"organization_id": version.project.organization_id, "project_id": version.project_id, "audience": audience},
        )
        if mark.status == WatermarkMark.Status.READY and mark.file:
            return ReviewCopy(name=mark.file.name, marked=True, mark=mark)
        stale = mark.queued_at is None or timezone.now() - mark.queued_at > WATERMARK_REQUEUE_AFTER
        if created or mark.status == WatermarkMark.Status.FAILED or (mark.status == WatermarkMark.Status.PREPARING and stale):
            _queue(mark, first=created)
    return ReviewCopy(name=None, marked=True, mark=mark)


def _queue(mark: WatermarkMark, *, first: bool) -> None:
    from projects.tasks import build_watermarked_proxy

    mark.status, mark.failure_reason, mark.queued_at = WatermarkMark.Status.PREPARING, "", timezone.now()
    mark.save(update_fields=["status", "failure_reason", "queued_at"])
    if first:
        audit.record(organization=mark.organization, actor=mark.viewer, action="version.watermark_requested", target=mark.version,
                     data={"mark": mark.pk, "audience": mark.audience})
    mark_id = mark.pk
    transaction.on_commit(lambda: send_media(build_watermarked_proxy, mark_id), robust=True)


def build_marked_proxy(*, mark_id: int) -> WatermarkMark | None:
    """Make the marked copy of one mark (runs on the media queue). Idempotent: a ready mark is left alone."""
    mark = WatermarkMark.objects.select_related("version", "organization").filter(pk=mark_id).first()
    if mark is None or (mark.status == WatermarkMark.Status.READY and mark.file):
        return mark
    if mark.pk > payload.MAX_MARK_ID:
        return _finish(mark, failure="The mark id no longer fits the 32-bit payload.")
    if not mark.version.proxy:
        return _finish(mark, failure="The version has no review proxy to mark.")
    try:
        with media.temporary_directory() as workdir:
            source, marked = Path(workdir) / "proxy.mp4", Path(workdir) / "marked.mp4"
            with default_storage.open(mark.version.proxy.name, "rb") as stored, open(source, "wb") as fh:
                for chunk in iter(lambda: stored.read(1024 * 1024), b""):
                    fh.write(chunk)
            wm_video.mark_video(source, marked, mark_id=mark.pk, key=secret_key(), encoder_options=encoder_options())
            name = f"{version_media_dir(mark.version)}/review/marked/{mark.pk}.mp4"
            if default_storage.exists(name):
                default_storage.delete(name)
            with open(marked, "rb") as fh:
                name = default_storage.save(name, File(fh))
    except (wm_video.WatermarkError, FileNotFoundError) as exc:
        return _finish(mark, failure=f"The marked copy could not be made: {exc}")
    return _finish(mark, name=name)


def mark_share_copy(*, share_view, version: Version, source: Path, destination: Path) -> WatermarkMark:
    """A share link guest's copy gets the forensic mark too (external viewers, issue 14 §5): embed
    the guest's mark id into `source` (the copy with their name burnt in) as `destination`. The mark
    is recorded (one per guest and version) before the media is made, so a trace resolves to the
    guest's name and email; `finish_share_mark` stores the copy's name once it is saved.
    Raises WatermarkError when the video cannot be marked."""
    mark, _created = WatermarkMark.objects.get_or_create(
        version=version, share_view=share_view,
        defaults={"organization_id": version.project.organization_id, "project_id": version.project_id, "audience": "external",
                  "queued_at": timezone.now()},
    )
    if mark.pk > payload.MAX_MARK_ID:
        raise wm_video.WatermarkError("The mark id no longer fits the 32-bit payload.")
    wm_video.mark_video(source, destination, mark_id=mark.pk, key=secret_key(), encoder_options=encoder_options())
    return mark


def finish_share_mark(mark: WatermarkMark, *, name: str) -> None:
    WatermarkMark.objects.filter(pk=mark.pk).update(status=WatermarkMark.Status.READY, file=name, ready_at=timezone.now())


def _finish(mark: WatermarkMark, *, name: str = "", failure: str = "") -> WatermarkMark:
    with transaction.atomic():
        mark = WatermarkMark.objects.select_for_update(of=("self",), no_key=True).select_related("organization", "version").get(pk=mark.pk)
        if failure:
            mark.status, mark.failure_reason = WatermarkMark.Status.FAILED, failure[:2000]
        else:
            mark.status, mark.file.name, mark.ready_at = WatermarkMark.Status.READY, name, timezone.now()
        mark.save(update_fields=["status", "failure_reason", "file", "ready_at"])
        audit.record(organization=mark.organization, actor_label="media worker",
                     action="version.watermark_failed" if failure else "version.watermark_ready", target=mark.version,
                     data={"mark": mark.pk, **({"reason": mark.failure_reason} if failure else {})})
    return mark


# ---------------------------------------------------------------- trace a frame

@dataclass(frozen=True)
class TraceResult:
    found: bool
    mark: WatermarkMark | None
    kind: str  # still or clip
    frames: int
    confidence: float
    bit_errors: int
    scale: float


def trace_organizations(user) -> list:
    """The organizations whose marks `user` may trace (owner, admin or producer there)."""
    return list(Membership.objects.filter(user=user, role__in=list(perms.TRACE_MARKS)).values_list("organization_id", flat=True))


def _sniff(head: bytes) -> str | None:
    if head.startswith(b"\x89PNG\r\n\x1a\n") or head.startswith(b"\xff\xd8\xff"):
        return "still"
    if len(head) >= 8 and head[4:8] == b"ftyp":
        return "clip"
    return None


def trace(*, user, upload) -> TraceResult:
    """Read a leaked still (PNG/JPEG) or clip (MP4) and resolve its mark in the caller's organizations."""
    from rest_framework.exceptions import PermissionDenied

    organizations = trace_organizations(user)
    if not organizations:
        raise PermissionDenied("Only owners, admins and producers of a studio may trace a leaked frame.")
    head = upload.read(16)
    upload.seek(0)
    kind = _sniff(head)
    if kind is None:
        raise ValidationError({"file": ["Upload a still (PNG or JPEG) or a clip (MP4)."]}, code="unsupported_type")
    if upload.size > TRACE_MAX_BYTES[kind]:
        limit = TRACE_MAX_BYTES[kind] // (1024 * 1024)
        raise ValidationError({"file": [f"A {kind} to trace may be {limit} MB at most; crop or trim it."]}, code="too_large")
    scratch = Path(settings.DATA_DIR) / "tmp"
    scratch.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="gl-trace-", dir=scratch) as workdir:
        path = Path(workdir) / ("suspect.mp4" if kind == "clip" else "suspect.img")
        with open(path, "wb") as fh:
            for chunk in upload.chunks():
                fh.write(chunk)
        try:
            lumas = wm_video.clip_lumas(path) if kind == "clip" else [wm_video.still_luma(path)]
            found = wm_video.read_mark(lumas, key=secret_key())
        except wm_video.WatermarkError as exc:
            raise ValidationError({"file": [str(exc)]}, code="unreadable") from exc
    mark = None
    if found.mark_id is not None and found.score >= TRACE_MIN_CONFIDENCE:
        mark = (WatermarkMark.objects.select_related("viewer", "share_view", "version__shot", "project")
                .filter(pk=found.mark_id, organization_id__in=organizations).first())
    audit_orgs = [mark.organization_id] if mark else organizations[:1]
    audit.record(organization=Organization.objects.get(pk=audit_orgs[0]), actor=user, action="watermark.traced",
                 target=mark.version if mark else None, data={"kind": kind, "found": mark is not None, "mark": mark.pk if mark else None})
    return TraceResult(found=mark is not None, mark=mark, kind=kind, frames=found.frames, confidence=round(found.score, 2),
                       bit_errors=found.bit_errors if mark else 0, scale=found.scale)

