"""The one door a generation submit goes through: `rights.clearance.clear_generation` returns the
decision together with the likeness uses to record, or refuses (400 for the asset and cast, 403
audited for consent)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.exceptions import ValidationError

from projects.consent import project_ref, shot_ref
from rights import policy, services
from rights.clearance import GenerationClearance, clear_generation
from rights.models import LikenessUse
from studio.audit.models import AuditEvent
from tests.rights.conftest import active_grant, new_job_id
from tests.rights.test_talent_api import png_bytes


def clear(world, **kwargs) -> GenerationClearance:
    values = {"studio": world.northlight, "project": project_ref(world.mr), "actor": world.nl_artist, "cast": [world.ava]}
    return clear_generation(**{**values, **kwargs})


def test_the_clearance_carries_the_decision_and_the_uses_to_record(world):
    active_grant(world, requires_per_use_approval=True)
    clearance = clear(world, prompt="Ava Reyes on the pier at dusk")
    assert clearance.decision.outcome == policy.NEEDS_AGENCY_REVIEW and clearance.decision.permits
    assert clearance.cast_ids == [str(world.ava.pk)] and clearance.asset is None
    assert [(c.talent, c.requires_agency_review) for c in clearance.uses] == [(world.ava, True)]
    job = new_job_id()
    [use] = clearance.record_uses(job_id=job, shot=shot_ref(world.shot), actor=world.nl_artist)
    assert (use.job_id, use.talent, use.shot_id, use.project_id) == (job, world.ava, world.shot.pk, world.mr.pk)
    assert use.state == "pending_review"
    assert clearance.record_uses(job_id=job, shot=shot_ref(world.shot)) == [use]  # idempotent per job and talent


def test_a_denial_is_audited_and_raised_and_records_nothing(world):
    before = AuditEvent.objects.filter(action="consent.denied").count()
    with pytest.raises(policy.PolicyDenied) as info:
        clear(world, cast=[world.leo])
    assert info.value.decision.reasons[0].code == policy.NO_GRANT_FOR_STUDIO
    assert AuditEvent.objects.filter(action="consent.denied").count() == before + 2  # the studio's and the agency's chains
    assert not LikenessUse.objects.exists()


def test_the_likeness_asset_casts_its_talent_and_must_be_available_to_the_studio(world):
    asset = services.upload_asset(actor=world.agent, talent=world.ava, file=SimpleUploadedFile("a.png", png_bytes()))
    with pytest.raises(ValidationError) as info:
        clear(world, cast=[], likeness_asset=asset.pk)  # no active grant yet: the asset is not offered
    assert "No likeness asset with this id" in str(info.value.detail["likeness_asset"][0])
    active_grant(world)
    clearance = clear(world, cast=[], likeness_asset=asset.pk)
    assert clearance.asset == asset and clearance.cast_ids == [str(world.ava.pk)]
    with pytest.raises(ValidationError) as info:
        clear(world, cast=[world.leo], likeness_asset=asset.pk, max_cast=1)
    assert info.value.detail["cast"][0] == "At most 1 talent may be cast in one render; 2 were sent."
