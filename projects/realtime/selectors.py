"""Reads for the review room and presence: the playlist a caller may join, and versions with their frames."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from projects.access import ProjectAccess, access_for, client_visible_versions_q, playlist_visible_to
from projects.models import Playlist, PlaylistItem, Version
from studio.realtime.access import parse_uuid


def playlist_access(*, user, playlist_id) -> tuple[Playlist, ProjectAccess] | None:
    """The playlist and the caller's access to its project; None when not visible (or no such playlist)."""
    pk = parse_uuid(playlist_id)
    if pk is None:
        return None
    playlist = Playlist.objects.select_related("project").filter(pk=pk).first()
    if playlist is None:
        return None
    access = access_for(user=user, project=playlist.project)
    if access is None or not playlist_visible_to(access=access, playlist=playlist):
        return None
    return playlist, access


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


def version_in_playlist(*, playlist_id, version_id, other_versions: bool = False, client=None) -> VersionFrames | None:
    """A version the room may show: an item's version, or — with `other_versions`, for studio staff
    presenting — another version of an item's shot (the per-item version choice). A client reviewer
    presenting (`client`: the user) is held to the playlist's own versions that they may see (what
    was submitted to them)."""
    pk = parse_uuid(version_id)
    if pk is None:
        return None
    versions = Version.objects.select_related("project").filter(pk=pk)
    if client is not None:
        versions = versions.filter(client_visible_versions_q(user=client))
    version = versions.first()
    items = PlaylistItem.objects.filter(playlist_id=playlist_id)
    allowed = items.filter(version__shot_id=version.shot_id) if other_versions and version else items.filter(version_id=pk)
    if version is None or not allowed.exists():
        return None
    return _frames(version, version.project.start_frame)


def first_version_of_playlist(*, playlist_id) -> VersionFrames | None:
    item = PlaylistItem.objects.select_related("version__project").filter(playlist_id=playlist_id).order_by("order").first()
    return _frames(item.version, item.version.project.start_frame) if item else None


def client_may_see(*, user, version_id) -> bool:
    """Whether a client reviewer may see the version the room shows (projects.access, the one rule)."""
    pk = parse_uuid(version_id)
    return pk is not None and Version.objects.filter(pk=pk).filter(client_visible_versions_q(user=user)).exists()
