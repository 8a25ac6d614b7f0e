"""Real checkpoint layouts: for each text-to-video family in use (Wan 2.1 T2V 1.3B and 14B, Wan 2.1
I2V 14B, LTX-Video, CogVideoX 2B and 5B) a tiny random-weight folder with the real checkpoint's
`model_index.json` and configurations (sizes shrunk, tests/generation/tiny_families.py) is registered
with `manage.py register_model` (which loads it), rendered through the real task body and published:
ffprobe reads back the project's frame rate and the shot's frame count."""

from __future__ import annotations

import io
import json
from fractions import Fraction
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from PIL import Image

from generation import encoding, services
from generation.families import detect
from generation.models import GenerationJob, ModelProfile
from generation.tasks import render_generation
from tests.generation.tiny_families import FAMILIES, SIZE_KEYS, build_family

KEYS = [f.key for f in FAMILIES]


@pytest.fixture(scope="session")
def families_dir() -> Path:
    return Path(settings.MODELS_DIR) / "tiny-checkpoint-families"


@pytest.mark.parametrize("fam", FAMILIES, ids=KEYS)
def test_the_tiny_folder_has_the_real_checkpoints_layout(fam, families_dir):
    folder = build_family(fam.key, families_dir)
    index = json.loads((folder / "model_index.json").read_text())
    assert index["_class_name"] == fam.pipeline_class
    assert {k: v for k, v in index.items() if not k.startswith("_")} == fam.components  # exactly the real components
    for name in fam.components:
        assert (folder / name).is_dir(), name
    config = json.loads((folder / "transformer" / "config.json").read_text())
    changed = {k for k, v in fam.transformer.items() if config.get(k) != v}
    assert changed and changed <= SIZE_KEYS, changed  # only sizes shrunk; patching, norms, positions are the real ones
    detected = detect(folder)
    assert (detected.pipeline_class, detected.family, detected.kind) == (fam.pipeline_class, fam.family, fam.kind)


def _png() -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", (80, 48), (200, 80, 20)).save(buffer, format="PNG")
    buffer.seek(0)
    buffer.name = "first-frame.png"
    return buffer


@pytest.mark.parametrize("fam", FAMILIES, ids=KEYS)
def test_each_family_registers_renders_and_conforms_to_the_shot(transactional_db, world, api, settings, families_dir, fam):
    settings.GENERATION_QUEUE = f"gpu-test-families-nobody-{fam.key}"  # the task body runs here
    folder = build_family(fam.key, families_dir)
    out = io.StringIO()
    call_command("register_model", str(folder), "--name", fam.key, "--width", "64", "--height", "64", "--min-width", "32",
                 "--min-height", "32", "--frames", "9", "--steps", "2", "--max-sequence-length", "16", "--negative-prompt", "",
                 stdout=out)
    assert f"loaded {fam.pipeline_class}" in out.getvalue(), out.getvalue()  # the load check ran on the folder
    profile = ModelProfile.objects.get(name=fam.key)
    assert (profile.family, profile.kind, profile.pipeline_class) == (fam.family, fam.kind, fam.pipeline_class)
    assert Fraction(profile.default_fps_num, profile.default_fps_den) == fam.fps  # the family's published rate

    world.shot.frame_in, world.shot.frame_out = 1001, 1036  # a 36-frame cut at the project's 24 fps
    world.shot.save(update_fields=["frame_in", "frame_out"])
    body = {"prompt": "a lighthouse at dusk", "model": fam.key, "seed": "7"}
    if fam.kind == "i2v":
        response = api(world.artist).post(f"/api/v1/shots/{world.shot.id}/generations/", {**body, "init_image": _png()},
                                          format="multipart")
    else:
        response = api(world.artist).post(f"/api/v1/shots/{world.shot.id}/generations/", body, format="json")
    assert response.status_code == 201, response.content
    (job,) = response.json()["jobs"]
    assert render_generation(job["id"]) == "succeeded"
    done = GenerationJob.objects.get(pk=job["id"])
    assert done.state == "succeeded", done.error
    take = done.take
    assert (take.native_fps, take.native_frames, take.native_width, take.native_height) == (fam.fps, 9, 64, 64)
    assert take.lineage["model"]["pipeline_class"] == fam.pipeline_class

    version = services.publish_take(actor=world.artist, take=take)
    info = encoding.probe(Path(version.original.path))
    assert (info["fps"], info["frames"]) == (Fraction(24), 36)  # the project's rate, the shot's cut
    assert (version.fps_num, version.fps_den, version.frame_count) == (24, 1, 36)
    assert version.lineage["conform"]["native"]["fps"] == f"{fam.fps}/1"


def test_the_wan_image_to_video_layout_renders_a_longer_shot_in_windows(transactional_db, world, api, settings, families_dir):
    settings.GENERATION_QUEUE = "gpu-test-families-nobody-windows"
    folder = build_family("wan2.1-i2v-14b-480p", families_dir)
    call_command("register_model", str(folder), "--name", "wan-i2v-windows", "--width", "64", "--height", "64", "--min-width", "32",
                 "--min-height", "32", "--frames", "9", "--max-frames", "9", "--steps", "2", "--max-sequence-length", "16",
                 "--negative-prompt", "", "--skip-load-check", stdout=io.StringIO())
    response = api(world.artist).post(f"/api/v1/shots/{world.shot.id}/generations/",
                                      {"prompt": "waves", "model": "wan-i2v-windows", "seed": "2", "frames": "17", "init_image": _png()},
                                      format="multipart")
    assert response.status_code == 201, response.content
    (job,) = response.json()["jobs"]
    assert render_generation(job["id"]) == "succeeded"
    take = GenerationJob.objects.get(pk=job["id"]).take
    assert take.native_frames == 17 and [w["frames"] for w in take.lineage["windows"]] == [9, 9]  # 9 + 9 − the shared frame
    assert take.lineage["windows"][1]["init_sha256"] == take.lineage["windows"][0]["last_frame_sha256"]
