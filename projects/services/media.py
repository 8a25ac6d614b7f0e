"""Review media of a version: proxy, poster and sprite, built on the `media` queue."""

from __future__ import annotations

import logging
from pathlib import Path

from django.core.files.storage import default_storage
from django.db import transaction

from projects import media
from projects.models import Version, version_media_dir
from studio import storage
from studio.audit import services as audit
from studio.realtime.publish import publish

log = logging.getLogger(__name__)


def _store(path: Path, name: str) -> str:
    return storage.save_file(path, name, replace=True)


def process_version_media(*, version_id, claim: bool = False) -> Version | None:
    """Build the version's proxy, poster and sprite (runs on the `media` queue). Idempotent.

    Marks the version `ready`, or `failed` with a reason a person can act on. The media task passes
    `claim=True`: the attempt then claims the version first and stores its result only while it
    still holds the claim (projects/processing.py), so a killed worker never leaves it processing.
    """
    from projects import processing

    version = Version.objects.select_related("project__organization", "shot").filter(pk=version_id).first()
    if version is None:
        log.warning("version %s vanished before its media was processed", version_id)
        return None
    attempt = None
    if claim:
        attempt = processing.claim(version_id=version_id)
        if attempt is None:  # finished already, or held by a live attempt: a duplicate delivery does nothing
            return Version.objects.filter(pk=version_id).first()
    if not version.original:
        return mark_media_failed(version, "No media file was attached to this version.")
    try:
        # ffmpeg reads a local file: the original itself on the local backend, a scratch copy from an object store
        with storage.local_copy(version.original.name) as source, media.temporary_directory() as workdir:
            built = media.build_review_media(source, Path(workdir))
            folder = f"{version_media_dir(version)}/review"
            names = {
                "proxy": _store(built.proxy, f"{folder}/proxy.mp4"),
                "poster": _store(built.poster, f"{folder}/poster.jpg"),
                "thumb": _store(built.thumb, f"{folder}/thumb.jpg"),
                "sprite": _store(built.sprite, f"{folder}/sprite.jpg"),
            }
    except media.MediaError as exc:
        return mark_media_failed(version, exc.message, attempt=attempt)
    except FileNotFoundError:
        return mark_media_failed(version, "The original file is missing from storage; upload the version again.", attempt=attempt)
    except Exception:
        log.exception("processing media of version %s failed", version_id)
        mark_media_failed(version, "Processing failed because of an internal error; the team has been notified. Upload it again later.",
                     attempt=attempt)
        raise
    return _store_review_media(version_id=version_id, built=built, names=names, attempt=attempt)


def _store_review_media(*, version_id, built, names: dict[str, str], attempt: int | None) -> Version | None:
    """Record the built review media on the version, audit and publish (one transaction)."""
    from projects import processing

    info = built.proxy_info
    with transaction.atomic():
        version = (
            Version.objects.select_for_update(of=("self",), no_key=True)
            .select_related("project__organization", "shot").filter(pk=version_id).first()
        )
        if version is None:
            for name in names.values():
                default_storage.delete(name)
            return None
        if not processing.holds_claim(version, attempt):
            return version  # a later attempt took over; its files have the same names
        version.proxy.name = names["proxy"]
        version.poster.name = names["poster"]
        version.thumb.name = names["thumb"]
        version.sprite.name = names["sprite"]
        version.sprite_columns = built.sprite_info["columns"]
        version.sprite_tile_width = built.sprite_info["tile_width"]
        version.sprite_tile_height = built.sprite_info["tile_height"]
        version.sprite_frames = built.sprite_info["frames"]
        version.frame_count = info.frame_count
        version.fps_num, version.fps_den = info.fps_pair
        version.width, version.height = built.source_info.width, built.source_info.height
        version.processing_status = Version.Processing.READY
        version.failure_reason = ""
        version.save()
        audit.record(
            organization=version.project.organization,
            actor_label="media worker",
            action="version.media_ready",
            target=version,
            data={"frames": info.frame_count, "fps": f"{version.fps_num}/{version.fps_den}", "proxy": f"{info.width}x{info.height}"},
        )
        publish(
            type="version.updated",
            project_id=version.project_id,
            data={
                "id": str(version.id),
                "shot": str(version.shot_id),
                "change": "media_ready",
                "processing_status": "ready",
                "frame_count": info.frame_count,
            },
        )
    return version


def mark_media_failed(version: Version, reason: str, *, attempt: int | None = None) -> Version:
    from projects import processing

    with transaction.atomic():
        version = Version.objects.select_for_update(of=("self",), no_key=True).select_related("project__organization").get(pk=version.pk)
        if not processing.holds_claim(version, attempt):
            return version
        version.processing_status = Version.Processing.FAILED
        version.failure_reason = reason[:2000]
        version.save(update_fields=["processing_status", "failure_reason", "updated_at"])
        audit.record(
            organization=version.project.organization,
            actor_label="media worker",
            action="version.media_failed",
            target=version,
            data={"reason": version.failure_reason},
        )
        publish(
            type="version.updated",
            project_id=version.project_id,
            data={
                "id": str(version.id),
                "shot": str(version.shot_id),
                "change": "media_failed",
                "processing_status": "failed",
                "failure_reason": version.failure_reason,
            },
        )
    return version



def backfill_thumbnails(*, limit: int | None = None) -> tuple[int, list[str]]:
    """Make the list thumbnail of every ready version that has a poster and no thumbnail (versions
    processed before thumbnails existed; new ones get theirs with their review media). Idempotent; a
    version re-processed meanwhile keeps the thumbnail of its new media. Returns (how many were made,
    the failures as "version id: reason")."""
    pending = (
        Version.objects.filter(processing_status=Version.Processing.READY, thumb="")
        .exclude(poster="")
        .order_by("created_at")
        .values_list("id", "project_id", "poster")
    )
    made, errors = 0, []
    for version_id, project_id, poster in list(pending[:limit] if limit else pending):
        name = f"versions/{project_id}/{version_id}/review/thumb.jpg"
        try:
            with storage.local_copy(poster) as source, media.temporary_directory() as workdir:
                thumb = Path(workdir) / "thumb.jpg"
                media.build_thumb(source, thumb)
                stored = _store(thumb, name)
        except (media.MediaError, FileNotFoundError) as exc:
            errors.append(f"{version_id}: {getattr(exc, 'message', None) or 'the poster is missing from storage'}")
            continue
        # Only where the poster is still the one the thumbnail was made from (no re-processing meanwhile).
        made += Version.objects.filter(pk=version_id, poster=poster, thumb="").update(thumb=stored)
    return made, errors
