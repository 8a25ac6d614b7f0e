"""Forensic watermark of review copies: the signal on real ffmpeg-encoded clips, the per-viewer proxy made
by the real media worker, and "Trace a frame" (auth, tenancy, bad input)."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from projects import media, services
from projects.models import Version, WatermarkMark
from projects.services import watermarks
from studio.watermark import Key, payload, video
from tests.projects.conftest import add_version, show_to_client
from tests.support.world import make_org, make_project, make_shot, make_user

KEY = Key.from_secret(b"test-watermark-key")


@pytest.fixture(scope="module")
def marked_clip(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("wm")
    src = media.make_test_clip(root / "src.mp4", frames=24, fps="24/1", size="640x360", codec_options={"crf": 18})
    marked = root / "marked.mp4"
    video.mark_video(src, marked, mark_id=0x5EED1234, key=KEY, encoder_options=watermarks.encoder_options())
    return {"src": src, "marked": marked, "root": root}


def ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-y", *args], check=True)


def test_payload_round_trip_and_chase_correction():
    bits = payload.encode(123456789)
    assert payload.decode(bits.astype(float) * 2 - 1).mark_id == 123456789
    soft = bits.astype(float) * 2 - 1
    soft[[3, 40]] *= -0.1  # two weak, wrong bits
    decoded = payload.decode(soft)
    assert decoded.mark_id == 123456789 and decoded.bit_errors == 2
    assert payload.decode(-soft) is None or payload.decode(-soft).mark_id != 123456789


@pytest.mark.slow  # marks and re-encodes video, then reads it back (docs/CONVENTIONS.md, "Tests")
def test_marked_clip_keeps_every_frame_and_reads_back_its_id(marked_clip):
    assert media.probe(marked_clip["marked"]).frame_count == 24
    found = video.read_mark(video.clip_lumas(marked_clip["marked"]), key=KEY)
    assert found.mark_id == 0x5EED1234 and found.scale == 1.0
    assert video.read_mark(video.clip_lumas(marked_clip["src"]), key=KEY, scales=(1.0, 0.5)).mark_id is None
    other_key = Key.from_secret(b"another studio's key")
    assert video.read_mark(video.clip_lumas(marked_clip["marked"]), key=other_key, scales=(1.0,)).mark_id is None


@pytest.mark.slow  # marks and re-encodes video, then reads it back (docs/CONVENTIONS.md, "Tests")
def test_mark_survives_a_crf_28_reencode_and_a_half_size_scale(marked_clip):
    root = marked_clip["root"]
    ffmpeg("-i", str(marked_clip["marked"]), "-c:v", "libx264", "-crf", "28", str(root / "crf28.mp4"))
    ffmpeg("-i", str(marked_clip["marked"]), "-vf", "scale=iw/2:-2", "-c:v", "libx264", "-crf", "23", str(root / "half.mp4"))
    assert video.read_mark(video.clip_lumas(root / "crf28.mp4"), key=KEY, scales=(1.0,)).mark_id == 0x5EED1234
    half = video.read_mark(video.clip_lumas(root / "half.mp4"), key=KEY, scales=(1.0, 0.5))
    assert half.mark_id == 0x5EED1234 and half.scale == 0.5


@pytest.mark.slow  # marks and re-encodes video, then reads it back (docs/CONVENTIONS.md, "Tests")
def test_mark_survives_a_cropped_png_screenshot(marked_clip):
    still = marked_clip["root"] / "crop.png"
    ffmpeg("-i", str(marked_clip["marked"]), "-vf", r"select=eq(n\,7),crop=iw*0.8:ih*0.8:37:21", "-frames:v", "1", str(still))
    assert video.read_mark([video.still_luma(still)], key=KEY, scales=(1.0,)).mark_id == 0x5EED1234


# ---------------------------------------------------------------- the per-viewer proxy, made by the real worker

def _wait_for_mark(version, viewer, timeout=120.0) -> WatermarkMark:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        mark = WatermarkMark.objects.filter(version=version, viewer=viewer).first()
        if mark is not None and mark.status != WatermarkMark.Status.PREPARING:
            return mark
        time.sleep(0.25)
    raise AssertionError("the marked copy was not made in time")


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.worker
def test_a_client_reviewer_never_receives_the_unmarked_proxy(transactional_db, live_worker, clips, api, tmp_path):
    from projects.models import ProjectMember

    org = make_org("wmworker")
    producer = make_user(org=org, role="producer")
    reviewer = make_user(role=None)
    project = make_project(org, code="WM")
    ProjectMember.objects.create(project=project, user=reviewer, role="reviewer")
    shot = make_shot(project, "WM_010_0010", frames=48)
    version = add_version(shot, clips["good"], user=producer, process=True)
    assert version.processing_status == Version.Processing.READY, version.failure_reason
    show_to_client(producer, version)  # a client streams only what was submitted to them
    plain = Path(version.proxy.path).read_bytes()
    url = f"/api/v1/versions/{version.id}/media/proxy/"

    assert _body(api(producer).get(url)) == plain  # the studio's own people: the plain proxy
    first = api(reviewer).get(url)
    assert first.status_code == 202 and first.json()["status"] == "preparing" and first["Retry-After"]
    mark = _wait_for_mark(version, reviewer)
    assert mark.status == WatermarkMark.Status.READY, f"{mark.failure_reason}; see {live_worker.log_path}"
    streamed = api(reviewer).get(url)
    assert streamed.status_code == 200
    data = _body(streamed)
    assert data != plain and data[4:8] == b"ftyp"
    ranged = api(reviewer).get(url, HTTP_RANGE="bytes=0-99")
    assert ranged.status_code == 206 and _body(ranged) == data[:100]
    assert WatermarkMark.objects.filter(version=version).count() == 1  # cached per (version, viewer)

    leaked = tmp_path / "leak.mp4"
    leaked.write_bytes(data)
    upload = SimpleUploadedFile("leak.mp4", data, content_type="video/mp4")
    traced = api(producer).post("/api/v1/watermarks/trace/", {"file": upload}, format="multipart")
    assert traced.status_code == 200, traced.json()
    result = traced.json()
    assert result["found"] is True and result["mark"]["viewer"]["email"] == reviewer.email
    assert result["mark"]["version"]["id"] == str(version.id)


# ---------------------------------------------------------------- trace a frame: auth, tenancy, bad input

@pytest.fixture
def traced_mark(studio, rival, clips, media_root, tmp_path, settings) -> tuple:
    version = add_version(studio.shot, clips["good"], user=studio.artist, process=True)
    mark = WatermarkMark.objects.create(organization=studio.org, project=studio.project, version=version, viewer=studio.client,
                                        audience="client")
    services.build_marked_proxy(mark_id=mark.pk)
    mark.refresh_from_db()
    assert mark.status == "ready", mark.failure_reason
    still = tmp_path / "leak.png"
    ffmpeg("-i", mark.file.path, "-vf", r"select=eq(n\,20),crop=iw*0.9:ih*0.9:11:7", "-frames:v", "1", str(still))
    return mark, still.read_bytes()


def _trace(api, user, data: bytes, name="leak.png", content_type="image/png"):
    return api(user).post("/api/v1/watermarks/trace/", {"file": SimpleUploadedFile(name, data, content_type=content_type)},
                          format="multipart")


def test_a_producer_traces_a_leaked_still_to_its_viewer_and_version(studio, traced_mark, api):
    mark, still = traced_mark
    response = _trace(api, studio.producer, still)
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["found"] is True and body["kind"] == "still" and body["confidence"] >= watermarks.TRACE_MIN_CONFIDENCE
    assert body["mark"]["id"] == str(mark.public_id) and body["mark"]["viewer"]["email"] == studio.client.email
    assert body["mark"]["version"]["label"] == mark.version.label
    assert api(studio.owner).get(f"/api/v1/watermark-marks/{mark.public_id}/").json()["audience"] == "client"


def test_a_still_without_a_mark_is_no_mark_found(studio, clips, tmp_path, api):
    still = tmp_path / "clean.png"
    ffmpeg("-i", str(clips["good"]), "-frames:v", "1", str(still))
    body = _trace(api, studio.producer, still.read_bytes()).json()
    assert body["found"] is False and body["mark"] is None


def test_only_owners_admins_and_producers_trace(studio, traced_mark, api):
    _mark, still = traced_mark
    for user in (studio.artist, studio.supervisor, studio.client):
        response = _trace(api, user, still)
        assert response.status_code == 403, response.json()
    assert api(None).post("/api/v1/watermarks/trace/", {}, format="multipart").status_code in (401, 403)


def test_another_studio_never_resolves_a_mark_it_does_not_own(rival, traced_mark, api):
    mark, still = traced_mark
    body = _trace(api, rival.producer, still).json()
    assert body["found"] is False and body["mark"] is None
    assert api(rival.producer).get(f"/api/v1/watermark-marks/{mark.public_id}/").status_code == 404  # cross-tenant: 404


def test_a_mark_is_invisible_to_the_studio_roles_that_may_not_trace(studio, traced_mark, api):
    mark, _still = traced_mark
    assert api(studio.artist).get(f"/api/v1/watermark-marks/{mark.public_id}/").status_code == 404
    assert api(studio.client).get(f"/api/v1/watermark-marks/{mark.public_id}/").status_code == 404


def test_bad_files_get_a_clear_400(studio, clips, api, monkeypatch):
    text = _trace(api, studio.producer, b"just some text, not a picture", name="leak.png")
    assert text.status_code == 400 and "PNG or JPEG" in text.json()["detail"]
    broken = _trace(api, studio.producer, b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    assert broken.status_code == 400 and "could not be read" in broken.json()["detail"]
    monkeypatch.setitem(watermarks.TRACE_MAX_BYTES, "clip", 1024)
    too_big = _trace(api, studio.producer, clips["good"].read_bytes(), name="leak.mp4", content_type="video/mp4")
    assert too_big.status_code == 400 and "at most" in too_big.json()["detail"]
    missing = api(studio.producer).post("/api/v1/watermarks/trace/", {}, format="multipart")
    assert missing.status_code == 400
