"""Panels become shots (issue 12): the preview plans codes in the project's pattern and contiguous
cut ranges from 1001; applying with the preview's token creates and links the shots, and running
it again changes nothing; a stale preview is refused with 409; a linked shot's cut length follows
its panel after a confirmed preview; the shot API shows its panel and still."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from projects.models import Panel, Shot
from studio.realtime.models import Event
from tests.projects.conftest import make_shot


def board_url(sequence) -> str:
    return f"/api/v1/sequences/{sequence.id}/storyboard/"


@pytest.fixture
def board(studio, api, media_root):
    client = api(studio.supervisor)
    for prompt, frames in (("Wide", 24), ("Gear", 12), ("Altimeter", 36)):
        response = client.post(board_url(studio.sequence) + "panels/", {"prompt": prompt, "duration_frames": frames,
                                                                          "action_notes": f"{prompt} action", "camera_notes": "dolly"},
                               format="json")
        assert response.status_code == 201
    return response.json()["panels"]


def preview(client, sequence):
    response = client.get(board_url(sequence) + "shots/")
    assert response.status_code == 200, response.json()
    return response.json()


def apply(client, sequence, token):
    return client.post(board_url(sequence) + "shots/", {"token": token}, format="json")


def test_make_shots_codes_ranges_and_idempotency(studio, api, board):
    client = api(studio.supervisor)
    plan = preview(client, studio.sequence)
    # The studio's sequence AL_010 already has AL_010_0010: new codes continue the pattern in steps of 10.
    assert [r["code"] for r in plan["panels"]] == ["AL_010_0020", "AL_010_0030", "AL_010_0040"]
    assert [(r["frame_in"], r["frame_out"]) for r in plan["panels"]] == [(1001, 1024), (1025, 1036), (1037, 1072)]
    assert plan["create"] == 3 and plan["update"] == 0 and all(r["action"] == "create" for r in plan["panels"])
    assert Shot.objects.filter(project=studio.project).count() == 1  # a preview writes nothing
    done = apply(client, studio.sequence, plan["token"])
    assert done.status_code == 200, done.json()
    assert (done.json()["created"], done.json()["updated"]) == (3, 0)
    shots = {s.code: s for s in Shot.objects.filter(sequence=studio.sequence)}
    assert (shots["AL_010_0030"].frame_in, shots["AL_010_0030"].frame_out) == (1025, 1036)
    assert shots["AL_010_0030"].prompt_notes == "Gear" and "Gear action" in shots["AL_010_0030"].description
    linked = dict(Panel.objects.values_list("id", "shot__code"))
    assert sorted(linked.values()) == ["AL_010_0020", "AL_010_0030", "AL_010_0040"]
    assert Event.objects.filter(type="storyboard.updated", data__change="shots_made").count() == 1
    assert Event.objects.filter(type="shot.updated", data__change="created").count() == 3
    # Running it again: nothing to create, nothing to change, no duplicates.
    again = preview(client, studio.sequence)
    assert again["create"] == 0 and again["update"] == 0 and {r["action"] for r in again["panels"]} == {"keep"}
    second = apply(client, studio.sequence, again["token"])
    assert second.status_code == 200 and (second.json()["created"], second.json()["updated"]) == (0, 0)
    assert Shot.objects.filter(project=studio.project).count() == 4


def test_a_linked_shot_gets_the_panels_length_after_a_confirmed_preview(studio, api, board):
    client = api(studio.producer)
    apply(client, studio.sequence, preview(client, studio.sequence)["token"])
    gear = Panel.objects.get(prompt="Gear")
    client.patch(f"/api/v1/panels/{gear.id}/", {"duration_frames": 20}, format="json")
    plan = preview(client, studio.sequence)
    row = next(r for r in plan["panels"] if r["panel"] == str(gear.id))
    assert row["action"] == "update" and row["before"] == {"frame_in": 1025, "frame_out": 1036}
    assert (row["frame_in"], row["frame_out"]) == (1025, 1044)
    assert plan["update"] == 1 and plan["create"] == 0
    assert apply(client, studio.sequence, plan["token"]).json()["updated"] == 1
    gear.refresh_from_db()
    assert (gear.shot.frame_in, gear.shot.frame_out) == (1025, 1044)


def test_a_stale_preview_is_refused(studio, api, board):
    client = api(studio.supervisor)
    plan = preview(client, studio.sequence)
    client.patch(f"/api/v1/panels/{board[0]['id']}/", {"duration_frames": 48}, format="json")
    stale = apply(client, studio.sequence, plan["token"])
    assert stale.status_code == 409, stale.json()
    assert "preview the changes again" in stale.json()["detail"]
    assert Shot.objects.filter(project=studio.project).count() == 1
    # A shot made meanwhile with the planned code also makes the preview stale.
    plan = preview(client, studio.sequence)
    make_shot(studio.project, "AL_010_0020", sequence=studio.sequence)
    assert apply(client, studio.sequence, plan["token"]).status_code == 409


@pytest.mark.parametrize("token", ["", "abc", "z" * 64, None])
def test_a_bad_token_is_a_clear_400(studio, api, board, token):
    response = api(studio.supervisor).post(board_url(studio.sequence) + "shots/", {"token": token}, format="json")
    assert response.status_code == 400 and "token" in response.json()["fields"]


def test_artists_preview_but_do_not_make_shots(studio, api, board):
    client = api(studio.artist)
    plan = preview(client, studio.sequence)
    assert apply(client, studio.sequence, plan["token"]).status_code == 403
    assert Shot.objects.filter(project=studio.project).count() == 1


def test_empty_board_has_nothing_to_make(studio, api):
    other = studio.project.sequences.create(code="AL_020", order=1)
    response = api(studio.supervisor).get(board_url(other) + "shots/")
    assert response.status_code == 400 and "no panels" in str(response.json())


def test_the_shot_shows_its_panel_and_still(studio, api, board):
    client = api(studio.supervisor)
    buffer = io.BytesIO()
    Image.new("RGB", (32, 32), "blue").save(buffer, format="PNG")
    upload = SimpleUploadedFile("gear.png", buffer.getvalue(), content_type="image/png")
    client.post(f"/api/v1/panels/{board[1]['id']}/still/", {"file": upload}, format="multipart")
    apply(client, studio.sequence, preview(client, studio.sequence)["token"])
    shot = Shot.objects.get(code="AL_010_0030")
    detail = client.get(f"/api/v1/shots/{shot.id}/").json()
    assert detail["panel"]["id"] == board[1]["id"] and detail["panel"]["number"] == 2
    assert client.get(detail["panel"]["still"]).status_code == 200
    # Boards are the studio's own; this new shot has nothing submitted, so a client reviewer gets a 404.
    assert api(studio.client).get(f"/api/v1/shots/{shot.id}/").status_code == 404
    assert client.get(f"/api/v1/shots/{studio.shot.id}/").json()["panel"] is None
