"""The shot list is rendered by PostgreSQL (projects/shot_list_json.py): it must answer exactly what
ShotSerializer answers for the same rows, with the same visibility for each kind of caller."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from projects import selectors, services
from projects.access import project_access
from projects.api.serializers import ShotSerializer
from projects.models import Comment, Shot, Version
from studio.tenancy.models import Role
from tests.projects.conftest import make_shot, make_user, show_to_client


def _version(shot: Shot, number: int, *, poster: str = "", thumb: str = "") -> Version:
    version = Version.objects.create(
        project=shot.project, shot=shot, number=number, source="upload", frame_count=48, first_frame=1001,
        processing_status="ready", poster=poster, thumb=thumb, proxy=f"versions/{shot.project_id}/v{number}/review/proxy.mp4",
    )
    Shot.objects.filter(pk=shot.pk).update(current_version=version, next_version_number=number + 1)
    return version


@pytest.fixture
def varied(studio):
    """Shots covering every branch of the row: no sequence, no version, no range, a version past
    v999, an empty poster, a poster without a list thumbnail and one with, notes of every kind, assignees,
    whole-second timestamps, odd text."""
    shot = studio.shot
    version = _version(shot, 3, poster=f"versions/{studio.project.id}/x/review/poster.jpg")
    second = make_user(f"aaa-artist@{studio.org.slug}.test", org=studio.org, role=Role.ARTIST)
    shot.assignees.add(studio.artist, second)
    notes = [
        Comment(project=studio.project, version=version, body="public", frame=1001),
        Comment(project=studio.project, version=version, body="internal", frame=1002, internal=True),
        Comment(project=studio.project, version=version, body="resolved", frame=1003, resolved=True),
        Comment(project=studio.project, version=version, body="gone", frame=1004, deleted_at=timezone.now()),
    ]
    Comment.objects.bulk_create(notes)
    Comment.objects.create(project=studio.project, version=version, body="reply", frame=1001, parent=notes[0])
    make_shot(studio.project, "AL_LOOSE", frame_in=None, description='Quotes " and \\ and\nnewlines, ünïcødé ✓')
    big = make_shot(studio.project, "AL_010_0020", sequence=studio.sequence, status="review", retake_count=2)
    earlier = _version(big, 999)
    _version(big, 1000, poster="p/poster.jpg", thumb="p/thumb.jpg")
    # What a client sees: v003 and the earlier v999 were submitted to them; v1000 (the shot's current) was not.
    services.submit_to_client(actor=studio.producer, project=studio.project, versions=[version.pk, earlier.pk])
    whole = timezone.now().replace(microsecond=0)
    Shot.objects.filter(pk=big.pk).update(updated_at=whole, created_at=whole - dt.timedelta(days=1))
    return studio


def _serialized(studio, user, params: dict) -> list[dict]:
    """What the serializer path answers for the same query (the rows of the same filters and order)."""
    access = project_access(user=user, project=studio.project)
    filters = {k: params.get(k) for k in ("status", "sequence", "assignee", "q", "ordering")}
    filters["user"] = user
    rows = selectors.shot_list(Shot.objects.filter(project=studio.project), access=access, filters=filters)
    return [ShotSerializer(shot, context={"access": access}).data for shot in rows]


@pytest.mark.parametrize("who", ["producer", "artist", "client"])
@pytest.mark.parametrize("params", [{}, {"ordering": "-code"}, {"status": "review"}, {"q": "ünïcødé"}, {"sequence": "none"}])
def test_fast_path_answers_what_the_serializer_answers(varied, api, who, params):
    user = getattr(varied, who)
    response = api(user).get(f"/api/v1/projects/{varied.project.id}/shots/", {**params, "page_size": "all"})
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json"
    body = response.json()
    expected = _serialized(varied, user, params)
    assert body["results"] == expected
    assert body["count"] == len(expected) and body["next"] is None and body["previous"] is None


def test_what_each_caller_sees(varied, api):
    url = f"/api/v1/projects/{varied.project.id}/shots/"
    rows = {r["code"]: r for r in api(varied.producer).get(url).json()["results"]}
    first = rows[varied.shot.code]
    assert [a["email"] for a in first["assignees"]] == sorted([varied.artist.email, f"aaa-artist@{varied.org.slug}.test"])
    assert first["open_notes"] == 2 and first["current_version"]["label"] == "v003"
    # The list's picture: the list-size thumbnail where the version has one, else its poster, else none.
    assert first["thumbnail"] == f"/api/v1/versions/{first['current_version']['id']}/media/poster/"
    big = rows["AL_010_0020"]
    assert big["current_version"]["label"] == "v1000"
    assert big["thumbnail"] == big["current_version"]["thumbnail"] == f"/api/v1/versions/{big['current_version']['id']}/media/thumb/"
    assert rows["AL_010_0020"]["updated_at"].endswith(":00Z") or "." not in rows["AL_010_0020"]["updated_at"]
    assert rows["AL_LOOSE"]["sequence"] is None and rows["AL_LOOSE"]["duration"] is None and rows["AL_LOOSE"]["current_version"] is None
    client_rows = {r["code"]: r for r in api(varied.client).get(url).json()["results"]}
    assert client_rows[varied.shot.code]["assignees"] == [] and client_rows[varied.shot.code]["open_notes"] == 1
    assert client_rows["AL_010_0020"]["current_version"]["label"] == "v999" and client_rows["AL_010_0020"]["version_count"] == 1
    assert client_rows["AL_010_0020"]["thumbnail"] is None  # v999 has no poster
    assert "AL_LOOSE" not in client_rows  # nothing of it was submitted


def test_pages_keep_drfs_envelope(varied, api):
    url = f"/api/v1/projects/{varied.project.id}/shots/"
    client = api(varied.producer)
    first = client.get(url, {"page_size": 2, "ordering": "code"}).json()
    assert first["count"] == 3 and len(first["results"]) == 2 and first["previous"] is None
    assert "page=2" in first["next"] and "page_size=2" in first["next"]
    second = client.get(url, {"page_size": 2, "ordering": "code", "page": 2}).json()
    assert [r["code"] for r in first["results"] + second["results"]] == sorted(["AL_LOOSE", "AL_010_0020", varied.shot.code])
    assert second["next"] is None and second["previous"]
    assert client.get(url, {"page": 9}).status_code == 404


def test_other_tenants_and_strangers_get_404(varied, rival, api):
    url = f"/api/v1/projects/{varied.project.id}/shots/"
    assert api(rival.producer).get(url).status_code == 404
    outsider = make_user("nobody@elsewhere.test")
    assert api(outsider).get(url).status_code == 404
    assert api().get(url).status_code in (401, 403)
    # the other project's client reviewer (not a member of this one) sees nothing either
    assert api(rival.client).get(url).status_code == 404


def test_rows_carry_the_current_versions_consent_badges(varied, api):
    """Issue 13: the current version's `quarantined`, `held` (likeness scan) and `likeness` (its uses'
    worst state; null for client reviewers), the same on both paths."""
    from tests.projects.test_allowed_actions import agency_world, rendered

    crescent = agency_world(varied)
    url = f"/api/v1/projects/{varied.project.id}/shots/"
    shot = make_shot(varied.project, "AL_010_0030", sequence=varied.sequence)
    version = rendered(varied, crescent, shot=shot)
    Shot.objects.filter(pk=shot.pk).update(current_version=version)

    def row(user, code=shot.code) -> dict:
        rows = {r["code"]: r for r in api(user).get(url, {"page_size": "all"}).json()["results"]}
        return rows[code]["current_version"]

    badges = row(varied.producer)
    assert (badges["likeness"], badges["held"], badges["quarantined"]) == ("pending_review", False, False)
    show_to_client(varied.producer, version)
    assert row(varied.client)["likeness"] is None  # the agency's decisions are not the client's
    (use,) = version.likeness_uses.all()
    from rights import services as rights_services

    rights_services.decide_use(actor=crescent["agent"], use=use, decision="reject", note="Not this wardrobe.")
    Version.objects.filter(shot=varied.shot, number=3).update(scan_state="held")
    Version.objects.filter(shot__code="AL_010_0020").update(quarantined_at=timezone.now(), quarantine_reason="Revoked.")
    assert row(varied.producer)["likeness"] == "rejected"
    assert row(varied.producer, varied.shot.code)["held"] is True and row(varied.producer, varied.shot.code)["likeness"] is None
    assert row(varied.artist, "AL_010_0020")["quarantined"] is True
    for who in ("producer", "client"):
        user = getattr(varied, who)
        assert api(user).get(url, {"page_size": "all"}).json()["results"] == _serialized(varied, user, {}), who
