"""A project's stream: the resolver the realtime core asks (registered by `ProjectsConfig.ready`).

A project's stream id is the project's id. Who may watch it, and who among the watchers is the
studio's own (and so also receives `audience="internal"` events), is `projects.access`'s decision.

A client reviewer's socket also gets a per-event rule (`ClientEvents`, the core's `EventFilter`):
what a client sees (docs/RIGHTS.md) holds for events too, so they receive events only about the
versions submitted to them and the shots holding those, with other lanes' decision notes blanked.
A submitted version that gets withheld (quarantined, held by the likeness scan) is announced to them
as `version.updated` with change `withdrawn` and nothing else (no reason), so their page drops it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from projects.access import access_for
from projects.models import Project
from projects.realtime.selectors import version_in_project
from studio.realtime.access import StreamAccess

# Events about one version ("id" or "version" names it) reach a client only when it was submitted to them.
_BY_VERSION_ID = frozenset({"version.updated"})
_BY_VERSION = frozenset({"comment.created", "comment.updated", "approval.decided", "presence.changed"})
# Events that concern nothing a client could not see (their audience already leaves internal ones out).
_PASS = frozenset({"project.updated", "playlist.updated", "submission.changed"})
_SHOT_CHANGES = frozenset({"created", "updated", "deleted", "status", "approval"})


@dataclass(frozen=True)
class ClientEvents:
    """The events a client reviewer's socket receives (unknown types: none, failing closed)."""

    versions: frozenset[str]
    shots: frozenset[str]
    # Submitted to them but withheld now (quarantined, held): they learn only that it is gone.
    withdrawn: frozenset[str] = frozenset()
    # A submission changes what they see; a version's update may be its quarantine or a held scan.
    refresh_types: frozenset[str] = frozenset({"submission.changed", "version.updated"})

    def __call__(self, event_type: str, data: Any) -> Any | None:
        if not isinstance(data, dict):
            return None
        if event_type in _PASS:
            return data
        if event_type in _BY_VERSION_ID:
            version = str(data.get("id"))
            if version in self.withdrawn:
                return {"id": version, "change": "withdrawn"}
            if version not in self.versions:
                return None
            return {**data, "quarantine_reason": ""} if data.get("quarantine_reason") else data  # the studio's to read
        if event_type in _BY_VERSION:
            if str(data.get("version")) not in self.versions:
                return None
            if event_type == "approval.decided" and data.get("lane") != "client" and data.get("note"):
                return {**data, "note": ""}  # other lanes' reasons are the studio's (or the agency's)
            return data
        if event_type == "shot.updated":
            return self._shot(data)
        return None

    def _shot(self, data: dict) -> dict | None:
        if data.get("change") not in _SHOT_CHANGES:
            return data  # sequences, reordering, imports: no version in them
        if str(data.get("id")) not in self.shots:
            return None
        hidden = [key for key in ("current_version", "version") if key in data and str(data[key]) not in self.versions]
        return {k: v for k, v in data.items() if k not in hidden} if hidden else data


def client_events(project: Project) -> ClientEvents:
    """The rule for a client reviewer of `project`, as the database holds it now (two queries)."""
    from projects.client_view import client_versions
    from projects.models import Submission

    rows = client_versions().filter(project=project).values_list("pk", "shot_id")
    versions = frozenset(str(v) for v, _ in rows)
    submitted = Submission.objects.filter(project=project, withdrawn_at__isnull=True).values_list("version_id", flat=True)
    return ClientEvents(versions=versions, shots=frozenset(str(s) for _, s in rows),
                        withdrawn=frozenset(str(v) for v in submitted) - versions)


class ProjectStreams:
    """`studio.realtime.access.StreamResolver` for project streams."""

    def access(self, *, user, stream_id: uuid.UUID) -> StreamAccess | None:
        project = Project.objects.filter(pk=stream_id).only("id", "organization_id").first()
        if project is None:
            return None
        access = access_for(user=user, project=project)
        if access is None:
            return None
        events = client_events(project) if access.is_client else None
        return StreamAccess(stream_id=project.pk, internal=access.internal, events=events)

    def version_in_stream(self, *, stream_id: uuid.UUID, version_id: uuid.UUID) -> uuid.UUID | None:
        frames = version_in_project(project_id=stream_id, version_id=version_id)
        return frames.id if frames else None


