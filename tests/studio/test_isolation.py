"""A Harbor user sees nothing of Northlight: memberships, tokens, audit events, by list and by id."""

import pytest

from studio.audit.models import AuditEvent
from studio.tenancy import services
from studio.tenancy.models import Membership, Organization, Role


@pytest.fixture
def northlight(demo):
    return Organization.objects.get(slug="northlight")


@pytest.fixture
def harbor_user(demo):
    return demo["users"]["producer@harbor.test"]


@pytest.fixture
def nl_producer(demo):
    return demo["users"]["producer@northlight.test"]


def _ids(response):
    body = response.json()
    items = body["results"] if isinstance(body, dict) and "results" in body else body
    return {item["id"] for item in items}


def test_organizations_list_only_own(api, harbor_user, northlight):
    response = api(harbor_user).get("/api/v1/organizations/")
    assert response.status_code == 200
    slugs = {o["slug"] for o in response.json()["results"]}
    assert slugs == {"harbor"}
    assert api(harbor_user).get(f"/api/v1/organizations/{northlight.id}/").status_code == 404


def test_memberships_of_another_studio_are_invisible(api, harbor_user, northlight):
    client = api(harbor_user)
    listed = client.get(f"/api/v1/organizations/{northlight.id}/members/")
    assert listed.status_code == 404 and listed.json()["error"] == "not_found"
    assert client.get("/api/v1/organizations/00000000-0000-0000-0000-000000000000/members/").status_code == 404
    nl_membership = Membership.objects.filter(organization=northlight).first()
    response = client.get(f"/api/v1/organizations/{northlight.id}/members/{nl_membership.id}/")
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"
    # Writes to a foreign organization are 404 as well, and nothing is written.
    before = Membership.objects.count()
    r = client.post(f"/api/v1/organizations/{northlight.id}/members/", {"email": "producer@harbor.test", "role": "artist"}, format="json")
    assert r.status_code == 404
    r = client.patch(f"/api/v1/organizations/{northlight.id}/members/{nl_membership.id}/", {"role": "owner"}, format="json")
    assert r.status_code == 404
    r = client.delete(f"/api/v1/organizations/{northlight.id}/members/{nl_membership.id}/")
    assert r.status_code == 404
    assert Membership.objects.count() == before
    nl_membership.refresh_from_db()
    assert nl_membership.role != Role.OWNER


def test_own_members_listed(api, nl_producer, northlight):
    emails = {m["user"]["email"] for m in api(nl_producer).get(f"/api/v1/organizations/{northlight.id}/members/").json()["results"]}
    assert {"producer@northlight.test", "artist@northlight.test", "client@northlight.test"} <= emails
    assert "producer@harbor.test" not in emails


def test_tokens_of_another_user_are_invisible(api, harbor_user, nl_producer):
    token, _key = services.create_token(user=nl_producer, name="farm")
    client = api(harbor_user)
    assert token.id not in _ids(client.get("/api/v1/tokens/"))
    assert client.get(f"/api/v1/tokens/{token.id}/").status_code == 404
    assert client.post(f"/api/v1/tokens/{token.id}/revoke/").status_code == 404
    assert client.delete(f"/api/v1/tokens/{token.id}/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_audit_events_of_another_studio_are_invisible(api, harbor_user, northlight, demo):
    from studio.tenancy.models import Membership

    # Make the Harbor producer an owner of Harbor so they may read audit events at all.
    Membership.objects.filter(user=harbor_user).update(role=Role.OWNER)
    nl_event = AuditEvent.objects.filter(organization=northlight).first()
    assert nl_event is not None
    client = api(harbor_user)
    listed = client.get("/api/v1/audit-events/").json()["results"]
    assert listed, "Harbor's own chain should be listed"
    assert all(e["organization"] != str(northlight.id) for e in listed)
    assert client.get(f"/api/v1/audit-events/{nl_event.id}/").status_code == 404
    assert client.get(f"/api/v1/audit-events/?organization={northlight.id}").json()["results"] == []


def test_audit_log_needs_owner_admin_or_legal(api, demo, northlight):
    artist = demo["users"]["artist@northlight.test"]
    assert api(artist).get("/api/v1/audit-events/").json()["results"] == []
    Membership.objects.filter(user=artist, organization=northlight).update(role=Role.LEGAL)
    assert api(artist).get("/api/v1/audit-events/").json()["results"]


def test_client_reviewer_does_not_see_the_member_list(api, demo, northlight):
    client_user = demo["users"]["client@northlight.test"]
    # They see the organization itself (for the switcher) but not the studio's people.
    assert {o["slug"] for o in api(client_user).get("/api/v1/organizations/").json()["results"]} == {"northlight"}
    assert api(client_user).get(f"/api/v1/organizations/{northlight.id}/members/").json()["results"] == []


def test_anonymous_gets_401_everywhere(api, northlight):
    for url in ["/api/v1/me/", "/api/v1/tokens/", "/api/v1/organizations/", f"/api/v1/organizations/{northlight.id}/members/",
                "/api/v1/audit-events/"]:
        response = api().get(url)
        assert response.status_code == 401, url
        assert response.json()["error"] == "not_authenticated"
