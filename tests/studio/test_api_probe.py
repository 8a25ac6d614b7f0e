"""Every operation of the OpenAPI schema, probed with real ids from a demo world and hostile input
(tests/studio/api_probe.py): no 5xx, every status documented, every error in the JSON shape, every
content type documented. Deterministic and bounded: the same few requests per operation each run."""

from __future__ import annotations

import pytest

from tests.studio import api_probe

pytestmark = pytest.mark.django_db


def test_every_operation_answers_within_its_documented_responses(openapi_schema, probe_world, api):
    producer, ids, _key = probe_world
    schema = openapi_schema
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


def test_anonymous_callers_get_documented_401s(openapi_schema, api):
    schema = openapi_schema
    client = api()
    problems: list[str] = []
    for path, method, operation in api_probe.operations(schema):
        response = api_probe.send(client, method, api_probe.fill(path, {}))
        problems += api_probe.check(operation, response, f"anonymous {method.upper()} {path}")
        if path in ("/api/v1/auth/login/", "/api/v1/auth/token/"):
            wrong = client.post(path, {"email": "nobody@example.test", "password": "wrong"}, format="json")
            problems += api_probe.check(operation, wrong, f"wrong password {path}")
    assert not problems, "\n".join(problems[:60])
