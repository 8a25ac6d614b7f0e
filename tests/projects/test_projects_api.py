"""Projects and their members: who sees which project, who may create and change them."""

from __future__ import annotations

from studio.audit.models import AuditEvent
from studio.tenancy.models import Organization, Role
from tests.projects.conftest import make_org, make_user


def ids(response):
    return {row["id"] for row in response.json()["results"]}


def test_org_wide_roles_see_every_project_and_clients_only_theirs(studio, rival, api):
    both = {str(studio.project.id), str(studio.other_project.id)}
    for user in (studio.owner, studio.producer, studio.supervisor, studio.artist, studio.legal):
        assert ids(api(user).get("/api/v1/projects/")) == both
    assert ids(api(studio.client).get("/api/v1/projects/")) == {str(studio.project.id)}
    assert ids(api(rival.producer).get("/api/v1/projects/")).isdisjoint(both)


def test_my_role_and_rational_fps_are_reported(studio, api):
    row = api(studio.client).get(f"/api/v1/projects/{studio.project.id}/").json()
    assert row["my_role"] == "reviewer"
    assert row["fps"] == "24/1" and row["start_frame"] == 1001
    assert api(studio.artist).get(f"/api/v1/projects/{studio.project.id}/").json()["my_role"] == "artist"


def test_projects_of_other_studios_and_other_projects_are_404(studio, rival, api):
    assert api(rival.producer).get(f"/api/v1/projects/{studio.project.id}/").status_code == 404
    assert api(studio.client).get(f"/api/v1/projects/{studio.other_project.id}/").status_code == 404
    assert api(studio.client).get("/api/v1/projects/not-a-uuid/").status_code == 404
    assert api().get("/api/v1/projects/").status_code == 401


def test_producer_creates_a_project_with_a_rational_fps(studio, api):
    response = api(studio.producer).post(
        "/api/v1/projects/",
        {
            "organization": str(studio.org.id),
            "name": "Nightfall",
            "code": "NF",
            "fps": "24000/1001",
            "required_lanes": ["producer", "client"],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["fps_num"], body["fps_den"], body["fps"]) == (24000, 1001, "24000/1001")
    assert body["start_frame"] == 1001 and body["required_lanes"] == ["producer", "client"]
    assert AuditEvent.objects.filter(action="project.created", target_id=body["id"]).exists()


def test_organization_is_inferred_when_the_caller_has_one_studio(studio, api):
    response = api(studio.producer).post("/api/v1/projects/", {"name": "Solo", "code": "SO"}, format="json")
    assert response.status_code == 201
    assert response.json()["organization"] == str(studio.org.id)
    assert response.json()["required_lanes"] == ["producer"]


def test_project_creation_rules(studio, rival, api):
    url = "/api/v1/projects/"
    base = {"organization": str(studio.org.id), "name": "X", "code": "XX"}
    assert api(studio.artist).post(url, base, format="json").status_code == 403
    assert api(studio.client).post(url, base, format="json").status_code == 403
    assert api(rival.producer).post(url, base, format="json").status_code == 404  # someone else's studio
    dup = api(studio.producer).post(url, {**base, "code": studio.project.code}, format="json")
    assert dup.status_code == 400 and "already has a project" in dup.json()["fields"]["code"][0]
    for bad, field in [
        ({"fps": "23.976"}, "fps"),
        ({"fps": "0/1"}, "fps"),
        ({"fps": "500"}, "fps"),
        ({"code": "no spaces"}, "code"),
        ({"required_lanes": ["client"]}, "required_lanes"),
        ({"required_lanes": ["producer", "agency"]}, "required_lanes"),
        ({"width": 3}, "width"),
    ]:
        response = api(studio.producer).post(url, {**base, **bad}, format="json")
        assert response.status_code == 400, bad
        assert field in response.json()["fields"], response.json()


def test_a_frame_rate_in_other_digits_or_huge_is_refused_in_words(studio, api):
    base = {"organization": str(studio.org.id), "name": "X", "code": "XY"}
    for fps in ("\u0662\u0664", "2\u00b2", "9" * 5000):
        response = api(studio.producer).post("/api/v1/projects/", {**base, "fps": fps}, format="json")
        assert response.status_code == 400
        message = response.json()["fields"]["fps"][0]
        assert "use the digits 0-9" in message and len(message) < 200


def test_projects_belong_to_studios_not_agencies(db, api):
    agency = make_org("talentco", kind=Organization.Kind.AGENCY)
    owner = make_user(org=agency, role=Role.OWNER)
    response = api(owner).post("/api/v1/projects/", {"organization": str(agency.id), "name": "X", "code": "X"}, format="json")
    assert response.status_code == 400
    assert "talent agency" in response.json()["fields"]["organization"][0]


def test_producer_updates_settings_and_artists_cannot(studio, api):
    url = f"/api/v1/projects/{studio.project.id}/"
    assert api(studio.artist).patch(url, {"name": "Renamed"}, format="json").status_code == 403
    response = api(studio.producer).patch(url, {"name": "Renamed", "fps": "25", "required_lanes": ["producer"]}, format="json")
    assert response.status_code == 200
    assert response.json()["name"] == "Renamed" and response.json()["fps"] == "25/1"
    assert api(studio.producer).patch(url, {"organization": str(studio.org.id)}, format="json").status_code == 400


def test_adding_a_client_reviewer_gives_access_to_that_project_only(studio, api):
    newcomer = make_user("newclient@agency.test")
    url = f"/api/v1/projects/{studio.other_project.id}/members/"
    assert api(newcomer).get(f"/api/v1/projects/{studio.other_project.id}/").status_code == 404
    assert api(studio.artist).post(url, {"email": newcomer.email}, format="json").status_code == 403
    response = api(studio.producer).post(url, {"email": newcomer.email, "role": "reviewer"}, format="json")
    assert response.status_code == 201
    assert ids(api(newcomer).get("/api/v1/projects/")) == {str(studio.other_project.id)}
    member_id = response.json()["id"]
    listed = api(studio.producer).get(url).json()
    assert [m["user"]["email"] for m in listed] == [newcomer.email]
    assert api(studio.producer).patch(f"{url}{member_id}/", {"role": "artist"}, format="json").json()["role"] == "artist"
    assert api(studio.producer).delete(f"{url}{member_id}/").status_code == 204
    assert api(newcomer).get(f"/api/v1/projects/{studio.other_project.id}/").status_code == 404
    assert (
        AuditEvent.objects.filter(action__in=["project.member_added", "project.member_role_changed", "project.member_removed"]).count() == 3
    )


def test_member_rules(studio, rival, api):
    url = f"/api/v1/projects/{studio.project.id}/members/"
    unknown = api(studio.producer).post(url, {"email": "nobody@nowhere.test"}, format="json")
    assert unknown.status_code == 400 and "sign up" in unknown.json()["fields"]["email"][0]
    staff = api(studio.producer).post(url, {"email": studio.artist.email}, format="json")
    assert staff.status_code == 400 and "already sees every project" in staff.json()["fields"]["email"][0]
    again = api(studio.producer).post(url, {"email": studio.client.email}, format="json")
    assert again.status_code == 400 and "already a member" in again.json()["fields"]["email"][0]
    assert api(studio.producer).post(url, {"email": rival.client.email, "role": "owner"}, format="json").status_code == 400
    assert api(rival.producer).get(url).status_code == 404
    assert api(studio.client).get(f"/api/v1/projects/{studio.other_project.id}/members/").status_code == 404


def test_people_lists_who_can_be_mentioned(studio, api):
    people = api(studio.artist).get(f"/api/v1/projects/{studio.project.id}/people/").json()
    emails = {p["user"]["email"] for p in people}
    assert {studio.producer.email, studio.artist.email, studio.client.email} <= emails
    client_view = {p["user"]["email"] for p in api(studio.client).get(f"/api/v1/projects/{studio.project.id}/people/").json()}
    assert studio.artist.email not in client_view  # clients do not browse the artist roster
    assert studio.producer.email in client_view and studio.client.email in client_view
