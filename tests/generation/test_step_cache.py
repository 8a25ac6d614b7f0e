"""Step caching as a per-model option (issue 11): `register_model --step-cache first_block:<threshold>`
turns on diffusers' First Block Cache on the model's transformer. Checked on the tiny random-weight
Wan 2.1 folder through the real task body: the setting is validated with a clear message (nothing is
registered otherwise), it is listed with the model, applied by the worker, recorded in each take's
lineage, and a cached render is as reproducible as an uncached one (same seed, same frames) while
staying close to the uncached frames. Speed-up and quality at real size: tests/bench/gpu_render.py."""

from __future__ import annotations

import io
import time
from pathlib import Path

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from generation import encoding, step_cache
from generation.models import GenerationJob, ModelProfile, Take
from generation.tasks import render_generation, scan_take_likeness


@pytest.mark.parametrize(
    ("value", "expected"),
    [("first_block:0.1", "first_block:0.1"), (" first_block:0.050 ", "first_block:0.05"), ("", ""), ("off", "")],
)
def test_the_setting_is_read_and_stored_in_one_form(value, expected):
    assert step_cache.normalized(value) == expected


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("first_block", "needs a threshold between 0 and 1"),
        ("first_block:abc", "needs a threshold between 0 and 1"),
        ("first_block:0", r"between 0 and 1 \(exclusive\)"),
        ("first_block:1.5", r"between 0 and 1 \(exclusive\)"),
        ("first_block:-0.1", r"between 0 and 1 \(exclusive\)"),
        ("faster:0.1", "unknown step cache 'faster'"),
    ],
)
def test_a_bad_setting_is_refused_with_what_to_write(value, says):
    with pytest.raises(step_cache.StepCacheError, match=says):
        step_cache.normalized(value)


def test_register_model_refuses_a_bad_setting_and_registers_nothing(db, demo_model_folder):
    with pytest.raises(CommandError, match=r"--step-cache: the first_block threshold must be between 0 and 1"):
        call_command("register_model", str(demo_model_folder), "--name", "wan-bad-cache", "--step-cache", "first_block:2",
                     stdout=io.StringIO())
    assert not ModelProfile.objects.filter(name="wan-bad-cache").exists()


def _register(folder: Path, name: str, *cache: str) -> ModelProfile:
    call_command("register_model", str(folder), "--name", name, "--width", "64", "--height", "64", "--min-width", "32", "--min-height",
                 "32", "--frames", "9", "--steps", "12", *(("--step-cache", *cache) if cache else ()), stdout=io.StringIO())
    return ModelProfile.objects.get(name=name)


def _render(api, world, model: str) -> GenerationJob:
    response = api(world.artist).post(f"/api/v1/shots/{world.shot.id}/generations/",
                                      {"prompt": "a lighthouse at dusk", "model": model, "seed": 7}, format="json")
    assert response.status_code == 201, response.content
    (job,) = response.json()["jobs"]
    assert render_generation(job["id"]) == "succeeded"
    return GenerationJob.objects.select_related("take").get(pk=job["id"])


def _settle_scans(jobs: list[GenerationJob]) -> None:
    """Each take's likeness scan (queued at its commit on a queue no worker of this test consumes,
    tests/conftest.py `_media_queue`) runs here, or finishes wherever it was already claimed: none is
    left running into the test's teardown."""
    for job in jobs:
        scan_take_likeness(str(job.take.pk), Take.objects.get(pk=job.take.pk).scan_attempt)
    deadline = time.monotonic() + 120
    while Take.objects.filter(job__in=jobs, scan_state__in=(Take.ScanState.PENDING, Take.ScanState.RUNNING)).exists():
        assert time.monotonic() < deadline, "a take's likeness scan did not finish"
        time.sleep(0.2)


def _frames(job: GenerationJob) -> np.ndarray:
    return encoding.decode_rgb(Path(job.take.media.path), width=job.width, height=job.height).astype(np.float64)


def test_the_worker_applies_the_cache_records_it_and_stays_reproducible(transactional_db, world, api, settings, demo_model_folder):
    settings.GENERATION_QUEUE = "gpu-test-step-cache-nobody"  # the task body runs here, not on a session worker
    plain = _register(demo_model_folder, "wan-plain")
    cached = _register(demo_model_folder, "wan-cached", "first_block:0.2")
    assert (plain.step_cache, cached.step_cache) == ("", "first_block:0.2")
    listed = {m["name"]: m for m in api(world.artist).get("/api/v1/generation-models/").json()["results"]}
    assert listed["wan-cached"]["step_cache"] == "first_block:0.2" and listed["wan-plain"]["step_cache"] == ""

    first, again, uncached = _render(api, world, "wan-cached"), _render(api, world, "wan-cached"), _render(api, world, "wan-plain")
    _settle_scans([first, again, uncached])
    assert first.take.lineage["model"]["step_cache"] == "first_block:0.2"
    assert uncached.take.lineage["model"]["step_cache"] is None
    # The cache's state is reset between renders: the same seed gives the same frames, cached or not.
    assert first.take.frames_sha256 == again.take.frames_sha256
    # The worker did apply it (steps whose first block barely changed reused the other blocks' residual) …
    assert first.take.frames_sha256 != uncached.take.frames_sha256
    # … and stayed close to the uncached render (PSNR of the decoded clips, 8-bit): the cache reuses residuals, it does not invent.
    mse = ((_frames(first) - _frames(uncached)) ** 2).mean()
    assert mse == 0 or 10 * np.log10(255**2 / mse) > 30, mse
