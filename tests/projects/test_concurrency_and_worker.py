"""Version numbers under concurrent creation (real threads, real connections), and the real
`media` worker turning an upload into a playable proxy."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from django.core.files import File
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from projects import services
from projects.models import Shot, Version
from studio.tenancy.models import Role
from tests.projects.conftest import make_org, make_project, make_shot, make_user
from tests.support.waiting import wait_for


def test_concurrent_versions_get_distinct_consecutive_numbers(transactional_db, clips, media_root):
    org = make_org("concurrent")
    shot = make_shot(make_project(org, code="CC"), "CC_010_0010")
    workers = 8
    barrier = threading.Barrier(workers)
    numbers, errors = [], []

    def create():
        try:
            barrier.wait(timeout=30)
            with open(clips["good"], "rb") as fh:
                version = services.create_version(
                    shot=shot,
                    source="generation",
                    original=File(fh),
                    original_name="render.mp4",
                    frame_count=48,
                    fps=(24, 1),
                    size=(320, 180),
                    lineage={"seed": 1},
                )
            numbers.append(version.number)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=create) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert sorted(numbers) == list(range(1, workers + 1))
    shot.refresh_from_db()
    assert shot.next_version_number == workers + 1
    assert shot.current_version.number == workers
    assert sorted(Version.objects.filter(shot=shot).values_list("number", flat=True)) == list(range(1, workers + 1))


def test_numbers_are_never_reused(studio, clips, media_root):
    first = services.create_version(shot=studio.shot, source="generation")
    first.delete()
    second = services.create_version(shot=studio.shot, source="generation")
    assert second.number == 2 and second.label == "v002"


@pytest.mark.worker
def test_the_media_worker_builds_the_proxy_of_an_upload(transactional_db, live_worker, clips, api):
    org = make_org("worker")
    artist = make_user(org=org, role=Role.ARTIST)
    shot = make_shot(make_project(org, code="WK"), "WK_010_0010", frames=30)
    response = api(artist).post(
        f"/api/v1/shots/{shot.id}/versions/",
        {"file": SimpleUploadedFile("ntsc.mp4", clips["ntsc"].read_bytes(), content_type="video/mp4")},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    version_id = response.json()["id"]
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        version = Version.objects.get(pk=version_id)
        if version.processing_status != "processing":
            break
        time.sleep(0.25)
    assert version.processing_status == "ready", version.failure_reason or f"still processing; see {live_worker.log_path}"
    assert version.frame_count == 30 and Path(version.proxy.path).is_file()
    detail = api(artist).get(f"/api/v1/versions/{version_id}/").json()
    assert detail["media"]["proxy"] and detail["sprite"]["frames"][:3] == [1001, 1002, 1003]
    ranged = api(artist).get(detail["media"]["proxy"], HTTP_RANGE="bytes=0-1023")
    assert ranged.status_code == 206 and len(b"".join(ranged.streaming_content)) == 1024
    shot_row = api(artist).get(f"/api/v1/shots/{shot.id}/").json()
    assert shot_row["thumbnail"].endswith(f"/versions/{version_id}/media/thumb/")
    assert Shot.objects.get(pk=shot.pk).status == "review"
    # The worker then scans the upload for likenesses (it writes the version again): let it finish
    # before the test's tables are emptied, so the two never lock the same rows in turn.
    wait_for(lambda: Version.objects.filter(pk=version_id).exclude(scan_state__in=["pending", "running"]).exists(),
             timeout=120, what="the upload's likeness scan to finish")


def test_concurrent_creation_of_the_same_shot_code_gives_one_shot_and_a_clear_error(transactional_db):
    from rest_framework.exceptions import ValidationError

    org = make_org("race")
    producer = make_user(org=org, role=Role.PRODUCER)
    project = make_project(org, code="RC")
    workers = 6
    barrier = threading.Barrier(workers)
    created, refused, unexpected = [], [], []

    def create():
        try:
            barrier.wait(timeout=30)
            created.append(services.create_shot(actor=producer, project=project, code="RC_010_0010"))
        except ValidationError as exc:
            refused.append(exc.detail["code"][0])
        except Exception as exc:  # noqa: BLE001 - reported below
            unexpected.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=create) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not unexpected, unexpected
    assert len(created) == 1 and len(refused) == workers - 1
    assert all("already exists" in message for message in refused)
    assert Shot.objects.filter(project=project, code="RC_010_0010").count() == 1
