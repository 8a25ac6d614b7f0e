"""The shot list costs the same number of queries for 10 shots as for 500."""

from __future__ import annotations

import pytest
from django.utils import timezone

from projects.models import Comment, Shot, Submission, Version
from studio.tenancy.models import Role
from tests.projects.conftest import make_project, make_user

# Per request, for a producer: the project through the tenancy scope (memberships, project), the
# caller's role, the shot scope's memberships, and the page of shots rendered to JSON by PostgreSQL
# with the list's count in the same statement (studio rows from the kept rows, stale ones rebuilt and
# written back: projects/shot_list_json.py); the ETag's inputs: the project's change counter and the caller's
# memberships (projects/api/views/_conditional.py). A client reviewer's role takes one more lookup
# (the project member row).
# Plus 2: each request is one transaction (ATOMIC_REQUESTS), a SAVEPOINT and its RELEASE inside the
# test's own transaction (BEGIN and COMMIT, outside tests, are not counted as queries).
SHOT_LIST_QUERIES = {"producer": 9, "client": 10}


def populate(project, count: int, artists) -> None:
    sequence = project.sequences.create(code=f"{project.code}_010")
    shots = Shot.objects.bulk_create(
        [
            Shot(
                project=project,
                sequence=sequence,
                code=f"{project.code}_010_{i:04d}",
                order=i,
                frame_in=1001,
                frame_out=1048,
                next_version_number=2,
                status="review",
            )
            for i in range(count)
        ]
    )
    versions = Version.objects.bulk_create(
        [
            Version(
                project=project,
                shot=shot,
                number=1,
                source="upload",
                frame_count=48,
                processing_status="ready",
                poster=f"versions/{project.id}/x{i}/review/poster.jpg",
            )
            for i, shot in enumerate(shots)
        ]
    )
    for shot, version in zip(shots, versions, strict=True):
        shot.current_version = version
    Shot.objects.bulk_update(shots, ["current_version"])
    # Every version submitted to the client (a client sees only what was submitted to them).
    Submission.objects.bulk_create([Submission(project=project, version=version, submitted_at=timezone.now()) for version in versions])
    Shot.assignees.through.objects.bulk_create(
        [Shot.assignees.through(shot_id=shot.id, user_id=artist.id) for shot in shots for artist in artists]
    )
    Comment.objects.bulk_create(
        [Comment(project=project, version=version, body="note", frame=1001 + (i % 48)) for i, version in enumerate(versions)]
    )


@pytest.mark.parametrize("count", [10, 500])
@pytest.mark.parametrize("who", ["producer", "client"])
def test_shot_list_query_count_does_not_grow(studio, api, django_assert_num_queries, count, who):
    project = make_project(studio.org, code="QC")
    artists = [studio.artist, make_user(org=studio.org, role=Role.ARTIST)]
    populate(project, count, artists)
    user = studio.producer
    if who == "client":
        user = studio.client
        project.members.create(user=user, role=Role.REVIEWER)
    client = api(user)
    url = f"/api/v1/projects/{project.id}/shots/"
    expected = SHOT_LIST_QUERIES[who]
    with django_assert_num_queries(expected):
        response = client.get(url, {"page_size": "all"})
    body = response.json()
    assert body["count"] == count and len(body["results"]) == count
    first = body["results"][0]
    assert first["current_version"]["label"] == "v001" and first["thumbnail"].endswith("/media/poster/")
    assert first["open_notes"] == 1 and first["status"] == "review"
    assert len(first["assignees"]) == (2 if who == "producer" else 0)
    with django_assert_num_queries(expected):
        page = client.get(url, {"page_size": 50}).json()
    assert len(page["results"]) == min(50, count)


def test_the_hand_built_shot_row_matches_the_declared_serializer(studio, clips, media_root):
    """ShotSerializer builds rows by hand for speed; they must equal DRF's generic rendering."""
    from rest_framework import serializers as drf

    from projects.access import project_access
    from projects.api.serializers import ShotSerializer
    from projects.selectors import shot_list
    from tests.projects.conftest import add_version, show_to_client

    version = add_version(studio.shot, clips["good"], user=studio.artist, process=True)
    show_to_client(studio.producer, version)  # a client sees only what was submitted to them
    studio.shot.assignees.add(studio.artist)
    for user in (studio.producer, studio.client):
        access = project_access(user=user, project=studio.project)
        shot = shot_list(Shot.objects.filter(pk=studio.shot.pk), access=access).get()
        serializer = ShotSerializer(context={"access": access})
        generic = drf.ModelSerializer.to_representation(serializer, shot)
        assert serializer.to_representation(shot) == generic
        assert generic["current_version"]["thumbnail"] and generic["open_notes"] == 0
