"""Demo production data (idempotent): Moonrise (MR) for Northlight Pictures.

Two sequences, thirteen shots with frame ranges and notes, the client reviewer as a project member,
producer + client approval lanes, two versions with real (synthetic) media that the `media` queue
turns into proxies, a few notes and a dailies playlist. Runs after `studio.tenancy.demo`.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.db import transaction

from projects import media, services
from projects.models import Playlist, Project, ProjectMember, Sequence, Shot, Version
from studio.tenancy.models import Organization, User

SEQUENCES = [
    ("MR_010", "Arrival", "The lander comes down on the moon's night side."),
    ("MR_020", "The Ridge", "Mara climbs to the ridge as Earth rises."),
]

SHOTS = [
    # code, frames, description, prompt notes, assigned to the demo artist
    ("MR_010_0010", 48, "Wide: the lander descends through dust.", "Wide establishing, slow descent, low sun, long shadows.", True),
    ("MR_010_0020", 36, "Close on the landing gear touching down.", "Macro, dust burst, 120 fps feel.", True),
    ("MR_010_0030", 60, "Cockpit: Mara reads the altimeter.", "Interior, instrument glow on face, handheld.", False),
    ("MR_010_0040", 42, "Hatch opens; light spills onto the regolith.", "Reverse angle, volumetric light.", False),
    ("MR_010_0050", 30, "First footprint.", "Top-down, crisp boot print.", False),
    ("MR_010_0060", 54, "Mara looks back at the lander.", "Medium, helmet reflection shows the lander.", False),
    ("MR_020_0010", 72, "Wide: the ridge line against the stars.", "Static wide, star field, no atmosphere haze.", True),
    ("MR_020_0020", 40, "Mara climbs, gloved hands on rock.", "Tracking close-up, grit falling.", False),
    ("MR_020_0030", 48, "Her breath fogs the visor.", "ECU visor, condensation forming.", False),
    ("MR_020_0040", 66, "Earthrise over the ridge.", "Locked-off wide, Earth rising slowly, 24 fps.", False),
    ("MR_020_0050", 36, "Reaction: Mara smiles.", "Close-up through visor, Earth reflected.", False),
    ("MR_020_0060", 50, "She plants the beacon.", "Low angle, beacon light pulses.", False),
    ("MR_020_0070", 96, "Pull back to reveal the lander far below.", "Crane-up and out, long take.", False),
]

DEMO_MEDIA = {"MR_010_0010": "testsrc2", "MR_010_0020": "smptebars"}
CLIP_SIZE = "640x360"


def _clip(pattern: str, frames: int) -> Path:
    """A synthetic clip, encoded once per data folder and reused."""
    path = Path(settings.DATA_DIR) / "demo-cache" / f"moonrise-{pattern}-{frames}.mp4"
    if not path.exists():
        tmp = path.with_suffix(".tmp.mp4")
        media.make_test_clip(tmp, frames=frames, fps="24/1", size=CLIP_SIZE, pattern=pattern)
        shutil.move(tmp, path)
    return path


def seed(stdout=None) -> dict:
    northlight = Organization.objects.get(slug="northlight")
    producer = User.objects.get(email="producer@northlight.test")
    supervisor = User.objects.get(email="supervisor@northlight.test")
    artist = User.objects.get(email="artist@northlight.test")
    client = User.objects.get(email="client@northlight.test")

    with transaction.atomic():
        project = _moonrise(northlight=northlight, producer=producer, client=client)
        sequences = _sequences(project=project, producer=producer)
        shots = _shots(project=project, producer=producer, artist=artist, sequences=sequences)
        _versions_with_notes(shots=shots, artist=artist, client=client, supervisor=supervisor, producer=producer)
        _dailies(project=project, producer=producer)

    if stdout:
        stdout.write(f"  project: {project.code} {project.name} ({len(shots)} shots, client reviewer {client.email})")
    return {"projects": {"moonrise": project}, "moonrise_shots": shots}


def _moonrise(*, northlight: Organization, producer: User, client: User) -> Project:
    project = Project.objects.filter(organization=northlight, code="MR").first()
    if project is None:
        project = services.create_project(
            actor=producer,
            organization=northlight,
            name="Moonrise",
            code="MR",
            fps="24/1",
            width=1920,
            height=1080,
            start_frame=1001,
            required_lanes=["producer", "client"],
            description="A short film: a lone astronaut's first night on the moon.",
        )
    if not ProjectMember.objects.filter(project=project, user=client).exists():
        services.add_project_member(actor=producer, project=project, email=client.email, role="reviewer")
    return project


def _sequences(*, project: Project, producer: User) -> dict[str, Sequence]:
    sequences = {}
    for order, (code, name, description) in enumerate(SEQUENCES):
        sequence = Sequence.objects.filter(project=project, code=code).first()
        if sequence is None:
            sequence = services.create_sequence(
                actor=producer, project=project, code=code, name=name, description=description, order=order
            )
        sequences[code] = sequence
    return sequences


def _shots(*, project: Project, producer: User, artist: User, sequences: dict[str, Sequence]) -> dict[str, Shot]:
    shots = {}
    for order, (code, frames, description, prompt, assigned) in enumerate(SHOTS):
        shot = Shot.objects.filter(project=project, code=code).first()
        if shot is None:
            shot = services.create_shot(
                actor=producer,
                project=project,
                code=code,
                sequence=sequences[code[:6]],
                order=order,
                description=description,
                prompt_notes=prompt,
                frame_in=1001,
                frame_out=1000 + frames,
                assignees=[str(artist.pk)] if assigned else [],
            )
        shots[code] = shot
    return shots


# The demo version submitted to the client (what a client sees: only what was submitted to them);
# the other stays internal, so the demo shows both sides of the rule.
SUBMITTED_DEMO_SHOT = "MR_010_0010"


def _versions_with_notes(*, shots: dict[str, Shot], artist: User, client: User, supervisor: User, producer: User) -> None:
    for code, pattern in DEMO_MEDIA.items():
        shot = shots[code]
        if shot.versions.exists():
            continue
        frames = shot.duration_frames
        with open(_clip(pattern, frames), "rb") as fh:
            version = services.create_version(
                shot=shot,
                source=Version.Source.UPLOAD,
                created_by=artist,
                original=File(fh),
                original_name=f"{code}_v001.mp4",
                frame_count=frames,
                fps=(24, 1),
                size=tuple(int(v) for v in CLIP_SIZE.split("x")),
                note="First pass for review.",
            )
        if code == SUBMITTED_DEMO_SHOT:
            # Its review media is built here (the media queue's later delivery then does nothing), so it can be submitted.
            version = services.process_version_media(version_id=version.pk)
            services.submit_to_client(actor=producer, project=shot.project, versions=[version.pk],
                                      note="First look at the arrival: the lander touching down.")
            services.create_comment(
                actor=client,
                version=version,
                frame=1012,
                body="Can the dust settle a little faster here?",
            )
        services.create_comment(
            actor=supervisor,
            version=version,
            frame=1001,
            frame_end=1010,
            internal=True,
            body="Internal: the first ten frames flicker; fix before the client sees v002.",
        )


def _dailies(*, project: Project, producer: User) -> None:
    if not Playlist.objects.filter(project=project, name="Dailies — Arrival").exists():
        versions = list(Version.objects.filter(project=project).order_by("shot__order").values_list("pk", flat=True))
        services.create_playlist(
            actor=producer,
            project=project,
            name="Dailies — Arrival",
            audience="client",
            versions=versions,
            description="First look at the arrival sequence with the client.",
        )
