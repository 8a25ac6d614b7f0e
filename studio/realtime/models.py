"""The durable event log: every durable event of a stream, numbered 1, 2, 3 … per stream.

A stream is identified by a UUID, `stream_id`; the core knows nothing else about it. In Greenlight
a stream is a project and its stream id is the project's id (the envelope's `project`). There is no
foreign key into the domain: the app that owns a stream deletes its events when the stream's owner
goes (`studio.realtime.services.delete_stream`, called by `projects` when a project is deleted), and
the hourly retention job (`prune_events`) drops old events of every stream.

`Event.seq` is the id clients see (`envelope.id`, `?since=`). It is taken from `EventCounter` with a
row lock held until the publishing transaction ends, so per stream the numbers are gap-free and
committed in increasing order: when event N+1 is visible, event N is too. The stream relies on that
to replay exactly and to fill any gap in live delivery from the database.
"""

from __future__ import annotations

from django.db import models


class Audience(models.TextChoices):
    ALL = "all", "Everyone on the project"
    INTERNAL = "internal", "The studio's own people (not client reviewers)"


class EventCounter(models.Model):
    """The last event number handed out for a stream (one row per stream that ever published)."""

    stream_id = models.UUIDField(primary_key=True, help_text="The stream (in Greenlight: the project's id).")
    last_seq = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.stream_id}: {self.last_seq}"


class Event(models.Model):
    id = models.BigAutoField(primary_key=True)
    # Indexed by the unique (stream_id, seq) constraint, whose index also serves every per-stream read.
    stream_id = models.UUIDField(help_text="The stream (in Greenlight: the project's id; the envelope's `project`).")
    seq = models.BigIntegerField(help_text="Per-stream event number; the `id` of the envelope.")
    type = models.CharField(max_length=64)
    job_id = models.UUIDField(null=True, blank=True)
    audience = models.CharField(max_length=16, choices=Audience.choices, default=Audience.ALL)
    data = models.JSONField(default=dict)
    at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["stream_id", "seq"], name="realtime_event_seq_unique_per_stream")]
        indexes = [models.Index(fields=["at"], name="realtime_event_at_idx")]
        ordering = ["stream_id", "seq"]

    def __str__(self) -> str:
        return f"{self.stream_id}#{self.seq} {self.type}"

    def envelope(self) -> dict:
        envelope = {
            "id": self.seq,
            "type": self.type,
            "project": str(self.stream_id),
            "at": self.at.isoformat(),
            "data": self.data,
        }
        if self.job_id is not None:
            envelope["job"] = str(self.job_id)
        return envelope
