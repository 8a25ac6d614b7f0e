"""Dailies playlists: ordered versions; client reviewers see only playlists shared with clients."""

from __future__ import annotations

from tests.projects.conftest import add_version, make_shot


def test_building_and_reordering_a_playlist(studio, api, clips, media_root):
    second = make_shot(studio.project, "AL_010_0020", sequence=studio.sequence)
    v1 = add_version(studio.shot, clips["good"])
    v2 = add_version(second, clips["good"])
    url = f"/api/v1/projects/{studio.project.id}/playlists/"
    created = api(studio.supervisor).post(url, {"name": "Dailies Monday", "versions": [str(v2.id), str(v1.id)]}, format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert [(i["order"], i["shot"]["code"], i["version"]["label"]) for i in body["items"]] == [
        (0, "AL_010_0020", "v001"),
        (1, "AL_010_0010", "v001"),
    ]
    assert body["audience"] == "internal"
    detail = f"/api/v1/playlists/{body['id']}/"
    patched = api(studio.supervisor).patch(detail, {"versions": [str(v1.id)], "name": "Dailies Tue"}, format="json")
    assert [i["version"]["id"] for i in patched.json()["items"]] == [str(v1.id)] and patched.json()["name"] == "Dailies Tue"
    assert api(studio.artist).patch(detail, {"name": "x"}, format="json").status_code == 403
    assert api(studio.supervisor).delete(detail).status_code == 204


def test_playlist_input_is_validated(studio, api, clips, media_root):
    v1 = add_version(studio.shot, clips["good"])
    foreign = add_version(studio.other_shot, clips["good"])
    url = f"/api/v1/projects/{studio.project.id}/playlists/"
    assert api(studio.supervisor).post(url, {"name": "x", "versions": [str(foreign.id)]}, format="json").status_code == 400
    assert api(studio.supervisor).post(url, {"name": "x", "versions": [str(v1.id), str(v1.id)]}, format="json").status_code == 400
    assert api(studio.supervisor).post(url, {"name": ""}, format="json").status_code == 400
    assert api(studio.supervisor).post(url, {"name": "x", "audience": "world"}, format="json").status_code == 400
    assert api(studio.client).post(url, {"name": "x"}, format="json").status_code == 403


def test_client_reviewers_only_see_client_playlists_of_their_project(studio, rival, api):
    url = f"/api/v1/projects/{studio.project.id}/playlists/"
    internal = api(studio.producer).post(url, {"name": "Internal"}, format="json").json()
    shared = api(studio.producer).post(url, {"name": "Client review", "audience": "client"}, format="json").json()
    assert [p["id"] for p in api(studio.client).get(url).json()["results"]] == [shared["id"]]
    assert {p["id"] for p in api(studio.artist).get(url).json()["results"]} == {internal["id"], shared["id"]}
    assert api(studio.client).get(f"/api/v1/playlists/{internal['id']}/").status_code == 404
    assert api(rival.producer).get(f"/api/v1/playlists/{shared['id']}/").status_code == 404
    assert api(rival.producer).get(url).status_code == 404
    other = f"/api/v1/projects/{studio.other_project.id}/playlists/"
    assert api(studio.client).get(other).status_code == 404
