"""A version's notes are rendered by PostgreSQL (projects/comment_list_json.py): the list must answer
exactly what CommentSerializer answers for `selectors.comment_thread_queryset`, with the same
visibility (internal notes, internal replies, edit history) for each kind of caller."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from projects import selectors
from projects.api.serializers import CommentSerializer
from projects.models import Annotation, Comment, CommentRevision, ProjectMember, Version
from studio.tenancy.models import Role
from tests.projects.conftest import make_user, show_to_client

LINE = {"type": "line", "from": [0.1, 0.1], "to": [0.9, 0.9], "color": "#ff0000", "width": 2}


@pytest.fixture
def notes(studio):
    """Notes covering every branch of a row: internal roots and replies, ranges, resolved, deleted,
    edited (history), mentions, drawings on two frames, no author, whole-second timestamps, odd text."""
    version = Version.objects.create(project=studio.project, shot=studio.shot, number=1, source="upload", frame_count=48,
                                     first_frame=1001, processing_status="ready")
    outsider = make_user("freelance@elsewhere.test")
    ProjectMember.objects.create(project=studio.project, user=outsider, role=Role.ARTIST)
    studio.freelancer = outsider
    now = timezone.now()
    make = lambda **kw: Comment.objects.create(project=studio.project, version=version, **kw)  # noqa: E731
    public = make(author=studio.client, body='Quotes " and \\ and\nnewlines, ünïcødé ✓', frame=1010, frame_end=1020)
    public.mentions.add(studio.supervisor, studio.artist)
    internal = make(author=studio.supervisor, body="temp comp", frame=1005, internal=True)
    make(author=None, body="orphan", frame=1005, resolved=True, resolved_by=studio.artist, resolved_at=now)
    make(author=studio.artist, body="", frame=1030, deleted_at=now)
    edited = make(author=studio.client, body="better words", frame=1040, edited_at=now.replace(microsecond=0))
    CommentRevision.objects.create(comment=edited, body="first words", edited_by=studio.client)
    CommentRevision.objects.create(comment=edited, body="second words", edited_by=None)
    make(author=studio.artist, body="staff aside", frame=1010, parent=public, internal=True)
    reply = make(author=studio.producer, body="agreed", frame=1010, parent=public)
    reply.mentions.add(studio.client)
    CommentRevision.objects.create(comment=reply, body="agred", edited_by=studio.producer)
    make(author=studio.client, body="reply to internal", frame=1005, parent=internal)
    Annotation.objects.create(project=studio.project, comment=public, frame=1012, shapes=[LINE, {**LINE, "width": 4}])
    Annotation.objects.create(project=studio.project, comment=public, frame=1010, shapes=[])
    Annotation.objects.create(project=studio.project, comment=internal, frame=1005, shapes=[LINE])
    Comment.objects.filter(pk=edited.pk).update(created_at=now.replace(microsecond=0) - dt.timedelta(days=1))
    # Another version's note, and the rival's: never listed here.
    other = Version.objects.create(project=studio.project, shot=studio.shot, number=2, source="upload", frame_count=48,
                                   first_frame=1001, processing_status="ready")
    Comment.objects.create(project=studio.project, version=other, author=studio.client, body="elsewhere", frame=1001)
    show_to_client(studio.producer, version)  # a client reads notes only on what was submitted to them
    studio.version = version
    return studio


def _serialized(version, user) -> list[dict]:
    rows = selectors.comment_thread_queryset(Comment.objects.filter(version=version), user=user)
    return [CommentSerializer(row).data for row in rows]


def _normalised(threads: list[dict]) -> list[dict]:
    """Mentions carry no order in the serializer path (a many-to-many without ordering): compare them as sets."""
    def note(row: dict) -> dict:
        return {**row, "mentions": sorted(row["mentions"], key=lambda p: p["email"])}
    return [{**note(t), "replies": [note(r) for r in t["replies"]]} for t in threads]


@pytest.mark.parametrize("who", ["producer", "artist", "client", "freelancer"])
def test_fast_path_answers_what_the_serializer_answers(notes, api, who):
    user = getattr(notes, who)
    response = api(user).get(f"/api/v1/versions/{notes.version.id}/comments/")
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json" and response["ETag"]
    body = response.json()
    expected = _serialized(notes.version, user)
    assert _normalised(body) == _normalised(expected)
    assert [t["id"] for t in body] == [t["id"] for t in expected]  # threads by frame, then creation


def test_what_each_caller_sees(notes, api):
    url = f"/api/v1/versions/{notes.version.id}/comments/"
    staff = api(notes.supervisor).get(url).json()
    client = api(notes.client).get(url).json()
    assert [t["frame"] for t in staff] == [1005, 1005, 1010, 1030, 1040]
    assert [t["frame"] for t in client] == [1005, 1010, 1030, 1040]
    public = next(t for t in staff if t["frame"] == 1010)
    assert [r["body"] for r in public["replies"]] == ["staff aside", "agreed"]
    assert [a["frame"] for a in public["annotations"]] == [1010, 1012] and public["annotations"][1]["shapes"][1]["width"] == 4
    assert sorted(p["email"] for p in public["mentions"]) == sorted([notes.supervisor.email, notes.artist.email])
    assert [h["body"] for h in staff[-1]["history"]] == ["first words", "second words"] and "." not in staff[-1]["edited_at"]
    client_public = next(t for t in client if t["frame"] == 1010)
    assert [r["body"] for r in client_public["replies"]] == ["agreed"] and client_public["replies"][0]["history"] == []
    assert all(t["history"] == [] and not t["internal"] for t in client)
    assert next(t for t in staff if t["deleted"])["body"] == ""


def test_a_foreign_version_is_absent(notes, rival, api):
    assert api(rival.producer).get(f"/api/v1/versions/{notes.version.id}/comments/").status_code == 404
