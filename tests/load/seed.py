"""Seed the load database (run by tests/load/run.py in a child process; prints the fixture as JSON).

    python tests/load/seed.py REVIEWERS ARTISTS
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studio.settings")

import django  # noqa: E402

django.setup()

from django.core.files import File  # noqa: E402
from django.core.files.storage import default_storage  # noqa: E402

from projects import media, services  # noqa: E402
from projects.models import Project, ProjectMember, Shot, Version  # noqa: E402
from studio.tenancy.models import Membership, Organization, Role, User  # noqa: E402
from studio.tenancy.services import create_token  # noqa: E402

SHOTS = 200
VERSIONED_SHOTS = 20


def people(org: Organization, project: Project, *, count: int, role: str, prefix: str) -> list[str]:
    users = User.objects.bulk_create([User(email=f"{prefix}{i:03d}@load.test", display_name=f"{prefix.title()} {i}") for i in range(count)])
    for user in users:
        user.set_unusable_password()
    User.objects.bulk_update(users, ["password"])
    Membership.objects.bulk_create([Membership(user=u, organization=org, role=role) for u in users])
    if role == Role.REVIEWER:
        ProjectMember.objects.bulk_create([ProjectMember(project=project, user=u, role=Role.REVIEWER) for u in users])
    return [create_token(user=u, name="load test")[1] for u in users]


def main(reviewers: int, artists: int) -> dict:
    org = Organization.objects.create(kind="studio", name="Load Studio", slug="load-studio")
    project = Project.objects.create(organization=org, name="Load", code="LD", required_lanes=["producer", "client"])
    shots = Shot.objects.bulk_create([Shot(project=project, code=f"LD_{i // 10:03d}_{i % 10:04d}", frame_in=1001, frame_out=1048, order=i)
                                      for i in range(SHOTS)])
    supervisor = User.objects.create_user(email="supervisor@load.test", password=None)
    Membership.objects.create(user=supervisor, organization=org, role=Role.SUPERVISOR)
    with tempfile.TemporaryDirectory() as tmp:
        clip = media.make_test_clip(Path(tmp) / "plate.mp4", frames=48, fps="24/1", size="960x540")
        info = media.probe(clip)
        with open(clip, "rb") as fh:
            first = services.create_version(shot=shots[0], source=Version.Source.UPLOAD, created_by=supervisor, original=File(fh),
                                            original_name="plate.mp4", frame_count=info.frame_count, fps=info.fps_pair,
                                            size=(info.width, info.height))
    first = services.process_version_media(version_id=first.id)
    assert first.processing_status == "ready", first.failure_reason
    copies = [Version(project=project, shot=shot, number=1, source=Version.Source.UPLOAD, created_by=supervisor,
                      original=first.original.name, original_name="plate.mp4", proxy=first.proxy.name, poster=first.poster.name,
                      sprite=first.sprite.name,
                      sprite_columns=first.sprite_columns, sprite_tile_width=first.sprite_tile_width,
                      sprite_tile_height=first.sprite_tile_height, sprite_frames=first.sprite_frames, first_frame=1001,
                      frame_count=first.frame_count, fps_num=24, fps_den=1, width=first.width, height=first.height,
                      processing_status=Version.Processing.READY) for shot in shots[1:VERSIONED_SHOTS]]
    versions = [first, *Version.objects.bulk_create(copies)]
    for shot, version in zip(shots[1:VERSIONED_SHOTS], versions[1:], strict=True):
        Shot.objects.filter(pk=shot.pk).update(current_version=version, next_version_number=2, status=Shot.Status.REVIEW)
    # The reviewers are client reviewers: they see only what was submitted to them (docs/RIGHTS.md).
    services.submit_to_client(actor=supervisor, project=project, versions=[v.pk for v in versions])
    return {
        "project": str(project.id), "shots": [str(s.id) for s in shots[:VERSIONED_SHOTS]], "versions": [str(v.id) for v in versions],
        "first_frame": 1001, "proxy_size": default_storage.size(first.proxy.name),
        "reviewers": people(org, project, count=reviewers, role=Role.REVIEWER, prefix="reviewer"),
        "artists": people(org, project, count=artists, role=Role.ARTIST, prefix="artist"),
        "render": {"frames": 17, "width": 64, "height": 64, "steps": 4},
    }


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]), int(sys.argv[2]))))
