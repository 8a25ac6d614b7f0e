"""Benchmark: the likeness scan (projects/likeness_scan.py, rights/faces.py) — scan time per second
of video, and the distance table behind the match threshold.

Clips are made with ffmpeg from real photographs that ship in scikit-image (the astronaut, Eileen
Collins; the cameraman, another person) and from ffmpeg's testsrc2 pattern (no face). Prints:

1. per clip (resolution, content): frames sampled, faces found, scan seconds, scan seconds per
   second of video (one process, OMP_NUM_THREADS=1), against 1 and 1,000 registered references;
2. the time to compute a reference descriptor at upload;
3. the Euclidean distance of each clip's faces to the astronaut's reference: the same person after
   scaling, re-encoding (CRF 23/35), mirroring and cropping, and a different person.

No database is needed.

    .venv/bin/python tests/bench/bench_likeness_scan.py     # or: make bench (runs every bench_*.py)
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studio.settings")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402

from projects import likeness_scan, media  # noqa: E402
from rights import faces  # noqa: E402
from tests.support import faces as real  # noqa: E402

SECONDS = 4


def clips(folder: Path) -> list[tuple[str, Path]]:
    a, cam = real.astronaut(), real.cameraman()
    return [
        ("640x360 astronaut 256px crf23", real.face_clip(folder / "a360.mp4", a, seconds=SECONDS)),
        ("1280x720 astronaut 360px crf35", real.face_clip(folder / "a720.mp4", a, size="1280x720", face_px=360, crf=35, seconds=SECONDS)),
        ("1920x1080 astronaut 480px crf23", real.face_clip(folder / "a1080.mp4", a, size="1920x1080", face_px=480, at=(700, 200),
                                                           seconds=SECONDS)),
        ("640x360 astronaut mirrored 300px", real.face_clip(folder / "aflip.mp4", a, face_px=300, hflip=True, seconds=SECONDS)),
        ("640x360 astronaut 128px (small)", real.face_clip(folder / "asmall.mp4", a, face_px=128, seconds=SECONDS)),
        ("640x360 cameraman 300px (other person)", real.face_clip(folder / "cam.mp4", cam, face_px=300, seconds=SECONDS)),
        ("1280x720 testsrc2 (no face)", real.no_face_clip(folder / "bars.mp4", size="1280x720", seconds=SECONDS)),
    ]


def distances(path: Path, reference: np.ndarray) -> list[float]:
    info = media.probe(path)
    out = []
    for _t, frame in likeness_scan.sample_frames(path, width=info.width, height=info.height):
        out += [float(np.linalg.norm(f.descriptor - reference)) for f in faces.faces_in(frame)]
    return out


def main() -> None:
    astronaut = real.astronaut()
    faces.faces_in(astronaut[:64, :64])  # load the models once (not counted)
    started = time.perf_counter()
    descriptor = faces.reference_descriptor(astronaut)
    print(f"reference descriptor (512x512 photo): {time.perf_counter() - started:.3f} s")
    reference = np.asarray(descriptor)
    one = faces.as_references([("astronaut", "a", descriptor)])
    rng = np.random.default_rng(7)
    crowd = one + faces.as_references(
        [(f"t{i}", f"a{i}", list(rng.normal(0, 0.09, 128) + reference)) for i in range(999)]  # near, but not the same
    )
    print(f"sampling {likeness_scan.SAMPLE_FPS} frames/s, longer side ≤ {likeness_scan.SAMPLE_MAX_SIDE} px, "
          f"dlib HOG upsample {faces.UPSAMPLE}, threshold {faces.MATCH_THRESHOLD}\n")
    header = f"{'clip':40s} {'frames':>6s} {'faces':>5s} {'scan s':>7s} {'s per s':>7s} {'1000 refs s':>11s}  {'distance min–max':>17s}"
    print(header)
    print("-" * len(header))
    with tempfile.TemporaryDirectory() as tmp:
        for label, path in clips(Path(tmp)):
            outcome = likeness_scan.scan_file(path, references=one)
            many = likeness_scan.scan_file(path, references=crowd)
            found = distances(path, reference)
            span = f"{min(found):.3f}–{max(found):.3f}" if found else "no face"
            print(f"{label:40s} {outcome.frames:6d} {outcome.faces:5d} {outcome.elapsed_s:7.2f} "
                  f"{outcome.elapsed_s / outcome.seconds:7.2f} {many.elapsed_s:11.2f}  {span:>17s}")


if __name__ == "__main__":
    main()
