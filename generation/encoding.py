"""Frames → H.264 MP4 through ffmpeg-python and the system ffmpeg (yuv420p, +faststart).

Raw RGB frames are piped into ffmpeg's stdin; nothing is resampled. yuv420p needs even dimensions,
so an odd size is padded by one pixel (never scaled). The frame rate is written as an exact
rational (24000/1001 stays 24000/1001).
"""

from __future__ import annotations

import json
import subprocess
from fractions import Fraction
from pathlib import Path

import ffmpeg
import numpy as np
from django.conf import settings


class EncodeError(RuntimeError):
    pass


def ffmpeg_binary() -> str:
    return getattr(settings, "FFMPEG_BINARY", "ffmpeg")


def ffprobe_binary() -> str:
    return getattr(settings, "FFPROBE_BINARY", "ffprobe")


def encode_mp4(frames: np.ndarray, path: Path, *, fps: Fraction, crf: int | None = None, preset: str | None = None) -> Path:
    """Write uint8 frames (F, H, W, 3) to `path` as H.264 High, yuv420p, moov atom first."""
    if frames.ndim != 4 or frames.shape[-1] != 3 or frames.dtype != np.uint8:
        raise EncodeError(f"expected uint8 frames shaped (F, H, W, 3), got {frames.dtype} {frames.shape}")
    count, height, width, _ = frames.shape
    if count == 0:
        raise EncodeError("no frames to encode")
    crf = int(getattr(settings, "GENERATION_X264_CRF", 17) if crf is None else crf)
    preset = preset or getattr(settings, "GENERATION_X264_PRESET", "medium")
    rate = f"{fps.numerator}/{fps.denominator}"
    stream = ffmpeg.input("pipe:", format="rawvideo", pix_fmt="rgb24", s=f"{width}x{height}", framerate=rate)
    if width % 2 or height % 2:
        stream = stream.filter("pad", "ceil(iw/2)*2", "ceil(ih/2)*2")
    stream = stream.output(
        str(path), vcodec="libx264", pix_fmt="yuv420p", crf=crf, preset=preset, movflags="+faststart",
        r=rate, **{"profile:v": "high", "frames:v": count},
    ).overwrite_output().global_args("-hide_banner", "-nostdin", "-loglevel", "error")
    try:
        stream.run(cmd=ffmpeg_binary(), input=np.ascontiguousarray(frames).tobytes(), capture_stdout=True, capture_stderr=True)
    except ffmpeg.Error as exc:
        detail = (exc.stderr or b"").decode(errors="replace").strip()[-2000:]
        raise EncodeError(f"ffmpeg could not encode the render: {detail or exc}") from exc
    return Path(path)


def write_poster(frames: np.ndarray, path: Path) -> Path:
    """The middle frame as a JPEG (the take's poster in the gallery)."""
    from PIL import Image

    Image.fromarray(np.ascontiguousarray(frames[len(frames) // 2])).save(path, format="JPEG", quality=90)
    return Path(path)


def write_png(frames: np.ndarray, path: Path) -> Path:
    """A still render (one frame, (1, H, W, 3) uint8) as a PNG."""
    from PIL import Image

    if frames.ndim != 4 or frames.shape[0] != 1 or frames.shape[-1] != 3 or frames.dtype != np.uint8:
        raise EncodeError(f"expected one uint8 frame shaped (1, H, W, 3) for a still, got {frames.dtype} {frames.shape}")
    Image.fromarray(np.ascontiguousarray(frames[0])).save(path, format="PNG")
    return Path(path)


def probe_png(path: Path, *, fps: Fraction) -> dict:
    """What a still's PNG really is (read back by Pillow), in `probe`'s shape: one frame at the job's rate."""
    from PIL import Image

    with Image.open(path) as image:
        image.verify()
        width, height, fmt = image.width, image.height, image.format
    if fmt != "PNG":
        raise EncodeError(f"{path} is {fmt}, not a PNG")
    return {"codec": "png", "profile": None, "pix_fmt": "rgb24", "width": width, "height": height, "fps": Fraction(fps), "frames": 1}


def probe(path: Path, *, decode: bool = True) -> dict:
    """Codec, pixel format, size, exact frame rate and counted frames of the first video stream.

    `decode=False` counts packets instead of decoded frames (no decoding; the same number for the
    H.264 files this app writes, one packet per frame): what the worker uses for a take."""
    count, counted = ("-count_frames", "nb_read_frames") if decode else ("-count_packets", "nb_read_packets")
    out = subprocess.run(
        [ffprobe_binary(), "-v", "error", "-select_streams", "v:0", count, "-show_entries",
         f"stream=codec_name,pix_fmt,width,height,r_frame_rate,{counted},profile", "-of", "json", str(path)],
        capture_output=True, text=True, check=True, timeout=60,
    )
    stream = json.loads(out.stdout)["streams"][0]
    stream["nb_read_frames"] = stream[counted]
    num, den = (int(x) for x in stream["r_frame_rate"].split("/"))
    return {
        "codec": stream["codec_name"], "profile": stream.get("profile"), "pix_fmt": stream["pix_fmt"],
        "width": int(stream["width"]), "height": int(stream["height"]), "fps": Fraction(num, den),
        "frames": int(stream["nb_read_frames"]),
    }


def moov_before_mdat(path: Path) -> bool:
    """True when the MP4 index (moov) precedes the media data (mdat): +faststart worked."""
    data = Path(path).read_bytes()
    moov, mdat = data.find(b"moov"), data.find(b"mdat")
    return 0 <= moov < mdat


def decode_rgb(path: Path, *, width: int, height: int) -> np.ndarray:
    """Decode an MP4 back to uint8 RGB frames (F, H, W, 3) (tests and benchmarks)."""
    out, _ = (
        ffmpeg.input(str(path)).output("pipe:", format="rawvideo", pix_fmt="rgb24")
        .global_args("-hide_banner", "-loglevel", "error").run(cmd=ffmpeg_binary(), capture_stdout=True, capture_stderr=True)
    )
    return np.frombuffer(out, np.uint8).reshape(-1, height, width, 3)
