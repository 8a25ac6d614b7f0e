"""Importing a render made elsewhere as a take (ComfyUI on a workstation, a vendor's delivery).

Studios bring outside clips into a shot's gallery to compare them with Greenlight's own takes. An
imported take has no job and no model; it is otherwise a take like any other: scanned for faces of
protected performers on the `media` queue (`take_scan`), held when a face no grant covers appears,
starred, discarded and published through the same rules (`takes.publish_take`; its version is an
upload, since Greenlight did not generate it).

`import_take` probes the upload before anything is stored (the checks of a version upload: size,
container, a video stream, complete, at most `MAX_TAKE_IMPORT_SECONDS`), builds the poster, then
stores the file, the row, the audit event, the `take.created` event and the scan request in one
transaction; stored files are removed when the row is not created.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.core.files import File
from django.db import transaction
from rest_framework.exceptions import ValidationError

from generation.constraints import SEED_MAX
from generation.models import Take
from generation.services._common import SUBMIT_ROLES
from generation.services.takes import _file_stem, _publish_take
from projects import media
from projects.access import require_project_role
from projects.models import Project, Shot
from projects.services import check_upload_size
from studio.audit import services as audit
from studio.exceptions import Conflict

log = logging.getLogger(__name__)

DEFAULT_MAX_SECONDS = 300  # a take is one shot's worth of video; settings.MAX_TAKE_IMPORT_SECONDS overrides it
VIDEO_SUFFIXES = {".mp4", ".m4v", ".mov", ".mkv", ".webm"}
POSTER_MAX_FRAME = 240  # the poster is the middle frame, at most this far in (the poster filter decodes up to it)


def max_import_seconds() -> int:
    return int(getattr(settings, "MAX_TAKE_IMPORT_SECONDS", DEFAULT_MAX_SECONDS))


def _clean(value, *, field: str, max_length: int, required: bool = False, example: str = "") -> str:
    text = (value or "").strip()
    if required and not text:
        raise ValidationError({field: [f"Say which tool rendered this clip, e.g. {example}."]})
    if len(text) > max_length:
        raise ValidationError({field: [f"At most {max_length:,} characters; this is {len(text):,}."]})
    return text


def _suffix(filename: str, info: media.ProbeResult) -> str:
    suffix = PurePosixPath(filename or "").suffix.lower()
    if suffix in VIDEO_SUFFIXES:
        return suffix
    return ".webm" if "webm" in info.format_name else ".mkv" if "matroska" in info.format_name else ".mp4"


def _sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _local_path(upload, scratch: Path) -> str:
    if hasattr(upload, "temporary_file_path"):
        return upload.temporary_file_path()
    path = scratch / "upload"
    with open(path, "wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    upload.seek(0)
    return str(path)


def _probe(path: str) -> media.ProbeResult:
    try:
        info = media.probe(path)
        media.check_limits(info, max_seconds=max_import_seconds())
    except media.MediaError as exc:
        raise ValidationError({"file": [exc.message]}, code=exc.code) from exc
    return info


def import_take(*, actor, shot: Shot, upload, source: str, prompt: str = "", seed: int | None = None, notes: str = "") -> Take:
    """A person imports a clip rendered in another tool as a take of `shot` (the people who may render
    on the shot). 400 naming what is wrong (no file, not a video, incomplete, too long, no tool
    name); 413 over MAX_UPLOAD_BYTES; 409 in an archived project. The likeness scan is queued."""
    project: Project = shot.project
    require_project_role(user=actor, project=project, roles=SUBMIT_ROLES, action="import takes")
    if project.status == getattr(Project.Status, "ARCHIVED", "archived"):
        raise Conflict(f"Project {project.code} is archived; reactivate it before importing takes.")
    if upload is None:
        raise ValidationError({"file": ["Choose a video to import (sent as the multipart form field 'file')."]})
    source = _clean(source, field="source", max_length=100, required=True, example="ComfyUI")
    prompt = _clean(prompt, field="prompt", max_length=10_000)
    notes = _clean(notes, field="notes", max_length=10_000)
    if seed is not None and not 0 <= int(seed) <= SEED_MAX:
        raise ValidationError({"seed": [f"A seed is a whole number from 0 to {SEED_MAX}; leave it empty if unknown."]})
    check_upload_size(upload.size)
    scratch_root = Path(settings.DATA_DIR) / "tmp"
    scratch_root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="take-import-", dir=scratch_root) as tmp:
        path = _local_path(upload, Path(tmp))
        info = _probe(path)
        poster = Path(tmp) / "poster.jpg"
        try:
            media.build_poster(Path(path), poster, frame_index=min(info.frame_count // 2, POSTER_MAX_FRAME), info=info)
        except media.MediaError as exc:
            raise ValidationError({"file": [f"The clip could not be decoded: {exc.message}"]}, code="not_a_video") from exc
        filename = os.path.basename(getattr(upload, "name", "") or "")[:255] or "import"
        lineage = {
            "source": "import", "tool": source, "filename": filename, "sha256": _sha256(path),
            "uploaded_by": {"id": str(actor.pk), "name": getattr(actor, "name", "") or actor.get_username()},
            "prompt": prompt, "seed": seed, "notes": notes,
            "probe": {"format": info.format_name, "codec": info.codec, "pix_fmt": info.pix_fmt, "has_audio": info.has_audio},
        }
        take = Take(
            organization_id=project.organization_id, project=project, shot=shot, source=Take.Source.IMPORT, source_tool=source,
            created_by=actor, prompt=prompt, seed=seed, lineage=lineage, consent={"cast": [], "use_type": "digital_replica"},
            native_frames=info.frame_count, native_fps_num=info.fps.numerator, native_fps_den=info.fps.denominator,
            native_width=info.width, native_height=info.height,
        )
        return _store(actor=actor, take=take, path=path, poster=poster, suffix=_suffix(filename, info))


def _store(*, actor, take: Take, path: str, poster: Path, suffix: str) -> Take:
    stem = _file_stem(take)
    stored: list[str] = []
    try:
        with transaction.atomic():
            with open(path, "rb") as handle:
                take.media.save(f"{stem}{suffix}", File(handle), save=False)
            stored.append(take.media.name)
            take.media_size = take.media.size
            with open(poster, "rb") as handle:
                take.poster.save(f"{stem}_poster.jpg", File(handle), save=False)
            stored.append(take.poster.name)
            take.save(force_insert=True)
            from generation.services.take_scan import request_take_scan

            request_take_scan(take=take)
            audit.record(
                organization=take.project.organization, actor=actor, action="take.imported", target=take,
                data={"shot": take.shot.code, "tool": take.source_tool, "filename": take.lineage["filename"],
                      "sha256": take.lineage["sha256"], "native_fps": f"{take.native_fps_num}/{take.native_fps_den}",
                      "native_frames": take.native_frames, "seed": take.seed},
            )
            _publish_take(take, created=True)
    except BaseException:
        for name in stored:  # nothing half-written: the files go when the row does not exist
            try:
                take.media.storage.delete(name)
            except Exception:  # noqa: BLE001 - the original error matters more
                log.exception("could not remove %s after a failed import", name)
        raise
    return take
