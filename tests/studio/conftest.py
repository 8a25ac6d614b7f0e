"""Fixtures of the API-wide checks: the OpenAPI schema as served, and a demo world with a row of
every kind, for the probe (test_api_probe.py) and the schemathesis run (test_schemathesis.py)."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command

from projects import services as project_services
from projects.models import Comment, Playlist, ProjectMember, Sequence, Shot
from rights.models import ConsentGrant, LikenessAsset, LikenessUse, Talent
from studio.audit.models import AuditEvent
from studio.tenancy import services as tenancy_services
from studio.tenancy.models import ApiToken, Membership, Organization
from tests.projects.conftest import add_version, clips, media_root  # noqa: F401 - fixtures used below


@pytest.fixture
def openapi_schema(tmp_path) -> dict:
    out = tmp_path / "schema.json"
    call_command("spectacular", "--format", "openapi-json", "--file", str(out))
    return json.loads(out.read_text())


@pytest.fixture
def probe_world(demo, clips, media_root):  # noqa: F811 - the fixtures imported above
    """(producer, {resource segment: a real id}, the producer's API token key)."""
    producer = demo["users"]["producer@northlight.test"]
    shot = Shot.objects.filter(project__organization__slug="northlight").order_by("order").first()
    version = add_version(shot, clips["good"], user=producer, process=True)
    project_services.create_comment(actor=producer, version=version, body="warmer", frame=version.first_frame)
    project_services.create_playlist(actor=producer, project=shot.project, name="Dailies", versions=[version.id])
    _token, key = tenancy_services.create_token(user=producer, name="probe")
    first = lambda model, **f: model.objects.filter(**f).values_list("pk", flat=True).first()  # noqa: E731
    ids = {
        "projects": shot.project_id, "shots": shot.pk, "versions": version.pk,
        "comments": first(Comment), "playlists": first(Playlist), "sequences": first(Sequence),
        "members": first(ProjectMember), "org-members": first(Membership, user=producer),
        "organizations": first(Organization, slug="northlight"), "tokens": first(ApiToken, user=producer),
        "audit-events": first(AuditEvent), "talent": first(Talent), "assets": first(LikenessAsset),
        "consents": first(ConsentGrant), "likeness-uses": first(LikenessUse),
    }
    return producer, {k: str(v) for k, v in ids.items() if v is not None}, key
