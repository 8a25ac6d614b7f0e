"""Review media built with ffmpeg, checked with ffprobe: the proxy must be frame-exact in a browser."""

from __future__ import annotations

import io
import json
import subprocess
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from projects import media, services
from projects.models import Version
from tests.projects.conftest import add_version


def ffprobe(path: Path, *args: str) -> dict:
    out = subprocess.run(["ffprobe", "-v", "error", *args, "-of", "json", str(path)], capture_output=True, check=True)
    return json.loads(out.stdout)


def top_level_atoms(path: Path) -> list[str]:
    atoms, data, offset = [], path.read_bytes(), 0
    while offset + 8 <= len(data):
        size = int.from_bytes(data[offset : offset + 4], "big")
        atoms.append(data[offset + 4 : offset + 8].decode("latin-1"))
        if size == 1:
            size = int.from_bytes(data[offset + 8 : offset + 16], "big")
        if size < 8:
            break
        offset += size
    return atoms


@pytest.fixture
def processed(studio, clips, media_root) -> Version:
    return add_version(studio.shot, clips["ntsc"], user=studio.artist, process=True)


def test_proxy_is_h264_yuv420p_faststart_with_short_gop_and_every_frame(processed, clips):
    assert processed.processing_status == "ready", processed.failure_reason
    proxy = Path(processed.proxy.path)
    stream = ffprobe(
        proxy,
        "-select_streams",
        "v:0",
        "-count_frames",
        "-show_entries",
        "stream=codec_name,pix_fmt,profile,r_frame_rate,nb_read_frames,has_b_frames",
    )["streams"][0]
    assert stream["codec_name"] == "h264"
    assert stream["pix_fmt"] == "yuv420p"
    assert stream["profile"] == "High"
    assert stream["r_frame_rate"] == "24000/1001"  # the source's rational rate, kept
    assert int(stream["nb_read_frames"]) == 30 == processed.frame_count  # frame count preserved
    assert int(stream["has_b_frames"]) == 0

    frames = ffprobe(proxy, "-select_streams", "v:0", "-show_entries", "frame=key_frame,pict_type,pts")["frames"]
    keyframes = [i for i, f in enumerate(frames) if f["key_frame"] == 1]
    assert keyframes[0] == 0
    gaps = [b - a for a, b in zip(keyframes, keyframes[1:], strict=False)]
    assert gaps and max(gaps) <= media.PROXY_GOP  # any frame is at most GOP-1 frames from a keyframe
    assert all(f["pict_type"] in {"I", "P"} for f in frames)
    # constant frame rate: frame n is presented at exactly n * 1001/24000 s
    pts = [int(f["pts"]) for f in frames]
    assert [b - a for a, b in zip(pts, pts[1:], strict=False)] == [pts[1] - pts[0]] * (len(pts) - 1)

    atoms = top_level_atoms(proxy)
    assert atoms.index("moov") < atoms.index("mdat")  # +faststart

    assert ffprobe(proxy, "-select_streams", "a:0", "-show_entries", "stream=codec_name")["streams"][0]["codec_name"] == "aac"
    # the original is untouched
    assert Path(processed.original.path).read_bytes() == clips["ntsc"].read_bytes()


def test_poster_and_sprite_are_built_with_their_layout(processed):
    poster = ffprobe(Path(processed.poster.path), "-show_entries", "stream=width,height,codec_name")["streams"][0]
    assert (poster["width"], poster["height"], poster["codec_name"]) == (320, 180, "mjpeg")
    # The list's thumbnail: the poster at THUMB_WIDTH (240), its aspect kept, a small fraction of its bytes.
    thumb = ffprobe(Path(processed.thumb.path), "-show_entries", "stream=width,height,codec_name")["streams"][0]
    assert (thumb["width"], thumb["height"], thumb["codec_name"]) == (media.THUMB_WIDTH, 136, "mjpeg")
    assert Path(processed.thumb.path).stat().st_size < Path(processed.poster.path).stat().st_size
    sprite = ffprobe(Path(processed.sprite.path), "-show_entries", "stream=width,height")["streams"][0]
    assert processed.sprite_columns == 10
    assert processed.sprite_frames == list(range(30))
    rows = 3
    assert (sprite["width"], sprite["height"]) == (10 * processed.sprite_tile_width, rows * processed.sprite_tile_height)
    assert (processed.sprite_tile_width, processed.sprite_tile_height) == (160, 90)


def test_sprite_layout_caps_the_number_of_tiles():
    step, frames = media.sprite_layout(21_600)
    assert step == 216 and len(frames) == 100 and frames[-1] == 21_384
    assert media.sprite_layout(7) == (1, list(range(7)))


def test_processing_is_idempotent(processed):
    again = services.process_version_media(version_id=processed.id)
    assert again.processing_status == "ready"
    assert again.proxy.name == processed.proxy.name  # rebuilt in place, no stray copies
    assert sorted(p.name for p in Path(again.proxy.path).parent.iterdir()) == ["poster.jpg", "proxy.mp4", "sprite.jpg", "thumb.jpg"]


def test_versions_processed_before_thumbnails_get_theirs_from_their_poster(processed):
    """`manage.py build_thumbnails`: a ready version with a poster and no thumbnail gets one; run again, it does nothing."""
    Path(processed.thumb.path).unlink()
    Version.objects.filter(pk=processed.pk).update(thumb="")
    out = io.StringIO()
    call_command("build_thumbnails", stdout=out)
    assert json.loads(out.getvalue()) == {"made": 1, "failed": 0}
    processed.refresh_from_db()
    assert processed.thumb.name.endswith("/review/thumb.jpg")
    thumb = ffprobe(Path(processed.thumb.path), "-show_entries", "stream=width")["streams"][0]
    assert thumb["width"] == media.THUMB_WIDTH
    again = io.StringIO()
    call_command("build_thumbnails", stdout=again)
    assert json.loads(again.getvalue()) == {"made": 0, "failed": 0}


def test_a_thumbnail_whose_poster_is_gone_is_reported_not_half_written(processed):
    Version.objects.filter(pk=processed.pk).update(thumb="", poster=f"versions/{processed.project_id}/{processed.id}/review/missing.jpg")
    with pytest.raises(CommandError, match="1 thumbnail"):
        call_command("build_thumbnails", stdout=io.StringIO(), stderr=io.StringIO())
    processed.refresh_from_db()
    assert processed.thumb.name == ""


def test_a_damaged_original_marks_the_version_failed_with_a_reason(studio, clips, media_root):
    version = add_version(studio.shot, clips["good"], user=studio.artist)
    Path(version.original.path).write_bytes(clips["truncated"].read_bytes())  # damaged after upload
    result = services.process_version_media(version_id=version.id)
    assert result.processing_status == "failed"
    assert "truncated" in result.failure_reason
    assert not result.proxy


def test_a_version_without_media_is_failed_not_stuck(studio, media_root):
    version = services.create_version(shot=studio.shot, source="generation")
    assert version.processing_status == "failed"
    assert "No media" in version.failure_reason


def test_a_vanished_version_is_ignored(db):
    assert services.process_version_media(version_id="00000000-0000-0000-0000-000000000000") is None


def test_a_failed_version_insert_leaves_no_stored_file(studio, clips, media_root):
    from django.core.files import File

    from projects.models import Shot
    from tests.projects.conftest import make_shot

    shot = make_shot(studio.project, "AL_GONE")
    Shot.objects.filter(pk=shot.pk).delete()  # deleted while the upload was on its way
    with open(clips["good"], "rb") as fh, pytest.raises(Shot.DoesNotExist):
        services.create_version(shot=shot, source="upload", original=File(fh), original_name="late.mp4")
    assert not list(media_root.rglob("*.mp4"))
