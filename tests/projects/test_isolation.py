"""Tenancy fails closed on every endpoint: another studio's rows, and another project's rows for a
client reviewer, answer 404 — reads and writes alike — and nothing is written."""

from __future__ import annotations

import pytest

from projects import services
from projects.models import Comment, Playlist
from studio.audit.models import AuditEvent
from tests.projects.conftest import add_version


@pytest.fixture
def world(studio, clips, media_root):
    """Rows of `studio.project` and of `studio.other_project` (where the client is not a member).
    The project's version is submitted to the client (a client sees only what was submitted to them)."""
    version = add_version(studio.shot, clips["good"], user=studio.artist, process=True)
    services.submit_to_client(actor=studio.producer, project=studio.project, versions=[version.pk])
    other_version = add_version(studio.other_shot, clips["good"], user=studio.artist)
    comment = Comment.objects.create(project=studio.project, version=version, author=studio.producer, body="n", frame=1001)
    other_comment = Comment.objects.create(
        project=studio.other_project, version=other_version, author=studio.producer, body="n", frame=1001
    )
    playlist = Playlist.objects.create(project=studio.project, name="p", audience="client")
    other_playlist = Playlist.objects.create(project=studio.other_project, name="p", audience="client")
    return {
        "project": (studio.project, studio.shot, version, comment, playlist),
        "other": (studio.other_project, studio.other_shot, other_version, other_comment, other_playlist),
    }


def endpoints(project, shot, version, comment, playlist):
    p, sh, v, c, pl = project.id, shot.id, version.id, comment.id, playlist.id
    return [
        ("get", f"/api/v1/projects/{p}/", None),
        ("patch", f"/api/v1/projects/{p}/", {"name": "x"}),
        ("get", f"/api/v1/projects/{p}/people/", None),
        ("get", f"/api/v1/projects/{p}/members/", None),
        ("post", f"/api/v1/projects/{p}/members/", {"email": "someone@example.test"}),
        ("get", f"/api/v1/projects/{p}/sequences/", None),
        ("post", f"/api/v1/projects/{p}/sequences/", {"code": "ZZ_010"}),
        ("get", f"/api/v1/projects/{p}/shots/", None),
        ("post", f"/api/v1/projects/{p}/shots/", {"code": "ZZ_010_0010"}),
        ("post", f"/api/v1/projects/{p}/shots/reorder/", {"shots": [str(sh)]}),
        ("get", f"/api/v1/projects/{p}/playlists/", None),
        ("post", f"/api/v1/projects/{p}/playlists/", {"name": "x"}),
        ("get", f"/api/v1/projects/{p}/export/csv/", None),
        ("get", f"/api/v1/projects/{p}/export/otio/", None),
        ("get", f"/api/v1/shots/{sh}/", None),
        ("patch", f"/api/v1/shots/{sh}/", {"description": "x"}),
        ("delete", f"/api/v1/shots/{sh}/", None),
        ("get", f"/api/v1/shots/{sh}/versions/", None),
        ("get", f"/api/v1/versions/{v}/", None),
        ("patch", f"/api/v1/versions/{v}/", {"note": "x"}),
        ("get", f"/api/v1/versions/{v}/media/original/", None),
        ("get", f"/api/v1/versions/{v}/comments/", None),
        ("post", f"/api/v1/versions/{v}/comments/", {"frame": 1001, "body": "x"}),
        ("get", f"/api/v1/versions/{v}/approvals/", None),
        ("post", f"/api/v1/versions/{v}/approvals/", {"lane": "client", "decision": "approved"}),
        ("get", f"/api/v1/comments/{c}/", None),
        ("patch", f"/api/v1/comments/{c}/", {"resolved": True}),
        ("delete", f"/api/v1/comments/{c}/", None),
        ("get", f"/api/v1/playlists/{pl}/", None),
        ("patch", f"/api/v1/playlists/{pl}/", {"name": "x"}),
        ("delete", f"/api/v1/playlists/{pl}/", None),
    ]


def _call(client, method, url, payload):
    if payload is None:
        return getattr(client, method)(url)
    return getattr(client, method)(url, payload, format="json")


def test_another_studio_gets_404_everywhere(world, rival, api):
    before = AuditEvent.objects.count()
    for method, url, payload in endpoints(*world["project"]):
        response = _call(api(rival.owner), method, url, payload)
        assert response.status_code == 404, (method, url, response.status_code)
        assert response.json()["error"] == "not_found"
    assert AuditEvent.objects.count() == before


def test_a_client_of_one_project_gets_404_on_another_project(world, studio, api):
    before = AuditEvent.objects.count()
    for method, url, payload in endpoints(*world["other"]):
        response = _call(api(studio.client), method, url, payload)
        assert response.status_code == 404, (method, url, response.status_code)
    assert AuditEvent.objects.count() == before


def test_the_client_reads_their_own_project(world, studio, api):
    for method, url, _ in endpoints(*world["project"]):
        if method != "get":
            continue
        assert _call(api(studio.client), method, url, None).status_code == 200, url


def test_anonymous_callers_get_401(world, api):
    for method, url, payload in endpoints(*world["project"]):
        assert _call(api(), method, url, payload).status_code == 401, url


def test_lists_never_include_foreign_rows(world, studio, rival, api):
    rival_project_shots = api(rival.producer).get(f"/api/v1/projects/{rival.project.id}/shots/").json()["results"]
    assert {s["code"] for s in rival_project_shots} == {rival.shot.code}
    assert str(studio.project.id) not in {p["id"] for p in api(rival.producer).get("/api/v1/projects/").json()["results"]}
