"""Marking a video and reading a suspect file, with Debian's ffmpeg through pipes (raw yuv420p frames).

`mark_video` decodes the source frame by frame, adds the pattern to each luma plane (chroma untouched)
and encodes the result with the encoder options the caller gives (the review proxy's, from
projects/media.py), copying the audio. Frames pass one-to-one (`-fps_mode passthrough`): frame n of the
marked copy is frame n of the source. `read_mark` takes a still (PNG/JPEG, read with Pillow) or a clip
(decoded to grey by ffmpeg).
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np

from studio.watermark import pattern, payload

FFMPEG = shutil.which("ffmpeg") or "ffmpeg"
FFPROBE = shutil.which("ffprobe") or "ffprobe"
MAX_READ_FRAMES = 24  # a suspect clip: its first frames are enough to fold (and bound the reader's time)


class WatermarkError(Exception):
    """A file the watermark reader or writer cannot use, worded for the person who supplied it."""


def _probe(path: Path) -> tuple[int, int, str, bool]:
    cmd = [FFPROBE, "-v", "error", "-show_entries", "stream=codec_type,width,height,r_frame_rate", "-of", "json", str(path)]
    result = subprocess.run(cmd, capture_output=True, timeout=120, check=False)
    if result.returncode != 0:
        raise WatermarkError("The file is not a video ffmpeg can read.")
    import json

    streams = json.loads(result.stdout or b"{}").get("streams") or []
    video = next((s for s in streams if s.get("codec_type") == "video"), None)
    if not video or not video.get("width"):
        raise WatermarkError("The file has no video stream.")
    has_audio = any(s.get("codec_type") == "audio" for s in streams)
    return int(video["width"]), int(video["height"]), str(Fraction(video.get("r_frame_rate") or "24")), has_audio


def mark_video(src: Path, dst: Path, *, mark_id: int, key: pattern.Key, encoder_options: list[str], timeout: float = 900) -> int:
    """Write `src` marked with `mark_id` to `dst` (MP4); the number of frames marked."""
    width, height, rate, has_audio = _probe(src)
    tile = key.tile(payload.encode(mark_id))
    decoder = subprocess.Popen(
        [FFMPEG, "-nostdin", "-v", "error", "-i", str(src), "-map", "0:v:0", "-f", "rawvideo", "-pix_fmt", "yuv420p",
         "-fps_mode", "passthrough", "pipe:1"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
    )
    audio = ["-i", str(src), "-map", "1:a:0", "-c:a", "copy"] if has_audio else []
    encoder = subprocess.Popen(
        [FFMPEG, "-nostdin", "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "yuv420p", "-s", f"{width}x{height}",
         "-r", rate, "-i", "pipe:0", *audio, "-map", "0:v:0", *encoder_options, "-fps_mode", "passthrough", str(dst)],
        stdin=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    luma_size, frame_size = width * height, width * height * 3 // 2
    frames = 0
    try:
        while True:
            raw = decoder.stdout.read(frame_size)
            if len(raw) < frame_size:
                break
            frame = np.frombuffer(raw, dtype=np.uint8).copy()
            luma = frame[:luma_size].reshape(height, width)
            frame[:luma_size] = pattern.embed_luma(luma, tile).ravel()
            encoder.stdin.write(frame.tobytes())
            frames += 1
    finally:
        encoder.stdin.close()
        decoder.stdout.close()
        decoder.wait(timeout=timeout)
        stderr = encoder.stderr.read().decode("utf-8", "replace")
        encoder.wait(timeout=timeout)
    if decoder.returncode != 0 or encoder.returncode != 0 or frames == 0:
        raise WatermarkError(f"ffmpeg could not write the marked copy ({stderr.strip()[-300:] or 'no frames'}).")
    return frames


def clip_lumas(path: Path, *, max_frames: int = MAX_READ_FRAMES):
    """The luma planes (uint8 arrays) of a clip's first `max_frames` frames."""
    width, height, _rate, _audio = _probe(path)
    proc = subprocess.Popen(
        [FFMPEG, "-nostdin", "-v", "error", "-i", str(path), "-map", "0:v:0", "-frames:v", str(max_frames),
         "-f", "rawvideo", "-pix_fmt", "gray", "pipe:1"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
    )
    try:
        while True:
            raw = proc.stdout.read(width * height)
            if len(raw) < width * height:
                break
            yield np.frombuffer(raw, dtype=np.uint8).reshape(height, width)
    finally:
        proc.stdout.close()
        proc.wait(timeout=120)


def still_luma(path: Path) -> np.ndarray:
    """The luma (BT.601, as video uses) of a PNG or JPEG still."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            image.load()
            rgb = np.asarray(image.convert("RGB"), dtype=np.float32)
    except (UnidentifiedImageError, OSError) as exc:
        raise WatermarkError("The still could not be read as a PNG or JPEG image.") from exc
    return np.clip(0.299 * rgb[..., 0] + 0.587 * rgb[..., 1] + 0.114 * rgb[..., 2], 0, 255)


@dataclass(frozen=True)
class Found:
    mark_id: int | None  # None: no mark found
    bit_errors: int
    score: float  # mean |soft bit| over the noise level at the best alignment (about 1 without a mark)
    scale: float  # the scale the suspect was read at (0.5: half the marked copy's size)
    frames: int


def read_mark(lumas, *, key: pattern.Key, scales=pattern.SCALES) -> Found:
    """Fold the frames at each candidate scale in turn and decode; the first valid code word wins.

    Each frame is high-passed once (at most MAX_READ_FRAMES of them are held); each scale then only
    resamples and folds the residuals."""
    residuals = [pattern.residual(luma) for luma in lumas]
    if not residuals:
        raise WatermarkError("The file holds no picture.")
    templates = key.bit_templates()
    frames = residuals
    best = Found(mark_id=None, bit_errors=0, score=0.0, scale=1.0, frames=len(frames))
    for scale in scales:
        folded = sum(pattern.fold_residual(res, scale=scale) for res in residuals)
        reading = pattern.read_fold(folded, key, templates)
        decoded = payload.decode(reading.soft)
        if decoded is not None:
            return Found(mark_id=decoded.mark_id, bit_errors=decoded.bit_errors, score=reading.score, scale=scale, frames=len(frames))
        if reading.score > best.score:
            best = Found(mark_id=None, bit_errors=0, score=reading.score, scale=scale, frames=len(frames))
    return best
