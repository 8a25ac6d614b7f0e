"""Fixtures for the notification tests: the projects tests' studios, people and clips."""

from __future__ import annotations

import pytest

from tests.projects import conftest as projects_fixtures
from tests.projects import test_consent as consent_fixtures
from tests.projects.conftest import add_version
from tests.realtime import conftest as realtime_fixtures

# The projects tests' fixtures, shared here.
_fast_password_hashing = projects_fixtures._fast_password_hashing
studio, rival, clips, media_root = projects_fixtures.studio, projects_fixtures.rival, projects_fixtures.clips, projects_fixtures.media_root
rights = consent_fixtures.rights
connect = realtime_fixtures.connect  # WebSocket clients on the real ASGI application


@pytest.fixture
def version(studio, clips, media_root):
    """v001 of the studio's shot by its artist (frames 1001-1048)."""
    return add_version(studio.shot, clips["good"], user=studio.artist)


def comment(api, user, version, **payload):
    response = api(user).post(f"/api/v1/versions/{version.id}/comments/", payload, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def inbox(api, user, **params) -> list[dict]:
    response = api(user).get("/api/v1/notifications/", params)
    assert response.status_code == 200, response.json()
    return response.json()["results"]
