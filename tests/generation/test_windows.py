"""Windowed rendering: a shot longer than the model renders in one pass. An image-to-video model renders
consecutive windows, each continuing from the previous window's last frame (the tiny LTX-Video I2V
pipeline, through the real task body); a text-to-video model cannot, and both the submit error and the
conform summary say what happens instead."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import numpy as np
import pytest
from django.conf import settings
from PIL import Image

from generation import encoding, services, windows
from generation.models import GenerationJob, Take
from generation.tasks import render_generation
from tests.generation.tiny_i2v import build_tiny_ltx_i2v


@pytest.mark.parametrize(("frames", "modulus", "max_frames", "expected"), [
    (17, 8, 17, [17]),
    (33, 8, 17, [17, 17]),
    (41, 8, 17, [17, 17, 9]),
    (161, 4, 81, [81, 81]),
    (97, 4, 81, [49, 49]),  # even windows, not 81 + 17
])
def test_window_plans_join_to_the_asked_length(frames, modulus, max_frames, expected):
    plan = windows.plan(frames, modulus=modulus, max_frames=max_frames)
    assert plan == expected and windows.joined_length(plan) == frames and max(plan) <= max_frames
    assert all((w - 1) % modulus == 0 for w in plan)


@pytest.fixture
def windowed_profile(db, demo_model_folder):
    folder = build_tiny_ltx_i2v(Path(settings.MODELS_DIR) / "ltx-i2v-tiny-test")
    values = services.profile_values_for_folder(
        folder, default_width=64, default_height=64, default_frames=9, default_steps=2, min_width=32, min_height=32, min_frames=9,
        max_frames=17, max_sequence_length=32, default_negative_prompt="",
    )
    return services.register_model_profile(name="ltx-i2v-windows", folder=folder, values=values)[0]


def png() -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), (30, 160, 90)).save(buffer, format="PNG")
    buffer.seek(0)
    buffer.name = "first-frame.png"
    return buffer


def test_a_shot_longer_than_one_pass_renders_windows_that_continue_from_the_last_frame(transactional_db, world, windowed_profile, api,
                                                                                      settings):
    settings.GENERATION_QUEUE = "gpu-test-windows-nobody"  # the task body runs here
    response = api(world.artist).post(
        f"/api/v1/shots/{world.shot.id}/generations/",
        {"prompt": "the tide comes in", "model": "ltx-i2v-windows", "seed": "11", "frames": "33", "init_image": png()},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    (job,) = response.json()["jobs"]
    assert render_generation(job["id"]) == "succeeded"
    done = GenerationJob.objects.get(pk=job["id"])
    assert done.state == "succeeded", done.error
    take = Take.objects.get(job=done)
    assert take.native_frames == 33 == windows.joined_length([17, 17])  # 17 + 17 − the shared frame
    assert encoding.probe(Path(take.media.path))["frames"] == 33
    first, second = take.lineage["windows"]
    assert (first["frames"], first["kept_frames"], first["starts_at_frame"], first["seed"]) == (17, 17, 0, 11)
    assert (second["frames"], second["kept_frames"], second["starts_at_frame"], second["seed"]) == (17, 16, 17, 12)
    assert second["init"] == "the last frame of window 1"
    assert second["init_sha256"] == first["last_frame_sha256"]  # window 2 started from window 1's last frame
    init = np.asarray(Image.open(png()).convert("RGB"))
    assert first["init_sha256"] == hashlib.sha256(init.tobytes()).hexdigest()  # window 1 from the uploaded first frame
    assert take.timings["windows"] == 2 and done.progress["total"] == 4  # 2 steps × 2 windows
    catalogue = api(world.artist).get("/api/v1/generation-models/").json()["results"]
    (card,) = [m for m in catalogue if m["name"] == "ltx-i2v-windows"]
    assert card["constraints"]["frames"]["max"] == 17 and card["constraints"]["frames"]["windowed_max"] == 8 * 16 + 1
    # One window's length is still the model's limit; the job's length may be up to max_windows of them.
    too_long = api(world.artist).post(
        f"/api/v1/shots/{world.shot.id}/generations/",
        {"prompt": "x", "model": "ltx-i2v-windows", "frames": str(windows.longest(windowed_profile) + 8), "init_image": png()},
        format="multipart",
    )
    assert too_long.status_code == 400
    assert "renders consecutive windows, each continuing from the previous window's last frame" in too_long.json()["fields"]["frames"][0]


@pytest.mark.django_db
def test_a_text_to_video_model_says_it_cannot_continue_and_publishing_says_it_held(api, world, tmp_path):
    refused = api(world.artist).post(f"/api/v1/shots/{world.shot.id}/generations/", {"prompt": "x", "frames": 85}, format="json")
    assert refused.status_code == 400
    message = refused.json()["fields"]["frames"][0]
    assert "renders at most 81 frames in one pass" in message and "cannot continue a window" in message
    assert "publishing holds its last frame" in message

    from tests.generation.test_takes import cut, finished_take

    cut(world.shot, 48)
    take = finished_take(world, tmp_path, frames=17)
    version = services.publish_take(actor=world.artist, take=take)
    summary = version.lineage["conform"]["summary"]
    assert "held its last frame for 22 frames" in summary
    assert "wan2.1-t2v-tiny is text-to-video: it renders at most 81 frames in one pass and cannot continue" in summary
