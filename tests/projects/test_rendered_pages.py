"""Rendered shot-list pages are kept under the project's change counter (projects/api/views/_rendered_pages.py):
a page is reused until a service call changes the project, never shared between the studio's people
and client reviewers, and never served to anyone who cannot see the project."""

from __future__ import annotations

import gzip
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from projects import services
from projects.models import Shot, Version


@pytest.fixture
def cached(settings, studio):
    settings.SHOT_LIST_PAGE_CACHE_SECONDS = 60
    version = services.create_version(shot=studio.shot, source=Version.Source.UPLOAD, created_by=studio.artist, frame_count=48, fps=(24, 1))
    services.update_shot(actor=studio.supervisor, shot=studio.shot, assignees=[studio.artist.id])
    services.create_comment(actor=studio.artist, version=version, body="internal", frame=1001, internal=True)
    return studio


def rows(client, project, **headers) -> tuple[list[dict], int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(f"/api/v1/projects/{project.id}/shots/?page_size=all", **headers)
    assert response.status_code == 200, response.content
    body = gzip.decompress(response.content) if response.get("Content-Encoding") == "gzip" else response.content
    return json.loads(body)["results"], len(captured.captured_queries)


def test_a_page_is_reused_until_a_service_changes_the_project(cached, api):
    client = api(cached.producer)
    first, cold = rows(client, cached.project, HTTP_ACCEPT_ENCODING="gzip")
    again, warm = rows(client, cached.project)
    assert again == first and warm < cold  # the page came from the cache (no count, no rows query)
    Shot.objects.filter(pk=cached.shot.pk).update(description="written behind the services' back")
    assert rows(client, cached.project)[0] == first  # documented: only service calls move the counter
    services.update_shot(actor=cached.supervisor, shot=cached.shot, description="Wider")
    changed, queries = rows(client, cached.project)
    assert changed[0]["description"] == "Wider" and queries == cold


def test_studio_people_share_a_page_client_reviewers_get_their_own(cached, api):
    studio_rows, _ = rows(api(cached.producer), cached.project)
    artist_rows, artist_queries = rows(api(cached.artist), cached.project)
    assert artist_rows == studio_rows and studio_rows[0]["assignees"] and studio_rows[0]["open_notes"] == 1
    client_rows, _ = rows(api(cached.client), cached.project)
    assert client_rows[0]["assignees"] == [] and client_rows[0]["open_notes"] == 0


def test_the_cache_never_answers_those_who_cannot_see_the_project(cached, rival, api):
    rows(api(cached.producer), cached.project)
    url = f"/api/v1/projects/{cached.project.id}/shots/?page_size=all"
    assert api(rival.producer).get(url).status_code == 404
    assert api().get(url).status_code in (401, 403)
