"""Media is served only through permission-checked views, with HTTP Range support."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from projects.models import SignedCopy
from tests.projects.conftest import add_version, show_to_client


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.fixture
def ready(studio, clips, media_root):
    """A processed version (proxy, poster, sprite built by ffmpeg)."""
    return add_version(studio.shot, clips["good"], user=studio.artist, process=True)


@pytest.fixture
def stored(studio, clips, media_root):
    """A version with only its original stored (range tests need a file, not a proxy)."""
    return add_version(studio.shot, clips["ntsc"], user=studio.artist)


def url(version, kind="proxy"):
    return f"/api/v1/versions/{version.id}/media/{kind}/"


def signed_file(version, api, studio) -> Path:
    """The original as it is served: its copy signed with Content Credentials (made by the first request)."""
    assert api(studio.artist).get(url(version, "original")).status_code == 200
    return Path(SignedCopy.objects.get(version=version, kind="original").file.path)


def test_whole_file_with_accept_ranges(ready, studio, api):
    response = api(studio.producer).get(url(ready), HTTP_ACCEPT="video/webm,video/ogg,video/*;q=0.9")  # clients: test_watermark.py
    assert response.status_code == 200
    data = Path(ready.proxy.path).read_bytes()
    assert body(response) == data
    assert response["Accept-Ranges"] == "bytes"
    assert response["Content-Type"] == "video/mp4"
    assert int(response["Content-Length"]) == len(data)
    assert response["Cache-Control"].startswith("private")


@pytest.mark.parametrize(
    "header,start,end",
    [
        ("bytes=0-99", 0, 99),
        ("bytes=100-", 100, None),
        ("bytes=-50", -50, None),
        ("bytes=10-10", 10, 10),
    ],
)
def test_ranges_answer_206_with_content_range(stored, studio, api, header, start, end):
    data = signed_file(stored, api, studio).read_bytes()
    size = len(data)
    response = api(studio.artist).get(url(stored, "original"), HTTP_RANGE=header)
    assert response.status_code == 206
    first = start if start >= 0 else size + start
    last = end if end is not None else size - 1
    assert body(response) == data[first : last + 1]
    assert response["Content-Range"] == f"bytes {first}-{last}/{size}"
    assert int(response["Content-Length"]) == last - first + 1


def test_a_range_past_the_end_is_clamped_or_416(stored, studio, api):
    size = signed_file(stored, api, studio).stat().st_size
    clamped = api(studio.artist).get(url(stored, "original"), HTTP_RANGE=f"bytes={size - 10}-{size + 1000}")
    assert clamped.status_code == 206
    assert clamped["Content-Range"] == f"bytes {size - 10}-{size - 1}/{size}"
    for header in (f"bytes={size}-", f"bytes={size + 5}-{size + 10}", "bytes=50-10", "bytes=abc", "bytes=-0", "bytes=-"):
        response = api(studio.artist).get(url(stored, "original"), HTTP_RANGE=header)
        assert response.status_code == 416, header
        assert response["Content-Range"] == f"bytes */{size}"
        assert response.json()["error"] == "range_not_satisfiable"


def test_a_range_with_a_huge_number_is_416_not_500(stored, studio, api):
    size = len(body(api(studio.artist).get(url(stored, "original"))))  # the signed copy
    huge = "9" * 5000  # past Python's int() digit limit
    for header in (f"bytes={huge}-", f"bytes=0-{huge}", f"bytes=-{huge}", f"bytes={'9' * 19}-"):
        response = api(studio.artist).get(url(stored, "original"), HTTP_RANGE=header)
        assert response.status_code == 416, header[:40]
        assert response["Content-Range"] == f"bytes */{size}"
        assert len(response.content) < 500  # the header is not echoed


def test_unknown_units_and_multiple_ranges_get_the_whole_file(stored, studio, api):
    size = signed_file(stored, api, studio).stat().st_size
    for header in ("items=0-5", "bytes=0-5,10-20"):
        response = api(studio.artist).get(url(stored, "original"), HTTP_RANGE=header)
        assert response.status_code == 200
        assert len(body(response)) == size


def test_if_range_and_if_none_match(stored, studio, api):
    client = api(studio.artist)
    first = client.get(url(stored, "original"))
    etag = first["ETag"]
    assert client.get(url(stored, "original"), HTTP_RANGE="bytes=0-9", HTTP_IF_RANGE=etag).status_code == 206
    stale = client.get(url(stored, "original"), HTTP_RANGE="bytes=0-9", HTTP_IF_RANGE='"stale"')
    assert stale.status_code == 200 and len(body(stale)) == len(body(first))
    assert client.get(url(stored, "original"), HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_poster_sprite_and_original(ready, studio, api, clips):
    client = api(studio.producer)
    poster = client.get(url(ready, "poster"), HTTP_ACCEPT="image/avif,image/webp,*/*")
    assert poster.status_code == 200 and poster["Content-Type"] == "image/jpeg" and body(poster)[:2] == b"\xff\xd8"
    assert client.get(url(ready, "sprite")).status_code == 200
    original = client.get(url(ready, "original"))
    assert original.status_code == 200
    assert body(original) == Path(SignedCopy.objects.get(version=ready).file.path).read_bytes()  # the upload, signed
    assert original["Content-Disposition"].startswith("attachment")


def test_media_that_is_not_ready_is_404_with_a_reason(studio, api, clips, media_root):
    version = add_version(studio.shot, clips["good"], user=studio.artist)
    response = api(studio.artist).get(url(version))
    assert response.status_code == 404
    assert "processing" in response.json()["detail"]


def test_unknown_kind_is_404(ready, studio, api):
    assert api(studio.artist).get(f"/api/v1/versions/{ready.id}/media/secrets/").status_code == 404


def test_media_is_denied_to_other_studios_other_projects_and_anonymous(ready, studio, rival, api):
    outsider = api(rival.producer).get(url(ready))
    assert outsider.status_code == 404
    assert outsider.json()["error"] == "not_found"
    assert api(rival.client).get(url(ready, "poster")).status_code == 404
    assert api().get(url(ready)).status_code == 401


def test_a_client_of_another_project_gets_404(ready, studio, api, clips):
    other = add_version(studio.other_shot, clips["good"], user=studio.artist, process=True)
    assert api(studio.client).get(url(other)).status_code == 404
    assert api(studio.client).get(url(ready, "poster")).status_code == 404  # not submitted to them yet
    show_to_client(studio.producer, ready)
    assert api(studio.client).get(url(ready)).status_code == 202  # their own watermarked copy is being made
    assert api(studio.client).get(url(ready, "poster")).status_code == 200


def test_files_live_at_unguessable_paths_and_media_url_is_not_routed(ready, api, studio):
    relative = ready.proxy.name
    assert str(ready.project_id) in relative and str(ready.id) in relative
    response = api(studio.producer).get(f"{settings.MEDIA_URL}{relative}")
    # MEDIA_URL falls through to the web app's HTML shell, never to the file
    assert not response.get("Content-Type", "").startswith("video/")
    assert Path(ready.proxy.path).read_bytes()[:64] not in body(response)
