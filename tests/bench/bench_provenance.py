"""Content Credentials: what signing and verifying a file costs (studio.provenance, the real c2pa library).

For a few MP4s made with ffmpeg (H.264, 24 fps), it times: issuing an organization's certificate
from the CA (first use), signing the file with a Greenlight-style manifest (ES256, no timestamp
authority), and verifying it (read + validate against the Greenlight CA), median over `--runs`.
Also the file's growth (the embedded manifest). No database: the CA and certificates go to a
throwaway PROVENANCE_DIR.

    .venv/bin/python tests/bench/bench_provenance.py [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studio.settings")

CLIPS = [("320x180, 2 s", "320x180", 2), ("1280x720, 5 s", "1280x720", 5), ("1920x1080, 10 s", "1920x1080", 10)]


def _clip(path: Path, size: str, seconds: int) -> Path:
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", f"testsrc2=size={size}:rate=24:duration={seconds}",
                    "-pix_fmt", "yuv420p", "-c:v", "libx264", "-preset", "veryfast", str(path)], check=True)
    return path


def _manifest(title: str) -> dict:
    from studio import provenance

    return {
        "claim_generator_info": [{"name": "Greenlight", "version": "1.0"}], "title": title, "format": "video/mp4",
        "assertions": [
            {"label": "c2pa.actions.v2", "data": {"actions": [{
                "action": provenance.CREATED, "digitalSourceType": provenance.TRAINED_ALGORITHMIC_MEDIA,
                "softwareAgent": {"name": "bench-model", "version": "1"}, "parameters": {"seed": 1, "prompt_sha256": "0" * 64}}]}},
            {"label": "com.greenlight.provenance", "data": {"credential_id": str(uuid.uuid4()), "consent_grant_ids": [str(uuid.uuid4())]}},
        ],
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="gl-bench-prov-") as tmp:
        os.environ["PROVENANCE_DIR"] = str(Path(tmp) / "prov")
        os.environ.setdefault("DATA_DIR", str(Path(tmp) / "data"))
        import django

        django.setup()
        from studio import provenance

        started = time.perf_counter()
        provenance.ensure_ca()
        ca_ms = (time.perf_counter() - started) * 1000
        started = time.perf_counter()
        creds = provenance.credentials_for(organization_id=uuid.uuid4(), organization_name="Bench Pictures")
        issue_ms = (time.perf_counter() - started) * 1000
        print(f"CA created in {ca_ms:.1f} ms; an organization's certificate issued in {issue_ms:.1f} ms")
        print("| clip | size | signed size | sign p50 | verify p50 |")
        print("|---|---|---|---|---|")
        for label, size, seconds in CLIPS:
            source = _clip(Path(tmp) / f"{size}.mp4", size, seconds)
            signs, verifies = [], []
            out = Path(tmp) / f"signed-{size}.mp4"
            for _ in range(args.runs):
                started = time.perf_counter()
                provenance.sign_file(source=source, destination=out, manifest=_manifest(out.name), credentials=creds,
                                     media_type="video/mp4")
                signs.append(time.perf_counter() - started)
                started = time.perf_counter()
                with open(out, "rb") as fh:
                    result = provenance.verify_stream(fh, name=out.name)
                verifies.append(time.perf_counter() - started)
                assert result.state == "trusted", result
            print(f"| {label} | {source.stat().st_size / 1e6:.2f} MB | +{out.stat().st_size - source.stat().st_size:,} B "
                  f"| {statistics.median(signs) * 1000:.1f} ms | {statistics.median(verifies) * 1000:.1f} ms |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
