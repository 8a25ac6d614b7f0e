"""Storyboards: the board with its panels, a panel, panel notes, the animatic and "Make shots".

Output shapes are built from plain dicts (`board_data`, `panel_data`, `animatic_data`) so the board
is read in a fixed number of queries; the serializers document them for the schema and the browser.
"""

from __future__ import annotations

from django.urls import reverse
from rest_framework import serializers

from projects.api.serializers.common import user_brief
from projects.models import Animatic, Panel, Sequence, Storyboard
from studio.http.uploads import UploadField


class PersonBriefSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    email = serializers.EmailField()
    display_name = serializers.CharField()


class PanelShotSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    code = serializers.CharField()
    frame_in = serializers.IntegerField(allow_null=True)
    frame_out = serializers.IntegerField(allow_null=True)


class PanelSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    sequence = serializers.UUIDField()
    number = serializers.IntegerField(help_text="The panel's position on the board, from 1.")
    start = serializers.IntegerField(help_text="The panel's first frame in the animatic, from 0.")
    prompt = serializers.CharField(allow_blank=True)
    duration_frames = serializers.IntegerField()
    camera_notes = serializers.CharField(allow_blank=True)
    action_notes = serializers.CharField(allow_blank=True)
    still = serializers.CharField(allow_null=True, help_text="URL of the still (image), or null.")
    still_source = serializers.ChoiceField(choices=Panel.StillSource.choices, allow_blank=True)
    still_take = serializers.UUIDField(allow_null=True)
    still_width = serializers.IntegerField(allow_null=True)
    still_height = serializers.IntegerField(allow_null=True)
    shot = PanelShotSerializer(allow_null=True)
    comment_count = serializers.IntegerField()
    created_by = PersonBriefSerializer(allow_null=True)
    updated_by = PersonBriefSerializer(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class AnimaticSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    status = serializers.ChoiceField(choices=Animatic.Status.choices)
    key = serializers.CharField()
    current = serializers.BooleanField(help_text="Built from the board as it is now (false: the board changed since).")
    frame_count = serializers.IntegerField(allow_null=True)
    fps = serializers.CharField(help_text="The rate it plays at, e.g. 24000/1001.")
    media = serializers.CharField(allow_null=True, help_text="URL of the MP4 when ready.")
    otio = serializers.CharField(allow_null=True, help_text="URL of the OTIO timeline when ready.")
    failure_reason = serializers.CharField(allow_blank=True)
    panels = serializers.ListField(child=serializers.DictField(), help_text="The panels as built: panel, number, frames, start.")


class AnimaticStateSerializer(serializers.Serializer):
    key = serializers.CharField(allow_null=True, help_text="The board's content key now; null for an empty board.")
    animatic = AnimaticSerializer(allow_null=True, help_text="The animatic of the board as it is now, when requested.")
    latest = AnimaticSerializer(allow_null=True, help_text="The latest ready animatic (possibly of an older board).")


class StoryboardSerializer(serializers.Serializer):
    id = serializers.UUIDField(allow_null=True, help_text="Null until the first panel is added.")
    sequence = serializers.DictField(help_text="id, code, name")
    project = serializers.DictField(help_text="id, code, fps (e.g. 24000/1001), fps_num, fps_den, start_frame, width, height")
    panels = PanelSerializer(many=True)
    total_frames = serializers.IntegerField()
    can_edit = serializers.BooleanField()
    can_make_shots = serializers.BooleanField()


class PanelWriteSerializer(serializers.Serializer):
    prompt = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    duration_frames = serializers.IntegerField(required=False, help_text="1 to 14,400 frames.")
    camera_notes = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    action_notes = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)


class PanelCreateSerializer(PanelWriteSerializer):
    position = serializers.IntegerField(required=False, help_text="Where to insert (0 = first); the end by default.")


class PanelReorderSerializer(serializers.Serializer):
    panels = serializers.ListField(child=serializers.CharField(max_length=64), max_length=1000,
                                   help_text="Every panel id of the board, exactly once, in the new order.")


class PanelStillUploadSerializer(serializers.Serializer):
    file = UploadField(what="a PNG, JPEG or WebP image")


class PanelCommentSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    panel = serializers.UUIDField()
    author = PersonBriefSerializer(allow_null=True)
    body = serializers.CharField()
    created_at = serializers.DateTimeField()


class PanelCommentCreateSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=10_000, trim_whitespace=False)


class ShotPlanRowSerializer(serializers.Serializer):
    panel = serializers.UUIDField()
    number = serializers.IntegerField()
    frames = serializers.IntegerField()
    action = serializers.ChoiceField(choices=["create", "update", "keep"])
    shot = serializers.UUIDField(allow_null=True)
    code = serializers.CharField()
    frame_in = serializers.IntegerField()
    frame_out = serializers.IntegerField()
    before = serializers.DictField(allow_null=True, help_text="The linked shot's frame_in and frame_out now.")


class ShotPlanSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Send it back to apply exactly this plan.")
    sequence = serializers.UUIDField()
    start_frame = serializers.IntegerField()
    panels = ShotPlanRowSerializer(many=True)
    create = serializers.IntegerField()
    update = serializers.IntegerField()


class MakeShotsSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=128, help_text="The token of the preview you confirmed.")


class MakeShotsResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    plan = ShotPlanSerializer()


def _person(user) -> dict | None:
    return user_brief(user) if user is not None else None


def panel_data(panel: Panel, *, number: int, start: int, sequence_id, comment_count: int = 0) -> dict:
    shot = panel.shot
    return {
        "id": str(panel.id), "sequence": str(sequence_id), "number": number, "start": start, "prompt": panel.prompt,
        "duration_frames": panel.duration_frames, "camera_notes": panel.camera_notes, "action_notes": panel.action_notes,
        "still": still_url(panel) if panel.still else None, "still_source": panel.still_source,
        "still_take": str(panel.still_take_id) if panel.still_take_id else None,
        "still_width": panel.still_width, "still_height": panel.still_height,
        "shot": {"id": str(shot.id), "code": shot.code, "frame_in": shot.frame_in, "frame_out": shot.frame_out} if shot else None,
        "comment_count": comment_count, "created_by": _person(panel.created_by), "updated_by": _person(panel.updated_by),
        "created_at": panel.created_at, "updated_at": panel.updated_at,
    }


def still_url(panel: Panel) -> str:
    version = (panel.still_sha256 or "")[:12]
    return reverse("panel-still", kwargs={"pk": panel.pk}) + (f"?v={version}" if version else "")


def board_data(sequence: Sequence, board: Storyboard | None, *, can_edit: bool, can_make_shots: bool) -> dict:
    from django.db.models import Count

    project = sequence.project
    panels = []
    if board is not None:
        rows = (board.panels.select_related("shot", "created_by", "updated_by").annotate(notes=Count("comments"))
                .order_by("order", "created_at"))
        start = 0
        for number, panel in enumerate(rows, start=1):
            panels.append(panel_data(panel, number=number, start=start, sequence_id=sequence.pk, comment_count=panel.notes))
            start += panel.duration_frames
    return {
        "id": str(board.id) if board else None,
        "sequence": {"id": str(sequence.id), "code": sequence.code, "name": sequence.name},
        "project": {"id": str(project.id), "code": project.code, "fps": f"{project.fps_num}/{project.fps_den}", "fps_num": project.fps_num,
                    "fps_den": project.fps_den, "start_frame": project.start_frame, "width": project.width, "height": project.height},
        "panels": panels, "total_frames": sum(p["duration_frames"] for p in panels),
        "can_edit": can_edit, "can_make_shots": can_make_shots,
    }


def animatic_data(animatic: Animatic | None, *, key: str | None) -> dict | None:
    if animatic is None:
        return None
    ready = animatic.status == Animatic.Status.READY and bool(animatic.file)
    return {
        "id": str(animatic.id), "status": animatic.status, "key": animatic.key, "current": animatic.key == key,
        "frame_count": animatic.frame_count, "fps": f"{animatic.fps_num}/{animatic.fps_den}",
        "media": reverse("animatic-media", kwargs={"pk": animatic.pk}) if ready else None,
        "otio": reverse("animatic-otio", kwargs={"pk": animatic.pk}) if ready else None,
        "failure_reason": animatic.failure_reason,
        "panels": [{k: item[k] for k in ("panel", "number", "frames", "start")} for item in animatic.plan],
    }


def comment_data(comment) -> dict:
    return {"id": str(comment.id), "panel": str(comment.panel_id), "author": _person(comment.author), "body": comment.body,
            "created_at": comment.created_at}
