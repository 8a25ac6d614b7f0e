"""A bounded, deterministic probe of every operation in the OpenAPI schema, with real ids.

Used by tests/studio/test_api_probe.py (always) beside the schemathesis run
(tests/studio/test_schemathesis.py): for each operation it sends the same fixed set of requests —
real ids from a demo world, ids that are not UUIDs, random UUIDs, hostile query values and bodies
(NUL bytes, huge numbers, deep nesting, wrong types, empty uploads) — and checks each answer:
no 5xx; the status is one the schema documents for the operation; an error has the JSON shape;
the content type is one the schema documents for that status.
"""

from __future__ import annotations

import json
import uuid
from urllib.parse import urlencode

from django.core.files.uploadedfile import SimpleUploadedFile

FAKE_IDS = ["-" * 36, str(uuid.UUID(int=7))]
HOSTILE_VALUES = ["\x00", "x" * 5000, 10**30, -1, [[[[[]]]]], {"a": {"b": None}}, "\u0662\u0664", True, None, ""]
HOSTILE_QUERY = ["\x00", "x" * 2000, "-1", "9" * 40, "\u0662\u0664", "null"]
METHODS = ("get", "post", "put", "patch", "delete")


def operations(schema: dict):
    for path, item in schema["paths"].items():
        for method in METHODS:
            if method in item:
                yield path, method, item[method]


def _request_body(operation: dict) -> tuple[str | None, dict]:
    content = (operation.get("requestBody") or {}).get("content") or {}
    for media in ("application/json", "multipart/form-data"):
        if media in content:
            return media, content[media].get("schema") or {}
    return None, {}


def _resolve(schema: dict, node: dict) -> dict:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def bodies(schema: dict, operation: dict) -> list[tuple[str, object]]:
    """(format, body) pairs: empty, every property hostile in turn, and a deeply nested one."""
    media, body_schema = _request_body(operation)
    if media is None:
        return [("json", None)]
    properties = list((_resolve(schema, body_schema).get("properties") or {}).keys())
    if media == "multipart/form-data":
        empty = SimpleUploadedFile("empty.bin", b"")
        return [("multipart", {}), ("multipart", {"file": empty}), ("multipart", {"file": "not a file", "dry_run": "\x00"})]
    found: list[tuple[str, object]] = [("json", {}), ("json", [1, 2]), ("json", "[" * 5000 + "]" * 5000)]
    for index, name in enumerate(properties):
        found.append(("json", {name: HOSTILE_VALUES[index % len(HOSTILE_VALUES)]}))
        found.append(("json", {name: HOSTILE_VALUES[(index + 3) % len(HOSTILE_VALUES)]}))
    return found


def query_sets(operation: dict) -> list[dict]:
    names = [p["name"] for p in operation.get("parameters", []) if p.get("in") == "query"]
    sets: list[dict] = [{}]
    for index, name in enumerate(names):
        sets.append({name: HOSTILE_QUERY[index % len(HOSTILE_QUERY)]})
        sets.append({name: HOSTILE_QUERY[(index + 2) % len(HOSTILE_QUERY)]})
    return sets


def path_parameters(path: str, ids: dict[str, str], fake: str | None = None) -> dict[str, str]:
    """{name: value} for each {name} of `path`: a real id chosen by the segment before it, else `fake`."""
    parts = path.strip("/").split("/")
    values = {}
    for index, part in enumerate(parts):
        if part.startswith("{"):
            name = part[1:-1]
            if name == "kind":
                values[name] = "proxy"
                continue
            resource = parts[index - 1]
            if resource == "members" and "organizations" in parts:
                resource = "org-members"
            values[name] = fake or ids.get(resource) or str(uuid.UUID(int=1))
    return values


def fill(path: str, ids: dict[str, str], fake: str | None = None) -> str:
    """The path with each {name} replaced (see path_parameters)."""
    for name, value in path_parameters(path, ids, fake).items():
        path = path.replace("{" + name + "}", value)
    return path


def _documented(operation: dict, status: int) -> dict | None:
    responses = operation.get("responses", {})
    return responses.get(str(status)) or responses.get("default")


def check(operation: dict, response, where: str) -> list[str]:
    """What is wrong with one answer (empty when it conforms)."""
    problems = []
    status = response.status_code
    if status >= 500:
        return [f"{where}: {status} {getattr(response, 'content', b'')[:200]!r}"]
    documented = _documented(operation, status)
    if documented is None:
        return [f"{where}: status {status} is not documented"]
    media = (response.get("Content-Type") or "").split(";")[0].strip()
    content = documented.get("content") or {}
    if content and status not in (204, 304) and media and media not in content:
        problems.append(f"{where}: {status} answered {media}, documented {sorted(content)}")
    if status >= 400 and media == "application/json":
        body = json.loads(response.content or b"{}")
        if not (isinstance(body, dict) and "error" in body and "detail" in body):
            problems.append(f"{where}: {status} error without the JSON error shape: {str(body)[:200]}")
        if len(response.content) > 20_000:
            problems.append(f"{where}: {status} error of {len(response.content)} bytes")
    return problems


def send(client, method: str, url: str, *, query: dict | None = None, fmt: str = "json", body=None):
    if method in ("get", "delete"):
        return getattr(client, method)(url, query or {})
    if query:
        url = f"{url}?{urlencode(query)}"
    if fmt == "json" and isinstance(body, str):
        return getattr(client, method)(url, body, content_type="application/json")
    return getattr(client, method)(url, body if body is not None else {}, format=fmt)
