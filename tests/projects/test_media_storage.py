"""The media path on both storage backends (`media_backend`: the local folder, and an S3 bucket on a
real SeaweedFS): upload → proxy/poster/sprite → ready, the player's Range requests through the URL
the browser is handed, a signed download, the sweeper. On S3 the web process hands out a presigned
URL (302) after the permission check and passes no bytes itself (docs/OPERATIONS.md, "Media storage").
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from projects import media, services
from projects.models import ProjectMember, SignedCopy, Version
from studio import storage
from studio.media_sweep import sweep_orphaned_media
from tests.projects.conftest import add_version, show_to_client
from tests.support.waiting import wait_for


def stored_bytes(name: str) -> bytes:
    with default_storage.open(name, "rb") as handle:
        return handle.read()


def fetch(client, url: str, **headers) -> tuple[int, bytes, dict]:
    """What a browser gets for `url`: the web process's answer, or, after a redirect to the store,
    the store's answer to the same request (Range included)."""
    response = client.get(url, **{f"HTTP_{k.upper()}": v for k, v in headers.items()})
    if response.status_code != 302:
        data = b"".join(response.streaming_content) if response.streaming else response.content
        return response.status_code, data, dict(response.items())
    assert response["Cache-Control"] == "private, no-store"  # each play asks again: revoked access gets no new URL
    answer = httpx.get(response["Location"], headers={k.replace("_", "-"): v for k, v in headers.items()}, timeout=10)
    return answer.status_code, answer.content, dict(answer.headers)


def lower(headers: dict) -> dict:
    return {k.lower(): v for k, v in headers.items()}


@pytest.fixture
def ready(media_backend, studio, clips) -> Version:
    version = add_version(studio.shot, clips["good"], user=studio.artist, process=True)
    show_to_client(studio.producer, version)  # the client plays it too (a client sees only what was submitted to them)
    return version


def test_an_upload_becomes_ready_with_its_review_media_in_the_store(media_backend, studio, clips, api, settings):
    with open(clips["good"], "rb") as handle:
        response = api(studio.artist).post(f"/api/v1/shots/{studio.shot.id}/versions/", {"file": handle}, format="multipart")
    assert response.status_code == 201, response.content
    version = services.process_version_media(version_id=response.json()["id"])  # what the media task runs
    assert version.processing_status == "ready", version.failure_reason
    assert stored_bytes(version.original.name) == clips["good"].read_bytes()
    for field in (version.proxy, version.poster, version.thumb, version.sprite):
        assert storage.exists(field.name)
    with storage.local_copy(version.proxy.name) as proxy:
        assert media.probe(proxy).frame_count == 48 == version.frame_count
    on_disk = list(Path(settings.MEDIA_ROOT).rglob("*.mp4")) if Path(settings.MEDIA_ROOT).exists() else []
    assert bool(on_disk) == (media_backend == "local")  # on S3 nothing lands in a local media folder


def test_the_player_reads_ranges_through_the_url_it_is_handed(ready, media_backend, studio, rival, api, settings):
    proxy_url = f"/api/v1/versions/{ready.id}/media/proxy/"
    data = stored_bytes(ready.proxy.name)
    # A studio supervisor streams the plain proxy (viewers outside the studio get their own
    # watermarked copy: tests/projects/test_watermark.py).
    status, body, headers = fetch(api(studio.supervisor), proxy_url, range="bytes=100-1099")
    headers = lower(headers)
    assert status == 206
    assert body == data[100:1100]
    assert headers["content-range"] == f"bytes 100-1099/{len(data)}"
    assert headers["content-type"] == "video/mp4"
    status, body, headers = fetch(api(studio.client), f"/api/v1/versions/{ready.id}/media/poster/")
    assert status == 200 and body == stored_bytes(ready.poster.name) and lower(headers)["content-type"] == "image/jpeg"
    status, body, headers = fetch(api(studio.client), f"/api/v1/versions/{ready.id}/media/thumb/")
    assert status == 200 and body == stored_bytes(ready.thumb.name) and lower(headers)["content-type"] == "image/jpeg"
    assert api(rival.artist).get(f"/api/v1/versions/{ready.id}/media/thumb/").status_code == 404
    foreign = api(rival.artist).get(proxy_url, HTTP_RANGE="bytes=0-99")
    assert foreign.status_code == 404 and "Location" not in foreign  # no URL without the permission check
    if media_backend != "local":
        location = api(studio.supervisor).get(proxy_url)["Location"]
        assert parse_qs(urlsplit(location).query)["X-Amz-Expires"] == [str(settings.MEDIA_URL_EXPIRES_SECONDS)]
        head = httpx.head(api(studio.supervisor).head(proxy_url)["Location"], timeout=10)  # a HEAD gets a URL signed for HEAD
        assert head.status_code == 200 and int(head.headers["content-length"]) == len(data)


@pytest.mark.parametrize("media_backend", ["s3"], indirect=True)
def test_revoked_access_gets_no_new_url_and_a_handed_out_url_expires(media_backend, studio, clips, api, settings):
    version = add_version(studio.shot, clips["good"], user=studio.artist, process=True)
    show_to_client(studio.producer, version)  # a client sees only what was submitted to them
    settings.MEDIA_URL_EXPIRES_SECONDS = 3  # X-Amz-Date is whole seconds: leave room for the first fetch
    poster_url = f"/api/v1/versions/{version.id}/media/poster/"
    location = api(studio.client).get(poster_url)["Location"]
    assert httpx.get(location, timeout=10).status_code == 200
    ProjectMember.objects.filter(project=studio.project, user=studio.client).delete()  # the client reviewer is removed
    refused = api(studio.client).get(poster_url)
    assert refused.status_code == 404 and "Location" not in refused
    wait_for(lambda: httpx.get(location, timeout=10).status_code == 403, timeout=15, what="the store refusing the expired URL")


def test_a_download_is_signed_from_the_store_and_served_from_it(media_backend, studio, clips, api):
    version = add_version(studio.shot, clips["ntsc"], user=studio.artist)
    status, body, headers = fetch(api(studio.artist), f"/api/v1/versions/{version.id}/media/original/")
    assert status == 200
    copy = SignedCopy.objects.get(version=version, kind="original")
    assert hashlib.sha256(body).hexdigest() == copy.sha256 and body == stored_bytes(copy.file.name)
    assert lower(headers)["content-disposition"].startswith("attachment;")
    status, _body, _headers = fetch(api(studio.artist), f"/api/v1/versions/{version.id}/media/original/", range="bytes=0-9")
    assert status == 206 and SignedCopy.objects.filter(version=version).count() == 1  # signed once, then reused


def test_the_sweeper_removes_orphans_from_the_store_and_keeps_what_rows_name(ready, media_backend, settings, tmp_path):
    settings.DATA_DIR = tmp_path  # its scratch pass looks at this test's folder only
    orphan = default_storage.save(f"versions/{uuid.uuid4()}/{uuid.uuid4()}/original/lost.mp4", ContentFile(b"x" * 100))
    report = sweep_orphaned_media(grace=timedelta(0))
    assert report.removed == 1 and report.names == [orphan]
    assert not storage.exists(orphan)
    assert all(storage.exists(f.name) for f in (ready.original, ready.proxy, ready.poster, ready.sprite))


def test_an_original_gone_from_the_store_fails_the_version_with_a_reason(media_backend, studio, clips, settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"  # this test's own scratch
    version = add_version(studio.shot, clips["good"], user=studio.artist)
    default_storage.delete(version.original.name)
    failed = services.process_version_media(version_id=version.id)
    assert failed.processing_status == "failed" and "missing from storage" in failed.failure_reason
    assert not list(Path(storage.scratch_dir()).glob("gl-copy-*"))  # no scratch copy left behind
