"""Writes for production tracking. Each service checks access, writes, audits and publishes."""

from __future__ import annotations

from django.core.files import File
from django.db import transaction

from projects.models import Shot, Version
from studio.audit import services as audit
from studio.realtime.publish import publish


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
) -> Version:
    """Create the next version of `shot` (v001, v002 …; numbers never reused, safe when concurrent).

    Takes the shot row lock for numbering, stores the original, audits, and publishes
    `version.created` after commit.
    """
    with transaction.atomic():
        locked = Shot.objects.select_for_update().select_related("project").get(pk=shot.pk)
        number = locked.next_version_number
        locked.next_version_number = number + 1
        locked.save(update_fields=["next_version_number", "updated_at"])
        version = Version(
            project_id=locked.project_id,
            shot=locked,
            number=number,
            source=source,
            created_by=created_by,
            lineage=lineage or {},
            frame_count=frame_count,
            fps_num=fps[0] if fps else locked.project.fps_num,
            fps_den=fps[1] if fps else locked.project.fps_den,
            width=size[0] if size else None,
            height=size[1] if size else None,
            note=note,
        )
        if original is not None:
            version.original.save(original_name, original, save=False)
        version.save(force_insert=True)
        audit.record(
            organization=locked.project.organization,
            actor=created_by,
            action="version.created",
            target=version,
            data={"shot": locked.code, "number": number, "source": source},
        )
        publish(
            type="version.created",
            project_id=locked.project_id,
            data={"id": str(version.id), "shot": str(locked.id), "shot_code": locked.code, "number": number, "source": source},
        )
    return version
