"""A share link end to end through the real media worker: the guest identifies, the worker burns
their name into a copy with ffmpeg `drawtext`, and the frames they stream differ from the
proxy's where the watermark is (decoded and compared), while the rest of the picture is kept."""

from __future__ import annotations

import io
import subprocess
from datetime import timedelta
from pathlib import Path

from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from projects import media
from projects.delivery.manifest import ASSERTION
from projects.models import ShareRender
from studio import provenance
from studio.tenancy.models import Role
from tests.projects.conftest import add_version, make_org, make_project, make_shot, make_user
from tests.support.waiting import wait_for


def decoded_frame(path: Path, index: int) -> bytes:
    """Frame `index` as raw RGB bytes."""
    result = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(path), "-vf", f"select=eq(n\\,{index})", "-frames:v", "1", "-f", "rawvideo", "-pix_fmt",
         "rgb24", "-"], capture_output=True, check=True,
    )
    return result.stdout


def test_guest_streams_a_copy_watermarked_by_the_media_worker(transactional_db, live_worker, clips, api, tmp_path):
    org = make_org("sharewk")
    producer = make_user(org=org, role=Role.PRODUCER)
    shot = make_shot(make_project(org, code="SW"), "SW_010_0010", frames=48)
    version = add_version(shot, clips["good"], user=producer, process=True)
    expires = (timezone.now() + timedelta(days=2)).isoformat()
    created = api(producer).post("/api/v1/share-links/", {"version": str(version.id), "expires_at": expires}, format="json")
    assert created.status_code == 201, created.json()
    token = created.json()["token"]
    guest = Client(REMOTE_ADDR="10.50.0.1")
    assert guest.post(f"/s/{token}/", {"name": "Wanda Watermark", "email": "wanda@example.com"}).status_code == 303

    def ready():
        items = guest.get(f"/s/{token}/items/").json()["items"]
        return items if items[0]["state"] != "preparing" else None

    items = wait_for(ready, timeout=120, what=f"the watermarked copy (worker log: {live_worker.log_path})")
    render = ShareRender.objects.get()
    assert items[0]["state"] == "ready", render.error
    assert "Wanda Watermark" in render.watermark
    streamed = tmp_path / "streamed.mp4"
    response = guest.get(items[0]["url"])
    streamed.write_bytes(b"".join(response.streaming_content))
    assert default_storage.exists(render.file.name) and render.file.name.startswith("shares/")
    original = tmp_path / "proxy.mp4"
    with default_storage.open(version.proxy.name, "rb") as fh:
        original.write_bytes(fh.read())
    marked_info, proxy_info = media.probe(streamed), media.probe(original)
    assert (marked_info.frame_count, marked_info.width, marked_info.height) == (proxy_info.frame_count, proxy_info.width, proxy_info.height)
    before, after = decoded_frame(original, 10), decoded_frame(streamed, 10)
    assert len(before) == len(after) == proxy_info.width * proxy_info.height * 3
    changed = sum(1 for a, b in zip(before, after, strict=True) if abs(a - b) > 40)
    assert changed > len(before) // 100, f"drawtext changed only {changed} of {len(before)} bytes"
    row = proxy_info.width * 3
    top = slice(0, row * (proxy_info.height // 8))  # above both text lines: the picture itself is kept
    untouched = sum(1 for a, b in zip(before[top], after[top], strict=True) if abs(a - b) > 40)
    assert untouched < len(before[top]) // 50
    # What leaves through the link carries Content Credentials: signed by the studio, the watermark an action.
    checked = provenance.verify_stream(io.BytesIO(streamed.read_bytes()), name="streamed.mp4")
    assert checked.has_credentials and checked.signature_valid and not checked.tampered, checked.failures
    assert "c2pa.edited" in [a.get("action") for a in checked.actions]
    assert checked.assertions[ASSERTION]["share_copy"] == str(render.pk)
    assert "Wanda" not in str(checked.assertions)  # the copy's id, not the viewer's name
    # The guest's copy carries their forensic mark too: the producer traces the streamed clip to them.
    with open(streamed, "rb") as fh:
        leak = SimpleUploadedFile("leak.mp4", fh.read(), content_type="video/mp4")
        traced = api(producer).post("/api/v1/watermarks/trace/", {"file": leak}, format="multipart")
    assert traced.status_code == 200, traced.json()
    found = traced.json()
    assert found["found"] is True, found
    assert found["mark"]["viewer"]["email"] == "wanda@example.com" and "Wanda Watermark" in found["mark"]["viewer"]["name"]
    assert found["mark"]["version"]["label"] == version.label and found["mark"]["audience"] == "external"
