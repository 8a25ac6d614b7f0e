"""Studio rows of the shot list are kept as JSON (projects/models_shot_rows.py, `ShotListRow`) and used
only while the rows they were built from are unchanged: every change to what a row shows must show.

Most changes here are direct writes in the test's own transaction (the strictest case: one transaction
id for all of them, so only the row versions' `ctid` tells them apart; and no service ran, so nothing
was invalidated on purpose). The API cases go through the services and also check the ETag."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import F
from django.utils import timezone

from projects.models import Comment, Shot, ShotListRow, Version
from studio.tenancy.models import Role, User
from tests.projects import test_shot_list_fast_path as fast_path
from tests.projects.conftest import make_shot, make_user
from tests.projects.test_shot_list_fast_path import _serialized, _version

varied = fast_path.varied  # the fixture: shots covering every branch of a row


def _url(studio) -> str:
    return f"/api/v1/projects/{studio.project.id}/shots/"


def _rows(api, studio, user=None) -> dict[str, dict]:
    response = api(user or studio.producer).get(_url(studio), {"page_size": "all"})
    assert response.status_code == 200, response.content
    return {row["code"]: row for row in response.json()["results"]}


def _kept(shot) -> ShotListRow:
    return ShotListRow.objects.get(shot=shot)


def test_kept_rows_are_written_then_used(varied, api):
    rows = _rows(api, varied)
    assert ShotListRow.objects.filter(shot__project=varied.project).count() == len(rows) == 3
    assert list(rows.values()) == _serialized(varied, varied.producer, {})
    # A kept row whose sources are unchanged is served as kept (not rebuilt): a marker written into it shows.
    ShotListRow.objects.filter(shot=varied.shot).update(body='{"code": "KEPT"}')
    assert "KEPT" in _rows(api, varied)
    # Any write to the shot makes it stale: rebuilt, and written back.
    Shot.objects.filter(pk=varied.shot.pk).update(description="Changed")
    rows = _rows(api, varied)
    assert "KEPT" not in rows and rows[varied.shot.code]["description"] == "Changed"
    assert '"Changed"' in _kept(varied.shot).body


def _add_note(studio):
    version = studio.shot.current_version
    Comment.objects.create(project=studio.project, version=version, body="another", frame=1005)


def _resolve_note(studio):
    Comment.objects.filter(version__shot=studio.shot, body="public").update(resolved=True)


def _delete_note(studio):
    Comment.objects.filter(version__shot=studio.shot, body="public").update(deleted_at=timezone.now())


def _new_current_version(studio):
    _version(studio.shot, 4, poster=f"versions/{studio.project.id}/y/review/poster.jpg")


def _rename_assignee(studio):
    User.objects.filter(pk=studio.artist.pk).update(display_name="Renamed Artist")


def _unassign(studio):
    studio.shot.assignees.remove(studio.artist)


def _assign(studio):
    studio.shot.assignees.add(make_user(f"zz-new@{studio.org.slug}.test", org=studio.org, role=Role.ARTIST))


def _replace_assignee(studio):  # same count, another person
    studio.shot.assignees.remove(studio.artist)
    studio.shot.assignees.add(make_user(f"bb-new@{studio.org.slug}.test", org=studio.org, role=Role.ARTIST))


def _version_update(**fields):
    def change(studio):
        Version.objects.filter(pk=studio.shot.current_version_id).update(**fields)

    return change


def _shot_update(**fields):
    def change(studio):
        Shot.objects.filter(pk=studio.shot.pk).update(**fields)

    return change


CHANGES = {
    "status": _shot_update(status="approved"),
    "retake count": _shot_update(retake_count=F("retake_count") + 1),
    "frame range": _shot_update(frame_out=1100),
    "version count": _shot_update(next_version_number=F("next_version_number") + 5),
    "current version": _new_current_version,
    "version approval": _version_update(approval_status="approved"),
    "version processing": _version_update(processing_status="failed"),
    "version poster": _version_update(poster=""),
    "quarantined": _version_update(quarantined_at=timezone.now(), quarantine_reason="Revoked."),
    "held by the scan": _version_update(scan_state="held"),
    "note added": _add_note,
    "note resolved": _resolve_note,
    "note deleted": _delete_note,
    "assignee renamed": _rename_assignee,
    "assignee removed": _unassign,
    "assignee added": _assign,
    "assignee replaced": _replace_assignee,
    "sequence renamed": lambda studio: type(studio.sequence).objects.filter(pk=studio.sequence.pk).update(code="AL_NEW"),
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_every_change_to_what_a_row_shows_shows(varied, api, change):
    varied.shot.refresh_from_db()
    before = _rows(api, varied)[varied.shot.code]
    assert _kept(varied.shot).body  # kept now
    CHANGES[change](varied)
    after = _rows(api, varied)[varied.shot.code]
    assert after != before, change
    expected = {row["code"]: row for row in _serialized(varied, varied.producer, {})}
    assert after == expected[varied.shot.code], change
    # written back: the next list is served from the rebuilt kept row
    assert _rows(api, varied)[varied.shot.code] == after


def test_likeness_decision_shows(varied, api):
    from rights import services as rights_services
    from tests.projects.test_allowed_actions import agency_world, rendered

    crescent = agency_world(varied)
    shot = make_shot(varied.project, "AL_010_0030", sequence=varied.sequence)
    version = rendered(varied, crescent, shot=shot)
    Shot.objects.filter(pk=shot.pk).update(current_version=version)
    assert _rows(api, varied)[shot.code]["current_version"]["likeness"] == "pending_review"
    (use,) = version.likeness_uses.all()
    rights_services.decide_use(actor=crescent["agent"], use=use, decision="reject", note="Not this wardrobe.")
    assert _rows(api, varied)[shot.code]["current_version"]["likeness"] == "rejected"


def test_client_reviewers_never_get_kept_rows(varied, api):
    _rows(api, varied)
    ShotListRow.objects.all().update(body='{"code": "KEPT"}')
    client_rows = _rows(api, varied, varied.client)
    assert "KEPT" not in client_rows and list(client_rows.values()) == _serialized(varied, varied.client, {})


def test_a_deleted_shot_leaves_with_its_kept_row(varied, api):
    _rows(api, varied)
    loose = Shot.objects.get(project=varied.project, code="AL_LOOSE")
    loose.delete()
    assert not ShotListRow.objects.filter(shot_id=loose.pk).exists()
    assert "AL_LOOSE" not in _rows(api, varied)


def test_pages_and_filters_share_the_kept_rows(varied, api):
    client = api(varied.producer)
    first = client.get(_url(varied), {"page_size": 2, "ordering": "code"}).json()["results"]
    Shot.objects.filter(code=first[0]["code"], project=varied.project).update(status="review")
    reviews = client.get(_url(varied), {"status": "review", "page_size": "all"}).json()["results"]
    assert first[0]["code"] in {r["code"] for r in reviews} and all(r["status"] == "review" for r in reviews)
    assert reviews == _serialized(varied, varied.producer, {"status": "review"})


def test_changes_through_the_api_change_the_list_and_its_etag(varied, api):
    client = api(varied.producer)
    varied.shot.refresh_from_db()
    version = varied.shot.current_version

    def listed():
        response = client.get(_url(varied), {"page_size": "all"})
        return {r["code"]: r for r in response.json()["results"]}[varied.shot.code], response["ETag"]

    steps = [
        ("patch", f"/api/v1/shots/{varied.shot.id}/", {"status": "omitted"}, lambda row: row["status"] == "omitted"),
        (
            "patch",
            f"/api/v1/shots/{varied.shot.id}/",
            {"assignees": [str(varied.supervisor.id)]},
            lambda row: [a["email"] for a in row["assignees"]] == [varied.supervisor.email],
        ),
        ("post", f"/api/v1/versions/{version.id}/comments/", {"body": "More light", "frame": 1010}, lambda row: row["open_notes"] == 3),
    ]
    row, etag = listed()
    for method, url, data, shows in steps:
        response = getattr(client, method)(url, data, format="json")
        assert response.status_code in (200, 201), response.content
        assert client.get(_url(varied), {"page_size": "all"}, HTTP_IF_NONE_MATCH=etag).status_code == 200, url
        row, etag = listed()
        assert shows(row), (url, row)
    note = Comment.objects.get(version=version, body="More light")
    assert client.patch(f"/api/v1/comments/{note.id}/", {"resolved": True}, format="json").status_code == 200
    assert client.get(_url(varied), {"page_size": "all"}, HTTP_IF_NONE_MATCH=etag).status_code == 200
    assert listed()[0]["open_notes"] == 2


@pytest.mark.django_db(transaction=True)
def test_a_committed_change_from_another_transaction_shows(api):
    """The usual case outside tests: the kept row was written by one request, the change committed by
    another transaction (a new `xmin`)."""
    from tests.projects.conftest import Studio

    studio = Studio("kept")
    url = f"/api/v1/projects/{studio.project.id}/shots/"
    assert api(studio.producer).get(url).json()["results"][0]["status"] == studio.shot.status
    with connection.cursor() as cursor:  # autocommit: its own transaction
        cursor.execute("UPDATE projects_shot SET status = 'approved' WHERE id = %s", [studio.shot.pk])
    assert api(studio.producer).get(url).json()["results"][0]["status"] == "approved"
    assert '"approved"' in ShotListRow.objects.get(shot=studio.shot).body
