"""Renders on real Celery worker processes: API → broker → worker → diffusers → ffmpeg → take, and
publishing a take → the shot's next version (conformed).

Each test that kills or needs a cold worker starts its own worker on its own queue, so tests do not
steal each other's jobs. Timing-sensitive tests (cancel, kill) use renders of 40–100 steps at
256x256, so there are seconds of margin between "the first step was reported" and "the render
finished"; the tests act on observed progress, never after a sleep.
"""

from __future__ import annotations

import os
import signal
from datetime import timedelta
from pathlib import Path

import pytest

from generation import encoding, services
from generation.models import GenerationJob, Take
from generation.tasks import render_generation
from projects.models import Version
from studio.audit.models import AuditEvent
from tests.generation.conftest import (
    publish_job,
    publish_take,
    read_take,
    start_worker,
    submit,
    takes_of,
    wait_state,
    wait_step,
)
from tests.generation.listener import GroupListener

pytestmark = pytest.mark.worker

TERMINAL = {"succeeded", "failed", "cancelled"}
SLOW = {"frames": 33, "width": 256, "height": 256}  # ~0.1 s per step on one CPU thread


def test_a_render_becomes_one_take_and_publishing_it_makes_a_conformed_version_with_full_lineage(
    transactional_db, world, gpu_worker, api
):
    world.shot.frame_in, world.shot.frame_out = 1001, 1036  # a 36-frame cut at the project's 24 fps
    world.shot.save(update_fields=["frame_in", "frame_out"])
    listener = GroupListener(world.project.id)
    try:
        (job,) = submit(api(world.artist), world.shot, prompt="a lighthouse at dusk, slow push-in", seed=4242, steps=6, fps="24000/1001")
        done = wait_state(job["id"], TERMINAL)
        assert done.state == "succeeded", done.error
        events = listener.collect(lambda e: e["type"] == "job.state_changed" and e["data"]["state"] in TERMINAL)
    finally:
        listener.close()

    # Progress: once per step, in order, from the worker, between "running" and "succeeded".
    mine = [e for e in events if e.get("job") == job["id"]]
    progress = [e["data"] for e in mine if e["type"] == "job.progress"]
    assert [(p["step"], p["total"]) for p in progress] == [(s, 6) for s in range(1, 7)]
    assert all(p["elapsed"] > 0 and p["eta"] >= 0 for p in progress) and progress[-1]["eta"] == 0
    states = [e["data"]["state"] for e in mine if e["type"] == "job.state_changed"]
    assert "queued" in states  # from the API process; it may race the worker's first event
    worker_events = [e for e in mine if e["type"] == "job.progress" or e["data"].get("state") in ("running", "succeeded")]
    labels = [e["data"].get("state", "progress") if e["type"] == "job.state_changed" else "progress" for e in worker_events]
    assert labels == ["running"] + ["progress"] * 6 + ["succeeded"]  # one worker process: its events leave in order

    # A take, not a version: nothing enters review until a take is published.
    (take,) = takes_of(job["id"])
    assert any(e["type"] == "take.created" and e["data"]["id"] == str(take.id) for e in events)
    assert not any(e["type"] == "version.created" for e in events) and Version.objects.filter(shot=world.shot).count() == 0
    assert done.version_id is None

    # The job: one attempt, its worker, its timings, the latest progress kept on the row.
    assert done.attempts == 1 and done.worker.startswith("gen-gpu@") and done.finished_at and not done.error
    assert done.progress["step"] == done.progress["total"] == 6
    for phase in ("queue_wait", "load", "denoise", "decode", "encode", "store", "total"):
        assert isinstance(done.timings[phase], float) and done.timings[phase] >= 0, phase
    assert done.timings["total"] >= done.timings["denoise"] + done.timings["decode"] + done.timings["encode"]
    assert AuditEvent.objects.filter(action="generation.succeeded", target_id=job["id"]).count() == 1
    assert AuditEvent.objects.filter(action="take.created", target_id=str(take.id)).count() == 1

    # The take: the native clip as probed, its poster, what made it, and the full lineage.
    native = (take.native_frames, take.native_fps_num, take.native_fps_den, take.native_width, take.native_height)
    assert native == (17, 24000, 1001, 64, 64)
    assert (take.seed, take.created_by_id, take.job_id) == (4242, world.artist.id, done.id)
    assert take.poster and Path(take.poster.path).read_bytes()[:2] == b"\xff\xd8" and len(take.frames_sha256) == 64
    lineage = take.lineage
    assert lineage["job"] == job["id"] and lineage["seed"] == 4242 and lineage["prompt"] == "a lighthouse at dusk, slow push-in"
    assert lineage["negative_prompt"] == "" and lineage["model"]["name"] == "wan2.1-t2v-tiny" and lineage["model"]["family"] == "wan2.1"
    assert {k: lineage["parameters"][k] for k in ("frames", "width", "height", "fps", "steps", "guidance")} == {
        "frames": 17, "width": 64, "height": 64, "fps": "24000/1001", "steps": 6, "guidance": 5.0}
    assert set(lineage["timings"]) >= {"queue_wait", "load", "denoise", "decode", "encode"}
    assert lineage["runtime"]["device"] == "cpu" and lineage["runtime"]["dtype"] == "float32"
    assert lineage["frames_sha256"] == take.frames_sha256
    path = Path(take.media.path)
    info = encoding.probe(path)
    assert (info["codec"], info["pix_fmt"], info["frames"], info["width"], info["height"]) == ("h264", "yuv420p", 17, 64, 64)
    assert info["fps"].numerator == 24000 and info["fps"].denominator == 1001
    assert encoding.moov_before_mdat(path)

    # Publishing: the shot's next version, conformed to 24 fps and the 36-frame cut, with the take's lineage.
    version = publish_job(api(world.artist), job["id"])
    assert version.number == 1 and version.source == "generation" and version.lineage["take"] == str(take.id)
    assert {k: version.lineage[k] for k in ("job", "seed", "prompt", "model", "parameters")} == {
        k: lineage[k] for k in ("job", "seed", "prompt", "model", "parameters")}
    assert (version.frame_count, version.fps_num, version.fps_den, version.width, version.height) == (36, 24, 1, 114, 64)
    conformed = encoding.probe(Path(version.original.path))
    assert (conformed["fps"], conformed["frames"]) == (24, 36)
    assert version.lineage["conform"]["summary"].startswith("native 23.976 fps, 17 frames → conformed 24 fps, 36 frames")

    # The API shows the studio the finished job with its version; client reviewers never see jobs or takes.
    body = api(world.artist).get(f"/api/v1/generations/{job['id']}/").json()
    assert body["state"] == "succeeded" and body["version"]["id"] == str(version.id) and body["version"]["label"] == version.label
    assert api(world.reviewer).get(f"/api/v1/generations/{job['id']}/").status_code == 404
    assert api(world.reviewer).get(f"/api/v1/takes/{take.id}/").status_code == 404


def test_count_three_makes_three_takes_and_only_a_published_one_becomes_a_version(transactional_db, world, gpu_worker, api):
    client = api(world.artist)
    jobs = submit(client, world.shot, prompt="a red circle moving left on a blue background", seed=900, steps=2, count=3)
    done = [wait_state(j["id"], TERMINAL) for j in jobs]
    assert [j.state for j in done] == ["succeeded"] * 3, [j.error for j in done]
    gallery = client.get(f"/api/v1/shots/{world.shot.id}/takes/").json()
    assert sorted(t["seed"] for t in gallery["results"]) == [900, 901, 902]
    assert Version.objects.filter(shot=world.shot).count() == 0
    chosen = next(t for t in gallery["results"] if t["seed"] == 901)
    published = publish_take(client, chosen["id"])
    assert published["version"]["label"] == "v001" and published["take"]["version"]["id"] == published["version"]["id"]
    assert Version.objects.filter(shot=world.shot).count() == 1


def test_the_second_job_on_a_warm_worker_skips_loading_and_the_same_seed_reproduces_the_same_frames(
    transactional_db, world, api, django_db_blocker, settings
):
    """Determinism: the same seed, parameters and model give the same frames (hash of the decoded
    uint8 frames the pipeline returned, and the frames decoded back from the take's file)."""
    settings.GENERATION_QUEUE = queue = "gpu-test-warm"
    worker = start_worker(django_db_blocker, name="gen-warm", queue=queue)
    try:
        client = api(world.artist)
        (first,) = submit(client, world.shot, seed=77, steps=3)
        first = wait_state(first["id"], TERMINAL)
        (second,) = submit(client, world.shot, seed=77, steps=3)
        second = wait_state(second["id"], TERMINAL)
        (third,) = submit(client, world.shot, seed=78, steps=3)
        third = wait_state(third["id"], TERMINAL)
    finally:
        worker.stop()
    assert [j.state for j in (first, second, third)] == ["succeeded"] * 3, [j.error for j in (first, second, third)]
    assert first.timings["warm"] is False and first.timings["load"] > 0
    assert second.timings["warm"] is True and second.timings["load"] == 0.0
    assert third.timings["warm"] is True and third.timings["load"] == 0.0
    (ta,), (tb,), (tc,) = (takes_of(j.id) for j in (first, second, third))
    assert ta.frames_sha256 == tb.frames_sha256 != tc.frames_sha256  # same seed, same frames; another seed, others
    a, b, c = (read_take(t) for t in (ta, tb, tc))
    assert a.shape == (17, 64, 64, 3)
    assert (a == b).all()  # the same frames, so the same file decoded
    assert abs(a.astype(int) - c.astype(int)).mean() > 0.5
    assert Version.objects.filter(shot=world.shot).count() == 0


def test_cancel_while_running_stops_at_the_next_step_with_no_version_and_frees_the_worker(transactional_db, world, gpu_worker, api):
    client = api(world.artist)
    (job,) = submit(client, world.shot, steps=100, **SLOW)
    running = wait_step(job["id"], 1)
    response = client.post(f"/api/v1/generations/{job['id']}/cancel/")
    assert response.status_code == 202, response.content
    assert response.json()["state"] == "running" and response.json()["cancel_requested"] is True
    done = wait_state(job["id"], TERMINAL)
    assert done.state == "cancelled", done.error
    assert running.progress["step"] <= done.progress["step"] < 100  # stopped early, at a step boundary
    assert done.version_id is None and Version.objects.filter(shot=world.shot).count() == 0 and takes_of(job["id"]) == []
    assert done.finished_at and done.cancelled_by_id == world.artist.id
    assert {"generation.cancel_requested", "generation.cancelled"} <= set(
        AuditEvent.objects.filter(target_id=job["id"]).values_list("action", flat=True))
    # The worker process is free and still warm: the next render runs at once on it.
    (following,) = submit(client, world.shot, steps=2)
    following = wait_state(following["id"], TERMINAL)
    assert following.state == "succeeded" and following.worker_pid == done.worker_pid and following.timings["warm"] is True


@pytest.fixture(scope="module")
def kill_worker(django_db_setup, django_db_blocker, demo_model_folder):
    worker = start_worker(django_db_blocker, name="gen-kill", queue="gpu-test-kill")
    yield worker
    worker.stop()


def kill_render_process(job_id, worker) -> int:
    running = wait_step(job_id, 1)
    assert running.worker_pid in worker.child_pids(), (running.worker_pid, worker.child_pids())
    os.kill(running.worker_pid, signal.SIGKILL)
    return running.worker_pid


def test_a_render_process_killed_mid_render_is_redelivered_and_yields_exactly_one_take(
    transactional_db, world, api, kill_worker, settings
):
    settings.GENERATION_QUEUE = "gpu-test-kill"
    (job,) = submit(api(world.artist), world.shot, steps=40, **SLOW)
    killed = kill_render_process(job["id"], kill_worker)
    done = wait_state(job["id"], TERMINAL, timeout=180)
    assert done.state == "succeeded", done.error
    assert done.attempts == 2 and done.worker_pid != killed
    (take,) = takes_of(job["id"])
    assert Take.objects.filter(shot=world.shot).count() == 1 and take.lineage["attempt"] == 2


def test_a_render_process_killed_on_its_last_attempt_fails_the_job_instead_of_leaving_it_running(
    transactional_db, world, api, kill_worker, settings
):
    settings.GENERATION_QUEUE = "gpu-test-kill"
    settings.GENERATION_MAX_ATTEMPTS = 1
    (job,) = submit(api(world.artist), world.shot, steps=40, **SLOW)
    kill_render_process(job["id"], kill_worker)
    done = wait_state(job["id"], TERMINAL, timeout=120)
    assert done.state == "failed" and done.attempts == 1
    assert "worker was lost" in done.error and "Giving up after 1 attempts" in done.error
    assert takes_of(job["id"]) == [] and done.finished_at is not None
    # The worker recovered: its next render succeeds.
    settings.GENERATION_MAX_ATTEMPTS = 3
    (following,) = submit(api(world.artist), world.shot, steps=2)
    assert wait_state(following["id"], TERMINAL, timeout=120).state == "succeeded"


def test_a_whole_worker_killed_is_reaped_and_requeued_and_a_duplicate_delivery_creates_nothing(
    transactional_db, world, api, django_db_blocker, settings
):
    settings.GENERATION_QUEUE = queue = "gpu-test-reap"
    first = start_worker(django_db_blocker, name="gen-reap-a", queue=queue)
    try:
        (job,) = submit(api(world.artist), world.shot, steps=40, **SLOW)
        wait_step(job["id"], 1)
    finally:
        first.stop(sig=signal.SIGKILL)  # the node dies: no requeue by Celery, no more heartbeats
    assert GenerationJob.objects.get(pk=job["id"]).state == "running"

    # Beat's reaper finds the silent job and re-queues it (attempt 1 of 3 used).
    assert services.reap_stale_jobs(stale_after=timedelta(0)) == {"requeued": 1, "failed": 0, "cancelled": 0}
    requeued = GenerationJob.objects.get(pk=job["id"])
    assert requeued.state == "queued" and requeued.attempts == 1 and "stopped responding" in requeued.error

    second = start_worker(django_db_blocker, name="gen-reap-b", queue=queue)
    try:
        done = wait_state(job["id"], TERMINAL, timeout=180)
        assert done.state == "succeeded", done.error
        assert done.attempts == 2 and done.worker.startswith("gen-reap-b@") and not done.error
        # The original message coming back later (e.g. after the broker's visibility timeout) does nothing:
        render_generation.apply_async(args=[job["id"]], queue=queue)
        (marker,) = submit(api(world.artist), world.shot, steps=1)  # one process, FIFO: runs after the duplicate
        assert wait_state(marker["id"], TERMINAL).state == "succeeded"
    finally:
        second.stop()
    assert len(takes_of(job["id"])) == 1
    assert GenerationJob.objects.get(pk=job["id"]).attempts == 2
    assert AuditEvent.objects.filter(action="generation.requeued", target_id=job["id"]).count() == 1
