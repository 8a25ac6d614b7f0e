"""Versions: the next numbered version of a shot, from an upload or a render, and its note."""

from __future__ import annotations

import os
import tempfile
import uuid

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.text import get_valid_filename
from rest_framework import status as http_status
from rest_framework.exceptions import APIException, PermissionDenied, ValidationError

from projects import access as perms
from projects import media
from projects.models import Shot, Version, version_upload_to
from projects.services._common import _publish_shot, _text
from studio.audit import services as audit
from studio.queues import send_media
from studio.realtime.publish import publish
from studio.tenancy.models import User


class PayloadTooLarge(APIException):
    status_code = http_status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The upload is too large."
    default_code = "too_large"


def _safe_filename(name: str | None, default: str = "original.mp4") -> str:
    base = os.path.basename((name or "").replace("\\", "/")).strip()
    base = get_valid_filename(base) if base else ""
    if not base or base in {".", ".."}:
        return default
    stem, ext = os.path.splitext(base)
    return f"{stem[:100]}{ext[:16]}"


def create_version(
    *,
    shot: Shot,
    source: str,
    created_by=None,
    original: File | None = None,
    original_name: str = "original.mp4",
    lineage: dict | None = None,
    frame_count: int | None = None,
    fps: tuple[int, int] | None = None,
    size: tuple[int, int] | None = None,
    note: str = "",
    scan: bool | None = None,
) -> Version:
    """Create the next version of `shot` (v001, v002 …; numbers never reused, safe when concurrent).

    The caller has checked permissions (`upload_version` for people; the generation service for
    renders). Takes the shot row lock for numbering, stores the original untouched, makes the
    version the shot's current one, audits, publishes `version.created` after commit and then
    hands the version to the `media` queue for its proxy, poster and sprite, and (`scan`, by
    default for uploads) for its likeness scan (projects/services/likeness_scan.py).
    """
    if source not in Version.Source.values:
        raise ValueError(f"source must be one of {Version.Source.values}, not {source!r}")
    from projects.tasks import process_version_media

    # Store the original before taking the shot's row lock: copying (or moving) a large file must
    # not hold up other writers of the shot. A failed insert removes it again.
    version_id = uuid.uuid4()
    stored_name, stored_size, safe_name = "", None, ""
    if original is not None:
        safe_name = _safe_filename(original_name)
        stored_name = default_storage.save(version_upload_to(Version(id=version_id, project_id=shot.project_id), safe_name), original)
        stored_size = default_storage.size(stored_name)
    try:
        version = _insert_version(
            version_id=version_id,
            shot=shot,
            source=source,
            created_by=created_by,
            stored_name=stored_name,
            stored_size=stored_size,
            original_name=safe_name,
            lineage=lineage,
            frame_count=frame_count,
            fps=fps,
            size=size,
            note=note,
            process=process_version_media,
        )
    except BaseException:
        if stored_name:
            default_storage.delete(stored_name)
        raise
    if (source == Version.Source.UPLOAD if scan is None else scan) and stored_name:
        from projects.services.likeness_scan import request_version_scan

        request_version_scan(version=version)
    return version


def _insert_version(
    *,
    version_id,
    shot: Shot,
    source: str,
    created_by,
    stored_name: str,
    stored_size,
    original_name: str,
    lineage,
    frame_count,
    fps,
    size,
    note: str,
    process,
) -> Version:
    with transaction.atomic():
        locked = Shot.objects.select_for_update(of=("self",), no_key=True).select_related("project__organization").get(pk=shot.pk)
        project = locked.project
        number = locked.next_version_number
        locked.next_version_number = number + 1
        version = Version(
            id=version_id,
            project_id=locked.project_id,
            shot=locked,
            number=number,
            source=source,
            created_by=created_by,
            lineage=lineage or {},
            frame_count=frame_count,
            first_frame=locked.frame_in if locked.frame_in is not None else project.start_frame,
            fps_num=fps[0] if fps else project.fps_num,
            fps_den=fps[1] if fps else project.fps_den,
            width=size[0] if size else None,
            height=size[1] if size else None,
            note=note or "",
        )
        if stored_name:
            version.original.name = stored_name
            version.original_name = original_name
            version.original_size = stored_size
        else:
            version.processing_status = Version.Processing.FAILED
            version.failure_reason = "No media file was attached to this version."
        version.save(force_insert=True)
        update_fields = ["next_version_number", "current_version", "updated_at"]
        locked.current_version = version
        status_changed = locked.status in (Shot.Status.PENDING, Shot.Status.IN_PROGRESS)
        if status_changed:
            locked.status = Shot.Status.REVIEW
            update_fields.append("status")
        locked.save(update_fields=update_fields)
        actor_label = "" if created_by is not None else f"{source} pipeline"
        audit.record(
            organization=project.organization,
            actor=created_by,
            actor_label=actor_label,
            action="version.created",
            target=version,
            data={"shot": locked.code, "number": number, "source": source, "original": version.original_name},
        )
        publish(
            type="version.created",
            project_id=locked.project_id,
            data={
                "id": str(version.id),
                "shot": str(locked.id),
                "shot_code": locked.code,
                "number": number,
                "label": version.label,
                "source": source,
                "processing_status": version.processing_status,
            },
        )
        if status_changed:
            _publish_shot(locked, "status", current_version=str(version.id))
        if stored_name:
            transaction.on_commit(lambda: send_media(process, str(version_id)), robust=True)  # a broker outage: the reaper requeues it
    return version


def _upload_path(upload) -> tuple[str, tempfile.NamedTemporaryFile | None]:
    if hasattr(upload, "temporary_file_path"):
        return upload.temporary_file_path(), None
    suffix = os.path.splitext(getattr(upload, "name", "") or "")[1][:16]
    tmp = tempfile.NamedTemporaryFile(prefix="gl-upload-", suffix=suffix)  # noqa: SIM115 - closed by the caller
    for chunk in upload.chunks():
        tmp.write(chunk)
    tmp.flush()
    upload.seek(0)
    return tmp.name, tmp


def check_upload_size(size: int | None) -> None:
    limit = settings.MAX_UPLOAD_BYTES
    if size is not None and size > limit:
        raise PayloadTooLarge(
            f"The upload is {size:,} bytes; the limit is {limit:,} bytes ({limit / 2**20:.0f} MiB). "
            "Upload a smaller export (a review proxy is enough) or ask an admin to raise MAX_UPLOAD_BYTES."
        )


def upload_version(*, actor: User, shot: Shot, upload, note: str = "") -> Version:
    """A person uploads a video as the shot's next version. The file is probed before anything is stored."""
    perms.require_project_role(user=actor, project=shot.project, roles=perms.ADD_VERSIONS, action="add versions")
    if upload is None:
        raise ValidationError({"file": ["Choose a video to upload (sent as the multipart form field 'file')."]})
    note = _text(note, field="note", max_length=10_000)
    check_upload_size(upload.size)
    path, tmp = _upload_path(upload)
    try:
        try:
            info = media.probe(path)
            media.check_limits(info, max_seconds=settings.MAX_UPLOAD_SECONDS)
        except media.MediaError as exc:
            raise ValidationError({"file": [exc.message]}, code=exc.code)
        return create_version(
            shot=shot,
            source=Version.Source.UPLOAD,
            created_by=actor,
            original=upload,  # a temporary upload is moved into place, not copied
            original_name=upload.name,
            frame_count=info.frame_count,
            fps=info.fps_pair,
            size=(info.width, info.height),
            note=note,
        )
    finally:
        if tmp is not None:
            tmp.close()


def update_version(*, actor: User, version: Version, note: str) -> Version:
    access = perms.project_access(user=actor, project=version.project)
    if not perms.may_edit_version_note(access=access, version=version, user=actor):
        raise PermissionDenied(perms.EDIT_NOTE_REFUSAL)
    note = _text(note, field="note", max_length=10_000)
    with transaction.atomic():
        version = Version.objects.select_for_update(no_key=True).get(pk=version.pk)
        if version.note != note:
            old, version.note = version.note, note
            version.save(update_fields=["note", "updated_at"])
            audit.record(
                organization=version.project.organization, actor=actor, action="version.updated", target=version, data={"note": [old, note]}
            )
            publish(type="version.updated", project_id=version.project_id, data={"id": str(version.id), "change": "note"})
    return version
