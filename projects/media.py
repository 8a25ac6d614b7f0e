"""Video probing and review media (proxy, poster, hover-scrub sprite) with Debian's ffmpeg/ffprobe.

Commands are built with ffmpeg-python and run as subprocesses with a time limit. Nothing here
touches the database; `projects.services.process_version_media` drives it.

The review proxy
----------------
H.264 High profile, yuv420p, `+faststart` (the index is at the front, so a browser starts playing
and seeking before the whole file arrives), at the source's exact frame rate (a rational) and
frame count:

- every frame is re-stamped `pts = n / fps` (`setpts`) and passed through one-to-one
  (`-fps_mode passthrough`): no frame is dropped or duplicated, even from a variable-frame-rate
  source, so frame *n* of the proxy is frame *n* of the original;
- no B-frames (`-bf 0`): decode order equals presentation order and MP4 needs no composition
  offsets or edit list, the usual cause of browsers showing frame n±1 after a seek;
- a closed GOP of `PROXY_GOP` = 4 frames (`-g 4 -keyint_min 4 -sc_threshold 0`): any frame is at
  most three frames from a keyframe, so seeking or stepping backwards decodes at most four frames
  (instant at 1080p), while the file stays far smaller than all-intra (`-g 1` measured 1.6x the size
  of `-g 4` on synthetic test patterns and is typically 3-5x on real footage) for no gain in accuracy.
"""

from __future__ import annotations

import json
import logging
import math
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import ffmpeg

log = logging.getLogger(__name__)

FFPROBE = shutil.which("ffprobe") or "ffprobe"
FFMPEG = shutil.which("ffmpeg") or "ffmpeg"

PROXY_GOP = 4
PROXY_CRF = 18
PROXY_PRESET = "veryfast"
PROXY_MAX_WIDTH = 1920
POSTER_MAX_WIDTH = 1280
# The shot list's picture (a 112×63 cell) at 2× device pixels. A 1280-px poster there made Chromium decode
# and downscale ~1 MP per row while scrolling: frame interval p95 118 ms against 39 ms without pictures
# (tests/bench/bench_browser.py, docs/PERFORMANCE.md).
THUMB_WIDTH = 240
SPRITE_TILE_WIDTH = 160
SPRITE_COLUMNS = 10
SPRITE_MAX_TILES = 100
MAX_DIMENSION = 8192
PROBE_TIMEOUT_S = 120

IMAGE_FORMATS = {"image2", "gif", "ico", "apng", "tiff_pipe", "svg_pipe"}
MP4_BOXES = {b"ftyp", b"moov", b"mdat", b"free", b"wide", b"skip", b"pnot"}


_ABSOLUTE_PATH = re.compile(r"(?<![\w])/(?:[\w.\-]+/)+[\w.\-]*")


class MediaError(Exception):
    """A problem with a media file, worded for the person who supplied it."""

    def __init__(self, message: str, *, code: str = "invalid_media"):
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass
class ProbeResult:
    format_name: str
    codec: str
    width: int
    height: int
    fps: Fraction
    frame_count: int
    duration: float
    pix_fmt: str = ""
    has_audio: bool = False
    declared_frames: int | None = None
    extra: dict = field(default_factory=dict)

    @property
    def fps_pair(self) -> tuple[int, int]:
        return self.fps.numerator, self.fps.denominator


def _looks_like_mp4(path: Path) -> bool:
    with open(path, "rb") as fh:
        head = fh.read(12)
    return len(head) >= 8 and head[4:8] in MP4_BOXES


def _run(cmd: list[str], *, timeout: float) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(cmd, capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired as exc:
        raise MediaError(f"{Path(cmd[0]).name} took longer than {int(timeout)} s on this file.", code="media_timeout") from exc


def _first_error_line(stderr: bytes, *, path: Path | None = None) -> str:
    """The last line ffmpeg printed, without our server-side paths."""
    lines = [line.strip() for line in stderr.decode("utf-8", "replace").splitlines() if line.strip()]
    line = lines[-1][:300] if lines else "no details"
    if path is not None:
        line = line.replace(f"{path}: ", "").replace(str(path), "the file")
    return _ABSOLUTE_PATH.sub("<file>", line)


def _rational(value: str | None) -> Fraction | None:
    if not value or value in {"0/0", "0/1", "0"}:
        return None
    try:
        result = Fraction(value)
    except (ValueError, ZeroDivisionError):
        return None
    return result if result > 0 else None


def probe(path: str | Path, *, timeout: float = PROBE_TIMEOUT_S) -> ProbeResult:
    """Probe a video file (reads every packet, no decoding). Raises MediaError with a clear reason.

    Detects: not a media file, no video stream, still images, truncated files (packets missing
    against the container's own frame count, or an MP4 whose index never arrived).
    """
    path = Path(path)
    if not path.exists() or path.stat().st_size == 0:
        raise MediaError("The file is empty; upload a video file (MP4, MOV, MKV, WebM …).", code="empty_file")
    info, stderr = _ffprobe(path, timeout=timeout)
    fmt = info.get("format") or {}
    format_name = fmt.get("format_name", "")
    streams = info.get("streams") or []
    video = _video_stream(format_name, streams)
    width, height = int(video.get("width") or 0), int(video.get("height") or 0)
    if width <= 0 or height <= 0:
        raise MediaError("The video stream has no picture size; the file is damaged.", code="not_a_video")
    if width > MAX_DIMENSION or height > MAX_DIMENSION:
        raise MediaError(f"The video is {width}x{height}; the largest accepted picture is {MAX_DIMENSION}x{MAX_DIMENSION}.")
    fps = _rational(video.get("r_frame_rate")) or _rational(video.get("avg_frame_rate"))
    if fps is None or fps > 1000:
        raise MediaError("The video has no usable frame rate; re-export it at a constant frame rate.", code="not_a_video")
    frame_count, declared = _frame_count(video, stderr)
    return ProbeResult(
        format_name=format_name,
        codec=video.get("codec_name", ""),
        width=width,
        height=height,
        fps=fps,
        frame_count=frame_count,
        duration=_duration(fmt, video, frame_count=frame_count, fps=fps),
        pix_fmt=video.get("pix_fmt", ""),
        has_audio=any(s.get("codec_type") == "audio" for s in streams),
        declared_frames=declared,
    )


def _ffprobe(path: Path, *, timeout: float) -> tuple[dict, str]:
    """ffprobe's JSON for `path` and what it printed on stderr; MediaError when it cannot read the file."""
    cmd = [
        FFPROBE,
        "-v",
        "error",
        "-count_packets",
        "-show_entries",
        "format=format_name,duration:stream=index,codec_type,codec_name,width,height,pix_fmt,r_frame_rate,"
        "avg_frame_rate,nb_frames,nb_read_packets,duration:stream_disposition=attached_pic",
        "-of",
        "json",
        str(path),
    ]
    result = _run(cmd, timeout=timeout)
    stderr = result.stderr.decode("utf-8", "replace")
    if result.returncode != 0:
        if "moov atom not found" in stderr and _looks_like_mp4(path):
            raise MediaError(
                "The file is incomplete: its MP4 index (moov atom) is missing, so the upload or export was cut off. "
                "Export or upload it again.",
                code="truncated_media",
            )
        raise MediaError(
            f"This is not a video file we can read ({_first_error_line(result.stderr, path=path)}). Upload an MP4, MOV, MKV or WebM video.",
            code="not_a_video",
        )
    try:
        info = json.loads(result.stdout or b"{}")
    except json.JSONDecodeError as exc:
        raise MediaError("ffprobe returned unreadable output for this file.", code="not_a_video") from exc
    return info, stderr


def _video_stream(format_name: str, streams: list[dict]) -> dict:
    """The first real video stream (not cover art); MediaError for still images and files without video."""
    videos = [s for s in streams if s.get("codec_type") == "video" and not (s.get("disposition") or {}).get("attached_pic")]
    if format_name in IMAGE_FORMATS or format_name.endswith("_pipe"):
        raise MediaError(f"This is a still image ({format_name}), not a video. Upload a video file.", code="not_a_video")
    if not videos:
        kinds = ", ".join(sorted({s.get("codec_type", "?") for s in streams})) or "nothing"
        raise MediaError(f"The file has no video stream (it contains: {kinds}). Upload a video file.", code="no_video_stream")
    return videos[0]


def _frame_count(video: dict, stderr: str) -> tuple[int, int | None]:
    """(frames present, frames the container announces); MediaError for a truncated or empty stream."""
    read_packets = int(video.get("nb_read_packets") or 0)
    declared = int(video["nb_frames"]) if str(video.get("nb_frames") or "").isdigit() else None
    if "partial file" in stderr or (declared is not None and read_packets < declared):
        raise MediaError(
            f"The file is truncated: the container announces {declared or 'more'} frames but only {read_packets} are present. "
            "Export or upload it again.",
            code="truncated_media",
        )
    frame_count = declared if declared else read_packets
    if frame_count <= 0:
        raise MediaError("The video stream contains no frames.", code="not_a_video")
    return frame_count, declared


def _duration(fmt: dict, video: dict, *, frame_count: int, fps: Fraction) -> float:
    """Seconds as the container or the stream states them, else frames / fps."""
    duration = None
    for candidate in (fmt.get("duration"), video.get("duration")):
        try:
            duration = float(candidate)
            break
        except (TypeError, ValueError):
            continue
    if duration is None or not math.isfinite(duration):
        duration = float(frame_count / fps)
    return duration


def check_limits(info: ProbeResult, *, max_seconds: int) -> None:
    if info.duration > max_seconds:
        raise MediaError(
            f"The video lasts {info.duration:.1f} s; the limit is {max_seconds} s. Trim it or split it into shots.",
            code="too_long",
        )


def _run_ffmpeg(stream, *, timeout: float, what: str) -> None:
    cmd = stream.overwrite_output().compile(cmd=FFMPEG)
    cmd[1:1] = ["-nostdin", "-hide_banner", "-v", "error"]
    result = _run(cmd, timeout=timeout)
    if result.returncode != 0:
        raise MediaError(f"ffmpeg could not build the {what}: {_first_error_line(result.stderr)}", code="processing_failed")


def encode_timeout(info: ProbeResult) -> float:
    return 300 + 6 * info.duration


def build_proxy(src: Path, dst: Path, *, info: ProbeResult) -> None:
    """The frame-steppable review proxy (see the module docstring for every choice)."""
    num, den = info.fps_pair
    source = ffmpeg.input(str(src))
    video = (
        source.video.filter("setpts", f"N*{den}/({num}*TB)")
        .filter("scale", f"trunc(min({PROXY_MAX_WIDTH},iw)/2)*2", "-2")
        .filter("setsar", "1")
    )
    streams = [video]
    options = {
        "c:v": "libx264",
        "profile:v": "high",
        "pix_fmt": "yuv420p",
        "preset": PROXY_PRESET,
        "crf": PROXY_CRF,
        "g": PROXY_GOP,
        "keyint_min": PROXY_GOP,
        "sc_threshold": 0,
        "bf": 0,
        "r": f"{num}/{den}",
        "fps_mode": "passthrough",
        "movflags": "+faststart",
        "map_metadata": -1,
    }
    if info.has_audio:
        streams.append(source.audio)
        options.update({"c:a": "aac", "b:a": "160k", "ac": 2})
    _run_ffmpeg(ffmpeg.output(*streams, str(dst), **options), timeout=encode_timeout(info), what="review proxy")


WATERMARK_FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"


def burn_watermark(src: Path, dst: Path, *, text_file: Path, info: ProbeResult) -> None:
    """A share-link copy of a proxy with `text_file`'s line burnt in (ffmpeg `drawtext`): bottom
    centre, white on a dark box, and a second, fainter copy drifting across the frame so that a
    crop cannot remove it. The text is read from a file (`expansion=none`), so a viewer's name is
    never parsed as filter syntax. Same frames, rate and GOP as the proxy; audio copied."""
    num, den = info.fps_pair
    source = ffmpeg.input(str(src))
    common = {"textfile": str(text_file), "expansion": "none", "fontcolor": "white"}
    if Path(WATERMARK_FONT).is_file():
        common["fontfile"] = WATERMARK_FONT
    video = source.video.filter(
        "drawtext", **common, fontsize="max(14,h/18)", box=1, boxcolor="black@0.55", boxborderw=8,
        x="(w-text_w)/2", y="h-text_h-h/14",
    ).filter(
        "drawtext", **{**common, "fontcolor": "white@0.35"}, fontsize="max(12,h/24)",
        x="mod(n*3,max(1,w-text_w))", y="h/5",
    )
    streams = [video]
    options = {
        "c:v": "libx264", "pix_fmt": "yuv420p", "preset": PROXY_PRESET, "crf": PROXY_CRF, "g": PROXY_GOP,
        "keyint_min": PROXY_GOP, "sc_threshold": 0, "bf": 0, "r": f"{num}/{den}", "fps_mode": "passthrough",
        "movflags": "+faststart", "map_metadata": -1,
    }
    if info.has_audio:
        streams.append(source.audio)
        options["c:a"] = "copy"
    _run_ffmpeg(ffmpeg.output(*streams, str(dst), **options), timeout=encode_timeout(info), what="watermarked copy")


def build_poster(src: Path, dst: Path, *, frame_index: int, info: ProbeResult) -> None:
    stream = (
        ffmpeg.input(str(src))
        .video.filter("select", f"eq(n,{int(frame_index)})")
        .filter("scale", f"trunc(min({POSTER_MAX_WIDTH},iw)/2)*2", "-2")
        .output(str(dst), vframes=1, fps_mode="passthrough", **{"q:v": 3})
    )
    _run_ffmpeg(stream, timeout=encode_timeout(info), what="poster")


def build_thumb(poster: Path, dst: Path) -> None:
    """The list thumbnail: the poster scaled to `THUMB_WIDTH` (never up), a few KiB."""
    stream = (
        ffmpeg.input(str(poster))
        .video.filter("scale", f"trunc(min({THUMB_WIDTH},iw)/2)*2", "-2")
        .output(str(dst), vframes=1, **{"q:v": 4})
    )
    _run_ffmpeg(stream, timeout=60, what="thumbnail")


def sprite_layout(frame_count: int) -> tuple[int, list[int]]:
    """(step, frame indices) of the hover-scrub tiles: at most SPRITE_MAX_TILES, evenly spaced."""
    step = max(1, math.ceil(frame_count / SPRITE_MAX_TILES))
    return step, list(range(0, frame_count, step))


def build_sprite(src: Path, dst: Path, *, info: ProbeResult) -> dict:
    step, frames = sprite_layout(info.frame_count)
    columns = min(SPRITE_COLUMNS, len(frames))
    rows = math.ceil(len(frames) / columns)
    tile_height = max(2, int(round(SPRITE_TILE_WIDTH * info.height / info.width / 2)) * 2)
    stream = (
        ffmpeg.input(str(src))
        .video.filter("select", f"not(mod(n,{step}))")
        .filter("scale", SPRITE_TILE_WIDTH, tile_height)
        .filter("tile", f"{columns}x{rows}")
        .output(str(dst), vframes=1, fps_mode="passthrough", **{"q:v": 4})
    )
    _run_ffmpeg(stream, timeout=encode_timeout(info), what="hover-scrub sprite")
    return {"columns": columns, "tile_width": SPRITE_TILE_WIDTH, "tile_height": tile_height, "frames": frames}


@dataclass
class ReviewMedia:
    proxy: Path
    poster: Path
    thumb: Path
    sprite: Path
    sprite_info: dict
    proxy_info: ProbeResult
    source_info: ProbeResult


def build_review_media(src: Path, workdir: Path) -> ReviewMedia:
    """Proxy, then poster, its thumbnail and the sprite from the proxy. Verifies the proxy kept every frame."""
    source_info = probe(src)
    proxy = workdir / "proxy.mp4"
    build_proxy(src, proxy, info=source_info)
    proxy_info = probe(proxy)
    if proxy_info.frame_count != source_info.frame_count:
        raise MediaError(
            f"Only {proxy_info.frame_count} of the original's {source_info.frame_count} frames could be decoded; "
            "the original is damaged. Export or upload it again.",
            code="damaged_media",
        )
    poster = workdir / "poster.jpg"
    build_poster(proxy, poster, frame_index=proxy_info.frame_count // 2, info=proxy_info)
    thumb = workdir / "thumb.jpg"
    build_thumb(poster, thumb)
    sprite = workdir / "sprite.jpg"
    sprite_info = build_sprite(proxy, sprite, info=proxy_info)
    return ReviewMedia(
        proxy=proxy, poster=poster, thumb=thumb, sprite=sprite, sprite_info=sprite_info, proxy_info=proxy_info, source_info=source_info
    )


def make_test_clip(
    path: str | Path,
    *,
    frames: int = 48,
    fps: str = "24/1",
    size: str = "320x180",
    pattern: str = "testsrc2",
    audio: bool = False,
    codec_options: dict | None = None,
) -> Path:
    """Encode a synthetic clip with ffmpeg's test sources (demo data, tests, benchmarks)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    video = ffmpeg.input(f"{pattern}=size={size}:rate={fps}", f="lavfi")
    streams = [video]
    options = {"c:v": "libx264", "pix_fmt": "yuv420p", "preset": "ultrafast", "vframes": frames, **(codec_options or {})}
    if audio:
        duration = float(frames / Fraction(fps))
        streams.append(ffmpeg.input(f"sine=frequency=440:duration={duration}", f="lavfi"))
        options.update({"c:a": "aac", "shortest": None})
    _run_ffmpeg(ffmpeg.output(*streams, str(path), **options), timeout=120, what="test clip")
    return path


def temporary_directory() -> tempfile.TemporaryDirectory:
    """Scratch space for one processing run, under DATA_DIR/tmp: what a killed worker leaves there is
    removed by the media sweeper (studio/media_sweep.py)."""
    from django.conf import settings

    scratch = Path(settings.DATA_DIR) / "tmp"
    scratch.mkdir(parents=True, exist_ok=True)
    return tempfile.TemporaryDirectory(prefix="gl-media-", dir=scratch)
