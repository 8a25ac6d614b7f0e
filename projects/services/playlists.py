"""Playlists: ordered versions for a review session (internal or shown to the client)."""

from __future__ import annotations

from django.db import transaction
from rest_framework.exceptions import ValidationError

from projects import access as perms
from projects.models import Playlist, PlaylistItem, Project, Version
from projects.services._common import _is_uuid, _text
from studio.audit import services as audit
from studio.realtime.publish import publish
from studio.tenancy.models import User

MAX_PLAYLIST_ITEMS = 500


def _playlist_versions(project: Project, version_ids) -> list[Version]:
    if not isinstance(version_ids, (list, tuple)):
        raise ValidationError({"versions": ["Give a list of version ids in playing order."]})
    ids = [str(v) for v in version_ids]
    if len(ids) > MAX_PLAYLIST_ITEMS:
        raise ValidationError({"versions": [f"A playlist holds at most {MAX_PLAYLIST_ITEMS} versions."]})
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ValidationError({"versions": [f"Each version may appear once; repeated: {', '.join(duplicates[:10])}."]})
    valid = [i for i in ids if _is_uuid(i)]
    found = {str(v.pk): v for v in Version.objects.filter(project=project, pk__in=valid)}
    missing = [i for i in ids if i not in found]
    if missing:
        raise ValidationError({"versions": [f"Not versions of this project: {', '.join(missing[:10])}."]})
    return [found[i] for i in ids]


def _set_items(playlist: Playlist, versions: list[Version]) -> None:
    playlist.items.all().delete()
    PlaylistItem.objects.bulk_create([PlaylistItem(playlist=playlist, version=v, order=i) for i, v in enumerate(versions)])


def _playlist_event(playlist: Playlist, change: str) -> None:
    publish(
        type="playlist.updated",
        project_id=playlist.project_id,
        data={"id": str(playlist.id), "name": playlist.name, "change": change},
        audience="internal" if playlist.audience == Playlist.Audience.INTERNAL else "all",
    )


def _playlist_values(changes: dict) -> dict:
    values = {}
    if "name" in changes:
        values["name"] = _text(changes["name"], field="name", max_length=200, required=True)
    if "description" in changes:
        values["description"] = _text(changes["description"], field="description", max_length=10_000)
    if "audience" in changes:
        if changes["audience"] not in Playlist.Audience.values:
            raise ValidationError({"audience": [f"Use one of: {', '.join(Playlist.Audience.values)}."]})
        values["audience"] = changes["audience"]
    return values


def create_playlist(
    *, actor: User, project: Project, name: str, description: str = "", audience: str = "internal", versions=()
) -> Playlist:
    perms.require_project_role(user=actor, project=project, roles=perms.EDIT_PLAYLISTS, action="build playlists")
    values = _playlist_values({"name": name, "description": description, "audience": audience})
    items = _playlist_versions(project, list(versions or []))
    with transaction.atomic():
        playlist = Playlist.objects.create(project=project, created_by=actor, **values)
        _set_items(playlist, items)
        audit.record(
            organization=project.organization,
            actor=actor,
            action="playlist.created",
            target=playlist,
            data={"name": playlist.name, "audience": playlist.audience, "versions": len(items)},
        )
        _playlist_event(playlist, "created")
    return playlist


def update_playlist(*, actor: User, playlist: Playlist, **changes) -> Playlist:
    project = playlist.project
    perms.require_project_role(user=actor, project=project, roles=perms.EDIT_PLAYLISTS, action="edit playlists")
    unknown = set(changes) - {"name", "description", "audience", "versions"}
    if unknown:
        raise ValidationError({name: ["Unknown field."] for name in sorted(unknown)})
    values = _playlist_values(changes)
    items = _playlist_versions(project, changes["versions"]) if "versions" in changes else None
    with transaction.atomic():
        playlist = Playlist.objects.select_for_update(no_key=True).get(pk=playlist.pk)
        for key, value in values.items():
            setattr(playlist, key, value)
        playlist.save()
        if items is not None:
            _set_items(playlist, items)
        audit.record(
            organization=project.organization, actor=actor, action="playlist.updated", target=playlist, data={"fields": sorted(changes)}
        )
        _playlist_event(playlist, "updated")
    return playlist


def delete_playlist(*, actor: User, playlist: Playlist) -> None:
    project = playlist.project
    perms.require_project_role(user=actor, project=project, roles=perms.EDIT_PLAYLISTS, action="delete playlists")
    with transaction.atomic():
        audit.record(
            organization=project.organization, actor=actor, action="playlist.deleted", target=playlist, data={"name": playlist.name}
        )
        _playlist_event(playlist, "deleted")
        playlist.delete()
