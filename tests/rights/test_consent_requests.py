"""Consent requests through the API: a studio asks, the agency grants (a real grant) or refuses,
the studio withdraws; bad input, the other studio and the other agency, allowed_actions, audit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from notifications.models import Notification
from rights.models import ConsentGrant, ConsentRequest
from studio.audit.models import AuditEvent
from tests.rights.conftest import INTENDED_USE, results, sha

URL = "/api/v1/consent-requests/"


def body(world, **overrides) -> dict:
    data = {
        "talent": str(world.leo.pk), "project": str(world.mr.pk), "use_types": ["name_or_likeness_in_prompt"],
        "description": INTENDED_USE, "valid_until": (timezone.now() + dt.timedelta(days=90)).isoformat(),
        "origin": "generation_refusal", "origin_reason": "no_grant_for_studio",
    }
    return {**data, **overrides}


def signed(**overrides) -> dict:
    data = {"document_sha256": sha("rider"), "signed_at": timezone.now().isoformat(), "signed_by": "Leo Park", "signer_capacity": "self",
            "media": ["streaming"], "territories": ["WORLD"]}
    return {**data, **overrides}


def send(api, world, **overrides) -> dict:
    response = api(world.nl_producer).post(URL, body(world, **overrides), format="json")
    assert response.status_code == 201, response.content
    return response.json()


def actions(row: dict) -> dict:
    return {a["action"]: (a["allowed"], a["code"]) for a in row["allowed_actions"]}


def chain_actions(org, prefix: str = "consent") -> list[str]:
    return [e.action for e in AuditEvent.objects.filter(chain=str(org.pk)).order_by("seq") if e.action.startswith(prefix)]


@pytest.mark.django_db
def test_studio_sends_agency_grants_from_the_queue_a_real_grant_is_made_and_everything_is_audited(api, world):
    sent = send(api, world)
    assert sent["state"] == "open" and sent["talent"]["agency"]["name"] == "Crescent Talent" and sent["project"]["id"] == str(world.mr.pk)
    assert actions(sent) == {"grant": (False, "not_permitted"), "refuse": (False, "not_permitted"), "withdraw": (True, "")}
    queue = results(api(world.agent).get(URL, {"side": "agency", "state": "open"}))
    assert [row["id"] for row in queue] == [sent["id"]]
    assert actions(queue[0]) == {"grant": (True, ""), "refuse": (True, ""), "withdraw": (False, "not_permitted")}
    assert results(api(world.agent).get(URL, {"side": "studio"})) == []

    granted = api(world.agent).post(f"{URL}{sent['id']}/grant/", signed(), format="json")
    assert granted.status_code == 200, granted.content
    row = granted.json()
    assert row["state"] == "granted" and row["grant"] and actions(row)["grant"] == (False, "not_applicable")
    grant = ConsentGrant.objects.get(pk=row["grant"])
    assert (grant.state, grant.project_id, grant.talent_id, grant.grantee_id) == ("active", world.mr.pk, world.leo.pk, world.northlight.pk)
    assert grant.use_types == ["name_or_likeness_in_prompt"] and grant.intended_use == INTENDED_USE
    assert grant.requested_by == world.nl_producer and grant.granted_by == world.agent
    for org in (world.northlight, world.crescent):
        assert chain_actions(org) == ["consent_request.created", "consent.requested", "consent.granted", "consent_request.granted"]
    # The requester is told (the notifications app listens to consent_request.changed).
    note = Notification.objects.get(recipient=world.nl_producer, kind="consent_request_answered")
    assert "Crescent Talent granted" in note.title and note.target["grant"] == str(grant.pk)
    # Answering twice is a 409 that says why.
    again = api(world.agent).post(f"{URL}{sent['id']}/refuse/", {"reason": "changed our mind"}, format="json")
    assert again.status_code == 409 and "was granted" in again.json()["detail"]


@pytest.mark.django_db
def test_agency_refuses_with_a_reason_the_studio_sees_it_and_is_notified(api, world):
    sent = send(api, world)
    assert api(world.agent).post(f"{URL}{sent['id']}/refuse/", {"reason": ""}, format="json").status_code == 400
    refused = api(world.agent).post(f"{URL}{sent['id']}/refuse/", {"reason": "Leo does not do period dramas."}, format="json")
    assert refused.status_code == 200, refused.content
    mine = results(api(world.nl_producer).get(URL, {"side": "studio"}))
    assert [(r["state"], r["answer_reason"], r["answered_by"]["name"]) for r in mine] == [
        ("refused", "Leo does not do period dramas.", "Cleo Agent")
    ]
    assert ConsentGrant.objects.count() == 0
    note = Notification.objects.get(recipient=world.nl_producer, kind="consent_request_answered")
    assert "refused" in note.title and note.body == "Leo does not do period dramas."
    for org in (world.northlight, world.crescent):
        assert chain_actions(org, "consent_request") == ["consent_request.created", "consent_request.refused"]
    event = AuditEvent.objects.get(chain=str(world.crescent.pk), action="consent_request.refused")
    assert event.target_id == sent["id"] and event.data["reason"] == "Leo does not do period dramas."


@pytest.mark.django_db
def test_studio_withdraws_then_nothing_can_answer_it(api, world):
    sent = send(api, world)
    assert api(world.agent).post(f"{URL}{sent['id']}/withdraw/", {}, format="json").status_code == 403
    withdrawn = api(world.nl_producer).post(f"{URL}{sent['id']}/withdraw/", {"note": "recast"}, format="json")
    assert withdrawn.status_code == 200 and withdrawn.json()["state"] == "withdrawn"
    assert api(world.agent).post(f"{URL}{sent['id']}/grant/", signed(), format="json").status_code == 409
    assert not Notification.objects.filter(kind="consent_request_answered").exists()
    # A new request may follow once the old one is closed.
    send(api, world)


@pytest.mark.django_db
@pytest.mark.parametrize(("overrides", "field"), [
    ({"use_types": ["mind_reading"]}, "use_types"),
    ({"use_types": []}, "use_types"),
    ({"description": "any use"}, "description"),
    ({"description": "Any and all uses in any production throughout the universe, now known or hereafter devised."}, "description"),
    ({"valid_until": "2001-01-01T00:00:00Z"}, "valid_until"),
    ({"valid_until": "next year"}, "valid_until"),
    ({"territories": ["Narnia"]}, "territories"),
    ({"media": ["telepathy"]}, "media"),
    ({"origin": "rumour"}, "origin"),
    ({"talent": "not-an-id"}, "talent"),
    ({"talent": "00000000-0000-0000-0000-000000000000"}, "talent"),
])
def test_bad_requests_are_400s_that_say_what_to_fix_and_write_nothing(api, world, overrides, field):
    response = api(world.nl_producer).post(URL, body(world, **overrides), format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["fields"], response.json()
    assert ConsentRequest.objects.count() == 0 and AuditEvent.objects.filter(action__startswith="consent_request").count() == 0


@pytest.mark.django_db
def test_duplicates_roles_and_a_grant_missing_terms(api, world):
    sent = send(api, world)
    duplicate = api(world.nl_producer).post(URL, body(world), format="json")
    assert duplicate.status_code == 409 and "already has an open consent request" in duplicate.json()["detail"]
    assert api(world.nl_artist).post(URL, body(world, project=str(world.ot.pk)), format="json").status_code == 403
    assert api(world.nl_producer).post(f"{URL}{sent['id']}/grant/", signed(), format="json").status_code == 403
    # The request left media and territories open: the grant must name them; nothing is half-written.
    missing = api(world.agent).post(f"{URL}{sent['id']}/grant/", signed(media=[], territories=[]), format="json")
    assert missing.status_code == 400 and {"media", "territories"} <= set(missing.json()["fields"]), missing.content
    bad_doc = api(world.agent).post(f"{URL}{sent['id']}/grant/", signed(document_sha256="x" * 64), format="json")
    assert bad_doc.status_code == 400 and "document_sha256" in bad_doc.json()["fields"]
    assert ConsentGrant.objects.count() == 0 and ConsentRequest.objects.get(pk=sent["id"]).state == "open"
    assert api(world.agent).get(URL, {"side": "sideways"}).status_code == 400


@pytest.mark.django_db
def test_another_studio_and_another_agency_get_404s(api, world):
    sent = send(api, world)
    detail = f"{URL}{sent['id']}/"
    for outsider in (world.hb_producer, world.meridian_agent):
        client = api(outsider)
        assert client.get(detail).status_code == 404
        assert results(client.get(URL)) == []
        assert client.post(f"{detail}grant/", signed(), format="json").status_code == 404
        assert client.post(f"{detail}refuse/", {"reason": "no"}, format="json").status_code == 404
        assert client.post(f"{detail}withdraw/", {}, format="json").status_code == 404
    # Harbor cannot send a request for Northlight's project.
    assert api(world.hb_producer).post(URL, body(world), format="json").status_code == 404
    assert ConsentRequest.objects.get(pk=sent["id"]).state == "open"


@pytest.mark.django_db
def test_the_queue_lists_with_actions_in_a_fixed_number_of_queries(api, world, django_assert_max_num_queries):
    send(api, world)
    send(api, world, project=str(world.ot.pk))
    send(api, world, talent=str(world.ava.pk))
    with django_assert_max_num_queries(8):
        rows = results(api(world.agent).get(URL, {"side": "agency"}))
    assert len(rows) == 3 and all(actions(r)["grant"] == (True, "") for r in rows)
