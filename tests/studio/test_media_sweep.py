"""The media sweeper removes only what no row references, only after the grace period, and says so."""

from __future__ import annotations

import io
import json
import os
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command

from projects.models import Project, Shot, Version
from studio.audit.models import AuditEvent
from studio.media_sweep import file_fields, sweep_orphaned_media
from studio.tenancy.models import Organization

DAY = 24 * 3600


@pytest.fixture
def storage_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.DATA_DIR = tmp_path
    return tmp_path


def put(root: Path, name: str, *, age: float = 0.0) -> Path:
    path = root / "media" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x" * 100)
    if age:
        stamp = time.time() - age
        os.utime(path, (stamp, stamp))
    return path


@pytest.fixture
def version(db):
    org = Organization.objects.create(kind="studio", name="Sweep Studio", slug="sweep-studio")
    project = Project.objects.create(organization=org, name="Sweep", code="SW")
    shot = Shot.objects.create(project=project, code="SW_010")
    v = Version(project=project, shot=shot, number=1, source="upload")
    v.original.name = f"versions/{project.id}/{v.id}/original/plate.mp4"
    v.proxy.name = f"versions/{project.id}/{v.id}/review/proxy.mp4"
    v.save()
    return v


def test_every_file_field_of_every_app_is_known():
    known = {(m._meta.label, f) for m, f in file_fields()}
    assert {("projects.Version", "original"), ("projects.Version", "proxy"), ("projects.Version", "poster"),
            ("projects.Version", "sprite"), ("rights.LikenessAsset", "file"), ("generation.GenerationJob", "init_image")} <= known


def test_only_old_unreferenced_files_in_the_swept_folders_go_and_the_count_is_audited(storage_root, version):
    referenced = [put(storage_root, version.original.name, age=3 * DAY), put(storage_root, version.proxy.name, age=3 * DAY)]
    orphan = put(storage_root, f"versions/{version.project_id}/{uuid.uuid4()}/original/lost_render.mp4", age=2 * DAY)
    young = put(storage_root, f"versions/{version.project_id}/{uuid.uuid4()}/original/in_flight.mp4", age=60)
    rights_orphan = put(storage_root, f"rights/talent/{uuid.uuid4()}/tok/{uuid.uuid4()}.png", age=2 * DAY)
    elsewhere = put(storage_root, "audit-anchors/chain-heads.json", age=30 * DAY)
    scratch_old = storage_root / "tmp" / "gen-killed-render"
    scratch_old.mkdir(parents=True)
    (scratch_old / "frames.mp4").write_bytes(b"y")
    os.utime(scratch_old, (time.time() - 2 * DAY,) * 2)
    scratch_live = storage_root / "tmp" / "gl-media-running"
    scratch_live.mkdir()

    dry = sweep_orphaned_media(grace=timedelta(days=1), dry_run=True)
    assert (dry.removed, dry.kept_young, dry.scratch_removed) == (2, 1, 1)
    assert orphan.exists() and rights_orphan.exists() and scratch_old.exists()
    assert not AuditEvent.objects.filter(action="media.swept").exists()

    done = sweep_orphaned_media(grace=timedelta(days=1))
    assert (done.removed, done.removed_bytes, done.kept_young, done.scratch_removed) == (2, 200, 1, 1)
    assert not orphan.exists() and not rights_orphan.exists() and not orphan.parent.exists()  # emptied folders go too
    assert all(p.exists() for p in referenced) and young.exists() and elsewhere.exists()
    assert not scratch_old.exists() and scratch_live.exists()
    (event,) = AuditEvent.objects.filter(action="media.swept")
    assert event.data["removed"] == 2 and event.data["grace_seconds"] == DAY and event.chain == "platform"

    again = sweep_orphaned_media(grace=timedelta(days=1))
    assert again.removed == 0 and AuditEvent.objects.filter(action="media.swept").count() == 1  # nothing to say: no event


def test_a_file_referenced_after_the_listing_is_kept(storage_root, version, monkeypatch):
    """A row that commits between the listing and the delete keeps its file (checked again per file)."""
    late = put(storage_root, f"versions/{version.project_id}/{uuid.uuid4()}/original/late.mp4", age=2 * DAY)
    from studio import media_sweep

    real = media_sweep.referenced_names

    def then_commit(folders):
        names = real(folders)
        Version.objects.filter(pk=version.pk).update(poster=str(late.relative_to(storage_root / "media")))
        return names

    monkeypatch.setattr(media_sweep, "referenced_names", then_commit)
    report = sweep_orphaned_media(grace=timedelta(days=1))
    assert report.candidates == 1 and report.removed == 0 and late.exists()


def test_the_command_reports_and_refuses_a_negative_grace(storage_root, version):
    orphan = put(storage_root, f"versions/{version.project_id}/{uuid.uuid4()}/original/x.mp4", age=2 * DAY)
    out = io.StringIO()
    call_command("sweep_media", "--dry-run", "--grace-hours", "24", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == f"would remove {orphan.relative_to(storage_root / 'media')}" and orphan.exists()
    assert json.loads(lines[-1])["removed"] == 1 and json.loads(lines[-1])["dry_run"] is True
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="0 or more"):
        call_command("sweep_media", "--grace-hours", "-1")
