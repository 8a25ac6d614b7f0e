"""Storyboards (issue 12): panels added, edited, duplicated, reordered and deleted through the API;
stills uploaded and checked by content; notes on panels; who may do what; another studio's board
and a client reviewer get 404 everywhere; every write is audited and published."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from projects.models import Panel, PanelComment, Storyboard
from studio.audit.models import AuditEvent
from studio.realtime.models import Event


def image_file(fmt: str = "PNG", size=(64, 48), name: str | None = None, color="red") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format=fmt)
    ext = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp", "GIF": "gif", "BMP": "bmp"}[fmt]
    return SimpleUploadedFile(name or f"drawing.{ext}", buffer.getvalue(), content_type=f"image/{ext}")


def board_url(sequence) -> str:
    return f"/api/v1/sequences/{sequence.id}/storyboard/"


def add_panel(client, sequence, **fields):
    response = client.post(board_url(sequence) + "panels/", fields, format="json")
    assert response.status_code == 201, response.json()
    return response.json()["panels"]


@pytest.fixture
def board(studio, api, media_root):
    client = api(studio.supervisor)
    for prompt, frames in (("Wide: the lander descends", 24), ("Close on the gear", 12), ("Mara reads the altimeter", 36)):
        panels = add_panel(client, studio.sequence, prompt=prompt, duration_frames=frames, camera_notes="slow push", action_notes="")
    return panels


def test_add_edit_duplicate_delete_panels(studio, api, board):
    client = api(studio.artist)  # artists edit boards
    assert [p["number"] for p in board] == [1, 2, 3]
    assert [p["start"] for p in board] == [0, 24, 36]
    got = client.get(board_url(studio.sequence)).json()
    assert got["total_frames"] == 72 and got["project"]["fps"] == "24/1" and got["can_edit"] and not got["can_make_shots"]
    edited = client.patch(f"/api/v1/panels/{board[1]['id']}/", {"duration_frames": 30, "action_notes": "dust burst"}, format="json")
    assert edited.status_code == 200, edited.json()
    assert edited.json()["duration_frames"] == 30 and edited.json()["updated_by"]["email"] == studio.artist.email
    copy = client.post(f"/api/v1/panels/{board[0]['id']}/duplicate/")
    assert copy.status_code == 201 and copy.json()["number"] == 2 and copy.json()["prompt"] == board[0]["prompt"]
    numbers = {p["prompt"]: p["number"] for p in client.get(board_url(studio.sequence)).json()["panels"]}
    assert numbers["Close on the gear"] == 3
    assert client.delete(f"/api/v1/panels/{copy.json()['id']}/").status_code == 204
    panels = client.get(board_url(studio.sequence)).json()["panels"]
    assert [p["number"] for p in panels] == [1, 2, 3] and [p["id"] for p in panels] == [p["id"] for p in board]
    actions = set(AuditEvent.objects.filter(action__startswith="panel.").values_list("action", flat=True))
    assert {"panel.created", "panel.updated", "panel.duplicated", "panel.deleted"} <= actions
    events = Event.objects.filter(type="storyboard.updated", stream_id=studio.project.id)
    assert {e.data["change"] for e in events} >= {"panel_created", "panel_updated", "panel_duplicated", "panel_deleted"}
    assert {e.audience for e in events} == {"internal"}  # boards are the studio's own


def test_insert_at_position(studio, api, board):
    panels = add_panel(api(studio.producer), studio.sequence, prompt="Insert", position=0)
    assert panels[0]["prompt"] == "Insert" and [p["number"] for p in panels] == [1, 2, 3, 4]


def test_reorder_takes_the_full_list(studio, api, board):
    client = api(studio.supervisor)
    ids = [p["id"] for p in board]
    done = client.post(board_url(studio.sequence) + "reorder/", {"panels": [ids[2], ids[0], ids[1]]}, format="json")
    assert done.status_code == 200, done.json()
    assert [p["id"] for p in done.json()["panels"]] == [ids[2], ids[0], ids[1]]
    assert [p["start"] for p in done.json()["panels"]] == [0, 36, 60]
    reordered = Event.objects.filter(type="storyboard.updated", data__change="reordered").get()
    assert reordered.data["panels"] == [ids[2], ids[0], ids[1]]


@pytest.mark.parametrize(
    "make_list, message",
    [
        (lambda ids, other: ids[:2], "missing from the list"),
        (lambda ids, other: [*ids, other], "not panels of this board"),
        (lambda ids, other: [ids[0], ids[0], ids[1], ids[2]], "repeated"),
        (lambda ids, other: ["nope", *ids], "Not panel ids"),
        (lambda ids, other: [], "exactly once"),
    ],
)
def test_reorder_refuses_a_list_that_is_not_the_board(studio, api, board, make_list, message):
    client = api(studio.supervisor)
    other_sequence = studio.project.sequences.create(code="AL_020", order=1)
    other = add_panel(client, other_sequence, prompt="elsewhere")[0]["id"]
    before = list(Panel.objects.filter(storyboard__sequence=studio.sequence).values_list("id", "order"))
    response = client.post(board_url(studio.sequence) + "reorder/", {"panels": make_list([p["id"] for p in board], other)}, format="json")
    assert response.status_code == 400, response.json()
    assert message in str(response.json()["fields"]["panels"])
    assert list(Panel.objects.filter(storyboard__sequence=studio.sequence).values_list("id", "order")) == before


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"duration_frames": 0}, "duration_frames"),
        ({"duration_frames": -3}, "duration_frames"),
        ({"duration_frames": 10**6}, "duration_frames"),
        ({"duration_frames": "ten"}, "duration_frames"),
        ({"prompt": "x" * 5000}, "prompt"),
        ({"camera_notes": "y" * 5000}, "camera_notes"),
        ({"position": 99}, "position"),
    ],
)
def test_bad_panel_input_is_a_clear_400(studio, api, board, fields, field):
    response = api(studio.supervisor).post(board_url(studio.sequence) + "panels/", fields, format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()["fields"]
    assert Panel.objects.count() == 3


def test_unknown_panel_field_is_refused(studio, api, board):
    response = api(studio.supervisor).patch(f"/api/v1/panels/{board[0]['id']}/", {"duration_frames": 0}, format="json")
    assert response.status_code == 400 and "duration_frames" in response.json()["fields"]


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP"])
def test_upload_a_still(studio, api, board, media_root, fmt):
    client = api(studio.artist)
    response = client.post(f"/api/v1/panels/{board[0]['id']}/still/", {"file": image_file(fmt, size=(80, 45))}, format="multipart")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["still_source"] == "upload" and (body["still_width"], body["still_height"]) == (80, 45)
    image = client.get(body["still"])
    assert image.status_code == 200 and image["Content-Type"] == f"image/{fmt.lower()}"
    data = b"".join(image.streaming_content)
    assert Image.open(io.BytesIO(data)).size == (80, 45)
    assert Event.objects.filter(type="storyboard.updated", data__change="still_changed").exists()


def test_replacing_a_still_removes_the_old_file_after_commit(studio, api, board, media_root, django_capture_on_commit_callbacks):
    client = api(studio.artist)
    url = f"/api/v1/panels/{board[0]['id']}/still/"
    client.post(url, {"file": image_file("PNG")}, format="multipart")
    first = Panel.objects.get(pk=board[0]["id"]).still.name
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, {"file": image_file("JPEG")}, format="multipart").status_code == 200
    second = Panel.objects.get(pk=board[0]["id"]).still.name
    assert first != second and not (media_root / first).exists() and (media_root / second).exists()
    with django_capture_on_commit_callbacks(execute=True):
        cleared = client.delete(url)
    assert cleared.status_code == 200 and cleared.json()["still"] is None and not (media_root / second).exists()


@pytest.mark.parametrize(
    "upload, words",
    [
        (SimpleUploadedFile("notes.png", b"this is text, not an image", content_type="image/png"), "not a readable image"),
        (lambda: image_file("GIF"), "GIF images are not accepted"),
        (lambda: image_file("BMP"), "BMP images are not accepted"),
        (lambda: image_file("PNG", size=(8, 8)), "between 16 and 8192"),
        (SimpleUploadedFile("empty.png", b"", content_type="image/png"), "empty"),
        (None, "Choose a PNG, JPEG or WebP image"),
    ],
)
def test_bad_stills_are_refused_and_leave_nothing(studio, api, board, media_root, upload, words):
    upload = upload() if callable(upload) else upload
    payload = {"file": upload} if upload is not None else {}
    response = api(studio.artist).post(f"/api/v1/panels/{board[0]['id']}/still/", payload, format="multipart")
    assert response.status_code == 400, response.json()
    assert words in str(response.json())
    assert not Panel.objects.get(pk=board[0]["id"]).still
    assert not list(media_root.rglob("*.*")) if media_root.exists() else True


def test_a_still_too_large_is_refused(studio, api, board, media_root, monkeypatch):
    from projects.services import panel_stills

    monkeypatch.setattr(panel_stills, "MAX_STILL_BYTES", 100)
    response = api(studio.artist).post(f"/api/v1/panels/{board[0]['id']}/still/", {"file": image_file("PNG", size=(200, 200))},
                                       format="multipart")
    assert response.status_code == 400 and "at most" in str(response.json())
    assert not list(media_root.rglob("*.png")) if media_root.exists() else True


def test_duplicate_copies_the_still_into_its_own_file(studio, api, board, media_root):
    client = api(studio.artist)
    client.post(f"/api/v1/panels/{board[0]['id']}/still/", {"file": image_file("PNG")}, format="multipart")
    copy = client.post(f"/api/v1/panels/{board[0]['id']}/duplicate/").json()
    names = {Panel.objects.get(pk=board[0]["id"]).still.name, Panel.objects.get(pk=copy["id"]).still.name}
    assert len(names) == 2 and all((media_root / n).exists() for n in names)


def test_notes_on_panels(studio, api, board):
    client = api(studio.legal)  # reads and comments, does not edit
    note = client.post(f"/api/v1/panels/{board[0]['id']}/comments/", {"body": "Check the horizon line."}, format="json")
    assert note.status_code == 201, note.json()
    assert client.get(f"/api/v1/panels/{board[0]['id']}/comments/").json()[0]["body"] == "Check the horizon line."
    assert client.post(f"/api/v1/panels/{board[0]['id']}/comments/", {"body": "   "}, format="json").status_code == 400
    assert client.get(board_url(studio.sequence)).json()["panels"][0]["comment_count"] == 1
    assert client.patch(f"/api/v1/panels/{board[0]['id']}/", {"prompt": "x"}, format="json").status_code == 403
    assert client.post(board_url(studio.sequence) + "panels/", {"prompt": "x"}, format="json").status_code == 403


def test_empty_board_reads_without_writing(studio, api):
    got = api(studio.artist).get(board_url(studio.sequence))
    assert got.status_code == 200 and got.json()["id"] is None and got.json()["panels"] == []
    assert not Storyboard.objects.exists()


def _endpoints(studio, board):
    panel = board[0]["id"]
    seq = board_url(studio.sequence)
    return [
        ("get", seq, None), ("post", seq + "panels/", {"prompt": "x"}), ("post", seq + "reorder/", {"panels": [p["id"] for p in board]}),
        ("get", seq + "animatic/", None), ("post", seq + "animatic/", None), ("get", seq + "shots/", None),
        ("post", seq + "shots/", {"token": "0" * 64}),
        ("get", f"/api/v1/panels/{panel}/", None), ("patch", f"/api/v1/panels/{panel}/", {"prompt": "y"}),
        ("delete", f"/api/v1/panels/{panel}/", None), ("post", f"/api/v1/panels/{panel}/duplicate/", None),
        ("get", f"/api/v1/panels/{panel}/still/", None), ("delete", f"/api/v1/panels/{panel}/still/", None),
        ("get", f"/api/v1/panels/{panel}/comments/", None), ("post", f"/api/v1/panels/{panel}/comments/", {"body": "hi"}),
    ]


@pytest.mark.parametrize("who", ["rival", "client"])
def test_another_studio_and_client_reviewers_get_404_everywhere(studio, rival, api, board, who):
    caller = rival.owner if who == "rival" else studio.client
    client = api(caller)
    for method, url, body in _endpoints(studio, board):
        response = getattr(client, method)(url, body, format="json") if body is not None else getattr(client, method)(url)
        assert response.status_code == 404, (who, method, url, response.status_code)
    upload = client.post(f"/api/v1/panels/{board[0]['id']}/still/", {"file": image_file()}, format="multipart")
    assert upload.status_code == 404
    assert Panel.objects.count() == 3 and not PanelComment.objects.exists()
    assert not Panel.objects.filter(still__gt="").exists()


def test_a_foreign_sequence_is_404_even_to_its_own_shape(studio, rival, api, board):
    rival_sequence = rival.sequence
    response = api(studio.owner).post(board_url(rival_sequence) + "panels/", {"prompt": "x"}, format="json")
    assert response.status_code == 404
    response = api(studio.owner).post(board_url(studio.sequence) + "reorder/",
                                      {"panels": [str(rival_sequence.id)]}, format="json")
    assert response.status_code == 400
