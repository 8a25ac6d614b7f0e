"""A performer named in disguise, through the real submit path (POST /api/v1/shots/{id}/generations/):
a consented performer's disguised name records the likeness use the agency reviews, exactly as the
plain name does; an unconsented performer's disguised name is refused with the performer named.
The disguise classes are those of issue 14 (the full table is in tests/rights/name_guard_cases.py)."""

from __future__ import annotations

import pytest

from generation.models import GenerationJob
from rights import services as rights_services
from rights.models import LikenessUse
from studio.audit.models import AuditEvent
from tests.generation.conftest import consent

AVA_DISGUISES = [
    "𝐀𝐯𝐚 𝐑𝐞𝐲𝐞𝐬 on the harbour wall",  # mathematical bold
    "𝒜𝓋𝒶 ℛℯ𝓎ℯ𝓈 on the harbour wall",  # script capitals
    "Ava\u02bcReyes\u3164 on the harbour wall",  # modifier apostrophe, Hangul filler
    "Аvа Rеуеs on the harbour wall",  # Cyrillic look-alikes
    "ᴀᴠᴀ ʀᴇʏᴇꜱ on the harbour wall",  # small capitals
    "Reyes-Whitlock, Ava on the harbour wall",  # alias in the other order
    "4v4 R3y3$ on the harbour wall",  # digits and symbols for letters
    "A. Reyes on the harbour wall",  # initial
    'Ava "Slim" J. Reyes on the harbour wall',  # nickname and middle initial
    "AvaReyes2024 on the harbour wall",  # digit appended
]
LEO_DISGUISES = [
    "𝐋𝐞𝐨 𝐏𝐚𝐫𝐤 at the window",
    "Ꮮeo Ꮲarƙ at the window",  # Cherokee and a letter with a hook
    "Ji-ho Park at the window",  # the alias "Park Ji-ho" in the other order
    "Le0 P4rk at the window",
    "L. Park at the window",
    "Leo 'the Kid' Park at the window",
    "LeoPark99 at the window",
]


def post(api, user, shot, body):
    return api(user).post(f"/api/v1/shots/{shot.id}/generations/", body, format="json")


@pytest.mark.django_db
@pytest.mark.parametrize("prompt", ["Ava Reyes on the harbour wall", *AVA_DISGUISES])
def test_a_disguised_consented_performer_records_the_use_the_agency_reviews(api, world, prompt):
    ava, grant = consent(world, aliases=["Ava Marisol Reyes", "Ava Reyes-Whitlock"], requires_per_use_approval=True)
    response = post(api, world.artist, world.shot, {"prompt": prompt, "count": 1})
    assert response.status_code == 201, response.content
    (job,) = response.json()["jobs"]
    (use,) = LikenessUse.objects.all()
    assert (use.talent_id, use.grant_id, use.via, use.state, str(use.job_id)) == (ava.pk, grant.pk, "prompt", "pending_review", job["id"])
    assert use.use_type == "digital_replica" and use.prompt == prompt
    listed = api(world.agent).get("/api/v1/likeness-uses/?state=pending_review").json()["results"]
    assert [u["job_id"] for u in listed] == [job["id"]]


@pytest.mark.django_db
@pytest.mark.parametrize("prompt", LEO_DISGUISES)
def test_a_disguised_unconsented_performer_is_refused_with_the_performer_named(api, world, prompt):
    consent(world)  # Ava is covered; Leo has no grant
    rights_services.create_talent(actor=world.agent, agency=world.agency, name="Leo Park", aliases=["Park Ji-ho"])
    response = post(api, world.artist, world.shot, {"prompt": prompt})
    assert response.status_code == 403, response.content
    body = response.json()
    assert body["error"] == "consent_denied" and "Leo Park" in body["detail"]
    assert [(r["talent"], r["via"], r["code"]) for r in body["reasons"]] == [("Leo Park", "prompt", "no_grant_for_studio")]
    assert body["reasons"][0]["matched"]
    assert GenerationJob.objects.count() == 0 and LikenessUse.objects.count() == 0
    assert AuditEvent.objects.filter(chain=str(world.agency.pk), action="consent.denied").count() == 1
