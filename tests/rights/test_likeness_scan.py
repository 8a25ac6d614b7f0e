"""The likeness scan with real faces (skimage's astronaut and cameraman photographs) composited into
clips with ffmpeg: descriptors at upload, a version held for a protected face without a grant
(approval, delivery refused with the performer named; `request_consent` offered), a grant change
re-scanning it, covered faces recorded as likeness uses, no match for a different face or none.

The scan's task body runs in-process here (`services.scan_version_likeness`, the function the media
worker calls); tests/projects/test_likeness_scan_worker.py runs it on a real worker.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from projects import services as project_services
from projects.models import Version
from rights import faces
from rights.models import LikenessAsset, LikenessUse
from studio.audit.models import AuditEvent
from tests.rights.conftest import INTENDED_USE, active_grant, results, sha
from tests.support import faces as real_faces

# `slow`: every test runs dlib's face detector and descriptor model on real frames (docs/CONVENTIONS.md, "Tests").
pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def png(image: np.ndarray) -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="PNG")
    return buffer.getvalue()


def register_face(api, world, talent=None, image=None):
    talent = talent or world.ava
    file = SimpleUploadedFile("ref.png", png(real_faces.astronaut() if image is None else image), content_type="image/png")
    response = api(world.agent).post(f"/api/v1/talent/{talent.pk}/assets/", {"file": file, "kind": "face"}, format="multipart")
    assert response.status_code == 201, response.content
    return response.json()


def upload_clip(api, user, shot, clip) -> dict:
    with open(clip, "rb") as fh:
        response = api(user).post(f"/api/v1/shots/{shot.id}/versions/", {"file": fh}, format="multipart")
    assert response.status_code == 201, response.content
    return response.json()


def run_scan(version_id) -> Version:
    """What the media worker does with the queued message (the latest attempt)."""
    version = Version.objects.get(pk=version_id)
    assert version.scan_state == "pending"
    scanned = project_services.scan_version_likeness(version_id=version.pk, attempt=version.scan_attempt)
    assert scanned is not None
    return Version.objects.get(pk=version_id)


def actions(body) -> dict:
    return {(a["action"], a.get("lane")): a for a in body["allowed_actions"]}


def test_a_reference_image_gets_its_face_descriptor_at_upload_and_no_api_shows_it(world, api):
    body = register_face(api, world)
    asset = LikenessAsset.objects.get(pk=body["id"])
    assert len(asset.face_descriptor) == 128 and asset.face_descriptor_model == faces.DESCRIPTOR_MODEL
    assert body["face_detected"] is True and "face_descriptor" not in body
    assert AuditEvent.objects.get(action="likeness_asset.uploaded", target_id=str(asset.pk)).data["face_found"] is True
    listed = results(api(world.agent).get(f"/api/v1/talent/{world.ava.pk}/assets/"))
    assert all(set(row) & {"face_descriptor", "face_descriptor_model"} == set() for row in listed)
    # An image without a face is stored; the scan has nothing to compare with it.
    blank = register_face(api, world, image=np.full((64, 64, 3), 128, np.uint8))
    assert blank["face_detected"] is False and LikenessAsset.objects.get(pk=blank["id"]).face_descriptor is None


def test_the_same_face_matches_after_scaling_and_reencoding_and_a_different_face_does_not(tmp_path):
    reference = faces.as_references([("ava", "a1", faces.reference_descriptor(real_faces.astronaut()))])
    from projects import likeness_scan

    same = likeness_scan.scan_file(real_faces.face_clip(tmp_path / "same.mp4", real_faces.astronaut(), crf=35), references=reference)
    flipped = likeness_scan.scan_file(
        real_faces.face_clip(tmp_path / "flip.mp4", real_faces.astronaut(), hflip=True, face_px=300), references=reference,
    )
    other = likeness_scan.scan_file(real_faces.face_clip(tmp_path / "cam.mp4", real_faces.cameraman(), face_px=300), references=reference)
    nothing = likeness_scan.scan_file(real_faces.no_face_clip(tmp_path / "bars.mp4"), references=reference)
    assert same.frames == 4 and same.faces >= 4 and same.matches["ava"].distance <= faces.MATCH_THRESHOLD
    assert flipped.matches["ava"].distance <= faces.MATCH_THRESHOLD
    assert other.faces >= 1 and other.matches == {}  # a real, different person
    assert nothing.faces == 0 and nothing.matches == {}


def test_an_upload_showing_a_protected_face_without_a_grant_is_held_until_a_grant_covers_it(world, api, tmp_path):
    register_face(api, world)
    body = upload_clip(api, world.nl_artist, world.shot, real_faces.face_clip(tmp_path / "ava.mp4", real_faces.astronaut()))
    assert body["likeness_scan"]["state"] == "pending"
    version = run_scan(body["id"])
    assert version.scan_state == "held" and [str(t) for t in version.scan_talent] == [str(world.ava.pk)]

    seen = api(world.nl_producer).get(f"/api/v1/versions/{version.id}/").json()
    scan = seen["likeness_scan"]
    assert scan["state"] == "held" and "Ava Reyes" in scan["held_reason"] and "Crescent Talent" in scan["held_reason"]
    assert scan["held_reason"].startswith("Held by the likeness scan")
    (match,) = scan["matches"]
    assert match["talent"] == "Ava Reyes" and match["covered"] is False and match["distance"] <= faces.MATCH_THRESHOLD
    assert scan["request_consent"]["origin"] == "likeness_scan"
    assert scan["request_consent"]["talent"][0]["talent_id"] == str(world.ava.pk)
    assert scan["request_consent"]["talent"][0]["use_types"] == ["digital_replica"]
    allowed = actions(seen)
    assert allowed[("request_consent", None)]["allowed"] is True
    approve = allowed[("approve", "producer")]
    assert approve["allowed"] is False and approve["code"] == "blocked" and "Ava Reyes" in approve["reason"]
    assert actions(api(world.nl_artist).get(f"/api/v1/versions/{version.id}/").json())[("request_consent", None)]["allowed"] is False

    # Not approvable, not deliverable: the refusals name the performer and why.
    refused = api(world.nl_producer).post(f"/api/v1/versions/{version.id}/approvals/", {"lane": "producer", "decision": "approved"},
                                          format="json")
    assert refused.status_code in (403, 409) and "Ava Reyes" in refused.json()["detail"], refused.json()
    download = api(world.nl_producer).get(f"/api/v1/versions/{version.id}/media/original/")
    assert download.status_code == 403 and "likeness scan" in download.json()["detail"]
    assert download.json()["request_consent"]["origin"] == "likeness_scan"

    # The studio asks (section 4) from the hold; the agency grants: the held version is re-scanned.
    prefill = scan["request_consent"]
    asked = api(world.nl_producer).post("/api/v1/consent-requests/", {
        "talent": prefill["talent"][0]["talent_id"], "project": prefill["project"], "use_types": prefill["talent"][0]["use_types"],
        "description": INTENDED_USE, "valid_until": (timezone.now() + dt.timedelta(days=90)).isoformat(),
        "origin": prefill["origin"], "origin_reason": prefill["talent"][0]["reason_code"],
    }, format="json")
    assert asked.status_code == 201, asked.content
    answered = api(world.agent).post(f"/api/v1/consent-requests/{asked.json()['id']}/grant/", {
        "document_sha256": sha("rider"), "signed_at": timezone.now().isoformat(), "signed_by": "Ava Reyes", "signer_capacity": "self",
        "media": ["theatrical"], "territories": ["WORLD"], "requires_per_use_approval": False,
    }, format="json")
    assert answered.status_code == 200, answered.content
    version = run_scan(version.id)
    assert version.scan_state == "matched"
    use = LikenessUse.objects.get(version=version, talent=world.ava)
    assert use.via == "scan" and use.job_id == version.id and use.use_type == "digital_replica" and use.state == "approved"
    after = api(world.nl_producer).get(f"/api/v1/versions/{version.id}/").json()
    assert after["likeness_scan"]["matches"][0]["covered"] is True and after["likeness_scan"]["held_reason"] == ""
    assert actions(after)[("request_consent", None)]["allowed"] is False
    project_services.process_version_media(version_id=version.id)  # the proxy (the media worker's other task)
    approved = api(world.nl_producer).post(f"/api/v1/versions/{version.id}/approvals/", {"lane": "producer", "decision": "approved"},
                                           format="json")
    assert approved.status_code in (200, 201), approved.content


def test_a_covered_face_records_a_use_for_the_agencys_review(world, api, tmp_path):
    active_grant(world, requires_per_use_approval=True)
    register_face(api, world)
    body = upload_clip(api, world.nl_artist, world.shot, real_faces.face_clip(tmp_path / "ava.mp4", real_faces.astronaut(), crf=35))
    version = run_scan(body["id"])
    assert version.scan_state == "matched"
    use = LikenessUse.objects.get(version=version)
    assert (use.talent_id, use.via, use.state) == (world.ava.pk, "scan", "pending_review")
    # The agency sees it in its review queue, like a cast use.
    queue = results(api(world.agent).get("/api/v1/likeness-uses/"))
    assert [row["id"] for row in queue] == [str(use.pk)]
    # Approval waits for the agency's decision (the policy's review rule, not a hold).
    seen = api(world.nl_producer).get(f"/api/v1/versions/{version.id}/").json()
    assert seen["likeness_scan"]["state"] == "matched" and actions(seen)[("request_consent", None)]["allowed"] is False


def test_clips_without_a_protected_face_are_clear(world, api, tmp_path):
    register_face(api, world)
    bars = upload_clip(api, world.nl_artist, world.shot, real_faces.no_face_clip(tmp_path / "bars.mp4"))
    other = upload_clip(api, world.nl_artist, world.shot, real_faces.face_clip(tmp_path / "cam.mp4", real_faces.cameraman(), face_px=300))
    assert run_scan(bars["id"]).scan_state == "clear"
    version = run_scan(other["id"])
    assert version.scan_state == "clear" and version.scan_result["faces_found"] >= 1 and version.scan_result["matches"] == []
    assert not LikenessUse.objects.exists()


def test_a_grant_change_rescans_only_the_studios_held_media_and_foreign_rows_stay_hidden(world, api, tmp_path):
    register_face(api, world)
    clip = real_faces.face_clip(tmp_path / "ava.mp4", real_faces.astronaut())
    ours = run_scan(upload_clip(api, world.nl_artist, world.shot, clip)["id"])
    theirs = run_scan(upload_clip(api, world.hb_producer, world.hb_shot, clip)["id"])
    assert ours.scan_state == theirs.scan_state == "held"
    active_grant(world)  # Northlight's grant, requested then signed: our version is queued again (twice), Harbor's is not
    ours.refresh_from_db()
    theirs.refresh_from_db()
    assert (ours.scan_state, ours.scan_attempt) == ("pending", 3) and (theirs.scan_state, theirs.scan_attempt) == ("held", 1)
    # A stale message (the first attempt) stores nothing.
    assert project_services.scan_version_likeness(version_id=ours.pk, attempt=1) is None
    # Tenancy: the foreign studio's version and its scan are a 404 to us, and ours to them.
    assert api(world.nl_producer).get(f"/api/v1/versions/{theirs.id}/").status_code == 404
    assert api(world.hb_producer).get(f"/api/v1/versions/{ours.id}/").status_code == 404
