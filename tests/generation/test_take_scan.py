"""The likeness scan of takes: a render showing a protected face (skimage's astronaut, a real
photograph) is held — not publishable, 409 with the performer, the reason and the pre-filled
consent request — until a grant covers the performer; then the re-scan records the use under the
take's job and the published version inherits the scan and the use. The task body runs in-process
(`services.scan_take_likeness`, what the media worker calls)."""

from __future__ import annotations

import hashlib
import io
import time
from fractions import Fraction

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from generation import encoding, services
from generation.models import Take
from rights import services as rights_services
from rights.models import LikenessUse
from tests.generation.conftest import consent
from tests.support import faces as real_faces

# `slow`: the scan runs dlib's face models on real frames (docs/CONVENTIONS.md, "Tests").
pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def face_take(w, tmp_path, *, frames: int = 33, fps: Fraction = Fraction(16)) -> Take:
    """A finished render that shows the astronaut's face, stored through the worker's services."""
    (job,) = services.submit_generation(actor=w.artist, shot=w.shot, prompt="an astronaut portrait", seed=3, frames=frames, fps=fps)
    job = services.start_attempt(job_id=job.id, worker=services.WorkerIdentity(node="test@here", host="test-host", pid=1))
    clip = real_faces.face_frames(real_faces.astronaut(), frames=frames)
    path = encoding.encode_mp4(clip, tmp_path / f"{job.id}.mp4", fps=fps)
    take = services.complete_attempt(
        job_id=job.id, attempt=job.attempts, video=path, poster=None, native=encoding.probe(path),
        frames_sha256=hashlib.sha256(clip.tobytes()).hexdigest(), timings={"total": 1.0}, store_started=time.perf_counter(),
        lineage={"job": str(job.id), "seed": job.seed, "prompt": job.prompt, "model": {"name": job.model.name},
                 "parameters": dict(job.parameters)},
    )
    assert take is not None and take.scan_state == "pending" and take.scan_attempt == 1
    return take


def register_face(w, talent) -> None:
    buffer = io.BytesIO()
    Image.fromarray(real_faces.astronaut()).save(buffer, format="PNG")
    asset = rights_services.upload_asset(actor=w.agent, talent=talent, file=SimpleUploadedFile("ref.png", buffer.getvalue()))
    assert asset.face_descriptor is not None


def run_scan(take) -> Take:
    take.refresh_from_db()
    assert services.scan_take_likeness(take_id=take.pk, attempt=take.scan_attempt) is not None
    take.refresh_from_db()
    return take


def take_actions(api, user, take) -> dict:
    row = api(user).get(f"/api/v1/takes/{take.id}/").json()
    return {a["action"]: a for a in row["allowed_actions"]}, row


def test_a_take_with_a_protected_face_is_held_and_released_when_the_agency_grants(world, api, tmp_path):
    talent = rights_services.create_talent(actor=world.agent, agency=world.agency, name="Ava Reyes", aliases=[])
    register_face(world, talent)
    take = run_scan(face_take(world, tmp_path))
    assert take.scan_state == "held" and take.scan_talent == [talent.pk]

    allowed, row = take_actions(api, world.producer, take)
    assert row["likeness_scan"]["state"] == "held" and "Ava Reyes" in row["likeness_scan"]["held_reason"]
    assert allowed["publish"]["allowed"] is False and allowed["publish"]["code"] == "blocked"
    assert "Ava Reyes" in allowed["publish"]["reason"]
    assert allowed["request_consent"]["allowed"] is True
    assert take_actions(api, world.artist, take)[0]["request_consent"]["code"] == "not_permitted"

    refused = api(world.artist).post(f"/api/v1/takes/{take.id}/publish/", {}, format="json")
    body = refused.json()
    assert refused.status_code == 409 and body["error"] == "likeness_held"
    assert "held by the likeness scan" in body["detail"] and "Ava Reyes" in body["detail"] and "Crescent Talent" in body["detail"]
    assert body["request_consent"]["origin"] == "likeness_scan" and body["request_consent"]["talent"][0]["talent_id"] == str(talent.pk)
    assert body["reasons"][0]["via"] == "scan" and body["reasons"][0]["code"] == "no_grant_for_studio"

    # A foreign studio cannot see the take at all.
    assert api(world.foreign).get(f"/api/v1/takes/{take.id}/").status_code == 404
    assert api(world.foreign).post(f"/api/v1/takes/{take.id}/publish/", {}, format="json").status_code == 404

    # The agency grants (any grant change re-scans what is held for the talent in that studio).
    from tests.support.world import give_consent, request_consent

    grant = request_consent(requester=world.producer, talent=talent, studio=world.northlight, project=world.project)
    take.refresh_from_db()
    assert (take.scan_state, take.scan_attempt) == ("pending", 2)  # the request alone changes nothing but queues a look
    run_scan(take)
    give_consent(agent=world.agent, grant=grant)
    take = run_scan(take)
    assert take.scan_state == "matched"
    use = LikenessUse.objects.get(job_id=take.job_id, talent=talent)
    assert use.via == "scan" and use.state == "approved" and use.version_id is None

    published = api(world.artist).post(f"/api/v1/takes/{take.id}/publish/", {}, format="json")
    assert published.status_code == 202, published.content
    from generation.tasks import conform_take

    assert conform_take(str(take.id), published.json()["publish"]["attempt"])["status"] == "published"  # the media worker's part
    use.refresh_from_db()
    assert use.version_id is not None
    version = use.version
    assert version.scan_state == "matched" and version.scan_talent == [talent.pk]  # inherited, not scanned again
    assert version.scan_attempt == 0


def test_a_take_of_a_consented_performer_records_the_use_and_publishes(world, api, tmp_path):
    talent, _grant = consent(world, requires_per_use_approval=True)
    register_face(world, talent)
    take = run_scan(face_take(world, tmp_path))
    assert take.scan_state == "matched"
    assert LikenessUse.objects.get(job_id=take.job_id).state == "pending_review"
    allowed, row = take_actions(api, world.artist, take)
    assert allowed["publish"]["allowed"] is True and allowed["request_consent"]["code"] == "not_applicable"
    assert row["likeness_scan"]["matches"][0]["use_state"] == "pending_review"
