"""The likeness scan of a media file: sample frames with ffmpeg, find faces, match them with every
registered likeness reference (rights.faces); `scan_image` does the same for one still (an
init image), `scan_image_file` for an image file (a generated still take's PNG). Nothing here writes the database; the services that
scan a version (`projects.services.scan_version_likeness`) and a take
(`generation.services.scan_take_likeness`) drive it and settle the result with rights.

Sampling: `SAMPLE_FPS` frames per second of video (2: a face on screen for half a second is seen
at least once), the first frame always, each frame scaled so that its longer side is at most
`SAMPLE_MAX_SIDE` pixels (never enlarged), decoded by ffmpeg straight to RGB24 on a pipe.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from projects import media
from rights import faces

SAMPLE_FPS = 2
SAMPLE_MAX_SIDE = 960
SCAN_TIMEOUT_S = 600


@dataclass
class ScanOutcome:
    """What one scan saw: the sampled frames, the faces found and the talent they matched."""

    seconds: float
    frames: int = 0
    faces: int = 0
    matches: dict[str, faces.FaceMatch] = field(default_factory=dict)
    elapsed_s: float = 0.0

    def summary(self) -> dict:
        return {
            "sample_fps": SAMPLE_FPS, "frames_sampled": self.frames, "faces_found": self.faces, "media_seconds": round(self.seconds, 3),
            "threshold": faces.MATCH_THRESHOLD, "model": faces.DESCRIPTOR_MODEL, "elapsed_s": round(self.elapsed_s, 3),
        }


def _sample_size(width: int, height: int) -> tuple[int, int]:
    scale = min(1.0, SAMPLE_MAX_SIDE / max(width, height))
    # Even sizes keep every pixel format happy.
    return max(2, int(width * scale) // 2 * 2), max(2, int(height * scale) // 2 * 2)


def sample_frames(path: Path, *, width: int, height: int, fps: int = SAMPLE_FPS) -> Iterator[tuple[float, np.ndarray]]:
    """(seconds, RGB frame) for `fps` frames per second of `path`, decoded on a pipe."""
    out_w, out_h = _sample_size(width, height)
    cmd = [
        media.FFMPEG, "-nostdin", "-v", "error", "-i", str(path),
        "-vf", f"fps={fps}:round=down,scale={out_w}:{out_h}", "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1",
    ]
    size = out_w * out_h * 3
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # noqa: S603
    try:
        index = 0
        while True:
            chunk = proc.stdout.read(size)
            if len(chunk) < size:
                break
            yield index / fps, np.frombuffer(chunk, dtype=np.uint8).reshape(out_h, out_w, 3)
            index += 1
        stderr = proc.stderr.read()
        if proc.wait(timeout=SCAN_TIMEOUT_S) != 0:
            raise media.MediaError(f"ffmpeg could not decode the media for the likeness scan: {media._first_error_line(stderr, path=path)}")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def scan_file(path: Path, *, references: list[faces.Reference]) -> ScanOutcome:
    """Scan `path` against `references` (rights.selectors.likeness_references)."""
    started = time.monotonic()
    info = media.probe(path)
    outcome = ScanOutcome(seconds=info.duration)
    found: list[tuple[float, np.ndarray]] = []
    for at_seconds, frame in sample_frames(path, width=info.width, height=info.height):
        outcome.frames += 1
        for face in faces.faces_in(frame):
            found.append((at_seconds, face.descriptor))
    outcome.faces = len(found)
    outcome.matches = faces.match_faces(found, references)
    outcome.elapsed_s = time.monotonic() - started
    return outcome


def scan_image(image: np.ndarray, *, references: list[faces.Reference]) -> ScanOutcome:
    """Scan one RGB still (an init image of an image-to-video render) the way a clip's frame is
    scanned: scaled to at most `SAMPLE_MAX_SIDE` on its longer side, every face matched."""
    started = time.monotonic()
    height, width = image.shape[:2]
    out_w, out_h = _sample_size(width, height)
    if (out_w, out_h) != (width, height):
        from PIL import Image

        image = np.asarray(Image.fromarray(image).resize((out_w, out_h), Image.Resampling.BILINEAR))
    outcome = ScanOutcome(seconds=0.0, frames=1)
    found = [(0.0, face.descriptor) for face in faces.faces_in(image)]
    outcome.faces = len(found)
    outcome.matches = faces.match_faces(found, references)
    outcome.elapsed_s = time.monotonic() - started
    return outcome


def scan_image_file(path: Path, *, references: list[faces.Reference]) -> ScanOutcome:
    """Scan a still image file (a generated still take's PNG) like one frame of a clip."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            frame = np.asarray(image.convert("RGB"), dtype=np.uint8)
    except (UnidentifiedImageError, OSError) as exc:
        raise media.MediaError(f"The still could not be read for the likeness scan: {exc}") from exc
    return scan_image(frame, references=references)


# -- The rules the services enforce, for `allowed_actions` (one copy) --------------------------------

def held_refusal(row) -> str | None:
    """Why a held take or version may not be published, approved or exported; None when not held."""
    if row.scan_state != "held":
        return None
    reason = (row.scan_result or {}).get("held_reason") if isinstance(row.scan_result, dict) else ""
    return reason or "Held by the likeness scan: a face matches a protected performer without consent."


def request_consent_refusal(row, *, role: str | None) -> tuple[str, str] | None:
    """(code, reason) when the caller may not send the scan's consent request for `row`; None when they may."""
    from rights.transitions import STUDIO_REQUEST_ROLES

    if row.scan_state != "held" or not (row.scan_result or {}).get("request_consent"):
        return "not_applicable", "Nothing is held for want of consent; there is no consent to request."
    if role not in STUDIO_REQUEST_ROLES:
        return "not_permitted", "Only the studio's owners, admins, producers and legal staff request consent."
    return None
