"""Share links: what burning a viewer's watermark into a review proxy costs (projects.media.burn_watermark,
ffmpeg `drawtext`, the work of the `render_share_copy` task on the media queue) — how long a guest
sees "preparing". For proxies built the way the media queue builds them (H.264, 24 fps), median
wall time over `--runs`, and the copy's size against the proxy's. No database.

    .venv/bin/python tests/bench/bench_sharing.py [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studio.settings")

CLIPS = [("320x180, 2 s", "320x180", 2), ("1280x720, 5 s", "1280x720", 5), ("1920x1080, 10 s", "1920x1080", 10)]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    import django

    django.setup()
    from projects import media

    print(f"{'clip':<18} {'watermark (median s)':>22} {'proxy MB':>10} {'copy MB':>10}")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        text = root / "watermark.txt"
        text.write_text("Greta Guest · 2026-12-02 18:29 UTC", encoding="utf-8")
        for label, size, seconds in CLIPS:
            src = root / f"{size}.mp4"
            subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", f"testsrc2=size={size}:rate=24:duration={seconds}",
                            "-pix_fmt", "yuv420p", "-c:v", "libx264", "-preset", "veryfast", str(src)], check=True)
            info = media.probe(src)
            proxy = root / f"{size}-proxy.mp4"
            media.build_proxy(src, proxy, info=info)
            proxy_info = media.probe(proxy)
            times = []
            for run in range(args.runs):
                dst = root / f"{size}-marked-{run}.mp4"
                start = time.perf_counter()
                media.burn_watermark(proxy, dst, text_file=text, info=proxy_info)
                times.append(time.perf_counter() - start)
            print(f"{label:<18} {statistics.median(times):>22.2f} {proxy.stat().st_size / 1e6:>10.2f} {dst.stat().st_size / 1e6:>10.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
