"""The durable event log: every durable event of a project, numbered 1, 2, 3 … per project.

`Event.seq` is the id clients see (`envelope.id`, `?since=`). It is taken from `EventCounter` with a
row lock held until the publishing transaction ends, so per project the numbers are gap-free and
committed in increasing order: when event N+1 is visible, event N is too. The stream relies on that
to replay exactly and to fill any gap in live delivery from the database.
"""

from __future__ import annotations

from django.db import models


class Audience(models.TextChoices):
    ALL = "all", "Everyone on the project"
    INTERNAL = "internal", "The studio's own people (not client reviewers)"


class EventCounter(models.Model):
    """The last event number handed out for a project (one row per project that ever published)."""

    project = models.OneToOneField("projects.Project", primary_key=True, on_delete=models.CASCADE, related_name="+")
    last_seq = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.project_id}: {self.last_seq}"


class Event(models.Model):
    id = models.BigAutoField(primary_key=True)
    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="+")
    seq = models.BigIntegerField(help_text="Per-project event number; the `id` of the envelope.")
    type = models.CharField(max_length=64)
    job_id = models.UUIDField(null=True, blank=True)
    audience = models.CharField(max_length=16, choices=Audience.choices, default=Audience.ALL)
    data = models.JSONField(default=dict)
    at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["project", "seq"], name="realtime_event_seq_unique_per_project")]
        indexes = [models.Index(fields=["at"], name="realtime_event_at_idx")]
        ordering = ["project", "seq"]

    def __str__(self) -> str:
        return f"{self.project_id}#{self.seq} {self.type}"

    def envelope(self) -> dict:
        envelope = {
            "id": self.seq,
            "type": self.type,
            "project": str(self.project_id),
            "at": self.at.isoformat(),
            "data": self.data,
        }
        if self.job_id is not None:
            envelope["job"] = str(self.job_id)
        return envelope
