"""What a client sees: studio work stays internal until a producer or supervisor submits it.

Every rule of docs/RIGHTS.md "What a client sees", through the API as a client reviewer calls it:
lists, details, media (direct and through the object store's presigned redirect), notes, approvals,
playlists, hidden fields, exports; the submission endpoints' permissions, bad input and tenancy.
"""

from __future__ import annotations

import pytest
from django.utils import timezone

from projects import services
from projects.models import Approval, Comment, Playlist, PlaylistItem, Shot, Submission, Version
from studio.audit.models import AuditEvent
from studio.realtime.models import Event
from tests.projects.conftest import add_version, make_shot

MEDIA_KINDS = ("proxy", "poster", "thumb", "sprite", "original")


@pytest.fixture
def scene(studio, clips, media_root):
    """Two processed versions of the shot (v001, v002) and one of a second shot; v001 submitted by the producer."""
    v1 = add_version(studio.shot, clips["good"], user=studio.artist, process=True)
    v2 = add_version(studio.shot, clips["good"], user=studio.artist, process=True)
    shot2 = make_shot(studio.project, f"{studio.project.code}_010_0020", sequence=studio.sequence, prompt_notes="a moody harbour")
    v3 = add_version(shot2, clips["good"], user=studio.artist, process=True)
    Version.objects.filter(pk=v2.pk).update(lineage={"prompt": "secret prompt", "seed": 1234, "model": "demo"}, note="internal take note")
    Shot.objects.filter(pk=studio.shot.pk).update(prompt_notes="wide, dusk, prompt for the model")
    return {"v1": v1, "v2": Version.objects.get(pk=v2.pk), "v3": v3, "shot2": shot2}


def submit(api, user, project, payload):
    return api(user).post(f"/api/v1/projects/{project.id}/submissions/", payload, format="json")


@pytest.fixture
def submitted(scene, studio, api):
    response = submit(api, studio.producer, studio.project, {"versions": [str(scene["v1"].pk)], "note": "First look at 0010"})
    assert response.status_code == 201, response.content
    return response.json()["submitted"][0]


def ids(rows) -> list[str]:
    return [row["id"] for row in rows]


# ---------------------------------------------------------------- submitting

def test_a_producer_submits_and_it_is_audited_and_published(submitted, scene, studio):
    row = Submission.objects.get(pk=submitted["id"])
    assert row.version_id == scene["v1"].pk and row.submitted_by == studio.producer and row.note == "First look at 0010"
    assert AuditEvent.objects.filter(action="submission.submitted").count() == 1
    event = Event.objects.filter(stream_id=studio.project.pk, type="submission.changed").get()
    assert event.data["change"] == "submitted" and event.data["versions"] == [str(scene["v1"].pk)]


def test_only_producers_and_supervisors_submit(scene, studio, api):
    payload = {"versions": [str(scene["v2"].pk)]}
    for user in (studio.artist, studio.client, studio.legal):
        response = submit(api, user, studio.project, payload)
        assert response.status_code == 403, user
        assert "submit work to the client" in response.json()["detail"]
    assert submit(api, studio.supervisor, studio.project, payload).status_code == 201
    assert Submission.objects.count() == 1


def test_submitting_again_leaves_the_submission_as_it_was(submitted, scene, studio, api):
    again = submit(api, studio.producer, studio.project, {"versions": [str(scene["v1"].pk), str(scene["v2"].pk)]}).json()
    assert ids(again["already_submitted"]) == [submitted["id"]]
    assert [row["version"]["id"] for row in again["submitted"]] == [str(scene["v2"].pk)]


def test_bad_input_is_a_400_that_says_why_and_writes_nothing(scene, studio, rival, api, clips):
    processing = add_version(studio.shot, clips["good"], user=studio.artist)  # not processed: no review proxy yet
    held = scene["v2"]
    Version.objects.filter(pk=held.pk).update(scan_state=Version.ScanState.HELD)
    Version.objects.filter(pk=scene["v3"].pk).update(quarantined_at=timezone.now(), quarantine_reason="Grant revoked")
    foreign = add_version(rival.shot, clips["good"], user=rival.artist)
    cases = [
        ({}, "versions", "version ids"),
        ({"versions": []}, "versions", "non-empty"),
        ({"versions": ["not-a-uuid"]}, "versions", "valid UUID"),
        ({"versions": [str(foreign.pk)]}, "versions", "Not versions of this project"),
        ({"versions": [str(processing.pk)]}, "versions", "still processing"),
        ({"versions": [str(held.pk)]}, "versions", "held by the likeness scan"),
        ({"versions": [str(scene["v3"].pk)]}, "versions", "quarantined"),
        ({"versions": [str(scene["v1"].pk), str(held.pk)]}, "versions", "held"),
        ({"versions": [str(scene["v1"].pk)], "note": "x" * 6000}, "note", "At most"),
    ]
    for payload, field, words in cases:
        response = submit(api, studio.producer, studio.project, payload)
        assert response.status_code == 400, payload
        assert words in str(response.json()), (payload, response.json())
        assert field in str(response.json())
    assert Submission.objects.count() == 0
    assert not Event.objects.filter(type="submission.changed").exists()


def test_a_playlist_submission_submits_its_versions_and_shares_the_playlist(scene, studio, api):
    playlist = Playlist.objects.create(project=studio.project, name="Client dailies")
    for order, key in enumerate(("v1", "v3")):
        PlaylistItem.objects.create(playlist=playlist, version=scene[key], order=order)
    assert ids(api(studio.client).get(f"/api/v1/projects/{studio.project.id}/playlists/").json()["results"]) == []
    response = submit(api, studio.producer, studio.project, {"playlist": str(playlist.pk), "note": "Dailies"})
    assert response.status_code == 201, response.content
    assert sorted(r["version"]["id"] for r in response.json()["submitted"]) == sorted([str(scene["v1"].pk), str(scene["v3"].pk)])
    playlist.refresh_from_db()
    assert playlist.audience == Playlist.Audience.CLIENT
    seen = api(studio.client).get(f"/api/v1/projects/{studio.project.id}/playlists/").json()["results"]
    assert ids(seen) == [str(playlist.pk)]
    empty = Playlist.objects.create(project=studio.project, name="Empty")
    assert "empty" in str(submit(api, studio.producer, studio.project, {"playlist": str(empty.pk)}).json())
    both = submit(api, studio.producer, studio.project, {"playlist": str(playlist.pk), "versions": [str(scene["v2"].pk)]})
    assert both.status_code == 400


def test_submission_endpoints_fail_closed_across_tenants(submitted, scene, studio, rival, api):
    project, sub = studio.project.id, submitted["id"]
    for user in (rival.owner, rival.producer, rival.client):
        assert api(user).get(f"/api/v1/projects/{project}/submissions/").status_code == 404
        assert submit(api, user, studio.project, {"versions": [str(scene["v2"].pk)]}).status_code == 404
        assert api(user).get(f"/api/v1/submissions/{sub}/").status_code == 404
        assert api(user).post(f"/api/v1/submissions/{sub}/withdraw/").status_code == 404
    # A playlist of another studio is not found either, even in one's own project.
    foreign_playlist = Playlist.objects.create(project=rival.project, name="Theirs")
    assert submit(api, studio.producer, studio.project, {"playlist": str(foreign_playlist.pk)}).status_code == 404
    # A client of another project of the same studio sees nothing of it.
    assert api(studio.client).get(f"/api/v1/projects/{studio.other_project.id}/submissions/").status_code == 404
    assert Submission.objects.filter(withdrawn_at__isnull=False).count() == 0


def test_withdrawing_hides_the_version_again(submitted, scene, studio, api):
    assert api(studio.artist).post(f"/api/v1/submissions/{submitted['id']}/withdraw/").status_code == 403
    assert api(studio.client).post(f"/api/v1/submissions/{submitted['id']}/withdraw/").status_code == 403
    response = api(studio.producer).post(f"/api/v1/submissions/{submitted['id']}/withdraw/")
    assert response.status_code == 200 and response.json()["active"] is False
    assert api(studio.producer).post(f"/api/v1/submissions/{submitted['id']}/withdraw/").status_code == 400  # already
    assert api(studio.client).get(f"/api/v1/projects/{studio.project.id}/shots/").json()["results"] == []
    assert api(studio.client).get(f"/api/v1/versions/{scene['v1'].pk}/").status_code == 404
    assert api(studio.client).get(f"/api/v1/submissions/{submitted['id']}/").status_code == 404
    assert AuditEvent.objects.filter(action="submission.withdrawn").count() == 1


# ---------------------------------------------------------------- what the client sees

def test_before_any_submission_a_client_sees_no_shot_and_no_version(scene, studio, api):
    client = api(studio.client)
    assert client.get(f"/api/v1/projects/{studio.project.id}/shots/").json()["results"] == []
    assert client.get(f"/api/v1/shots/{studio.shot.id}/").status_code == 404
    assert client.get(f"/api/v1/shots/{studio.shot.id}/versions/").status_code == 404
    for key in ("v1", "v2", "v3"):
        assert client.get(f"/api/v1/versions/{scene[key].pk}/").status_code == 404
    # The studio sees everything.
    assert len(api(studio.artist).get(f"/api/v1/projects/{studio.project.id}/shots/").json()["results"]) == 2


def test_the_shot_list_and_shot_show_only_submitted_versions(submitted, scene, studio, api):
    rows = api(studio.client).get(f"/api/v1/projects/{studio.project.id}/shots/").json()["results"]
    assert [r["code"] for r in rows] == [studio.shot.code]  # the second shot has nothing submitted
    row = rows[0]
    # v002 is newer but not submitted: the client's current version is v001.
    assert row["current_version"]["id"] == str(scene["v1"].pk) and row["version_count"] == 1
    assert row["thumbnail"] == f"/api/v1/versions/{scene['v1'].pk}/media/thumb/"
    assert row["prompt_notes"] == "" and row["assignees"] == []
    studio_row = api(studio.producer).get(f"/api/v1/projects/{studio.project.id}/shots/").json()["results"][0]
    assert studio_row["current_version"]["id"] == str(scene["v2"].pk) and studio_row["prompt_notes"]
    shot = api(studio.client).get(f"/api/v1/shots/{studio.shot.id}/").json()
    assert [v["id"] for v in shot["versions"]] == [str(scene["v1"].pk)]
    assert shot["current_version"]["id"] == str(scene["v1"].pk) and shot["prompt_notes"] == ""
    listed = api(studio.client).get(f"/api/v1/shots/{studio.shot.id}/versions/").json()["results"]
    assert ids(listed) == [str(scene["v1"].pk)]
    assert api(studio.client).get(f"/api/v1/shots/{scene['shot2'].id}/").status_code == 404


def test_hidden_version_fields(submitted, scene, studio, api):
    Version.objects.filter(pk=scene["v1"].pk).update(lineage={"prompt": "p", "seed": 7, "cast": ["x"]}, note="take 3 was better")
    seen = api(studio.client).get(f"/api/v1/versions/{scene['v1'].pk}/").json()
    assert seen["lineage"] == {} and seen["conform"] is None and seen["original_name"] == ""
    assert seen["created_by"] is None and seen["quarantine_reason"] == ""
    assert seen["submission"]["note"] == "First look at 0010"
    studio_view = api(studio.producer).get(f"/api/v1/versions/{scene['v1'].pk}/").json()
    assert studio_view["lineage"]["seed"] == 7 and studio_view["note"] == "take 3 was better"
    assert "secret prompt" not in api(studio.client).get(f"/api/v1/shots/{studio.shot.id}/").content.decode()


@pytest.mark.parametrize("kind", MEDIA_KINDS)
def test_media_of_an_unsubmitted_version_is_404_for_a_client(submitted, scene, studio, api, kind):
    client = api(studio.client)
    assert client.get(f"/api/v1/versions/{scene['v2'].pk}/media/{kind}/").status_code == 404
    assert client.get(f"/api/v1/versions/{scene['v2'].pk}/media/proxy/?download=1").status_code == 404
    assert client.get(f"/api/v1/versions/{scene['v2'].pk}/download/").status_code == 404
    assert api(studio.artist).get(f"/api/v1/versions/{scene['v2'].pk}/media/poster/").status_code == 200
    assert client.get(f"/api/v1/versions/{scene['v1'].pk}/media/poster/").status_code == 200


def test_presigned_media_redirect_is_never_issued_for_an_unsubmitted_version(media_backend, studio, clips, api):
    """With media in an object store (SeaweedFS) the view answers a 302 to a presigned URL of the file;
    for a client an unsubmitted version is a 404 before any URL is made."""
    shown = add_version(studio.shot, clips["good"], user=studio.artist, process=True)
    unshown = add_version(studio.shot, clips["good"], user=studio.artist, process=True)
    services.submit_to_client(actor=studio.producer, project=studio.project, versions=[shown.pk])
    client = api(studio.client)
    for kind in ("poster", "thumb", "sprite"):
        allowed = client.get(f"/api/v1/versions/{shown.pk}/media/{kind}/")
        assert allowed.status_code == (200 if media_backend == "local" else 302)
        refused = client.get(f"/api/v1/versions/{unshown.pk}/media/{kind}/")
        assert refused.status_code == 404 and "Location" not in refused
    assert api(studio.producer).get(f"/api/v1/versions/{unshown.pk}/media/poster/").status_code in (200, 302)


def test_held_or_quarantined_after_submission_disappears_for_the_client(submitted, scene, studio, api):
    client = api(studio.client)
    assert client.get(f"/api/v1/versions/{scene['v1'].pk}/media/poster/").status_code == 200
    Version.objects.filter(pk=scene["v1"].pk).update(quarantined_at=timezone.now(), quarantine_reason="Grant revoked")
    assert client.get(f"/api/v1/versions/{scene['v1'].pk}/").status_code == 404
    assert client.get(f"/api/v1/versions/{scene['v1'].pk}/media/poster/").status_code == 404
    Version.objects.filter(pk=scene["v1"].pk).update(quarantined_at=None, scan_state=Version.ScanState.HELD)
    assert client.get(f"/api/v1/versions/{scene['v1'].pk}/media/poster/").status_code == 404
    assert client.get(f"/api/v1/projects/{studio.project.id}/shots/").json()["results"] == []


def test_notes_of_unsubmitted_versions_and_internal_notes_are_hidden(submitted, scene, studio, api):
    on_v1 = Comment.objects.create(project=studio.project, version=scene["v1"], author=studio.producer, body="for the client", frame=1001)
    Comment.objects.create(project=studio.project, version=scene["v1"], author=studio.producer, body="internal", frame=1002, internal=True)
    on_v2 = Comment.objects.create(project=studio.project, version=scene["v2"], author=studio.producer, body="unsubmitted", frame=1001)
    client = api(studio.client)
    assert [c["body"] for c in client.get(f"/api/v1/versions/{scene['v1'].pk}/comments/").json()] == ["for the client"]
    assert client.get(f"/api/v1/comments/{on_v1.pk}/").status_code == 200
    assert client.get(f"/api/v1/versions/{scene['v2'].pk}/comments/").status_code == 404
    assert client.get(f"/api/v1/comments/{on_v2.pk}/").status_code == 404
    assert client.post(f"/api/v1/versions/{scene['v2'].pk}/comments/", {"frame": 1001, "body": "x"}, format="json").status_code == 404
    # Nobody can mention the client on a version that was not submitted to them.
    mention = api(studio.producer).post(f"/api/v1/versions/{scene['v2'].pk}/comments/",
                                        {"frame": 1001, "body": "@client", "mentions": [str(studio.client.pk)]}, format="json")
    assert mention.status_code == 400 and "mentioned" in str(mention.json())


def test_approvals_hide_other_lanes_reasons_and_the_cast(submitted, scene, studio, api):
    for version in (scene["v1"], scene["v2"]):
        Approval.objects.create(project=studio.project, version=version, lane="producer", reviewer=studio.producer,
                                decision="changes_requested", note="internal: the artist rushed it", decided_at=timezone.now())
    client = api(studio.client)
    assert client.get(f"/api/v1/versions/{scene['v2'].pk}/approvals/").status_code == 404
    refused = client.post(f"/api/v1/versions/{scene['v2'].pk}/approvals/", {"lane": "client", "decision": "approved"}, format="json")
    assert refused.status_code == 404
    summary = client.get(f"/api/v1/versions/{scene['v1'].pk}/approvals/").json()
    lanes = {lane["lane"]: lane for lane in summary["lanes"]}
    assert lanes["producer"]["state"] == "changes_requested"
    assert [(d["decision"], d["note"]) for d in lanes["producer"]["decisions"]] == [("changes_requested", "")]
    assert "rushed" not in str(summary)
    assert summary["consent"]["reasons"] == [] and summary["consent"]["summary"] == "" and summary["quarantine_reason"] == ""
    decided = client.post(f"/api/v1/versions/{scene['v1'].pk}/approvals/",
                          {"lane": "client", "decision": "changes_requested", "note": "Warmer, please"}, format="json")
    assert decided.status_code == 201, decided.content
    lanes = {lane["lane"]: lane for lane in decided.json()["lanes"]}
    assert [d["note"] for d in lanes["client"]["decisions"]] == ["Warmer, please"]
    studio_summary = api(studio.producer).get(f"/api/v1/versions/{scene['v1'].pk}/approvals/").json()
    assert "rushed" in str(studio_summary)


def test_playlists_show_clients_only_shared_ones_with_submitted_items(submitted, scene, studio, api):
    shared = Playlist.objects.create(project=studio.project, name="Shared", audience="client")
    internal = Playlist.objects.create(project=studio.project, name="Internal")
    for playlist in (shared, internal):
        for order, key in enumerate(("v1", "v2")):
            PlaylistItem.objects.create(playlist=playlist, version=scene[key], order=order)
    client = api(studio.client)
    rows = client.get(f"/api/v1/projects/{studio.project.id}/playlists/").json()["results"]
    assert ids(rows) == [str(shared.pk)]
    assert [item["version"]["id"] for item in rows[0]["items"]] == [str(scene["v1"].pk)]
    assert client.get(f"/api/v1/playlists/{internal.pk}/").status_code == 404


def test_allowed_actions_say_who_may_submit_and_why_not(submitted, scene, studio, api, clips):
    processing = add_version(studio.shot, clips["good"], user=studio.artist)

    def action(user, version, name):
        body = api(user).get(f"/api/v1/versions/{version.pk}/").json()
        return next(a for a in body["allowed_actions"] if a["action"] == name)

    assert action(studio.producer, scene["v2"], "submit_to_client")["allowed"] is True
    assert action(studio.producer, scene["v1"], "submit_to_client")["code"] == "not_applicable"
    assert action(studio.producer, scene["v1"], "withdraw_from_client")["allowed"] is True
    assert action(studio.producer, processing, "submit_to_client")["code"] == "blocked"
    assert action(studio.artist, scene["v2"], "submit_to_client")["code"] == "not_permitted"
    assert action(studio.client, scene["v1"], "withdraw_from_client")["code"] == "not_permitted"


def test_a_submission_changes_the_clients_etag(scene, studio, api):
    client = api(studio.client)
    url = f"/api/v1/projects/{studio.project.id}/shots/"
    first = client.get(url)
    assert first.json()["results"] == []
    services.submit_to_client(actor=studio.producer, project=studio.project, versions=[scene["v1"].pk])
    second = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert second.status_code == 200 and len(second.json()["results"]) == 1


def test_exports_hold_only_what_was_submitted(submitted, scene, studio, api):
    csv = api(studio.client).get(f"/api/v1/projects/{studio.project.id}/export/csv/").content.decode()
    assert studio.shot.code in csv and scene["shot2"].code not in csv
    assert "v001" in csv and "v002" not in csv and "prompt for the model" not in csv


def test_submissions_list_for_the_studio_and_the_client(submitted, scene, studio, api):
    submit(api, studio.producer, studio.project, {"versions": [str(scene["v3"].pk)]})
    Version.objects.filter(pk=scene["v3"].pk).update(quarantined_at=timezone.now())
    url = f"/api/v1/projects/{studio.project.id}/submissions/"
    assert len(api(studio.producer).get(url).json()["results"]) == 2
    assert [r["id"] for r in api(studio.client).get(url).json()["results"]] == [submitted["id"]]


def test_the_client_is_told_of_a_submission_and_not_of_notes_on_what_they_cannot_see(submitted, scene, studio):
    from notifications.models import Notification

    told = Notification.objects.filter(recipient=studio.client, kind="submission").get()
    assert "submitted" in told.title and scene["v1"].label in told.title and told.body == "First look at 0010"
    assert not Notification.objects.filter(recipient=studio.artist, kind="submission").exists()
    # A reply to the client's note on a version later withdrawn does not reach them.
    root = services.create_comment(actor=studio.client, version=scene["v1"], body="Warmer?", frame=1001)
    services.withdraw_submission(actor=studio.producer, submission=Submission.objects.get(pk=submitted["id"]))
    services.create_comment(actor=studio.producer, version=Version.objects.get(pk=scene["v1"].pk), body="Done", frame=1001, parent=root)
    assert not Notification.objects.filter(recipient=studio.client, kind="reply").exists()


def test_sequences_count_only_the_shots_a_client_sees(submitted, studio, api):
    url = f"/api/v1/projects/{studio.project.id}/sequences/"
    assert [s["shot_count"] for s in api(studio.client).get(url).json()] == [1]
    assert [s["shot_count"] for s in api(studio.producer).get(url).json()] == [2]
