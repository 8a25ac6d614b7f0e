"""Every operation of the OpenAPI schema, probed with real ids from a demo world and hostile input
(tests/studio/api_probe.py): no 5xx, every status documented, every error in the JSON shape, every
content type documented. Deterministic and bounded: the same few requests per operation each run."""

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
from tests.projects.conftest import add_version, clips, media_root  # noqa: F401 - fixtures
from tests.studio import api_probe

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(tmp_path):
    out = tmp_path / "schema.json"
    call_command("spectacular", "--format", "openapi-json", "--file", str(out))
    return json.loads(out.read_text())


@pytest.fixture
def world(demo, clips, media_root):  # noqa: F811 - the fixtures imported above
    producer = demo["users"]["producer@northlight.test"]
    shot = Shot.objects.filter(project__organization__slug="northlight").order_by("order").first()
    version = add_version(shot, clips["good"], user=producer, process=True)
    project_services.create_comment(actor=producer, version=version, body="warmer", frame=version.first_frame)
    project_services.create_playlist(actor=producer, project=shot.project, name="Dailies", versions=[version.id])
    tenancy_services.create_token(user=producer, name="probe")
    first = lambda model, **f: model.objects.filter(**f).values_list("pk", flat=True).first()  # noqa: E731
    ids = {
        "projects": first(type(shot.project), pk=shot.project_id), "shots": shot.pk, "versions": version.pk,
        "comments": first(Comment), "playlists": first(Playlist), "sequences": first(Sequence),
        "members": first(ProjectMember), "org-members": first(Membership, user=producer),
        "organizations": first(Organization, slug="northlight"), "tokens": first(ApiToken, user=producer),
        "audit-events": first(AuditEvent), "talent": first(Talent), "assets": first(LikenessAsset),
        "consents": first(ConsentGrant), "likeness-uses": first(LikenessUse),
    }
    return producer, {k: str(v) for k, v in ids.items() if v is not None}


def test_every_operation_answers_within_its_documented_responses(schema, world, api):
    producer, ids = world
    client = api(producer)
    problems: list[str] = []
    deletes = []
    count = 0
    for path, method, operation in api_probe.operations(schema):
        if method == "delete":
            deletes.append((path, operation))
            continue
        for fake in api_probe.FAKE_IDS if "{" in path else []:
            response = api_probe.send(client, method, api_probe.fill(path, ids, fake))
            problems += api_probe.check(operation, response, f"{method.upper()} {path} [id {fake[:8]}]")
        url = api_probe.fill(path, ids)
        for query in api_probe.query_sets(operation):
            problems += api_probe.check(operation, api_probe.send(client, method, url, query=query), f"{method.upper()} {path} {query}")
        if method != "get":
            for fmt, body in api_probe.bodies(schema, operation):
                response = api_probe.send(client, method, url, fmt=fmt, body=body)
                problems += api_probe.check(operation, response, f"{method.upper()} {path} {str(body)[:60]}")
                count += 1
        count += 1
    for path, operation in deletes:
        for url in (api_probe.fill(path, ids, api_probe.FAKE_IDS[0]), api_probe.fill(path, ids)):
            problems += api_probe.check(operation, client.delete(url), f"DELETE {url}")
    assert count > 89
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:60])


def test_anonymous_callers_get_documented_401s(schema, api):
    client = api()
    problems: list[str] = []
    for path, method, operation in api_probe.operations(schema):
        response = api_probe.send(client, method, api_probe.fill(path, {}))
        problems += api_probe.check(operation, response, f"anonymous {method.upper()} {path}")
    assert not problems, "\n".join(problems[:60])
