"""A storyboard's animatic: requested by the studio, built on the `media` queue, cached by content.

The cache key is the SHA-256 of everything the clip shows (the project's rate and size, and each
panel's number, duration, prompt, notes and still's hash): while the board is unchanged a request
reuses the animatic of that key; any change makes a new key, so the next request builds again.
The plan (what is drawn) is stored with the row at request time, so the worker draws exactly what
the key stands for. When a newer animatic of the board is ready, the older ones and their files go.
"""

from __future__ import annotations

import hashlib
import json
import logging
from fractions import Fraction
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from rest_framework.exceptions import ValidationError

from projects import access as perms
from projects import animatic as drawing
from projects.media import MediaError, temporary_directory
from projects.models import Animatic, Sequence, Storyboard
from projects.services.storyboards import locked_board, publish_board
from studio import storage
from studio.audit import services as audit
from studio.queues import send_media
from studio.tenancy.models import User

log = logging.getLogger(__name__)


def board_plan(board: Storyboard) -> list[dict]:
    """The panels as the animatic shows them, in order, with their start frame in the clip."""
    project = board.project
    fps = Fraction(project.fps_num, project.fps_den)
    plan, start = [], 0
    for number, panel in enumerate(board.panels.all(), start=1):
        plan.append({
            "panel": str(panel.id), "number": number, "frames": panel.duration_frames, "start": start,
            "prompt": panel.prompt, "camera": panel.camera_notes, "action": panel.action_notes,
            "still": panel.still.name if panel.still else "", "still_sha256": panel.still_sha256 if panel.still else "",
            "caption": drawing.caption_for(number=number, frames=panel.duration_frames, fps=fps,
                                           camera=panel.camera_notes, action=panel.action_notes),
        })
        start += panel.duration_frames
    return plan


def content_key(board: Storyboard, plan: list[dict]) -> str:
    project = board.project
    shown = {
        "fps": [project.fps_num, project.fps_den], "size": [project.width, project.height], "drawing": 1,
        "panels": [{k: p[k] for k in ("number", "frames", "prompt", "camera", "action", "still_sha256")} for p in plan],
    }
    return hashlib.sha256(json.dumps(shown, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def current_animatic(sequence: Sequence) -> tuple[str | None, Animatic | None, Animatic | None]:
    """(the board's key now, the animatic of that key if any, the latest ready one of any key)."""
    board = Storyboard.objects.filter(sequence=sequence).select_related("project").first()
    if board is None:
        return None, None, None
    key = content_key(board, board_plan(board))
    current = board.animatics.filter(key=key).first()
    latest = board.animatics.filter(status=Animatic.Status.READY).order_by("-ready_at").first()
    return key, current, latest


def request_animatic(*, actor: User, sequence: Sequence) -> tuple[Animatic, bool]:
    """The animatic of the board as it is now: (animatic, queued). Reuses a built or building one
    of the same content; a failed one is tried again."""
    perms.require_board_access(user=actor, project=sequence.project)
    with transaction.atomic():
        board = locked_board(sequence)
        plan = board_plan(board)
        if not plan:
            raise ValidationError({"panels": ["The storyboard has no panels; add a panel before playing the animatic."]})
        key = content_key(board, plan)
        animatic = board.animatics.filter(key=key).first()
        if animatic is not None and animatic.status != Animatic.Status.FAILED:
            return animatic, False
        project = board.project
        if animatic is None:
            animatic = Animatic.objects.create(storyboard=board, key=key, plan=plan, fps_num=project.fps_num,
                                               fps_den=project.fps_den, requested_by=actor)
        else:
            animatic.status, animatic.failure_reason, animatic.plan = Animatic.Status.BUILDING, "", plan
            animatic.save(update_fields=["status", "failure_reason", "plan"])
        audit.record(organization=project.organization, actor=actor, action="animatic.requested", target=animatic,
                     data={"sequence": str(sequence.pk), "key": key, "panels": len(plan)})
        publish_board(board, "animatic_building", animatic=str(animatic.id))
        animatic_id = animatic.id
        transaction.on_commit(lambda: _send(animatic_id))
    return animatic, True


def _send(animatic_id) -> None:
    from projects.tasks import build_storyboard_animatic

    send_media(build_storyboard_animatic, str(animatic_id))


def build_animatic(*, animatic_id) -> Animatic | None:
    """The worker's side (idempotent): draw the stored plan, store the clip, mark it ready."""
    animatic = Animatic.objects.select_related("storyboard__project").filter(pk=animatic_id).first()
    if animatic is None or animatic.status == Animatic.Status.READY:
        return animatic
    project = animatic.storyboard.project
    fps = Fraction(animatic.fps_num, animatic.fps_den)
    size = drawing.frame_size(project.width, project.height)
    try:
        with temporary_directory() as tmp:
            workdir = Path(tmp)
            segments = []
            for item in animatic.plan:
                still = _local_still(item, workdir)
                segments.append(drawing.PanelSegment(number=item["number"], frames=item["frames"], still=still,
                                                     caption=item["caption"], slate=item["prompt"]))
            out = workdir / "animatic.mp4"
            drawing.build_animatic(segments, out, fps=fps, size=size, workdir=workdir)
            name = storage.save_file(out, Animatic._meta.get_field("file").generate_filename(animatic, "animatic.mp4"))
    except (MediaError, OSError) as exc:
        return _mark_failed(animatic, str(exc))
    return _mark_ready(animatic, name)


def _local_still(item: dict, workdir: Path) -> Path | None:
    if not item["still"] or not storage.exists(item["still"]):
        return None
    target = workdir / f"still-{item['number']:04d}{Path(item['still']).suffix}"
    with storage.local_copy(item["still"]) as path:
        target.write_bytes(path.read_bytes())
    return target


def _mark_ready(animatic: Animatic, name: str) -> Animatic:
    file_storage = Animatic._meta.get_field("file").storage
    with transaction.atomic():
        row = Animatic.objects.select_for_update(of=("self",), no_key=True).select_related("storyboard").filter(pk=animatic.pk).first()
        if row is None or row.status == Animatic.Status.READY:
            transaction.on_commit(lambda: file_storage.delete(name))
            return row
        row.status, row.file, row.ready_at, row.failure_reason = Animatic.Status.READY, name, timezone.now(), ""
        row.frame_count = sum(item["frames"] for item in row.plan)
        row.save()
        older = list(row.storyboard.animatics.exclude(pk=row.pk).filter(created_at__lte=row.created_at))
        names = [a.file.name for a in older if a.file]
        Animatic.objects.filter(pk__in=[a.pk for a in older]).delete()
        publish_board(row.storyboard, "animatic_ready", animatic=str(row.id))
        transaction.on_commit(lambda: [file_storage.delete(n) for n in names])
    return row


def _mark_failed(animatic: Animatic, reason: str) -> Animatic:
    log.warning("animatic %s failed: %s", animatic.pk, reason)
    with transaction.atomic():
        row = Animatic.objects.select_for_update(of=("self",), no_key=True).select_related("storyboard").get(pk=animatic.pk)
        row.status, row.failure_reason = Animatic.Status.FAILED, reason[:2000]
        row.save(update_fields=["status", "failure_reason"])
        publish_board(row.storyboard, "animatic_failed", animatic=str(row.id))
    return row
