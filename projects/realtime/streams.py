"""A project's stream: the resolver the realtime core asks (registered by `ProjectsConfig.ready`).

A project's stream id is the project's id. Who may watch it, and who among the watchers is the
studio's own (and so also receives `audience="internal"` events), is `projects.access`'s decision.
"""

from __future__ import annotations

import uuid

from projects.access import access_for
from projects.models import Project
from projects.realtime.selectors import version_in_project
from studio.realtime.access import StreamAccess


class ProjectStreams:
    """`studio.realtime.access.StreamResolver` for project streams."""

    def access(self, *, user, stream_id: uuid.UUID) -> StreamAccess | None:
        project = Project.objects.filter(pk=stream_id).only("id", "organization_id").first()
        if project is None:
            return None
        access = access_for(user=user, project=project)
        if access is None:
            return None
        return StreamAccess(stream_id=project.pk, internal=access.internal)

    def version_in_stream(self, *, stream_id: uuid.UUID, version_id: uuid.UUID) -> uuid.UUID | None:
        frames = version_in_project(project_id=stream_id, version_id=version_id)
        return frames.id if frames else None
