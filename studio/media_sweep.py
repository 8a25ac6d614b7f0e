"""The media sweeper: removes files under the media storage that no row references.

Files become orphans when the transaction that was to reference them never commits: a render
stores its MP4 and then loses its process (SIGKILL, node loss) before the version row commits; an
upload is moved into place and the insert fails; a media worker stores a proxy and dies before the
version is marked ready; a shot is deleted with its versions. Scratch folders under
`DATA_DIR/tmp` (render encodes, media transcodes) are left behind the same way.

What is swept, and why it is safe:

- only the folders in `MEDIA_SWEEP_FOLDERS` (by default `versions`, `rights`, `generation`: the
  upload targets of the apps' file fields); anything else in the storage (exports, audit anchors)
  is never touched;
- a file is removed only when it is older than `MEDIA_SWEEP_GRACE_SECONDS` (a day by default) *and*
  no `FileField` of any installed model names it. Work in flight stores its file seconds before the
  row that names it commits, so the grace period covers it many times over; the references are read
  *after* the listing, and each candidate is checked again just before it is deleted;
- scratch entries under `DATA_DIR/tmp` older than the grace period are removed (a live render or
  transcode uses its scratch folder for minutes, not a day).

The core knows no domain app: the referencing fields are found through the app registry. One
audit event (`media.swept`, platform chain) records what a run removed. Runs hourly from beat
(`studio.tasks.sweep_orphaned_media`) and by hand with `python manage.py sweep_media`.
"""

from __future__ import annotations

import logging
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.files.storage import Storage, default_storage
from django.db import models

log = logging.getLogger(__name__)


@dataclass
class SweepReport:
    candidates: int = 0  # unreferenced files past the grace period
    removed: int = 0
    removed_bytes: int = 0
    kept_young: int = 0  # unreferenced files still inside the grace period (work in flight)
    scratch_removed: int = 0
    errors: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)  # what was (or, in a dry run, would be) removed; first 100

    def as_dict(self) -> dict:
        return {
            "candidates": self.candidates, "removed": self.removed, "removed_bytes": self.removed_bytes,
            "kept_young": self.kept_young, "scratch_removed": self.scratch_removed, "errors": self.errors[:20],
        }


def file_fields() -> list[tuple[type[models.Model], str]]:
    """(model, field name) of every FileField (ImageField included) of every installed model."""
    found = []
    for model in apps.get_models():
        for fld in model._meta.get_fields():
            if isinstance(fld, models.FileField) and fld.concrete:
                found.append((model, fld.name))
    return found


def referenced_names(folders: tuple[str, ...]) -> set[str]:
    """Every storage name a row currently references under `folders`."""
    names: set[str] = set()
    for model, name in file_fields():
        under = models.Q()
        for folder in folders:
            under |= models.Q(**{f"{name}__startswith": f"{folder}/"})
        rows = model._default_manager.filter(under)
        names.update(rows.values_list(name, flat=True).iterator(chunk_size=5000))
    return names


def is_referenced(name: str) -> bool:
    return any(model._default_manager.filter(**{fld: name}).exists() for model, fld in file_fields())


def walk(storage: Storage, folder: str) -> Iterator[str]:
    """Every file name under `folder` (recursive), through the storage API (local or object store)."""
    try:
        dirs, files = storage.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return
    for f in files:
        yield f"{folder}/{f}"
    for d in dirs:
        yield from walk(storage, f"{folder}/{d}")


def _age_seconds(storage: Storage, name: str, now: float) -> float:
    return now - storage.get_modified_time(name).timestamp()


def _remove_empty_parents(storage: Storage, name: str, folder: str) -> None:
    """Local storage only: drop the folders a removed file leaves empty, up to the swept folder
    (an object store has no folders). A folder that is not empty stays (rmdir refuses)."""
    try:
        root = Path(storage.path(folder))
        parent = Path(storage.path(name)).parent
    except NotImplementedError:
        return
    while parent != root and root in parent.parents:
        try:
            parent.rmdir()
        except OSError:
            return
        parent = parent.parent


def sweep_scratch(*, grace: timedelta, dry_run: bool = False, now: float | None = None) -> int:
    """Remove entries of DATA_DIR/tmp older than the grace period; returns how many."""
    scratch = Path(settings.DATA_DIR) / "tmp"
    if not scratch.is_dir():
        return 0
    cutoff = (now or time.time()) - grace.total_seconds()
    removed = 0
    for entry in scratch.iterdir():
        try:
            if entry.lstat().st_mtime >= cutoff:
                continue
            if not dry_run:
                if entry.is_dir() and not entry.is_symlink():
                    shutil.rmtree(entry)
                else:
                    entry.unlink()
            removed += 1
        except OSError as exc:
            log.warning("could not remove scratch entry %s: %s", entry, exc)
    return removed


def sweep_orphaned_media(
    *, grace: timedelta | None = None, dry_run: bool = False, storage: Storage | None = None, folders: tuple[str, ...] | None = None
) -> SweepReport:
    """Remove unreferenced media files older than the grace period (see the module docstring)."""
    from studio.audit import services as audit

    storage = storage or default_storage
    grace = grace if grace is not None else timedelta(seconds=settings.MEDIA_SWEEP_GRACE_SECONDS)
    folders = tuple(folders or settings.MEDIA_SWEEP_FOLDERS)
    report = SweepReport()
    now = time.time()
    # List first, then read the references: a row committed before the read is seen.
    listed = [(folder, name) for folder in folders for name in walk(storage, folder)]
    referenced = referenced_names(folders)
    for folder, name in listed:
        if name in referenced:
            continue
        try:
            if _age_seconds(storage, name, now) < grace.total_seconds():
                report.kept_young += 1
                continue
            report.candidates += 1
            if is_referenced(name):  # committed since the read
                continue
            size = storage.size(name)
            if not dry_run:
                storage.delete(name)
                _remove_empty_parents(storage, name, folder)
            report.removed += 1
            report.removed_bytes += size
            if len(report.names) < 100:
                report.names.append(name)
        except FileNotFoundError:
            continue
        except OSError as exc:
            report.errors.append(f"{name}: {exc}")
    report.scratch_removed = sweep_scratch(grace=grace, dry_run=dry_run, now=now)
    if report.removed and not dry_run:
        audit.record(
            organization=None, actor_label="media sweeper", action="media.swept", target_type="storage", target_id=",".join(folders),
            data={**report.as_dict(), "grace_seconds": int(grace.total_seconds()), "sample": report.names[:20]},
        )
    if not dry_run and (report.removed or report.scratch_removed or report.errors):
        log.warning("media sweeper: %s", report.as_dict())
    return report
