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
from tests.projects.conftest import show_to_client


@pytest.fixture
def cached(settings, studio):
    settings.SHOT_LIST_PAGE_CACHE_SECONDS = 60
    version = services.create_version(shot=studio.shot, source=Version.Source.UPLOAD, created_by=studio.artist, frame_count=48, fps=(24, 1))
    Version.objects.filter(pk=version.pk).update(processing_status="ready")
    show_to_client(studio.producer, version)  # client reviewers see the shot (a client sees only what was submitted to them)
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


def test_concurrent_misses_render_once(settings):
    """After a change, the first request renders; one arriving meanwhile waits for that page instead
    of rendering its own."""
    import threading
    import uuid

    from projects.api.views import _rendered_pages as pages

    settings.SHOT_LIST_PAGE_CACHE_SECONDS = 60
    key = f"test:{uuid.uuid4()}"
    rendering, release = threading.Event(), threading.Event()
    renders: list[str] = []
    results: dict[str, bytes] = {}

    def first_render() -> bytes:
        renders.append("first")
        rendering.set()
        assert release.wait(10)
        return b"page"

    def second_render() -> bytes:
        renders.append("second")
        return b"second page"

    first = threading.Thread(target=lambda: results.__setitem__("first", pages.render_once(key, first_render)))
    first.start()
    assert rendering.wait(10)  # the first request holds the key's lock
    second = threading.Thread(target=lambda: results.__setitem__("second", pages.render_once(key, second_render)))
    second.start()
    release.set()
    first.join(10)
    second.join(10)
    assert results == {"first": b"page", "second": b"page"} and renders == ["first"]


def test_a_waiter_renders_itself_past_the_bound(settings, monkeypatch):
    import uuid

    from django.core.cache import cache

    from projects.api.views import _rendered_pages as pages

    settings.SHOT_LIST_PAGE_CACHE_SECONDS = 60
    monkeypatch.setattr(pages, "WAIT_SECONDS", 0.05)
    key = f"test:{uuid.uuid4()}"
    cache.add(f"{key}:rendering", 1, timeout=5)  # a renderer that never finishes
    assert pages.render_once(key, lambda: b"mine") == b"mine"
