"""A playlist's items: add shots (their current versions) by selection or by status, reorder, note,
choose which version of the shot an item plays, remove.

Each function checks the role (`EDIT_PLAYLISTS`), writes under the playlist's row lock, audits and
publishes `playlist.updated` after the commit (through `playlists._playlist_event`).
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max
from rest_framework.exceptions import NotFound, ValidationError

from projects import access as perms
from projects.models import Playlist, PlaylistItem, Shot, Version
from projects.services._common import _is_uuid, _text
from projects.services.playlists import MAX_PLAYLIST_ITEMS, _playlist_event
from studio.audit import services as audit
from studio.tenancy.models import User

MAX_ITEM_NOTE = 2000
ADDABLE_STATUSES = tuple(s for s in Shot.Status.values if s != Shot.Status.OMITTED)


def _require_editor(actor: User, playlist: Playlist, action: str) -> None:
    perms.require_project_role(user=actor, project=playlist.project, roles=perms.EDIT_PLAYLISTS, action=action)


def _shots_from_selection(playlist: Playlist, shot_ids) -> list[Shot]:
    if not isinstance(shot_ids, (list, tuple)) or not shot_ids:
        raise ValidationError({"shots": ["Give a non-empty list of shot ids (the shot list's selection)."]})
    ids = [str(s) for s in shot_ids]
    if len(ids) > MAX_PLAYLIST_ITEMS:
        raise ValidationError({"shots": [f"At most {MAX_PLAYLIST_ITEMS} shots at once."]})
    valid = [i for i in ids if _is_uuid(i)]
    found = {str(s.pk): s for s in Shot.objects.filter(project=playlist.project, pk__in=valid).select_related("current_version")}
    missing = [i for i in dict.fromkeys(ids) if i not in found]
    if missing:
        raise ValidationError({"shots": [f"Not shots of this project: {', '.join(missing[:10])}."]})
    return [found[i] for i in dict.fromkeys(ids)]


def _shots_from_status(playlist: Playlist, status) -> list[Shot]:
    if status not in ADDABLE_STATUSES:
        raise ValidationError({"status": [f"Use one of: {', '.join(ADDABLE_STATUSES)} (e.g. \"review\" for every shot in review)."]})
    shots = Shot.objects.filter(project=playlist.project, status=status).select_related("current_version")
    return list(shots.order_by("sequence__order", "order", "code"))


def add_shots_to_playlist(*, actor: User, playlist: Playlist, shots=None, status=None) -> dict:
    """Append the current version of each shot (a selection, or every shot with `status`), in shot
    order, skipping shots with no version and versions already in the playlist. Returns the counts."""
    _require_editor(actor, playlist, "build playlists")
    if (shots is None) == (status is None):
        raise ValidationError({"detail": ["Give either `shots` (a list of shot ids) or `status` (e.g. \"review\"), not both."]})
    chosen = _shots_from_selection(playlist, shots) if shots is not None else _shots_from_status(playlist, status)
    without_version = [s.code for s in chosen if s.current_version_id is None]
    with transaction.atomic():
        playlist = Playlist.objects.select_for_update(of=("self",), no_key=True).select_related("project").get(pk=playlist.pk)
        present = set(playlist.items.values_list("version_id", flat=True))
        versions = [s.current_version for s in chosen if s.current_version_id and s.current_version_id not in present]
        total = len(present) + len(versions)
        if total > MAX_PLAYLIST_ITEMS:
            raise ValidationError({"shots": [f"A playlist holds at most {MAX_PLAYLIST_ITEMS} versions; this would make {total}."]})
        start = (playlist.items.aggregate(m=Max("order"))["m"] or 0) + 1 if present else 0
        PlaylistItem.objects.bulk_create(
            [PlaylistItem(playlist=playlist, version=v, order=start + i) for i, v in enumerate(versions)]
        )
        playlist.save(update_fields=["updated_at"])
        result = {"added": len(versions), "already_in": len(chosen) - len(versions) - len(without_version),
                  "without_version": without_version}
        audit.record(
            organization=playlist.project.organization, actor=actor, action="playlist.items_added", target=playlist,
            data={"added": result["added"], "by": "status" if status is not None else "selection", "status": status},
        )
        _playlist_event(playlist, "updated")
    return result


def reorder_playlist(*, actor: User, playlist: Playlist, items) -> None:
    """Put the items in the order given (every item id of the playlist, once)."""
    _require_editor(actor, playlist, "reorder playlists")
    if not isinstance(items, (list, tuple)) or not all(isinstance(i, str) for i in items):
        raise ValidationError({"items": ["Give the list of every item id of the playlist, in the new order."]})
    with transaction.atomic():
        playlist = Playlist.objects.select_for_update(of=("self",), no_key=True).select_related("project").get(pk=playlist.pk)
        current = {str(pk): pk for pk in playlist.items.values_list("pk", flat=True)}
        if len(items) != len(set(items)) or set(items) != set(current):
            raise ValidationError({"items": [
                f"Give each of the playlist's {len(current)} item ids exactly once (it changed? reload and try again)."
            ]})
        rows = [PlaylistItem(pk=current[i], order=n) for n, i in enumerate(items)]
        PlaylistItem.objects.bulk_update(rows, ["order"])
        playlist.save(update_fields=["updated_at"])
        audit.record(organization=playlist.project.organization, actor=actor, action="playlist.reordered", target=playlist,
                     data={"items": len(items)})
        _playlist_event(playlist, "updated")


def _other_version(item: PlaylistItem, version_id) -> Version:
    if not isinstance(version_id, str) or not _is_uuid(version_id):
        raise ValidationError({"version": ["Give the id of a version of this item's shot."]})
    version = Version.objects.filter(pk=version_id, shot_id=item.version.shot_id).first()
    if version is None:
        raise ValidationError({"version": [f"Not a version of {item.version.shot.code}; choose one of that shot's versions."]})
    if version.pk != item.version_id and item.playlist.items.filter(version=version).exists():
        raise ValidationError({"version": [f"{version.shot.code} {version.label} is already in this playlist."]})
    return version


def _locked_item(playlist: Playlist, item: PlaylistItem) -> PlaylistItem:
    row = PlaylistItem.objects.select_related("version__shot").filter(pk=item.pk, playlist=playlist).first()
    if row is None:
        raise NotFound("That item is no longer in the playlist; reload it.")
    return row


def update_playlist_item(*, actor: User, item: PlaylistItem, **changes) -> PlaylistItem:
    """Change an item's note and/or which version of its shot it plays."""
    _require_editor(actor, item.playlist, "edit playlists")
    unknown = set(changes) - {"note", "version"}
    if unknown or not changes:
        raise ValidationError({name: ["Unknown field."] for name in sorted(unknown)} or {"detail": ["Send `note` and/or `version`."]})
    values = {}
    if "note" in changes:
        values["note"] = _text(changes["note"], field="note", max_length=MAX_ITEM_NOTE)
    if "version" in changes:
        values["version"] = _other_version(item, changes["version"])
    with transaction.atomic():
        playlist = Playlist.objects.select_for_update(of=("self",), no_key=True).select_related("project").get(pk=item.playlist_id)
        item = _locked_item(playlist, item)
        before = item.version.label
        for key, value in values.items():
            setattr(item, key, value)
        item.save()
        playlist.save(update_fields=["updated_at"])
        data = {"fields": sorted(values), "shot": item.version.shot.code}
        if "version" in values:
            data.update(version_before=before, version_after=item.version.label)
        audit.record(organization=playlist.project.organization, actor=actor, action="playlist.item_updated", target=playlist,
                     data=data)
        _playlist_event(playlist, "updated")
    return item


def remove_playlist_item(*, actor: User, item: PlaylistItem) -> None:
    _require_editor(actor, item.playlist, "edit playlists")
    with transaction.atomic():
        playlist = Playlist.objects.select_for_update(of=("self",), no_key=True).select_related("project").get(pk=item.playlist_id)
        item = _locked_item(playlist, item)
        audit.record(organization=playlist.project.organization, actor=actor, action="playlist.item_removed", target=playlist,
                     data={"shot": item.version.shot.code, "version": item.version.label})
        item.delete()
        playlist.save(update_fields=["updated_at"])
        _playlist_event(playlist, "updated")
