"""An init image that shows a protected performer goes through the consent rules of a prompt that
names one: the likeness scan runs on the image before anything is queued; an uncovered face is a
403 with the performer and the reason (audited, nothing queued), a covered one records the likeness
use under the job, and the render worker's re-check sees the same talent. The face is skimage's
astronaut, a real photograph (tests/support/faces.py)."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from generation import services
from generation.demo_models import first_frame
from generation.models import GenerationJob
from rights import services as rights_services
from rights.models import LikenessUse
from studio.audit.models import AuditEvent
from tests.generation.conftest import consent
from tests.generation.test_take_scan import register_face
from tests.support import faces as real_faces

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def i2v(db, demo_model_folder, profile):
    first_frame.build()
    return services.ensure_i2v_demo_profile()


def astronaut_upload() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.fromarray(real_faces.astronaut()).save(buffer, format="PNG")
    return SimpleUploadedFile("portrait.png", buffer.getvalue())


def animate(client, shot, **body):
    return client.post(f"/api/v1/shots/{shot.id}/animate/", {"prompt": "she smiles", **body}, format="multipart")


def test_an_init_image_showing_an_unconsented_performer_is_refused_like_a_prompt_naming_them(world, api, i2v):
    talent = rights_services.create_talent(actor=world.agent, agency=world.agency, name="Ava Reyes", aliases=[])
    register_face(world, talent)
    response = animate(api(world.artist), world.shot, image=astronaut_upload())
    assert response.status_code == 403, response.content
    text = str(response.json())
    assert "Held by the likeness scan" in text and "Ava Reyes" in text
    assert GenerationJob.objects.count() == 0
    assert AuditEvent.objects.filter(action__icontains="denied").exists()  # the policy audits the refusal
    # A prompt naming her is refused the same way (the name guard), for comparison.
    named = api(world.artist).post(f"/api/v1/shots/{world.shot.id}/animate/",
                                   {"prompt": "Ava Reyes smiles", "image": _flat()}, format="multipart")
    assert named.status_code == 403 and "Ava Reyes" in str(named.json())


def test_a_covered_face_records_the_use_and_the_render_recheck_sees_it(world, api, i2v):
    talent, grant = consent(world)
    register_face(world, talent)
    response = animate(api(world.artist), world.shot, image=astronaut_upload())
    assert response.status_code == 201, response.content
    job = GenerationJob.objects.get(pk=response.json()["jobs"][0]["id"])
    assert job.parameters["init_image_scan"]["talent"] == [str(talent.pk)] and job.parameters["init_image_scan"]["faces"] >= 1
    use = LikenessUse.objects.get(job_id=job.id)
    assert use.talent_id == talent.pk and use.via == "scan"
    assert services.consent_denial_at_render(job=job) is None
    rights_services.revoke_grant(actor=world.agent, grant=grant, reason="withdrawn")
    job.refresh_from_db()
    denial = services.consent_denial_at_render(job=job)
    assert job.state == "cancelled" or (denial is not None and "Ava Reyes" in denial)


def _flat() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), (30, 60, 90)).save(buffer, format="PNG")
    return SimpleUploadedFile("flat.png", buffer.getvalue())
