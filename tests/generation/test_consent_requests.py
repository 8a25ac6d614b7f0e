"""The consent request flow from a refusal at submit: refused → request (pre-filled from the 403) →
the agency grants → the same prompt now generates; and a refusal the studio reads."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from generation.models import GenerationJob
from rights import services as rights_services
from tests.support.world import INTENDED_USE, sha

URL = "/api/v1/consent-requests/"
PROMPT = {"prompt": "Leo Park walks along the harbour at dusk", "count": 1}


def submit(api, world):
    return api(world.artist).post(f"/api/v1/shots/{world.shot.id}/generations/", PROMPT, format="json")


def request_from_refusal(api, world, refusal: dict) -> dict:
    """What the generate panel does: the refusal's `request_consent` pre-fills the form."""
    prefill = refusal["request_consent"]
    [talent] = prefill["talent"]
    response = api(world.producer).post(URL, {
        "talent": talent["talent_id"], "project": prefill["project"], "use_types": talent["use_types"],
        "origin": prefill["origin"], "origin_reason": talent["reason_code"], "description": INTENDED_USE,
        "valid_until": (timezone.now() + dt.timedelta(days=30)).isoformat(), "media": ["streaming"], "territories": ["US"],
    }, format="json")
    assert response.status_code == 201, response.content
    return response.json()


@pytest.fixture
def leo(world):
    return rights_services.create_talent(actor=world.agent, agency=world.agency, name="Leo Park")


@pytest.mark.django_db
def test_refused_then_requested_then_granted_then_the_same_prompt_generates(api, world, leo):
    refused = submit(api, world)
    assert refused.status_code == 403 and refused.json()["error"] == "consent_denied"
    prefill = refused.json()["request_consent"]
    assert prefill["project"] == str(world.project.pk) and prefill["origin"] == "generation_refusal"
    assert prefill["talent"] == [{"talent_id": str(leo.pk), "talent": "Leo Park", "agency": "Crescent Talent",
                                  "reason_code": "no_grant_for_studio", "use_types": ["name_or_likeness_in_prompt"]}]
    sent = request_from_refusal(api, world, refused.json())
    granted = api(world.agent).post(f"{URL}{sent['id']}/grant/", {
        "document_sha256": sha("rider"), "signed_at": timezone.now().isoformat(), "signed_by": "Leo Park", "signer_capacity": "self",
    }, format="json")
    assert granted.status_code == 200 and granted.json()["state"] == "granted", granted.content
    assert GenerationJob.objects.count() == 0
    accepted = submit(api, world)
    assert accepted.status_code == 201, accepted.content
    assert GenerationJob.objects.count() == 1


@pytest.mark.django_db
def test_refused_request_leaves_the_studio_refused_with_the_agencys_reason(api, world, leo):
    sent = request_from_refusal(api, world, submit(api, world).json())
    assert api(world.agent).post(f"{URL}{sent['id']}/refuse/", {"reason": "Not for this title."}, format="json").status_code == 200
    seen = api(world.producer).get(f"{URL}{sent['id']}/").json()
    assert (seen["state"], seen["answer_reason"]) == ("refused", "Not for this title.")
    assert submit(api, world).status_code == 403


@pytest.mark.django_db
def test_a_refusal_no_request_can_cure_carries_no_prefill(api, world, leo):
    sent = request_from_refusal(api, world, submit(api, world).json())
    api(world.agent).post(f"{URL}{sent['id']}/grant/", {
        "document_sha256": sha("rider"), "signed_at": timezone.now().isoformat(), "signed_by": "Leo Park", "signer_capacity": "self",
    }, format="json")
    grant = leo.consent_grants.get()
    rights_services.suspend_grant(actor=world.agent, grant=grant, reason="strike")
    refused = submit(api, world)
    assert refused.status_code == 403 and [r["code"] for r in refused.json()["reasons"]] == ["suspended"]
    assert refused.json()["request_consent"] is None
