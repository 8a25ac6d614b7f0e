"""Pre-vis: a sequence's storyboard, its panels, their comments and the board's animatic.

Imported by `projects/models.py` (the models belong to the `projects` app). A storyboard is one per
sequence; its panels are an ordered row (`order` 0, 1, 2 …; the panel's number is its position + 1).
A panel's still comes from an upload now, and later from a generated still take: `still_source`
says which, and `still_take_id` holds the take's id as a plain UUID (projects never imports
`generation`, so there is no foreign key to its tables). Frames, not seconds: a panel lasts
`duration_frames` frames at the project's rate.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

MAX_PANEL_FRAMES = 24 * 60 * 10  # ten minutes at 24 fps: longer is not a storyboard panel
MAX_PANELS = 500


def panel_still_upload_to(instance: Panel, filename: str) -> str:
    return f"storyboards/{instance.project_id}/{instance.storyboard_id}/panels/{instance.id}/{filename}"


def animatic_upload_to(instance: Animatic, filename: str) -> str:
    return f"storyboards/{instance.storyboard.project_id}/{instance.storyboard_id}/animatics/{instance.key[:16]}/{filename}"


class Storyboard(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="storyboards")
    sequence = models.OneToOneField("projects.Sequence", on_delete=models.CASCADE, related_name="storyboard")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"storyboard of {self.sequence_id}"


class Panel(models.Model):
    class StillSource(models.TextChoices):
        NONE = "", "No still"
        UPLOAD = "upload", "Uploaded drawing or photo"
        TAKE = "take", "Generated still take"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="panels")
    storyboard = models.ForeignKey(Storyboard, on_delete=models.CASCADE, related_name="panels")
    order = models.IntegerField(default=0)
    prompt = models.TextField(blank=True)
    duration_frames = models.PositiveIntegerField(default=24)
    camera_notes = models.TextField(blank=True)
    action_notes = models.TextField(blank=True)
    still = models.FileField(upload_to=panel_still_upload_to, max_length=500, blank=True)
    still_source = models.CharField(max_length=8, choices=StillSource.choices, default=StillSource.NONE, blank=True)
    still_take_id = models.UUIDField(null=True, blank=True, help_text="The still take (generation) when the source is a take.")
    still_content_type = models.CharField(max_length=32, blank=True)
    still_width = models.PositiveIntegerField(null=True, blank=True)
    still_height = models.PositiveIntegerField(null=True, blank=True)
    still_sha256 = models.CharField(max_length=64, blank=True)
    shot = models.ForeignKey("projects.Shot", null=True, blank=True, on_delete=models.SET_NULL, related_name="panels")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["order", "created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(duration_frames__gte=1, duration_frames__lte=MAX_PANEL_FRAMES), name="panel_duration_bounded"
            ),
            models.UniqueConstraint(fields=["shot"], condition=models.Q(shot__isnull=False), name="panel_one_per_shot"),
        ]

    def __str__(self) -> str:
        return f"panel {self.order + 1} of {self.storyboard_id}"


class PanelComment(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    panel = models.ForeignKey(Panel, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"note on {self.panel_id}"


class Animatic(models.Model):
    """The board played as a clip, built on the media queue for one content `key` (a hash of
    everything that shows: rate, size, and each panel's number, duration, notes, prompt and still).
    Reused while the board's key is the same; a changed board has a new key and a new row."""

    class Status(models.TextChoices):
        BUILDING = "building", "Being built"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    storyboard = models.ForeignKey(Storyboard, on_delete=models.CASCADE, related_name="animatics")
    key = models.CharField(max_length=64)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.BUILDING)
    file = models.FileField(upload_to=animatic_upload_to, max_length=500, blank=True)
    frame_count = models.PositiveIntegerField(null=True, blank=True)
    fps_num = models.PositiveIntegerField(default=24)
    fps_den = models.PositiveIntegerField(default=1)
    plan = models.JSONField(default=list, blank=True, help_text="The panels as built: id, number, frames, start.")
    failure_reason = models.TextField(blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    ready_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["storyboard", "key"], name="animatic_one_per_board_content")]

    def __str__(self) -> str:
        return f"animatic {self.key[:12]} of {self.storyboard_id}"
