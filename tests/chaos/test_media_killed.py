"""The media worker is SIGKILLed mid-transcode: the version ends ready (or failed with a reason),
never stuck in `processing`.

- `pool`: the pool process dies while ffmpeg builds the proxy; Celery delivers the task again and
  the new attempt takes the claim over at once (the old process is gone from the process table);
- `node`: the whole worker dies; its message stays unacknowledged in the broker, the supervisor
  starts a fresh worker, and the media reaper re-queues the version whose claim is dead.
  Before `projects/processing.py` the version stayed `processing` until the broker's visibility
  timeout (an hour) — or for good when the broker lost the message.
- a version whose processing loses its worker `MEDIA_PROCESSING_MAX_ATTEMPTS` times fails with a
  reason instead of being retried for ever.
"""

from __future__ import annotations

import itertools
import time

import pytest
from django.core.files import File

from projects import media, services
from projects.models import Version
from tests.chaos.harness import report, scale, wait_until

pytestmark = [pytest.mark.worker, pytest.mark.timeout(900)]


@pytest.fixture(scope="module")
def long_clip(tmp_path_factory):
    # ~10 s of 720p: the proxy takes seconds to build, so there is time to kill it mid-transcode.
    return media.make_test_clip(tmp_path_factory.mktemp("chaos-media") / "long.mp4", frames=240, fps="24/1", size="1280x720")


def upload(world, clip) -> Version:
    info = media.probe(clip)
    with open(clip, "rb") as fh:
        return services.create_version(
            shot=world.shot, source=Version.Source.UPLOAD, created_by=world.artist, original=File(fh), original_name=clip.name,
            frame_count=info.frame_count, fps=info.fps_pair, size=(info.width, info.height),
        )


def wait_transcoding(version_id, attempt: int, media_worker) -> Version:
    """The attempt holds the claim and its ffmpeg is running under the worker."""

    def transcoding():
        version = Version.objects.get(pk=version_id)
        if version.processing_status != "processing":
            raise AssertionError(f"version ended {version.processing_status} before attempt {attempt} was killed")
        if version.processing_attempts != attempt or version.processing_started_at is None:
            return None
        pid = int(version.processing_worker.rpartition(":")[2])
        import psutil

        try:
            return version if any(c.name().startswith("ffmpeg") for c in psutil.Process(pid).children()) else None
        except psutil.NoSuchProcess:  # the process or its ffmpeg just ended: look again
            return None

    return wait_until(transcoding, timeout=120, interval=0.02, what=f"version {version_id} attempt {attempt} to transcode")


def kill(mode: str, version: Version, media_worker) -> None:
    pid = int(version.processing_worker.rpartition(":")[2])
    if mode == "pool":
        assert pid in media_worker.child_pids(), (pid, media_worker.child_pids())
        media_worker.kill_child(pid)
    else:
        starts = media_worker.kill()
        media_worker.wait_ready(starts=starts + 1)


def ended(version_id) -> Version | None:
    version = Version.objects.get(pk=version_id)
    return version if version.processing_status != "processing" else None


def test_media_worker_killed_mid_transcode_the_version_ends_ready_never_processing(
    transactional_db, world, chaos_media, queues, beat, long_clip
):
    rounds = list(itertools.islice(itertools.cycle(["pool", "node"]), scale(2, 6)))
    give_up = ["pool", "pool", "pool"] if len(rounds) <= 2 else ["node", "pool", "node"]  # bounded: no extra restarts
    recoveries = []
    for mode in rounds:
        version = upload(world, long_clip)
        running = wait_transcoding(version.id, 1, chaos_media)
        killed = time.monotonic()
        kill(mode, running, chaos_media)
        wait_until(lambda v=version.id: Version.objects.filter(pk=v, processing_attempts__gte=2).exists() or ended(v), timeout=120,
                   what="the next attempt")
        recoveries.append((mode, round(time.monotonic() - killed, 2)))
        done = wait_until(lambda v=version.id: ended(v), timeout=300, what=f"version {version.id} to finish processing")
        assert done.processing_status == "ready", done.failure_reason
        assert done.processing_attempts == 2 and done.frame_count == 240 and done.proxy and done.poster and done.sprite

    # Lost every time: it fails with the reason, it is not retried for ever.
    version = upload(world, long_clip)
    for attempt, mode in enumerate(give_up, start=1):
        running = wait_transcoding(version.id, attempt, chaos_media)
        kill(mode, running, chaos_media)
    done = wait_until(lambda: ended(version.id), timeout=120, what="the version to fail")
    assert done.processing_status == "failed" and "media worker was lost" in done.failure_reason, done.failure_reason
    assert not Version.objects.filter(project=world.project, processing_status="processing").exists()
    report("media worker killed", kills=len(rounds) + 3, restarts=chaos_media.starts - 1, recovered_ready=len(rounds),
           failed_with_reason=1, recovery_seconds=recoveries, reaper=beat.counts)
