"""Frame-accurate notes: frames validated against the version, threads, internal notes, annotations,
mentions, edit history."""

from __future__ import annotations

import pytest

from projects import services
from projects.models import Annotation, Comment, CommentRevision
from tests.projects.conftest import add_version


@pytest.fixture
def version(studio, clips, media_root):
    # Frames 1001-1048; submitted to the client, who writes notes on it too (a client sees only what was submitted).
    version = add_version(studio.shot, clips["good"], user=studio.artist, process=True)
    services.submit_to_client(actor=studio.producer, project=studio.project, versions=[version.pk])
    return version


def url(version):
    return f"/api/v1/versions/{version.id}/comments/"


def post(api, user, version, **payload):
    return api(user).post(url(version), payload, format="json")


def test_a_note_on_a_frame_and_on_a_range(studio, version, api):
    single = post(api, studio.supervisor, version, frame=1012, body="Sky flickers")
    assert single.status_code == 201, single.json()
    assert single.json()["frame"] == 1012 and single.json()["frame_end"] is None
    ranged = post(api, studio.client, version, frame=1001, frame_end=1048, body="Whole shot: warmer")
    assert ranged.status_code == 201
    assert (ranged.json()["frame"], ranged.json()["frame_end"]) == (1001, 1048)
    listed = api(studio.artist).get(url(version)).json()
    assert [c["frame"] for c in listed] == [1001, 1012]


@pytest.mark.parametrize(
    "payload,field,words",
    [
        ({"frame": 1049, "body": "x"}, "frame", "outside v001, which runs from frame 1001 to 1048"),
        ({"frame": 1000, "body": "x"}, "frame", "outside"),
        ({"frame": 0, "body": "x"}, "frame", "outside"),
        ({"body": "no frame"}, "frame", "required"),
        ({"frame": 1010, "frame_end": 1005, "body": "x"}, "frame_end", "before frame"),
        ({"frame": 1010, "frame_end": 1100, "body": "x"}, "frame_end", "outside"),
        ({"frame": 1010}, "body", "Write a note"),
        ({"frame": 1010.5, "body": "x"}, "frame", ""),
        ({"frame": "1010s", "body": "x"}, "frame", ""),
    ],
)
def test_frames_are_validated_against_the_version(studio, version, api, payload, field, words):
    response = post(api, studio.supervisor, version, **payload)
    assert response.status_code == 400, response.json()
    assert field in response.json()["fields"]
    assert words in response.json()["fields"][field][0]
    assert not Comment.objects.exists()


def test_replies_inherit_the_thread_frame_and_nest(studio, version, api):
    root = post(api, studio.client, version, frame=1020, body="Why is it green?").json()
    reply = post(api, studio.supervisor, version, parent=root["id"], body="Grading pass pending")
    assert reply.status_code == 201
    assert reply.json()["frame"] == 1020 and reply.json()["parent"] == root["id"]
    reply_to_reply = post(api, studio.client, version, parent=reply.json()["id"], body="Thanks")
    assert reply_to_reply.json()["parent"] == root["id"]  # threads are one level deep
    listed = api(studio.artist).get(url(version)).json()
    assert len(listed) == 1 and [r["body"] for r in listed[0]["replies"]] == ["Grading pass pending", "Thanks"]


def test_internal_notes_are_hidden_from_client_reviewers(studio, version, api):
    public = post(api, studio.client, version, frame=1005, body="Looks great").json()
    internal = post(api, studio.supervisor, version, frame=1006, body="Don't tell them it's a temp", internal=True).json()
    whisper = post(api, studio.artist, version, parent=public["id"], body="Staff-only aside", internal=True).json()
    assert internal["internal"] is True and whisper["internal"] is True

    staff_view = api(studio.artist).get(url(version)).json()
    assert [c["id"] for c in staff_view] == [public["id"], internal["id"]]
    assert [r["id"] for r in staff_view[0]["replies"]] == [whisper["id"]]

    client_view = api(studio.client).get(url(version)).json()
    assert [c["id"] for c in client_view] == [public["id"]]
    assert client_view[0]["replies"] == []
    assert api(studio.client).get(f"/api/v1/comments/{internal['id']}/").status_code == 404
    assert api(studio.client).get(f"/api/v1/comments/{whisper['id']}/").status_code == 404
    reply = post(api, studio.client, version, parent=internal["id"], body="?")
    assert reply.status_code == 400  # the parent does not exist for them
    forbidden = post(api, studio.client, version, frame=1007, body="secret", internal=True)
    assert forbidden.status_code == 403


def test_comment_events_are_published_internal_notes_to_the_internal_audience(studio, version, api):
    from studio.realtime.models import Event

    internal = post(api, studio.supervisor, version, frame=1006, body="temp comp", internal=True).json()
    public = post(api, studio.client, version, frame=1006, body="nice", mentions=[str(studio.supervisor.id)]).json()
    events = {e.data["id"]: e for e in Event.objects.filter(stream_id=studio.project.pk, type="comment.created")}
    assert events[internal["id"]].audience == "internal"
    assert events[public["id"]].audience == "all"
    assert events[public["id"]].data["frame"] == 1006
    assert events[public["id"]].data["mentions"] == [str(studio.supervisor.id)]


def test_annotations_are_validated_against_the_schema(studio, version, api):
    good = post(
        api,
        studio.supervisor,
        version,
        frame=1010,
        frame_end=1012,
        body="see arrow",
        annotations=[
            {
                "frame": 1011,
                "shapes": [
                    {"type": "arrow", "from": [0.1, 0.2], "to": [0.5, 0.5], "color": "#ff3b30", "width": 0.004},
                    {"type": "pen", "points": [[0.1, 0.1], [0.2, 0.25], [0.3, 0.2]], "color": "#00ff00"},
                    {"type": "rect", "x": 0.2, "y": 0.2, "w": 0.3, "h": 0.1},
                    {"type": "ellipse", "cx": 0.5, "cy": 0.5, "rx": 0.1, "ry": 0.2, "fill": None},
                    {"type": "text", "x": 0.6, "y": 0.1, "text": "too bright", "size": 0.03},
                ],
            },
        ],
    )
    assert good.status_code == 201, good.json()
    assert good.json()["annotations"][0]["frame"] == 1011 and len(good.json()["annotations"][0]["shapes"]) == 5
    drawing_only = post(
        api, studio.supervisor, version, frame=1020, annotations=[{"shapes": [{"type": "line", "from": [0, 0], "to": [1, 1]}]}]
    )
    assert drawing_only.status_code == 201 and drawing_only.json()["annotations"][0]["frame"] == 1020
    bad_cases = [
        [{"shapes": [{"type": "arrow", "from": [1.5, 0.2], "to": [0.5, 0.5]}]}],  # out of 0..1
        [{"shapes": [{"type": "hexagon"}]}],
        [{"shapes": [{"type": "rect", "x": 0.1, "y": 0.1, "w": 0.1}]}],  # missing h
        [{"shapes": [{"type": "text", "x": 0.1, "y": 0.1, "text": "x", "onclick": "alert(1)"}]}],
        [{"shapes": [{"type": "pen", "points": [[0.1, 0.1]], "color": "red"}]}],  # colour not #rrggbb
        [{"shapes": []}],
        [{"frame": 1030, "shapes": [{"type": "line", "from": [0, 0], "to": [1, 1]}]}],  # outside the comment's frames
        "not a list",
    ]
    for shapes in bad_cases:
        response = post(api, studio.supervisor, version, frame=1010, body="x", annotations=shapes)
        assert response.status_code == 400, shapes
    assert Annotation.objects.count() == 2


def test_a_huge_annotation_gets_a_short_error(studio, version, api):
    # 10,000 shapes: jsonschema's message repeated them all (a 1.5 MB error).
    shapes = [{"type": "line", "from": [0.1, 0.1], "to": [0.9, 0.9]}] * 10_000
    response = post(api, studio.supervisor, version, frame=1010, body="x", annotations=[{"shapes": shapes}])
    assert response.status_code == 400
    assert len(response.content) < 1000, len(response.content)
    assert "10,000 items; at most 200" in response.json()["fields"]["annotations"][0]
    many_bad = [{"type": "line", "from": [5, 5], "to": [1, 1], **{f"k{i}": i for i in range(50)}}] * 150
    response = post(api, studio.supervisor, version, frame=1010, body="x", annotations=[{"shapes": many_bad}])
    assert response.status_code == 400 and len(response.content) < 3000, len(response.content)


def test_mentions_must_be_people_on_the_project(studio, rival, version, api):
    ok = post(api, studio.client, version, frame=1010, body="@Sam", mentions=[str(studio.supervisor.id)])
    assert ok.status_code == 201 and [m["email"] for m in ok.json()["mentions"]] == [studio.supervisor.email]
    outsider = post(api, studio.client, version, frame=1010, body="@x", mentions=[str(rival.producer.id)])
    assert outsider.status_code == 400
    internal_to_client = post(api, studio.supervisor, version, frame=1010, body="@client", internal=True, mentions=[str(studio.client.id)])
    assert internal_to_client.status_code == 400


def test_edits_keep_history_and_only_the_author_edits(studio, version, api):
    comment = post(api, studio.client, version, frame=1010, body="first words").json()
    detail = f"/api/v1/comments/{comment['id']}/"
    assert api(studio.supervisor).patch(detail, {"body": "rewritten"}, format="json").status_code == 403
    edited = api(studio.client).patch(detail, {"body": "better words"}, format="json")
    assert edited.status_code == 200
    assert edited.json()["body"] == "better words" and edited.json()["edited_at"]
    # Edit history is for the studio side only (projects.access, studio internals).
    assert edited.json()["history"] == []
    assert api(studio.client).get(detail).json()["history"] == []
    assert [h["body"] for h in api(studio.supervisor).get(detail).json()["history"]] == ["first words"]
    listed = api(studio.client).get(url(version)).json()
    assert [c["history"] for c in listed if c["id"] == comment["id"]] == [[]]
    assert api(studio.client).patch(detail, {"frame": 1011}, format="json").json()["frame"] == 1010  # frame is not editable


def test_resolving_and_deleting(studio, version, api):
    comment = post(api, studio.client, version, frame=1010, body="first draft").json()
    detail = f"/api/v1/comments/{comment['id']}/"
    assert api(studio.client).patch(detail, {"body": "fix it"}, format="json").status_code == 200
    resolved = api(studio.artist).patch(detail, {"resolved": True}, format="json")
    assert resolved.status_code == 200 and resolved.json()["resolved"] is True
    assert resolved.json()["resolved_by"]["email"] == studio.artist.email
    other_client = post(api, studio.supervisor, version, frame=1011, body="note").json()
    assert api(studio.client).patch(f"/api/v1/comments/{other_client['id']}/", {"resolved": True}, format="json").status_code == 403
    assert api(studio.artist).delete(detail).status_code == 403
    assert api(studio.client).delete(detail).status_code == 204
    gone = api(studio.supervisor).get(detail).json()
    # A deleted comment's text is gone for everyone: its body and every earlier revision of it.
    assert gone["deleted"] is True and gone["body"] == "" and gone["history"] == []
    assert not CommentRevision.objects.filter(comment_id=comment["id"]).exists()
    assert [c["body"] for c in api(studio.supervisor).get(url(version)).json() if c["id"] == comment["id"]] == [""]
    assert api(studio.client).patch(detail, {"body": "again"}, format="json").status_code == 409


def test_comments_are_isolated_across_studios_and_projects(studio, rival, version, api, clips):
    comment = post(api, studio.supervisor, version, frame=1010, body="mine").json()
    other_version = add_version(studio.other_shot, clips["good"])
    assert api(rival.producer).get(url(version)).status_code == 404
    assert api(rival.producer).get(f"/api/v1/comments/{comment['id']}/").status_code == 404
    assert post(api, rival.producer, version, frame=1010, body="x").status_code == 404
    assert api(rival.producer).patch(f"/api/v1/comments/{comment['id']}/", {"resolved": True}, format="json").status_code == 404
    assert api(studio.client).get(url(other_version)).status_code == 404
    assert post(api, studio.client, other_version, frame=1010, body="x").status_code == 404


def test_a_version_still_processing_without_frames_refuses_comments(studio, api, media_root):
    from projects import services

    version = services.create_version(shot=studio.shot, source="generation")
    response = post(api, studio.supervisor, version, frame=1001, body="x")
    assert response.status_code == 409
