"""Workers on the S3 media backend (a real SeaweedFS): with STORAGE_URL set and no shared folder, a
media worker builds an upload's review media from the bucket, a render worker stores its take in
it, the browser plays the take through a presigned URL, and publishing conforms the take from the
bucket into a version that the media worker makes ready. The same code runs on the local folder in
the rest of this suite."""

from __future__ import annotations

import uuid
from pathlib import Path

import httpx
import pytest
from django.core.files.storage import default_storage

from projects import media
from projects.models import Version
from studio import storage
from studio.storage.config import storages_from_env
from tests.generation.conftest import publish_job, start_worker, submit, wait_state
from tests.support.waiting import wait_for

pytestmark = pytest.mark.worker

QUEUE = "gpu-test-s3"
MEDIA_QUEUE = "media-test-s3"


@pytest.fixture
def on_s3(seaweed, settings, tmp_path, django_db_blocker, demo_model_folder):
    """This process and a worker (renders and media) on one bucket prefix; the worker's media folder stays empty."""
    url = seaweed.storage_url_for(f"w-{uuid.uuid4().hex[:12]}")
    settings.STORAGES = storages_from_env({"STORAGE_URL": url}, expire=settings.MEDIA_URL_EXPIRES_SECONDS)
    settings.GENERATION_QUEUE = QUEUE
    # Media work (processing, publishing's conform, the scans), sent from here or from the worker, goes
    # to this test's own worker, never to another test's media worker on the local folder.
    settings.MEDIA_QUEUE = MEDIA_QUEUE
    worker_media = tmp_path / "worker-media"
    worker = start_worker(django_db_blocker, name="gen-s3", queue=f"{QUEUE},{MEDIA_QUEUE}", STORAGE_URL=url, MEDIA_ROOT=worker_media,
                          MEDIA_QUEUE=MEDIA_QUEUE)
    yield worker_media
    worker.stop()


def wait_ready(version_id) -> Version:
    return wait_for(lambda: Version.objects.filter(pk=version_id, processing_status__in=["ready", "failed"]).first(),
                    timeout=120, what=f"version {version_id} processed")


def test_workers_read_and_write_media_through_the_bucket(transactional_db, world, on_s3, api, tmp_path):
    clip = media.make_test_clip(tmp_path / "plate.mp4", frames=24, size="160x90")
    with open(clip, "rb") as handle:
        response = api(world.artist).post(f"/api/v1/shots/{world.shot.id}/versions/", {"file": handle}, format="multipart")
    assert response.status_code == 201, response.content
    uploaded = wait_ready(response.json()["id"])
    assert uploaded.processing_status == "ready", uploaded.failure_reason
    assert all(storage.exists(f.name) for f in (uploaded.proxy, uploaded.poster, uploaded.sprite))

    (job,) = submit(api(world.artist), world.shot, seed=7, steps=2)
    done = wait_state(job["id"], {"succeeded", "failed", "cancelled"}, timeout=180)
    assert done.state == "succeeded", done.error
    take = done.take
    with default_storage.open(take.media.name, "rb") as handle:
        clip_bytes = handle.read()
    played = api(world.artist).get(f"/api/v1/takes/{take.id}/media/")
    assert played.status_code == 302
    ranged = httpx.get(played["Location"], headers={"Range": "bytes=0-499"}, timeout=10)
    assert ranged.status_code == 206 and ranged.content == clip_bytes[:500]

    version = wait_ready(publish_job(api(world.artist), job["id"]).id)  # conformed from the bucket by this process
    assert version.processing_status == "ready", version.failure_reason
    with storage.local_copy(version.proxy.name) as proxy:
        assert media.probe(proxy).frame_count == version.frame_count
    assert not any(Path(on_s3).rglob("*.*")) if Path(on_s3).exists() else True  # no shared folder was needed
