"""Reads for the realtime layer: who may watch what, and the durable event log."""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass

from django.db.models import Max, Min

from projects.models import Playlist, PlaylistItem, Project, ProjectMember, Version
from studio.realtime import store
from studio.realtime.models import Audience, Event
from studio.realtime.publish import PROGRESS_KEEP_SECONDS, encode, progress_index_key, progress_key
from studio.tenancy.models import ORG_WIDE_ROLES, ApiToken, Membership, Role
from studio.tenancy.selectors import scope_queryset
from studio.tenancy.services import hash_token_key

CLIENT_ROLES = frozenset({Role.REVIEWER})


@dataclass(frozen=True)
class ProjectAccess:
    project_id: uuid.UUID
    organization_id: uuid.UUID
    start_frame: int
    internal: bool  # an organization-wide member of the owning studio (sees internal-only events)

    def may_see(self, audience: str) -> bool:
        return audience != Audience.INTERNAL or self.internal


def parse_uuid(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        return None


def user_for_token(*, key: str):
    """The active user of an active API token, or None."""
    if not key:
        return None, None
    token = ApiToken.objects.select_related("user").filter(key_hash=hash_token_key(key), revoked_at__isnull=True).first()
    if token is None or not token.user.is_active:
        return None, None
    return token.user, token


def token_is_active(*, token_id) -> bool:
    return ApiToken.objects.filter(pk=token_id, revoked_at__isnull=True, user__is_active=True).exists()


def _is_internal(*, user, organization_id, project_id) -> bool:
    """Studio-internal: an organization-wide role in the owning studio, or a project role other than
    client reviewer (a freelance producer added to one project). Client reviewers are not."""
    if Membership.objects.filter(user=user, organization_id=organization_id, role__in=list(ORG_WIDE_ROLES)).exists():
        return True
    return ProjectMember.objects.filter(user=user, project_id=project_id).exclude(role__in=list(CLIENT_ROLES)).exists()


def project_access(*, user, project_id) -> ProjectAccess | None:
    """What `user` may watch of the project; None when not at all (or no such project: same answer)."""
    pk = parse_uuid(project_id)
    if pk is None:
        return None
    visible = scope_queryset(Project.objects.filter(pk=pk), user=user, tenant_path="organization", project_path="pk")
    row = visible.values("id", "organization_id", "start_frame").first()
    if row is None:
        return None
    return ProjectAccess(
        project_id=row["id"],
        organization_id=row["organization_id"],
        start_frame=row["start_frame"],
        internal=_is_internal(user=user, organization_id=row["organization_id"], project_id=row["id"]),
    )


def playlist_access(*, user, playlist_id) -> tuple[Playlist, ProjectAccess] | None:
    """The playlist and the caller's access to its project; None when not visible (or no such playlist)."""
    pk = parse_uuid(playlist_id)
    if pk is None:
        return None
    playlist = (
        scope_queryset(Playlist.objects.filter(pk=pk), user=user, tenant_path="project__organization", project_path="project")
        .select_related("project")
        .first()
    )
    if playlist is None:
        return None
    project = playlist.project
    access = ProjectAccess(
        project_id=project.pk,
        organization_id=project.organization_id,
        start_frame=project.start_frame,
        internal=_is_internal(user=user, organization_id=project.organization_id, project_id=project.pk),
    )
    # Playlists kept for the studio (audience "internal") are invisible to client reviewers.
    if getattr(playlist, "audience", "client") == "internal" and not access.internal:
        return None
    return playlist, access


# ---------------------------------------------------------------- versions in rooms and presence

@dataclass(frozen=True)
class VersionFrames:
    id: uuid.UUID
    first_frame: int
    last_frame: int | None  # None while the frame count is not known yet
    fps_num: int
    fps_den: int


def _frames(version: Version, start_frame: int) -> VersionFrames:
    first = getattr(version, "first_frame", None)
    first = start_frame if first is None else first
    last = first + version.frame_count - 1 if version.frame_count else None
    return VersionFrames(
        id=version.pk, first_frame=first, last_frame=last,
        fps_num=version.fps_num or version.project.fps_num, fps_den=version.fps_den or version.project.fps_den,
    )


def version_in_project(*, project_id, version_id) -> VersionFrames | None:
    pk = parse_uuid(version_id)
    if pk is None:
        return None
    version = Version.objects.select_related("project").filter(pk=pk, project_id=project_id).first()
    return _frames(version, version.project.start_frame) if version else None


def version_in_playlist(*, playlist_id, version_id) -> VersionFrames | None:
    pk = parse_uuid(version_id)
    if pk is None:
        return None
    item = PlaylistItem.objects.select_related("version__project").filter(playlist_id=playlist_id, version_id=pk).first()
    return _frames(item.version, item.version.project.start_frame) if item else None


def first_version_of_playlist(*, playlist_id) -> VersionFrames | None:
    item = PlaylistItem.objects.select_related("version__project").filter(playlist_id=playlist_id).order_by("order").first()
    return _frames(item.version, item.version.project.start_frame) if item else None


# ---------------------------------------------------------------- the durable log

def last_event_id(*, project_id) -> int:
    return Event.objects.filter(project_id=project_id).aggregate(m=Max("seq"))["m"] or 0


def oldest_event_id(*, project_id) -> int | None:
    return Event.objects.filter(project_id=project_id).aggregate(m=Min("seq"))["m"]


def events_between(*, project_id, after: int, up_to: int | None = None, limit: int = 500) -> list[tuple[int, str, str]]:
    """(id, audience, encoded envelope) of events with after < id <= up_to, oldest first.

    Every audience is returned: the caller filters, and still advances past events it may not see.
    """
    qs = Event.objects.filter(project_id=project_id, seq__gt=after)
    if up_to is not None:
        qs = qs.filter(seq__lte=up_to)
    return [(e.seq, e.audience, encode(e.envelope())) for e in qs.order_by("seq")[:limit]]


# ---------------------------------------------------------------- ephemeral progress

def latest_progress(*, project_id, job_id=None) -> list[dict]:
    """The latest `job.progress` envelope of each recent job of the project (or of one job)."""
    client = store.sync_client()
    if job_id is not None:
        raw = client.get(progress_key(project_id, job_id))
        return [json.loads(raw)] if raw else []
    jobs = client.zrangebyscore(progress_index_key(project_id), time.time() - PROGRESS_KEEP_SECONDS, "+inf")
    if not jobs:
        return []
    raws = client.mget([progress_key(project_id, j.decode()) for j in jobs])
    return [json.loads(r) for r in raws if r]


async def latest_progress_texts(*, project_id) -> list[str]:
    """Async variant for consumers: the encoded envelopes, ready to send."""
    client = store.async_client()
    jobs = await client.zrangebyscore(progress_index_key(project_id), time.time() - PROGRESS_KEEP_SECONDS, "+inf")
    if not jobs:
        return []
    raws = await client.mget([progress_key(project_id, j.decode()) for j in jobs])
    return [r.decode() for r in raws if r]
