"""Benchmark: media on the two storage backends — the local folder and an S3 bucket (a real
SeaweedFS started here, as in the tests).

- **upload → ready**: a version upload through the API (multipart POST: Django's upload handling,
  the service storing the original in the backend), then the media task's work in this process
  (`process_version_media`: the original fetched to scratch when it is in a bucket, ffprobe, proxy,
  poster, sprite, three results stored);
- **player start**: the time to the first byte of the player's first Range request (`bytes=0-`) on
  the URL the browser is handed, `/api/v1/versions/{id}/media/proxy/`: on the local backend the web
  process answers it itself; on S3 it answers 302 with a presigned URL (permission check, signing)
  and the browser asks the store — both legs are in the figure, each play on a new connection
  (`http.client`, no client set-up in the figure).

Everything runs inside one rolled-back transaction (the audit log is append-only); the stored files
go with a temporary folder and a throwaway bucket prefix.

    .venv/bin/python tests/bench/bench_storage.py       # or: make bench
    BENCH_UPLOADS=3 BENCH_PLAYS=30 BENCH_CLIP=1280x720x96 .venv/bin/python tests/bench/bench_storage.py
"""

from __future__ import annotations

import http.client
import os
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studio.settings")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import transaction  # noqa: E402
from django.test import Client, override_settings  # noqa: E402

from projects import media, services  # noqa: E402
from projects.models import Project, Shot  # noqa: E402
from studio.storage.config import storages_from_env  # noqa: E402
from studio.tenancy import services as tenancy_services  # noqa: E402
from studio.tenancy.models import Membership, Organization, Role, User  # noqa: E402
from tests.support.seaweed import SeaweedS3  # noqa: E402

UPLOADS = int(os.environ.get("BENCH_UPLOADS", 3))
PLAYS = int(os.environ.get("BENCH_PLAYS", 30))
WIDTH, HEIGHT, FRAMES = (int(x) for x in os.environ.get("BENCH_CLIP", "1280x720x96").split("x"))


class Rollback(Exception):
    pass


def seed() -> tuple[Shot, str]:
    tag = uuid.uuid4().hex[:8]
    org = Organization.objects.create(slug=f"bench-st-{tag}", name=f"Bench storage {tag}", kind=Organization.Kind.STUDIO)
    artist = User.objects.create_user(email=f"artist-{tag}@bench.test", password=None)
    Membership.objects.create(user=artist, organization=org, role=Role.ARTIST)
    project = Project.objects.create(organization=org, name="Bench storage", code="BS", required_lanes=["producer"])
    shot = Shot.objects.create(project=project, code="BS_010_0010", frame_in=1001, frame_out=1000 + FRAMES)
    _, key = tenancy_services.create_token(user=artist, name="bench")
    return shot, key


def upload_to_ready(client: Client, shot: Shot, clip: Path) -> tuple[float, str]:
    started = time.perf_counter()
    with open(clip, "rb") as handle:
        response = client.post(f"/api/v1/shots/{shot.id}/versions/", {"file": handle})
    assert response.status_code == 201, response.content[:300]
    version = services.process_version_media(version_id=response.json()["id"])
    assert version.processing_status == "ready", version.failure_reason
    return time.perf_counter() - started, str(version.id)


def player_start(client: Client, version_id: str) -> tuple[float, float]:
    """(seconds from asking the media URL to the first byte of the proxy, following a redirect like a
    browser; seconds of that spent in the web process's answer)."""
    started = time.perf_counter()
    response = client.get(f"/api/v1/versions/{version_id}/media/proxy/", HTTP_RANGE="bytes=0-")
    answered = time.perf_counter() - started
    if response.status_code == 302:
        target = urlsplit(response["Location"])
        store = http.client.HTTPConnection(target.hostname, target.port, timeout=10)  # a new connection, as a first play
        try:
            store.request("GET", f"{target.path}?{target.query}", headers={"Range": "bytes=0-"})
            answer = store.getresponse()
            assert answer.status == 206, answer.status
            answer.read(1)
        finally:
            store.close()
    else:
        assert response.status_code == 206, response.status_code
        next(iter(response.streaming_content))
        answered = time.perf_counter() - started
    return time.perf_counter() - started, answered


def ms(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return 1000 * ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def run_backend(name: str, client: Client, shot: Shot, clip: Path) -> dict:
    ready, ids = [], []
    for _ in range(UPLOADS):
        seconds, version_id = upload_to_ready(client, shot, clip)
        ready.append(seconds)
        ids.append(version_id)
    player_start(client, ids[0])  # warm-up: connections, the first signing
    timed = [player_start(client, ids[i % len(ids)]) for i in range(PLAYS)]
    return {"backend": name, "ready": ready, "plays": [t for t, _ in timed], "web": [w for _, w in timed]}


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="gl-bench-storage-"))
    clip = media.make_test_clip(work / "plate.mp4", frames=FRAMES, fps="24/1", size=f"{WIDTH}x{HEIGHT}")
    size_mb = clip.stat().st_size / 1e6
    print(f"clip: {WIDTH}x{HEIGHT}, {FRAMES} frames at 24 fps, {size_mb:.1f} MB; {UPLOADS} uploads and {PLAYS} plays per backend")
    results = []
    with SeaweedS3(root=work / "seaweed") as s3:
        backends = {
            "local": storages_from_env({}, expire=settings.MEDIA_URL_EXPIRES_SECONDS),
            "s3 (SeaweedFS)": storages_from_env({"STORAGE_URL": s3.storage_url_for(f"bench-{uuid.uuid4().hex[:8]}")},
                                                expire=settings.MEDIA_URL_EXPIRES_SECONDS),
        }
        try:
            with transaction.atomic():
                shot, key = seed()
                client = Client(HTTP_AUTHORIZATION=f"Token {key}")
                for name, storages in backends.items():
                    with override_settings(STORAGES=storages, MEDIA_ROOT=str(work / "media"), DATA_DIR=str(work)):
                        results.append(run_backend(name, client, shot, clip))
                raise Rollback
        except Rollback:
            pass
    shutil.rmtree(work, ignore_errors=True)
    print(f"\n{'backend':<16} {'upload→ready p50':>17} {'max':>8} {'player start p50':>17} {'p95':>8} {'of it web p50':>14}")
    for r in results:
        print(f"{r['backend']:<16} {statistics.median(r['ready']) * 1000:>14.0f} ms {max(r['ready']) * 1000:>5.0f} ms "
              f"{ms(r['plays'], 0.5):>14.1f} ms {ms(r['plays'], 0.95):>5.1f} ms {ms(r['web'], 0.5):>11.1f} ms")


if __name__ == "__main__":
    main()
