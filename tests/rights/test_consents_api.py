"""/api/v1/consents/: studios request; the talent's agency grants, suspends, resumes and revokes.
State machine, permissions, bad input, audit and realtime events."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from rights import services
from rights.models import ConsentGrant
from studio.audit.models import AuditEvent
from studio.realtime.models import Event
from tests.rights.conftest import INTENDED_USE, active_grant, request, results, sha


def _body(world, **overrides):
    body = {
        "talent": str(world.ava.pk),
        "project": str(world.mr.pk),
        "use_types": ["digital_replica"],
        "media": ["theatrical", "streaming"],
        "territories": ["us", "FR"],
        "valid_until": (timezone.now() + dt.timedelta(days=60)).isoformat(),
        "intended_use": INTENDED_USE,
    }
    body.update(overrides)
    return body


def _grant_body(**overrides):
    body = {"document_sha256": sha("rider"), "signed_at": timezone.now().isoformat(), "signed_by": "Ava Reyes", "signer_capacity": "self"}
    body.update(overrides)
    return body


def _consent_events(project):
    return list(Event.objects.filter(stream_id=project.pk, type="consent.changed").order_by("seq"))


def test_full_lifecycle_through_the_api(world, api):
    studio, agency = api(world.nl_producer), api(world.agent)

    r = studio.post("/api/v1/consents/", _body(world, note="Pickups"), format="json")
    assert r.status_code == 201, r.json()
    grant = r.json()
    assert grant["state"] == "pending" and grant["covers_now"] is False
    assert grant["territories"] == ["US", "FR"]
    assert grant["studio"]["name"] == "Northlight Pictures" and grant["talent"]["agency"]["name"] == "Crescent Talent"
    url = f"/api/v1/consents/{grant['id']}"

    # The agency sees the request and grants it, setting the final terms.
    assert grant["id"] in {g["id"] for g in results(agency.get("/api/v1/consents/?state=pending"))}
    r = agency.post(f"{url}/grant/", _grant_body(requires_per_use_approval=True, media=["theatrical"]), format="json")
    assert r.status_code == 200, r.json()
    body = r.json()
    assert body["state"] == "active" and body["covers_now"] is True
    assert body["media"] == ["theatrical"] and body["requires_per_use_approval"] is True
    assert body["document_sha256"] == sha("rider") and body["granted_by"]["name"]

    r = agency.post(f"{url}/suspend/", {"reason": "SAG-AFTRA strike suspension"}, format="json")
    assert r.status_code == 200 and r.json()["state"] == "suspended"
    assert r.json()["state_reason"] == "SAG-AFTRA strike suspension"
    r = agency.post(f"{url}/resume/", {"note": "Strike over"}, format="json")
    assert r.status_code == 200 and r.json()["state"] == "active"
    r = agency.post(f"{url}/revoke/", {"reason": "Talent withdrew consent"}, format="json")
    assert r.status_code == 200 and r.json()["state"] == "revoked" and r.json()["covers_now"] is False

    # Every transition is in both chains.
    for chain in (world.northlight, world.crescent):
        actions = list(AuditEvent.objects.filter(chain=str(chain.pk), target_id=grant["id"]).values_list("action", flat=True))
        assert actions == ["consent.requested", "consent.granted", "consent.suspended", "consent.resumed", "consent.revoked"]
    # And published to the project (internal audience: studio people, not client reviewers).
    events = _consent_events(world.mr)
    assert [e.data["change"] for e in events] == ["requested", "granted", "suspended", "resumed", "revoked"]
    assert {e.audience for e in events} == {"internal"}
    assert events[-1].data["reason"] == "Talent withdrew consent"


@pytest.mark.parametrize(
    ("setup", "action", "payload", "fragment"),
    [
        ("pending", "suspend", {"reason": "x"}, "only a active grant can be suspended"),
        ("pending", "resume", {}, "only a suspended grant can be resumed"),
        ("active", "grant", "grant", "only a pending grant can be granted"),
        ("active", "resume", {}, "only a suspended grant can be resumed"),
        ("suspended", "suspend", {"reason": "again"}, "already suspended"),
        ("revoked", "resume", {}, "This grant is revoked"),
        ("revoked", "revoke", {"reason": "again"}, "This grant is revoked"),
        ("revoked", "grant", "grant", "This grant is revoked"),
        ("expired", "resume", {}, "This grant is expired"),
        ("expired", "suspend", {"reason": "x"}, "This grant is expired"),
    ],
)
def test_bad_transitions_are_409_with_a_clear_message(world, api, setup, action, payload, fragment):
    grant = request(world) if setup == "pending" else active_grant(world)
    if setup == "suspended":
        services.suspend_grant(actor=world.agent, grant=grant, reason="hold")
    if setup == "revoked":
        services.revoke_grant(actor=world.agent, grant=grant, reason="done")
    if setup == "expired":
        ConsentGrant.objects.filter(pk=grant.pk).update(valid_until=timezone.now() - dt.timedelta(seconds=1))
        services.expire_lapsed_grants()
    grant.refresh_from_db()
    before = (grant.state, grant.updated_at)
    data = _grant_body() if payload == "grant" else payload
    r = api(world.agent).post(f"/api/v1/consents/{grant.pk}/{action}/", data, format="json")
    assert r.status_code == 409, r.json()
    assert r.json()["error"] == "conflict"
    assert fragment in r.json()["detail"]
    grant.refresh_from_db()
    assert (grant.state, grant.updated_at) == before


def test_decline_a_request(world, api):
    grant = request(world)
    r = api(world.agent).post(f"/api/v1/consents/{grant.pk}/revoke/", {"reason": "Not for this project"}, format="json")
    assert r.status_code == 200 and r.json()["state"] == "revoked"
    assert AuditEvent.objects.filter(chain=str(world.northlight.pk), action="consent.declined", target_id=str(grant.pk)).exists()


def test_resume_after_the_term_ended_is_409(world, api):
    grant = active_grant(world)
    services.suspend_grant(actor=world.agent, grant=grant, reason="hold")
    ConsentGrant.objects.filter(pk=grant.pk).update(valid_until=timezone.now() - dt.timedelta(seconds=1))
    r = api(world.agent).post(f"/api/v1/consents/{grant.pk}/resume/", {}, format="json")
    assert r.status_code == 409
    assert "term ended" in r.json()["detail"]


def test_expire_lapsed_grants_records_expiry(world):
    grant = active_grant(world)
    ConsentGrant.objects.filter(pk=grant.pk).update(valid_until=timezone.now() - dt.timedelta(seconds=1))
    expired = services.expire_lapsed_grants()
    assert [g.pk for g in expired] == [grant.pk]
    grant.refresh_from_db()
    assert grant.state == "expired"
    assert AuditEvent.objects.filter(chain=str(world.crescent.pk), action="consent.expired", target_id=str(grant.pk)).exists()
    assert services.expire_lapsed_grants() == []  # nothing twice


def test_studio_wide_grant_is_published_to_every_live_project(world, api):
    from projects.models import Project

    archived = Project.objects.create(organization=world.northlight, name="Old", code="OLD", status="archived")
    r = api(world.nl_producer).post("/api/v1/consents/", _body(world, project=None, studio=str(world.northlight.pk)), format="json")
    assert r.status_code == 201, r.json()
    assert r.json()["project"] is None
    assert len(_consent_events(world.mr)) == 1 and len(_consent_events(world.ot)) == 1
    assert _consent_events(archived) == [] and _consent_events(world.hb) == []


# ---------------------------------------------------------------- who may do what

def test_only_producer_admin_owner_or_legal_may_request(world, api):
    r = api(world.nl_artist).post("/api/v1/consents/", _body(world), format="json")
    assert r.status_code == 403
    assert "producer" in r.json()["detail"] and "legal" in r.json()["detail"]
    assert ConsentGrant.objects.count() == 0


def test_an_agency_does_not_request(world, api):
    r = api(world.agent).post("/api/v1/consents/", _body(world, project=None), format="json")
    assert r.status_code == 403
    assert "Only a studio requests" in r.json()["detail"]


def test_studio_cannot_grant_suspend_resume_or_revoke(world, api):
    pending = request(world)
    active = active_grant(world, project="OT")
    client = api(world.nl_producer)
    for grant, action, data in [
        (pending, "grant", _grant_body()), (active, "suspend", {"reason": "x"}), (active, "revoke", {"reason": "x"}),
    ]:
        r = client.post(f"/api/v1/consents/{grant.pk}/{action}/", data, format="json")
        assert r.status_code == 403, (action, r.json())
        assert "Only Crescent Talent" in r.json()["detail"]
    services.suspend_grant(actor=world.agent, grant=active, reason="hold")
    assert client.post(f"/api/v1/consents/{active.pk}/resume/", {}, format="json").status_code == 403
    pending.refresh_from_db()
    active.refresh_from_db()
    assert (pending.state, active.state) == ("pending", "suspended")


def test_another_agency_gets_404(world, api):
    grant = request(world)
    client = api(world.meridian_agent)
    assert client.get(f"/api/v1/consents/{grant.pk}/").status_code == 404
    for action, data in [("grant", _grant_body()), ("suspend", {"reason": "x"}), ("resume", {}), ("revoke", {"reason": "x"})]:
        assert client.post(f"/api/v1/consents/{grant.pk}/{action}/", data, format="json").status_code == 404
    grant.refresh_from_db()
    assert grant.state == "pending"


def test_another_studio_gets_404_and_cannot_request_on_a_foreign_project(world, api):
    grant = active_grant(world)
    client = api(world.hb_producer)
    assert client.get(f"/api/v1/consents/{grant.pk}/").status_code == 404
    assert results(client.get("/api/v1/consents/")) == []
    r = client.post("/api/v1/consents/", _body(world), format="json")  # Northlight's project
    assert r.status_code == 404
    assert ConsentGrant.objects.count() == 1


def test_client_reviewers_do_not_see_grants(world, api):
    active_grant(world)
    assert results(api(world.nl_reviewer).get("/api/v1/consents/")) == []


def test_agency_and_studio_see_the_grant_artists_too(world, api):
    grant = active_grant(world)
    for user in (world.agent, world.nl_producer, world.nl_artist):
        assert [g["id"] for g in results(api(user).get("/api/v1/consents/"))] == [str(grant.pk)]


# ---------------------------------------------------------------- bad input

@pytest.mark.parametrize(
    ("overrides", "field", "fragment"),
    [
        ({"intended_use": ""}, "intended_use", "blank"),
        ({"intended_use": "Any use whatsoever in the film"}, "intended_use", "reasonably specific"),
        ({"intended_use": "any and all uses in all media throughout the universe in perpetuity forever"}, "intended_use", "reasonably"),
        ({"use_types": []}, "use_types", "at least one"),
        ({"use_types": ["voice_clone"]}, "use_types", "Unknown value 'voice_clone'"),
        ({"media": ["cinema"]}, "media", "Unknown value 'cinema'"),
        ({"territories": ["ZZ"]}, "territories", "'ZZ' is not a territory"),
        ({"territories": []}, "territories", "at least one territory"),
        ({"valid_until": "next week"}, "valid_until", "format"),
        ({"valid_from": (timezone.now() + dt.timedelta(days=90)).isoformat()}, "valid_until", "after valid_from"),
        (
            {"valid_until": (timezone.now() - dt.timedelta(days=1)).isoformat(),
             "valid_from": (timezone.now() - dt.timedelta(days=9)).isoformat()},
            "valid_until", "already ended",
        ),
        ({"talent": "00000000-0000-0000-0000-000000000000"}, "talent", "No talent has this id"),
        ({"talent": "ava"}, "talent", "UUID"),
        ({"content_restrictions": ["no_fun"]}, "content_restrictions", "Unknown value"),
        ({"requires_per_use_approval": "maybe"}, "requires_per_use_approval", "boolean"),
        ({"use_types": "digital_replica"}, "use_types", "list"),
    ],
)
def test_bad_requests_are_400_and_write_nothing(world, api, overrides, field, fragment):
    before = (ConsentGrant.objects.count(), AuditEvent.objects.count())
    r = api(world.nl_producer).post("/api/v1/consents/", _body(world, **overrides), format="json")
    assert r.status_code == 400, r.json()
    body = r.json()
    assert body["error"] == "invalid" and field in body["fields"]
    assert fragment.lower() in " ".join(body["fields"][field]).lower(), body
    assert (ConsentGrant.objects.count(), AuditEvent.objects.count()) == before


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"document_sha256": "z" * 64}, "document_sha256"),
        ({"document_sha256": "abc"}, "document_sha256"),
        ({"signed_at": (timezone.now() + dt.timedelta(days=2)).isoformat()}, "signed_at"),
        ({"signed_by": ""}, "signed_by"),
        ({"signer_capacity": "cousin"}, "signer_capacity"),
        ({"intended_use": "all uses"}, "intended_use"),
        ({"valid_until": (timezone.now() - dt.timedelta(days=3)).isoformat()}, "valid_until"),
    ],
)
def test_bad_grant_input_is_400_and_leaves_the_request_pending(world, api, overrides, field):
    grant = request(world)
    r = api(world.agent).post(f"/api/v1/consents/{grant.pk}/grant/", _grant_body(**overrides), format="json")
    assert r.status_code == 400, r.json()
    assert field in r.json()["fields"]
    grant.refresh_from_db()
    assert grant.state == "pending"


def test_deceased_talent_needs_the_estate_to_sign(world, api):
    services.update_talent(actor=world.agent, talent=world.ava, life_status="deceased", estate_name="Reyes Estate")
    grant = request(world)
    r = api(world.agent).post(f"/api/v1/consents/{grant.pk}/grant/", _grant_body(), format="json")
    assert r.status_code == 400 and "estate" in r.json()["detail"]
    r = api(world.agent).post(f"/api/v1/consents/{grant.pk}/grant/", _grant_body(signer_capacity="estate"), format="json")
    assert r.status_code == 200 and r.json()["state"] == "active"


def test_suspend_and_revoke_need_a_reason(world, api):
    grant = active_grant(world)
    for action in ("suspend", "revoke"):
        r = api(world.agent).post(f"/api/v1/consents/{grant.pk}/{action}/", {"reason": "   "}, format="json")
        assert r.status_code == 400 and "reason" in r.json()["fields"]
    grant.refresh_from_db()
    assert grant.state == "active"


def test_list_filters_validate(world, api):
    client = api(world.agent)
    assert client.get("/api/v1/consents/?state=bogus").status_code == 400
    assert client.get("/api/v1/consents/?talent=ava").status_code == 400
    request(world)
    active_grant(world, project="OT")
    assert len(results(client.get("/api/v1/consents/?state=active"))) == 1
    assert len(results(client.get(f"/api/v1/consents/?talent={world.ava.pk}"))) == 2
    assert len(results(client.get(f"/api/v1/consents/?project={world.ot.pk}"))) == 1


def test_malformed_json_is_a_clear_400(world, api):
    r = api(world.nl_producer).post("/api/v1/consents/", "{not json", content_type="application/json")
    assert r.status_code == 400 and r.json()["error"] == "malformed_request"


def test_a_second_open_request_for_the_same_scope_is_409(world, api):
    client = api(world.nl_producer)
    assert client.post("/api/v1/consents/", _body(world), format="json").status_code == 201
    r = client.post("/api/v1/consents/", _body(world), format="json")
    assert r.status_code == 409 and "already has a pending request" in r.json()["detail"]
    # Another project is another scope.
    assert client.post("/api/v1/consents/", _body(world, project=str(world.ot.pk)), format="json").status_code == 201
    assert ConsentGrant.objects.count() == 2


def test_the_expiry_task_runs_the_service(world):
    from rights.tasks import expire_lapsed_grants

    grant = active_grant(world)
    ConsentGrant.objects.filter(pk=grant.pk).update(valid_until=timezone.now() - dt.timedelta(seconds=1))
    assert expire_lapsed_grants() == 1
    assert ConsentGrant.objects.get(pk=grant.pk).state == "expired"
