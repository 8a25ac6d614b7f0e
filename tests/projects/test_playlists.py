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


def _playlist(api, studio, **extra) -> dict:
    r = api(studio.producer).post(f"/api/v1/projects/{studio.project.id}/playlists/", {"name": "Dailies", **extra}, format="json")
    assert r.status_code == 201, r.json()
    return r.json()


def test_adding_shots_by_selection_and_by_status(studio, api, clips, media_root):
    second = make_shot(studio.project, "AL_010_0020", sequence=studio.sequence)
    empty = make_shot(studio.project, "AL_010_0030", sequence=studio.sequence)
    add_version(studio.shot, clips["good"])
    v2 = add_version(second, clips["good"])
    playlist = _playlist(api, studio)
    url = f"/api/v1/playlists/{playlist['id']}/add-shots/"
    r = api(studio.supervisor).post(url, {"shots": [str(second.id), str(empty.id)]}, format="json")
    assert r.status_code == 200, r.json()
    assert (r.json()["added"], r.json()["without_version"]) == (1, ["AL_010_0030"])
    assert [i["version"]["id"] for i in r.json()["playlist"]["items"]] == [str(v2.id)]

    type(second).objects.filter(pk__in=[studio.shot.pk, second.pk]).update(status="review")
    r = api(studio.producer).post(url, {"status": "review"}, format="json")
    body = r.json()
    assert (body["added"], body["already_in"]) == (1, 1), body
    assert [(i["order"], i["shot"]["code"]) for i in body["playlist"]["items"]] == [(0, "AL_010_0020"), (1, "AL_010_0010")]
    assert body["playlist"]["items"][0]["likeness"] and body["playlist"]["items"][0]["quarantined"] is False
    assert api(studio.artist).post(url, {"status": "review"}, format="json").status_code == 403


def test_adding_shots_refuses_bad_input_and_other_tenants(studio, rival, api):
    playlist = _playlist(api, studio)
    url = f"/api/v1/playlists/{playlist['id']}/add-shots/"
    for body, field in [
        ({"shots": [str(studio.other_shot.id)]}, "shots"),
        ({"shots": []}, "shots"),
        ({"shots": ["nope"]}, "shots"),
        ({"status": "ready-ish"}, "status"),
        ({}, "detail"),
        ({"shots": [str(studio.shot.id)], "status": "review"}, "detail"),
    ]:
        r = api(studio.producer).post(url, body, format="json")
        assert r.status_code == 400 and field in str(r.json()), (body, r.json())
    assert api(rival.producer).post(url, {"status": "review"}, format="json").status_code == 404
    assert api(studio.client).post(url, {"status": "review"}, format="json").status_code == 404  # internal: invisible


def test_reordering_noting_choosing_a_version_and_removing_items(studio, api, clips, media_root):
    second = make_shot(studio.project, "AL_010_0020", sequence=studio.sequence)
    v1 = add_version(studio.shot, clips["good"])
    v1b = add_version(studio.shot, clips["good"])
    v2 = add_version(second, clips["good"])
    playlist = _playlist(api, studio, versions=[str(v1.id), str(v2.id)])
    first, other = (i["id"] for i in playlist["items"])
    base = f"/api/v1/playlists/{playlist['id']}"

    r = api(studio.supervisor).post(f"{base}/reorder/", {"items": [other, first]}, format="json")
    assert [i["id"] for i in r.json()["items"]] == [other, first]
    assert api(studio.supervisor).post(f"{base}/reorder/", {"items": [other]}, format="json").status_code == 400
    assert api(studio.supervisor).post(f"{base}/reorder/", {"items": [other, other]}, format="json").status_code == 400

    r = api(studio.supervisor).patch(f"{base}/items/{first}/", {"note": "Watch the dust", "version": str(v1b.id)}, format="json")
    assert r.status_code == 200, r.json()
    item = next(i for i in r.json()["items"] if i["id"] == first)
    assert (item["note"], item["version"]["id"]) == ("Watch the dust", str(v1b.id))
    bad = api(studio.supervisor).patch(f"{base}/items/{first}/", {"version": str(v2.id)}, format="json")
    assert bad.status_code == 400 and "Not a version of AL_010_0010" in str(bad.json())
    assert api(studio.supervisor).patch(f"{base}/items/{first}/", {"note": "x" * 2001}, format="json").status_code == 400
    assert api(studio.supervisor).patch(f"{base}/items/{first}/", {}, format="json").status_code == 400
    assert api(studio.artist).patch(f"{base}/items/{first}/", {"note": "mine"}, format="json").status_code == 403

    assert api(studio.supervisor).delete(f"{base}/items/{other}/").status_code == 204
    assert [i["id"] for i in api(studio.supervisor).get(f"{base}/").json()["items"]] == [first]
    assert api(studio.supervisor).delete(f"{base}/items/{other}/").status_code == 404
    assert api(studio.supervisor).delete(f"{base}/items/not-a-uuid/").status_code == 404


def test_items_of_another_tenants_playlist_are_404(studio, rival, api, clips, media_root):
    v1 = add_version(studio.shot, clips["good"])
    playlist = _playlist(api, studio, versions=[str(v1.id)])
    item = playlist["items"][0]["id"]
    base = f"/api/v1/playlists/{playlist['id']}"
    assert api(rival.producer).patch(f"{base}/items/{item}/", {"note": "x"}, format="json").status_code == 404
    assert api(rival.producer).delete(f"{base}/items/{item}/").status_code == 404
    assert api(rival.producer).post(f"{base}/reorder/", {"items": [item]}, format="json").status_code == 404
    rival_playlist = api(rival.producer).post(f"/api/v1/projects/{rival.project.id}/playlists/", {"name": "R"}, format="json").json()
    assert api(rival.producer).delete(f"/api/v1/playlists/{rival_playlist['id']}/items/{item}/").status_code == 404


def test_items_carry_the_likeness_use_for_the_consent_badges_but_not_to_clients(studio, api):
    """Issue 13: playlist items show the shared consent badges (likeness use, held, quarantined); the
    agency's decisions are not a client reviewer's to read."""
    from tests.projects.conftest import show_to_client
    from tests.projects.test_allowed_actions import agency_world, rendered

    version = rendered(studio, agency_world(studio))
    show_to_client(studio.producer, version)
    url = f"/api/v1/projects/{studio.project.id}/playlists/"
    created = api(studio.producer).post(url, {"name": "Client review", "audience": "client", "versions": [str(version.id)]},
                                         format="json")
    assert created.status_code == 201, created.json()
    (item,) = created.json()["items"]
    assert (item["likeness_use"], item["quarantined"]) == ("pending_review", False)
    detail = api(studio.producer).get(f"/api/v1/playlists/{created.json()['id']}/").json()
    assert detail["items"][0]["likeness_use"] == "pending_review"
    (client_item,) = api(studio.client).get(f"/api/v1/playlists/{created.json()['id']}/").json()["items"]
    assert client_item["version"]["id"] == str(version.id) and client_item["likeness_use"] is None
