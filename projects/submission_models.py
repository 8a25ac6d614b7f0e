"""What the studio submitted to its client reviewers (kept beside `projects.models`, which is at its size limit).

Studio work stays internal until a producer or supervisor submits it: one `Submission` row per
version submitted to the project's client reviewers (a playlist's submission makes one row per item,
naming the playlist). Withdrawing sets `withdrawn_at`; a version has at most one active submission.
Client reviewers see a version only while it has an active submission and is not held, quarantined
or without review media (`projects.access.client_visible_versions_q`; docs/RIGHTS.md "What a client sees").
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class Submission(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="submissions")
    version = models.ForeignKey("projects.Version", on_delete=models.CASCADE, related_name="submissions")
    playlist = models.ForeignKey("projects.Playlist", null=True, blank=True, on_delete=models.SET_NULL, related_name="submissions",
                                 help_text="The playlist this version was submitted with, if any.")
    note = models.TextField(blank=True, help_text="A note for the client reviewers.")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    submitted_at = models.DateTimeField()
    withdrawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "projects"
        ordering = ["-submitted_at"]
        constraints = [
            models.UniqueConstraint(fields=["version"], condition=models.Q(withdrawn_at__isnull=True),
                                    name="submission_one_active_per_version"),
        ]
        indexes = [models.Index(fields=["project", "withdrawn_at"], name="submission_project_active_idx")]

    def __str__(self) -> str:
        return f"{self.version_id} to client at {self.submitted_at:%Y-%m-%d %H:%M}"

    @property
    def active(self) -> bool:
        return self.withdrawn_at is None
