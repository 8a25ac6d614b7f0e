"""The shot list: create, edit, filter, order, reorder; status rules; client reviewers read only."""

from __future__ import annotations

from projects import services
from projects.models import Shot, Version
from studio.audit.models import AuditEvent
from tests.projects.conftest import add_version, make_shot, show_to_client


def shots_url(project):
    return f"/api/v1/projects/{project.id}/shots/"


def codes(response):
    assert response.status_code == 200, response.json()
    return [row["code"] for row in response.json()["results"]]


def test_supervisor_creates_a_shot_with_frames_and_assignees(studio, api):
    response = api(studio.supervisor).post(
        shots_url(studio.project),
        {
            "code": "AL_010_0020",
            "sequence": str(studio.sequence.id),
            "frame_in": 1001,
            "frame_out": 1096,
            "description": "Wide",
            "prompt_notes": "dawn light",
            "assignees": [str(studio.artist.id)],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["duration"] == 96
    assert body["sequence"]["code"] == "AL_010"
    assert [a["email"] for a in body["assignees"]] == [studio.artist.email]
    assert body["status"] == "pending" and body["current_version"] is None and body["thumbnail"] is None
    assert AuditEvent.objects.filter(action="shot.created", target_id=body["id"]).exists()


def test_shot_validation_messages(studio, rival, api):
    url = shots_url(studio.project)
    client = api(studio.producer)
    cases = [
        ({"code": "bad code!"}, "code"),
        ({"code": studio.shot.code}, "code"),
        ({"code": "AL_X", "frame_in": 1100, "frame_out": 1001}, "frame_out"),
        ({"code": "AL_X", "frame_in": -5}, "frame_in"),
        ({"code": "AL_X", "status": "approved"}, "status"),
        ({"code": "AL_X", "status": "sleeping"}, "status"),
        ({"code": "AL_X", "sequence": str(rival.sequence.id)}, "sequence"),
        ({"code": "AL_X", "assignees": [str(studio.client.id)]}, "assignees"),
        ({"code": "AL_X", "assignees": [str(rival.artist.id)]}, "assignees"),
        ({"code": "AL_X", "frame_in": "soon"}, "frame_in"),
    ]
    for payload, field in cases:
        response = client.post(url, payload, format="json")
        assert response.status_code == 400, (payload, response.json())
        assert field in response.json()["fields"], (payload, response.json())
    assert not Shot.objects.filter(code="AL_X").exists()


def test_client_reviewers_and_artists_cannot_create_shots(studio, api):
    for user in (studio.client, studio.artist):
        response = api(user).post(shots_url(studio.project), {"code": "AL_010_0099"}, format="json")
        assert response.status_code == 403
        assert "create shots" in response.json()["detail"]


def test_filters_and_ordering(studio, api):
    seq2 = studio.project.sequences.create(code="AL_020", order=1)
    a = make_shot(studio.project, "AL_020_0010", sequence=seq2, status="review", order=0)
    b = make_shot(studio.project, "AL_020_0020", sequence=seq2, status="in_progress", order=1)
    make_shot(studio.project, "AL_LOOSE", sequence=None, frame_in=None, order=5)
    a.assignees.add(studio.artist)
    b.assignees.add(studio.supervisor)
    client = api(studio.artist)
    url = shots_url(studio.project)
    assert codes(client.get(url)) == ["AL_010_0010", "AL_020_0010", "AL_020_0020", "AL_LOOSE"]  # by sequence, unsequenced last
    assert codes(client.get(url, {"status": "review,in_progress"})) == ["AL_020_0010", "AL_020_0020"]
    assert codes(client.get(url, {"sequence": "AL_020"})) == ["AL_020_0010", "AL_020_0020"]
    assert codes(client.get(url, {"sequence": str(seq2.id)})) == ["AL_020_0010", "AL_020_0020"]
    assert codes(client.get(url, {"sequence": "none"})) == ["AL_LOOSE"]
    assert codes(client.get(url, {"assignee": "me"})) == ["AL_020_0010"]
    assert codes(client.get(url, {"assignee": str(studio.supervisor.id)})) == ["AL_020_0020"]
    assert codes(client.get(url, {"assignee": studio.supervisor.email})) == ["AL_020_0020"]
    assert codes(client.get(url, {"ordering": "-code"})) == ["AL_LOOSE", "AL_020_0020", "AL_020_0010", "AL_010_0010"]
    assert codes(client.get(url, {"q": "loose"})) == ["AL_LOOSE"]
    assert len(codes(client.get(url, {"page_size": "all"}))) == 4
    page = client.get(url, {"page_size": 2}).json()
    assert page["count"] == 4 and len(page["results"]) == 2 and page["next"]


def test_bulk_reorder(studio, api):
    second = make_shot(studio.project, "AL_010_0020", sequence=studio.sequence, order=1)
    url = shots_url(studio.project) + "reorder/"
    response = api(studio.supervisor).post(url, {"shots": [str(second.id), str(studio.shot.id)]}, format="json")
    assert response.status_code == 200 and response.json() == {"moved": 2}
    assert codes(api(studio.artist).get(shots_url(studio.project))) == ["AL_010_0020", "AL_010_0010"]
    # foreign or repeated ids: refused, nothing written
    for payload in (
        {"shots": [str(studio.shot.id), str(studio.other_shot.id)]},
        {"shots": [str(second.id), str(second.id)]},
        {"shots": []},
    ):
        bad = api(studio.supervisor).post(url, payload, format="json")
        assert bad.status_code == 400, payload
    assert codes(api(studio.artist).get(shots_url(studio.project))) == ["AL_010_0020", "AL_010_0010"]
    assert api(studio.artist).post(url, {"shots": [str(studio.shot.id)]}, format="json").status_code == 403


def test_shot_detail_with_version_stack(studio, api, clips, media_root):
    first = add_version(studio.shot, clips["good"], user=studio.artist, process=True)
    second = add_version(studio.shot, clips["good"], user=studio.artist, process=True)
    services.submit_to_client(actor=studio.producer, project=studio.project, versions=[first.pk, second.pk])  # what a client sees
    body = api(studio.client).get(f"/api/v1/shots/{studio.shot.id}/").json()
    assert [v["label"] for v in body["versions"]] == ["v002", "v001"]
    assert body["current_version"]["label"] == "v002"
    assert body["version_count"] == 2
    assert body["assignees"] == []  # clients do not see who works on the shot
    versions = api(studio.client).get(f"/api/v1/shots/{studio.shot.id}/versions/").json()["results"]
    assert [v["label"] for v in versions] == ["v002", "v001"]


def test_editing_shots_and_the_status_rules(studio, api):
    url = f"/api/v1/shots/{studio.shot.id}/"
    response = api(studio.supervisor).patch(url, {"frame_out": 1100, "description": "new"}, format="json")
    assert response.status_code == 200 and response.json()["duration"] == 100
    assert api(studio.supervisor).patch(url, {"frame_out": 900}, format="json").status_code == 400
    approved = api(studio.producer).patch(url, {"status": "approved"}, format="json")
    assert approved.status_code == 400 and "decide the version's approvals" in approved.json()["fields"]["status"][0]
    assert api(studio.producer).patch(url, {"status": "final"}, format="json").status_code == 400  # only from approved
    assert api(studio.supervisor).patch(url, {"status": "omitted"}, format="json").json()["status"] == "omitted"
    # Nothing of this shot was submitted to the client: it is not theirs to see (404), let alone edit.
    assert api(studio.client).patch(url, {"description": "client edit"}, format="json").status_code == 404


def test_an_assigned_artist_may_move_status_between_working_states_only(studio, api):
    url = f"/api/v1/shots/{studio.shot.id}/"
    assert api(studio.artist).patch(url, {"status": "in_progress"}, format="json").status_code == 403  # not assigned
    studio.shot.assignees.add(studio.artist)
    assert api(studio.artist).patch(url, {"status": "in_progress"}, format="json").json()["status"] == "in_progress"
    assert api(studio.artist).patch(url, {"status": "omitted"}, format="json").status_code == 403
    assert api(studio.artist).patch(url, {"description": "x"}, format="json").status_code == 403


def test_final_needs_a_producer_and_an_approved_shot(studio, api):
    Shot.objects.filter(pk=studio.shot.pk).update(status="approved")
    url = f"/api/v1/shots/{studio.shot.id}/"
    assert api(studio.supervisor).patch(url, {"status": "final"}, format="json").status_code == 403
    assert api(studio.producer).patch(url, {"status": "final"}, format="json").json()["status"] == "final"
    assert api(studio.supervisor).patch(url, {"status": "review"}, format="json").status_code == 403


def test_deleting_shots(studio, api, clips, media_root):
    spare = make_shot(studio.project, "AL_SPARE")
    assert api(studio.artist).delete(f"/api/v1/shots/{spare.id}/").status_code == 403
    assert api(studio.supervisor).delete(f"/api/v1/shots/{spare.id}/").status_code == 204
    add_version(studio.shot, clips["good"])
    response = api(studio.producer).delete(f"/api/v1/shots/{studio.shot.id}/")
    assert response.status_code == 409 and "omitted" in response.json()["detail"]


def test_sequences(studio, api):
    url = f"/api/v1/projects/{studio.project.id}/sequences/"
    created = api(studio.supervisor).post(url, {"code": "AL_020", "name": "Ridge"}, format="json")
    assert created.status_code == 201 and created.json()["order"] == 1
    assert [s["shot_count"] for s in api(studio.client).get(url).json()] == [0, 0]  # nothing submitted to the client yet
    version = Version.objects.create(project=studio.project, shot=studio.shot, number=1, source="upload", processing_status="ready")
    show_to_client(studio.producer, version)
    listed = api(studio.client).get(url).json()
    assert [(s["code"], s["shot_count"]) for s in listed] == [("AL_010", 1), ("AL_020", 0)]
    assert api(studio.supervisor).post(url, {"code": "AL_020"}, format="json").status_code == 400
    assert api(studio.client).post(url, {"code": "AL_030"}, format="json").status_code == 403
    busy = api(studio.supervisor).delete(f"{url}{studio.sequence.id}/")
    assert busy.status_code == 409
    assert api(studio.supervisor).delete(f"{url}{created.json()['id']}/").status_code == 204
    renamed = api(studio.supervisor).patch(f"{url}{studio.sequence.id}/", {"name": "Arrival"}, format="json")
    assert renamed.json()["name"] == "Arrival"
