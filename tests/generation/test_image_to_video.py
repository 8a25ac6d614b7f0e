"""Image-to-video: an init image uploaded with the request conditions the first frame of an
image-to-video model (a tiny LTX-Video I2V pipeline here). The render runs the real task body."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.conf import settings
from PIL import Image

from generation import encoding, services
from generation.families import detect
from generation.models import GenerationJob
from generation.tasks import render_generation
from tests.generation.tiny_i2v import build_tiny_ltx_i2v


@pytest.fixture(scope="session")
def i2v_folder(demo_model_folder) -> Path:
    return build_tiny_ltx_i2v(Path(settings.MODELS_DIR) / "ltx-i2v-tiny-test")


@pytest.fixture
def i2v_profile(db, i2v_folder):
    values = services.profile_values_for_folder(
        i2v_folder, default_width=64, default_height=64, default_frames=9, default_steps=2, min_width=32, min_height=32, min_frames=9,
        max_frames=33, max_sequence_length=32, default_negative_prompt="",
    )
    return services.register_model_profile(name="ltx-i2v-tiny", folder=i2v_folder, values=values)[0]


def png(size=(80, 48), color=(200, 80, 20)) -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    buffer.seek(0)
    buffer.name = "first-frame.png"
    return buffer


def test_the_folder_is_detected_as_ltx_image_to_video(i2v_folder):
    detected = detect(i2v_folder)
    assert (detected.pipeline_class, detected.family, detected.kind) == ("LTXImageToVideoPipeline", "ltx-video", "i2v")


@pytest.mark.django_db
def test_an_image_to_video_model_needs_an_init_image_and_its_own_frame_rule(api, world, i2v_profile):
    client = api(world.artist)
    response = client.post(f"/api/v1/shots/{world.shot.id}/generations/", {"prompt": "x", "model": "ltx-i2v-tiny"}, format="json")
    assert response.status_code == 400
    assert "is image-to-video: send an init_image" in response.json()["fields"]["init_image"][0]
    response = client.post(f"/api/v1/shots/{world.shot.id}/generations/",
                           {"prompt": "x", "model": "ltx-i2v-tiny", "frames": "16", "init_image": png()}, format="multipart")
    assert response.status_code == 400
    assert "must be 8k+1 between 9 and 257. The nearest valid value is 17." in response.json()["fields"]["frames"][0]
    assert GenerationJob.objects.count() == 0


def test_an_init_image_is_stored_with_the_job_and_conditions_the_render(transactional_db, world, i2v_profile, api, settings):
    settings.GENERATION_QUEUE = "gpu-test-i2v-nobody"  # the task body runs here; no worker of another test may take the jobs
    response = api(world.artist).post(
        f"/api/v1/shots/{world.shot.id}/generations/",
        {"prompt": "the lighthouse beam sweeps", "model": "ltx-i2v-tiny", "seed": "3", "count": "2", "init_image": png()},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    jobs = response.json()["jobs"]
    assert [j["has_init_image"] for j in jobs] == [True, True] and [j["seed"] for j in jobs] == [3, 4]
    stored = [GenerationJob.objects.get(pk=j["id"]) for j in jobs]
    assert stored[0].init_image.name == stored[1].init_image.name  # one upload, shared by the batch
    assert Path(stored[0].init_image.path).is_file()

    assert render_generation(jobs[0]["id"]) == "succeeded"  # the task body, in this process
    done = GenerationJob.objects.get(pk=jobs[0]["id"])
    assert done.state == "succeeded", done.error
    assert done.take.lineage["parameters"]["init_image"] is True and done.take.lineage["model"]["kind"] == "i2v"
    info = encoding.probe(Path(done.take.media.path))
    assert (info["frames"], info["width"], info["height"]) == (9, 64, 64)
    services.cancel_generation(actor=world.artist, job=stored[1])  # the other seed is not needed
    # Re-running the take with the same seed keeps its first frame.
    rerun = api(world.artist).post(f"/api/v1/takes/{done.take.id}/rerun/", {"mode": "same_seed"}, format="json")
    assert rerun.status_code == 201, rerun.content
    (again,) = rerun.json()["jobs"]
    assert again["has_init_image"] is True and again["seed"] == 3 and again["model"] == "ltx-i2v-tiny"
    services.cancel_generation(actor=world.artist, job=GenerationJob.objects.get(pk=again["id"]))

    # Same seed and prompt, another first frame: another render.
    other = api(world.artist).post(
        f"/api/v1/shots/{world.shot.id}/generations/",
        {"prompt": "the lighthouse beam sweeps", "model": "ltx-i2v-tiny", "seed": "3", "init_image": png(color=(10, 40, 220))},
        format="multipart",
    ).json()["jobs"][0]
    assert render_generation(other["id"]) == "succeeded"
    other_take = GenerationJob.objects.get(pk=other["id"]).take
    red = encoding.decode_rgb(Path(done.take.media.path), width=64, height=64).astype(int)
    blue = encoding.decode_rgb(Path(other_take.media.path), width=64, height=64).astype(int)
    assert abs(red - blue).mean() > 0.5
