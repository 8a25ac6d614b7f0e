"""Membership management: who may change it, the rules it keeps, and the audit trail."""

import pytest

from studio.audit.models import AuditEvent
from studio.tenancy.models import Membership, Organization, Role, User


@pytest.fixture
def org(demo):
    return Organization.objects.get(slug="northlight")


@pytest.fixture
def owner(demo, org):
    user = User.objects.create_user(email="owner@northlight.test", password="x" * 12)
    Membership.objects.create(user=user, organization=org, role=Role.OWNER)
    return user


def url(org, membership=None):
    base = f"/api/v1/organizations/{org.id}/members/"
    return f"{base}{membership.id}/" if membership else base


def test_owner_adds_changes_and_removes_a_member(api, owner, org, demo):
    client = api(owner)
    r = client.post(url(org), {"email": "producer@harbor.test", "role": "supervisor"}, format="json")
    assert r.status_code == 201, r.content
    m = Membership.objects.get(pk=r.json()["id"])
    assert m.role == "supervisor"
    # The Harbor producer now belongs to two organizations.
    me = api(demo["users"]["producer@harbor.test"]).get("/api/v1/me/").json()
    assert {x["organization"]["slug"] for x in me["memberships"]} == {"harbor", "northlight"}

    assert client.patch(url(org, m), {"role": "producer"}, format="json").json()["role"] == "producer"
    assert client.delete(url(org, m)).status_code == 204
    assert not Membership.objects.filter(pk=m.pk).exists()
    actions = list(AuditEvent.objects.filter(organization=org, target_id=str(m.id)).order_by("seq").values_list("action", flat=True))
    assert actions == ["membership.created", "membership.role_changed", "membership.removed"]


def test_producer_may_not_manage_members(api, demo, org):
    artist_m = Membership.objects.get(user=demo["users"]["artist@northlight.test"])
    r = api(demo["users"]["producer@northlight.test"]).patch(url(org, artist_m), {"role": "admin"}, format="json")
    assert r.status_code == 403
    assert "owner" in r.json()["detail"] and "admin" in r.json()["detail"]
    artist_m.refresh_from_db()
    assert artist_m.role == "artist"


@pytest.mark.parametrize(
    "payload,field",
    [
        ({"email": "producer@harbor.test", "role": "agent"}, "role"),  # agencies only
        ({"email": "producer@harbor.test", "role": "wizard"}, "role"),
        ({"email": "nobody@nowhere.test", "role": "artist"}, "email"),
        ({"email": "artist@northlight.test", "role": "artist"}, "email"),  # already a member
        ({"role": "artist"}, "email"),
    ],
)
def test_bad_member_input(api, owner, org, payload, field):
    before = Membership.objects.count()
    r = api(owner).post(url(org), payload, format="json")
    assert r.status_code == 400
    assert field in r.json()["fields"]
    assert r.json()["detail"]
    assert Membership.objects.count() == before


def test_the_last_owner_cannot_leave_or_be_demoted(api, owner, org):
    m = Membership.objects.get(user=owner, organization=org)
    r = api(owner).patch(url(org, m), {"role": "producer"}, format="json")
    assert r.status_code == 400
    assert "at least one owner" in r.json()["detail"]
    assert api(owner).delete(url(org, m)).status_code == 400
    assert Membership.objects.filter(pk=m.pk, role=Role.OWNER).exists()


def test_admin_cannot_create_owners(api, demo, org, owner):
    admin = User.objects.create_user(email="admin@northlight.test", password="x" * 12)
    Membership.objects.create(user=admin, organization=org, role=Role.ADMIN)
    r = api(admin).post(url(org), {"email": "producer@harbor.test", "role": "owner"}, format="json")
    assert r.status_code == 403
    owner_m = Membership.objects.get(user=owner)
    assert api(admin).delete(url(org, owner_m)).status_code == 403
