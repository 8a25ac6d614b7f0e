"""Real faces for the likeness scan's tests and benchmark, from packages (no download):

- `skimage.data.astronaut()`: a photograph of a real person (Eileen Collins);
- `skimage.data.camera()`: the "cameraman", a photograph of another real person (grey; dlib finds
  his face once the photo is enlarged, e.g. to 300 px).

`face_clip` composites a still into a clip with ffmpeg (scaled, moved, re-encoded with H.264), so
the scan sees the face as a render or an upload would show it.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
from PIL import Image


def astronaut() -> np.ndarray:
    from skimage import data

    return data.astronaut()


def cameraman() -> np.ndarray:
    from skimage import data

    return np.stack([data.camera()] * 3, axis=-1)


def save_png(image: np.ndarray, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(image).save(path)
    return path


def face_clip(path: Path, image: np.ndarray, *, size: str = "640x360", face_px: int = 256, at: tuple[int, int] = (100, 50),
              seconds: float = 2, fps: int = 24, crf: int = 23, hflip: bool = False) -> Path:
    """A `seconds`-long H.264 clip: a grey `size` background with `image` scaled to `face_px` at `at`."""
    still = save_png(image, path.with_suffix(".png"))
    flip = "hflip," if hflip else ""
    cmd = [
        "ffmpeg", "-y", "-v", "error", "-f", "lavfi", "-i", f"color=c=gray:s={size}:d={seconds}:r={fps}", "-loop", "1", "-i", str(still),
        "-filter_complex", f"[1:v]{flip}scale={face_px}:{face_px}[f];[0:v][f]overlay={at[0]}:{at[1]}", "-t", str(seconds),
        "-c:v", "libx264", "-preset", "veryfast", "-crf", str(crf), "-pix_fmt", "yuv420p", str(path),
    ]
    subprocess.run(cmd, check=True)
    return path


def no_face_clip(path: Path, *, size: str = "640x360", seconds: float = 2, fps: int = 24) -> Path:
    """ffmpeg's testsrc2 pattern: colour bars and a counter, no face."""
    cmd = ["ffmpeg", "-y", "-v", "error", "-f", "lavfi", "-i", f"testsrc2=s={size}:r={fps}:d={seconds}",
           "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", str(path)]
    subprocess.run(cmd, check=True)
    return path


def face_frames(image: np.ndarray, *, frames: int, side: int = 256) -> np.ndarray:
    """`frames` RGB frames of `image` scaled to `side` px (a render that shows the face), for takes."""
    still = np.asarray(Image.fromarray(image).resize((side, side)))
    return np.repeat(still[None], frames, axis=0).copy()
