"""JSON API responses are compressed (brotli or gzip) for clients that accept it (studio/http/compression.py)."""

from __future__ import annotations

import gzip
import json

import brotli

from projects.models import Shot
from tests.projects.conftest import make_shot


def test_a_big_list_answers_gzip_when_accepted(studio, api):
    Shot.objects.bulk_create([Shot(project=studio.project, code=f"AL_090_{i:04d}", description="a wide shot " * 4) for i in range(60)])
    client = api(studio.producer)
    url = f"/api/v1/projects/{studio.project.id}/shots/?page_size=all"
    plain = client.get(url)
    assert plain.status_code == 200 and not plain.has_header("Content-Encoding")
    assert "Accept-Encoding" in plain["Vary"]
    packed = client.get(url, HTTP_ACCEPT_ENCODING="gzip, deflate")
    assert packed.status_code == 200 and packed["Content-Encoding"] == "gzip"
    assert int(packed["Content-Length"]) == len(packed.content) < len(plain.content) / 4
    assert json.loads(gzip.decompress(packed.content)) == plain.json()
    assert packed["ETag"] == plain["ETag"] and packed["ETag"].startswith('W/"')
    # brotli when the client ranks it first or equal (browsers send "gzip, deflate, br, zstd")
    for accepted in ("gzip, deflate, br", "br", "br;q=1, *;q=0.5", "*"):
        smaller = client.get(url, HTTP_ACCEPT_ENCODING=accepted)
        assert smaller["Content-Encoding"] == "br" and json.loads(brotli.decompress(smaller.content)) == plain.json(), accepted
        assert int(smaller["Content-Length"]) == len(smaller.content) < len(packed.content)
    assert client.get(url, HTTP_ACCEPT_ENCODING="gzip, br;q=0.5")["Content-Encoding"] == "gzip"
    for refused in ("identity", "gzip;q=0", "br;q=0", "compress"):
        assert not client.get(url, HTTP_ACCEPT_ENCODING=refused).has_header("Content-Encoding"), refused
    # a revisit is a bodiless 304, never compressed
    again = client.get(url, HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=packed["ETag"])
    assert again.status_code == 304 and not again.has_header("Content-Encoding")


def test_small_and_non_json_responses_are_left_alone(studio, api):
    make_shot(studio.project, "AL_010_0099")
    client = api(studio.producer)
    small = client.get(f"/api/v1/projects/{studio.project.id}/sequences/", HTTP_ACCEPT_ENCODING="gzip")
    assert small.status_code == 200 and len(small.content) < 1024 and not small.has_header("Content-Encoding")
    health = client.get("/healthz", HTTP_ACCEPT_ENCODING="gzip")
    assert not health.has_header("Content-Encoding")


def test_errors_of_other_tenants_stay_404(studio, rival, api):
    response = api(rival.producer).get(f"/api/v1/projects/{studio.project.id}/shots/", HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 404
