"""Request bodies are refused with 413 before they are read, per route (studio/http/limits.py), and
every refusal has the API's JSON shape — never Django's HTML "Bad Request (400)" page."""

from __future__ import annotations

import json

import pytest
from django.conf import settings

from studio.asgi import application
from studio.http.limits import MULTIPART_OVERHEAD, body_limit_for

UPLOAD = "/api/v1/shots/0b1e8f5e-7a55-4c1b-9d55-1b9a6d1c2f00/versions/"


class Peer:
    """The client side of one ASGI HTTP exchange: the body it would send, and what came back."""

    def __init__(self, chunks: list[bytes]):
        self.chunks = list(chunks)
        self.sent_chunks = 0
        self.messages: list[dict] = []

    async def receive(self):
        if self.sent_chunks < len(self.chunks):
            self.sent_chunks += 1
            return {"type": "http.request", "body": self.chunks[self.sent_chunks - 1], "more_body": self.sent_chunks < len(self.chunks)}
        return {"type": "http.disconnect"}

    async def send(self, message):
        self.messages.append(message)

    @property
    def status(self) -> int:
        return next(m["status"] for m in self.messages if m["type"] == "http.response.start")

    @property
    def json(self) -> dict:
        return json.loads(b"".join(m.get("body", b"") for m in self.messages if m["type"] == "http.response.body"))


def _scope(path: str, headers: list[tuple[bytes, bytes]]) -> dict:
    return {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
        "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
        "headers": [(b"host", b"testserver"), (b"content-type", b"application/json"), *headers],
        "client": ("127.0.0.1", 5000), "server": ("testserver", 80),
    }


async def test_a_huge_declared_body_on_the_token_route_is_refused_before_reading():
    peer = Peer([b"x" * 1024] * 4)
    await application(_scope("/api/v1/auth/token/", [(b"content-length", str(8 * 2**30).encode())]), peer.receive, peer.send)
    assert peer.status == 413
    assert peer.sent_chunks == 0  # not one byte was read
    assert peer.json["error"] == "payload_too_large"
    assert peer.json["limit_bytes"] == settings.MAX_AUTH_BODY_BYTES


async def test_a_streamed_body_without_length_stops_being_read_at_the_limit():
    chunk = b"x" * 64 * 1024
    peer = Peer([chunk] * 64)  # 4 MiB, chunked, on a JSON route limited to MAX_JSON_BODY_BYTES
    await application(_scope("/api/v1/projects/", []), peer.receive, peer.send)
    assert peer.status == 413
    assert peer.sent_chunks <= settings.MAX_JSON_BODY_BYTES // len(chunk) + 1
    assert peer.json["error"] == "payload_too_large"


def test_upload_routes_have_their_own_larger_limit():
    assert body_limit_for(UPLOAD) == settings.MAX_UPLOAD_BYTES + MULTIPART_OVERHEAD
    assert body_limit_for("/api/v1/projects/0b1e8f5e-7a55-4c1b-9d55-1b9a6d1c2f00/import/otio/") == (
        settings.MAX_IMPORT_BYTES + MULTIPART_OVERHEAD
    )
    assert body_limit_for("/api/v1/shots/0b1e8f5e-7a55-4c1b-9d55-1b9a6d1c2f00/generations/") > 20 * 2**20  # init images
    assert body_limit_for("/api/v1/talent/0b1e8f5e-7a55-4c1b-9d55-1b9a6d1c2f00/assets/") > 25 * 2**20
    assert body_limit_for("/api/v1/auth/token/") == settings.MAX_AUTH_BODY_BYTES
    assert body_limit_for("/api/v1/projects/") == settings.MAX_JSON_BODY_BYTES
    assert body_limit_for(UPLOAD) > settings.MAX_JSON_BODY_BYTES > settings.MAX_AUTH_BODY_BYTES


@pytest.mark.django_db
def test_a_json_body_over_the_limit_answers_json_413(demo, api):
    producer = demo["users"]["producer@northlight.test"]
    body = json.dumps({"name": "x" * (settings.MAX_JSON_BODY_BYTES + 10)})
    response = api(producer).post("/api/v1/projects/", body, content_type="application/json")
    assert response.status_code == 413, response.content[:200]
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error"] == "payload_too_large"


@pytest.mark.django_db
def test_an_over_long_form_body_answers_json_not_the_html_400_page(client):
    body = "a=" + "x" * (settings.MAX_JSON_BODY_BYTES + 10)
    response = client.post("/api/v1/auth/login/", body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413, response.content[:200]
    assert response["Content-Type"].startswith("application/json")
    assert b"Bad Request" not in response.content


@pytest.mark.django_db
@pytest.mark.parametrize("depth", [40, 100_000])
def test_very_deeply_nested_json_answers_400(demo, api, depth):
    producer = demo["users"]["producer@northlight.test"]
    body = '{"name": ' + "[" * depth + "]" * depth + "}"
    response = api(producer).post("/api/v1/projects/", body, content_type="application/json")
    assert response.status_code == 400, response.content[:200]
    assert response.json()["error"] == "malformed_request"
    assert "nested more than" in response.json()["detail"]


@pytest.mark.django_db
def test_an_upload_stops_at_its_routes_limit_while_it_streams(demo, api, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from projects.models import Project, Shot

    settings.MAX_IMPORT_BYTES = 4096  # the route's limit is read per request
    project = Project.objects.filter(organization__slug="northlight").first()
    before = Shot.objects.count()
    data = b"code,description\n" + b"AL_010_0900,x\n" * 20_000
    response = api(demo["users"]["producer@northlight.test"]).post(
        f"/api/v1/projects/{project.id}/import/csv/", {"file": SimpleUploadedFile("big.csv", data)}, format="multipart"
    )
    assert response.status_code == 413, response.content[:300]
    assert response.json()["error"] == "payload_too_large"
    assert response.json()["limit_bytes"] == 4096 + 64 * 1024
    assert Shot.objects.count() == before
