"""Fixtures for production-tracking tests: studios with people in every role, projects, clips."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from django.core.files import File

from projects import media, services
from projects.models import Project, ProjectMember, Shot, Version
from studio.tenancy.models import Organization, Role, User
from tests.support import world as builder


def make_user(email: str | None = None, *, org: Organization | None = None, role: str | None = None) -> User:
    return builder.make_user(email, org=org, role=role)


def make_org(slug: str, kind: str = Organization.Kind.STUDIO) -> Organization:
    return builder.make_org(slug, kind=kind)


def make_project(org: Organization, code: str = "TP", **extra) -> Project:
    """A project that needs the producer's and the client's approval unless told otherwise."""
    extra.setdefault("required_lanes", ["producer", "client"])
    return builder.make_project(org, code, **extra)


def make_shot(project: Project, code: str, *, frame_in: int | None = 1001, frames: int = 48, **extra) -> Shot:
    """A shot with a 48-frame cut range from 1001 unless told otherwise."""
    return builder.make_shot(project, code, frame_in=frame_in, frames=frames, **extra)


def add_version(shot: Shot, clip: Path, *, user=None, process: bool = False) -> Version:
    """A version whose original is `clip`; processed in-process when `process` is set."""
    info = media.probe(clip)
    with open(clip, "rb") as fh:
        version = services.create_version(
            shot=shot,
            source=Version.Source.UPLOAD,
            created_by=user,
            original=File(fh),
            original_name=clip.name,
            frame_count=info.frame_count,
            fps=info.fps_pair,
            size=(info.width, info.height),
        )
    if process:
        version = services.process_version_media(version_id=version.id)
    return version


def show_to_client(producer: User, *versions: Version) -> None:
    """What a client sees (docs/RIGHTS.md): submit `versions` to their project's client reviewers through
    the service. A version a test marked ready without building its media gets a placeholder proxy name
    first (submitting checks that the review proxy exists)."""
    for version in versions:
        Version.objects.filter(pk=version.pk, processing_status=Version.Processing.READY, proxy="").update(
            proxy=f"versions/{version.project_id}/{version.pk}/review/proxy.mp4")
    services.submit_to_client(actor=producer, project=versions[0].project, versions=[v.pk for v in versions])


class Studio:
    """One studio with a person in each role, a project with a client member, and a second project,
    made with the shared world builder's rows (tests/support/world.py); `studio` and `rival` below."""

    def __init__(self, slug: str):
        self.org = make_org(slug)
        self.owner = make_user(f"owner@{slug}.test", org=self.org, role=Role.OWNER)
        self.producer = make_user(f"producer@{slug}.test", org=self.org, role=Role.PRODUCER)
        self.supervisor = make_user(f"supervisor@{slug}.test", org=self.org, role=Role.SUPERVISOR)
        self.artist = make_user(f"artist@{slug}.test", org=self.org, role=Role.ARTIST)
        self.legal = make_user(f"legal@{slug}.test", org=self.org, role=Role.LEGAL)
        self.client = make_user(f"client@{slug}.test", org=self.org, role=Role.REVIEWER)
        self.project = make_project(self.org, code=slug[:2].upper())
        self.other_project = make_project(self.org, code=slug[:2].upper() + "2")
        ProjectMember.objects.create(project=self.project, user=self.client, role=Role.REVIEWER)
        self.sequence = self.project.sequences.create(code=f"{self.project.code}_010", order=0)
        self.shot = make_shot(self.project, f"{self.project.code}_010_0010", sequence=self.sequence)
        self.other_shot = make_shot(self.other_project, f"{self.other_project.code}_010_0010")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """The demo accounts get passwords; hashing them with production PBKDF2 rounds costs seconds."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def studio(db) -> Studio:
    return Studio("alpha")


@pytest.fixture
def rival(db) -> Studio:
    return Studio("rival")


@pytest.fixture(scope="session")
def clips(tmp_path_factory) -> dict[str, Path]:
    """Test media, made once per session with ffmpeg: good clips and the bad files users send."""
    root = tmp_path_factory.mktemp("clips")
    good = media.make_test_clip(root / "good.mp4", frames=48, fps="24/1", size="320x180")
    ntsc = media.make_test_clip(
        root / "ntsc.mp4", frames=30, fps="24000/1001", size="320x180", audio=True, codec_options={"g": 250, "bf": 3}
    )
    long = media.make_test_clip(root / "long.mp4", frames=72, fps="24/1", size="160x90")
    # moov at the front, then cut: the index promises frames the file does not hold
    faststart = root / "faststart.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(good), "-c", "copy", "-movflags", "+faststart", str(faststart)], check=True)
    data = faststart.read_bytes()
    truncated = root / "truncated.mp4"
    truncated.write_bytes(data[: len(data) * 6 // 10])
    # moov at the end, cut before it arrives
    cut_before_index = root / "cut_before_index.mp4"
    cut_before_index.write_bytes(good.read_bytes()[:20_000])
    text = root / "notes.mp4"
    text.write_text("This is not a video, just text renamed to .mp4\n")
    image = root / "still.png"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=64x64", "-frames:v", "1", str(image)], check=True)
    audio = root / "tone.m4a"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "sine=duration=1", "-c:a", "aac", str(audio)], check=True)
    return {
        "good": good,
        "ntsc": ntsc,
        "long": long,
        "faststart": faststart,
        "truncated": truncated,
        "cut_before_index": cut_before_index,
        "text": text,
        "image": image,
        "audio": audio,
    }


@pytest.fixture
def media_root(settings, tmp_path):
    """Each test stores its media in its own folder."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return Path(settings.MEDIA_ROOT)
