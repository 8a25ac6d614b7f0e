"""Issue 17's hot paths cost the same number of queries for 5 rows as for 25 (their speed at
production scale is measured by tests/bench/bench_scale.py): sequences, a shot with its versions,
a shot's versions, a version's notes with replies and drawings."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from projects import services
from projects.models import Annotation, Comment, CommentRevision, Submission, Version
from tests.projects.conftest import make_shot

LINE = {"type": "line", "from": [0.1, 0.1], "to": [0.9, 0.9], "color": "#ff0000", "width": 2}


def shown(version: Version) -> Version:
    """Ready and submitted to the client (a client sees only what was submitted to them)."""
    Version.objects.filter(pk=version.pk).update(processing_status="ready")
    Submission.objects.create(project=version.project, version=version, submitted_at=timezone.now())
    return version


def grow(studio, count: int, version: Version) -> None:
    """`count` more sequences, shots, versions of the studio's shot and notes (with a reply, a drawing,
    a mention and an earlier revision each)."""
    start = studio.project.sequences.count()
    for i in range(count):
        sequence = studio.project.sequences.create(code=f"AL_{(start + i + 2) * 10:03d}", order=start + i + 1)
        shot = make_shot(studio.project, f"{sequence.code}_0010", sequence=sequence)
        shown(services.create_version(shot=shot, source=Version.Source.UPLOAD, created_by=studio.artist, frame_count=48, fps=(24, 1)))
        shown(services.create_version(shot=studio.shot, source=Version.Source.UPLOAD, created_by=studio.artist, frame_count=48,
                                      fps=(24, 1)))
        note = Comment.objects.create(project=studio.project, version=version, author=studio.artist, body=f"note {i}", frame=1001 + i,
                                      internal=bool(i % 2))
        Annotation.objects.create(project=studio.project, comment=note, frame=note.frame, shapes=[LINE])
        note.mentions.add(studio.supervisor)
        CommentRevision.objects.create(comment=note, body=f"draft {i}", edited_by=studio.artist)
        reply = Comment.objects.create(project=studio.project, version=version, author=studio.producer, body="agreed", frame=note.frame,
                                       parent=note)
        reply.mentions.add(studio.artist)


def counted(client, url: str) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.content)
    body = response.json()
    if isinstance(body, dict):
        body = body["results"] if "results" in body else body["versions"]
    rows = body
    return len(rows), len(captured.captured_queries)


@pytest.mark.parametrize("who", ["producer", "client"])
def test_hot_paths_cost_fixed_queries(studio, api, who):
    version = shown(services.create_version(shot=studio.shot, source=Version.Source.UPLOAD, created_by=studio.artist, frame_count=48,
                                            fps=(24, 1)))
    client = api(getattr(studio, who))
    urls = [
        f"/api/v1/projects/{studio.project.id}/sequences/",
        f"/api/v1/shots/{studio.shot.id}/",
        f"/api/v1/shots/{studio.shot.id}/versions/",
        f"/api/v1/versions/{version.id}/comments/",
        f"/api/v1/projects/{studio.project.id}/shots/?page_size=all",
    ]
    grow(studio, 5, version)
    few = {url: counted(client, url) for url in urls}
    grow(studio, 20, version)
    many = {url: counted(client, url) for url in urls}
    for url in urls:
        assert many[url][0] >= few[url][0] + 10, (url, few[url], many[url])
        assert many[url][1] == few[url][1], (url, few[url], many[url])
