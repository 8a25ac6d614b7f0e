"""Conditional reads of the views a browser polls or revisits (shot list, sequences, a shot, a shot's
versions, a version's notes): ETag + 304 Not Modified (studio.http.conditional).

The validator is exact without reading the rows: everything these views show belongs to one project,
and every change to a project's rows is a service call that publishes a durable event, which bumps
the project's event counter in the same transaction (`studio.realtime.selectors.stream_position`).
What differs between callers is in it too: the caller (id), their role on the project and how they
reach it (client reviewers see less), and all their memberships (an agency member's allowed actions
on a version). So the ETag of a response is a digest of:

    representation version · project id · project change counter · user id · role · via ·
    the caller's memberships · the request's path and query

Computed before the rows are read (a change committing meanwhile makes the next request a 200, never a
stale 304). Not covered: a person's display name or email changing elsewhere (assignee and author
names) until the project's next change. No Last-Modified: it has one-second resolution and would not
change when the caller's role does; ETags carry both.
"""

from __future__ import annotations

from collections.abc import Callable

from projects.access import ProjectAccess
from projects.models import Project
from studio.http.conditional import not_modified, stamp, weak_etag
from studio.http.schema import ConditionalGetSchema
from studio.realtime.selectors import stream_position
from studio.tenancy.models import Membership

# Bump when the JSON of these views changes shape, so browsers drop what they kept.
REPRESENTATION = 1


def project_etag(request, *, project: Project, access: ProjectAccess, position: int) -> str:
    user = request.user
    memberships = sorted(Membership.objects.filter(user=user).values_list("organization_id", "role"))
    return weak_etag(REPRESENTATION, project.pk, position, user.pk, access.role, access.via, memberships, request.get_full_path())


class ConditionalReads:
    """For views of a project's rows: `self.conditional(project=, access=, render=)` answers 304 when
    the caller already holds the current representation, else renders and stamps it. The project's
    change counter as read before rendering is `self.change_position` (for caches keyed on it)."""

    change_position: int | None = None
    schema = ConditionalGetSchema()  # documents If-None-Match, ETag and 304 on the list and retrieve reads

    def conditional(self, *, project: Project, access: ProjectAccess, render: Callable):
        self.change_position = stream_position(stream_id=project.pk)
        etag = project_etag(self.request, project=project, access=access, position=self.change_position)
        answer = not_modified(self.request, etag)
        if answer is not None:
            return answer
        response = render()
        if response.status_code == 200:
            stamp(response, etag)
        return response
