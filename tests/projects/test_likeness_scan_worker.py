"""The likeness scan on a real Celery worker (the `media` queue): an uploaded version that shows a
protected face (skimage's astronaut) is held by the worker's scan, and the agency's grant re-scans
it on the worker and releases it. Real PostgreSQL, Redis, ffmpeg and dlib; no eager Celery."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from projects.models import Version
from rights import services as rights_services
from rights.models import LikenessUse
from tests.support import faces as real_faces
from tests.support.waiting import wait_for
from tests.support.world import build_world, give_consent, request_consent


@pytest.fixture
def world(transactional_db):
    return build_world(tag="ls", roles=("producer", "artist"), talent=True, client_on_project=False)


def scanned(version_id, states) -> Version:
    def done():
        version = Version.objects.get(pk=version_id)
        return version if version.scan_state in states else None

    return wait_for(done, timeout=120, what=f"the likeness scan of {version_id} to reach {states}")


def test_the_worker_holds_an_upload_with_a_protected_face_and_releases_it_after_the_grant(world, api, live_worker, tmp_path):
    buffer = io.BytesIO()
    Image.fromarray(real_faces.astronaut()).save(buffer, format="PNG")
    rights_services.upload_asset(actor=world.agent, talent=world.ava, file=SimpleUploadedFile("ref.png", buffer.getvalue()))
    clip = real_faces.face_clip(tmp_path / "plate.mp4", real_faces.astronaut(), size="1280x720", face_px=360, crf=30)
    with open(clip, "rb") as fh:
        response = api(world.artist).post(f"/api/v1/shots/{world.shot.id}/versions/", {"file": fh}, format="multipart")
    assert response.status_code == 201, response.content
    version = scanned(response.json()["id"], {"held", "failed", "clear", "matched"})
    assert version.scan_state == "held", version.scan_result
    body = api(world.producer).get(f"/api/v1/versions/{version.id}/").json()
    assert body["likeness_scan"]["state"] == "held" and "Ava Reyes" in body["likeness_scan"]["held_reason"]
    assert body["likeness_scan"]["frames_sampled"] == 4 and body["likeness_scan"]["sample_fps"] == 2

    grant = request_consent(requester=world.producer, talent=world.ava, studio=world.northlight, project=world.mr)
    version = scanned(version.id, {"held", "failed", "clear", "matched"})  # the request's re-scan: still held
    give_consent(agent=world.agent, grant=grant)
    version = scanned(version.id, {"matched", "failed", "clear"})
    assert version.scan_state == "matched"
    use = LikenessUse.objects.get(version=version, talent=world.ava)
    assert use.via == "scan" and use.grant_id == grant.pk
