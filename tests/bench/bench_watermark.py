"""Forensic watermark: survival, visual cost and speed (studio/watermark, as projects/services/watermarks.py uses it).

For synthetic clips made with ffmpeg (testsrc2: flat colour fields and sharp edges, the hard case for a
luma mark; mandelbrot: texture), it makes the review proxy (projects/media.py settings), marks it with
the proxy's encoder settings, then attacks the marked copy and reads it back with the trace reader
(every scale in studio.watermark.pattern.SCALES, as "Trace a frame" does):

- H.264 re-encodes at CRF 28 and 35, and at 500 kbit/s and 250 kbit/s;
- a half-size scale (CRF 23), and a half-size scale at 250 kbit/s;
- a screenshot: one frame cropped to 80 % (off-centre) saved as PNG and as JPEG (quality ~75), and one
  cropped to 50 % saved as PNG.

Per attack: the id read back (ok / none / WRONG), bit errors corrected, confidence. Also PSNR of the
marked copy against the unmarked proxy (luma), marking speed (frames/s), and false alarms on the
unmarked proxy and an unmarked still. No database.

    .venv/bin/python tests/bench/bench_watermark.py [--frames 48]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studio.settings")

SOURCES = [("testsrc2 1280x720", "testsrc2=size=1280x720:rate=24"), ("mandelbrot 1280x720", "mandelbrot=size=1280x720:rate=24")]
MARK_ID = 0x2F1C_0A5B
CROP80 = r"crop=iw*0.8:ih*0.8:iw*0.13:ih*0.07"
ATTACKS = [
    ("H.264 CRF 28", "clip", ["-c:v", "libx264", "-crf", "28"]),
    ("H.264 CRF 35", "clip", ["-c:v", "libx264", "-crf", "35"]),
    ("H.264 500 kbit/s", "clip", ["-c:v", "libx264", "-b:v", "500k"]),
    ("H.264 250 kbit/s", "clip", ["-c:v", "libx264", "-b:v", "250k"]),
    ("half size (CRF 23)", "clip", ["-vf", "scale=iw/2:-2", "-c:v", "libx264", "-crf", "23"]),
    ("half size, 250 kbit/s", "clip", ["-vf", "scale=iw/2:-2", "-c:v", "libx264", "-b:v", "250k"]),
    ("screenshot 80 % crop, PNG", "png", ["-vf", rf"select=eq(n\,12),{CROP80}", "-frames:v", "1"]),
    ("screenshot 80 % crop, JPEG q75", "jpg", ["-vf", rf"select=eq(n\,12),{CROP80}", "-frames:v", "1", "-q:v", "5"]),
    ("screenshot 50 % crop, PNG", "png", ["-vf", r"select=eq(n\,12),crop=iw*0.5:ih*0.5:iw*0.3:ih*0.2", "-frames:v", "1"]),
]


def ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-y", *args], check=True)


def lumas(path: Path):
    from studio.watermark import video

    return [video.still_luma(path)] if path.suffix in (".png", ".jpg") else video.clip_lumas(path)


def psnr(a: Path, b: Path) -> float:
    from studio.watermark import video

    pairs = zip(video.clip_lumas(a, max_frames=10_000), video.clip_lumas(b, max_frames=10_000), strict=False)
    errors = [np.mean((x.astype(np.float64) - y.astype(np.float64)) ** 2) for x, y in pairs]
    return 10 * np.log10(255.0**2 / max(float(np.mean(errors)), 1e-9))


def _outcome(found) -> str:
    if found.mark_id is None:
        return "none"
    return "ok" if found.mark_id == MARK_ID else "WRONG"


def bench_source(name: str, lavfi: str, *, frames: int, work: Path) -> None:
    from projects import media
    from projects.services.watermarks import encoder_options
    from studio.watermark import Key, video

    key = Key.from_secret(b"bench-key")
    source = work / "source.mp4"
    ffmpeg("-f", "lavfi", "-i", lavfi, "-frames:v", str(frames), "-pix_fmt", "yuv420p", "-c:v", "libx264", "-crf", "12", str(source))
    proxy = work / "proxy.mp4"
    media.build_proxy(source, proxy, info=media.probe(source))
    marked = work / "marked.mp4"
    started = time.perf_counter()
    count = video.mark_video(proxy, marked, mark_id=MARK_ID, key=key, encoder_options=encoder_options())
    elapsed = time.perf_counter() - started
    print(f"\n{name}, {frames} frames: marked at {count / elapsed:.1f} frames/s; PSNR (luma) marked vs unmarked proxy "
          f"{psnr(proxy, marked):.1f} dB; size {marked.stat().st_size / proxy.stat().st_size:.2f}x the proxy")
    print(f"| {'attack':32} | read | bit errors | confidence | scale | read time |")
    print(f"|{'-' * 34}|------|------------|------------|-------|-----------|")
    rows = [("none (the marked copy)", marked), *[(label, None) for label, _, _ in ATTACKS]]
    for (label, path), attack in zip(rows, [None, *ATTACKS], strict=True):
        if attack is not None:
            path = work / f"attack.{attack[1] if attack[1] != 'clip' else 'mp4'}"
            ffmpeg("-i", str(marked), *attack[2], str(path))
        started = time.perf_counter()
        found = video.read_mark(lumas(path), key=key)
        took = time.perf_counter() - started
        print(f"| {label:32} | {_outcome(found):4} | {found.bit_errors:10} | {found.score:10.2f} | {found.scale:5.2f} | {took:7.1f} s |")
    still = work / "clean.png"
    ffmpeg("-i", str(proxy), "-vf", r"select=eq(n\,12)", "-frames:v", "1", str(still))
    for label, path in (("unmarked proxy", proxy), ("unmarked still", still)):
        found = video.read_mark(lumas(path), key=key)
        print(f"false alarm check, {label}: {'none (correct)' if found.mark_id is None else 'FALSE ALARM'} "
              f"(confidence {found.score:.2f})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--frames", type=int, default=48)
    args = parser.parse_args()
    import django

    django.setup()
    for name, lavfi in SOURCES:
        with tempfile.TemporaryDirectory(prefix="gl-bench-wm-") as work:
            bench_source(name, lavfi, frames=args.frames, work=Path(work))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
