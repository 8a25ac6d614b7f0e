"""Benchmark: the shot list, one shot with its version stack, and posting a comment.

Seeds a throwaway studio with one project of 2,000 shots and 6,000 versions (bulk inserts) in the
configured database, then drives the real HTTP stack in-process (Django's test Client: middleware,
token authentication, URL routing, DRF, serializers, PostgreSQL) and prints p50/p95 latencies.

Everything happens inside one transaction that is rolled back at the end, so the database is left
exactly as it was (the audit log is append-only, so committed bench rows could never be removed).
Consequence for the figures: a comment's COMMIT (one WAL flush) is not included.

    .venv/bin/python tests/bench/bench_projects.py            # or: make bench
    BENCH_SHOTS=2000 BENCH_VERSIONS_PER_SHOT=3 BENCH_ROUNDS=40 .venv/bin/python tests/bench/bench_projects.py
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studio.settings")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, reset_queries, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from projects.models import Comment, Project, Sequence, Shot, Version  # noqa: E402
from studio.tenancy import services as tenancy_services  # noqa: E402
from studio.tenancy.models import Membership, Organization, Role, User  # noqa: E402

SHOTS = int(os.environ.get("BENCH_SHOTS", 2000))
VERSIONS_PER_SHOT = int(os.environ.get("BENCH_VERSIONS_PER_SHOT", 3))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", 40))
FULL_ROUNDS = int(os.environ.get("BENCH_FULL_ROUNDS", 12))
SHOTS_PER_SEQUENCE = 100


class Rollback(Exception):
    pass


def seed() -> dict:
    tag = uuid.uuid4().hex[:8]
    org = Organization.objects.create(slug=f"bench-{tag}", name=f"Bench {tag}", kind=Organization.Kind.STUDIO)
    producer = User.objects.create_user(email=f"producer-{tag}@bench.test", password=None, display_name="Bench Producer")
    Membership.objects.create(user=producer, organization=org, role=Role.PRODUCER)
    artists = [User.objects.create_user(email=f"artist{i}-{tag}@bench.test", password=None) for i in range(5)]
    Membership.objects.bulk_create([Membership(user=a, organization=org, role=Role.ARTIST) for a in artists])
    project = Project.objects.create(organization=org, name="Bench", code="BN", required_lanes=["producer"])
    sequences = Sequence.objects.bulk_create(
        [
            Sequence(project=project, code=f"BN_{(i + 1) * 10:03d}", order=i)
            for i in range((SHOTS + SHOTS_PER_SEQUENCE - 1) // SHOTS_PER_SEQUENCE)
        ]
    )
    statuses = [s for s in Shot.Status.values if s != "final"]
    shots = Shot.objects.bulk_create(
        [
            Shot(
                project=project,
                sequence=sequences[i // SHOTS_PER_SEQUENCE],
                code=f"{sequences[i // SHOTS_PER_SEQUENCE].code}_{(i % SHOTS_PER_SEQUENCE + 1) * 10:04d}",
                order=i % SHOTS_PER_SEQUENCE,
                description=f"Shot {i}: a description of what happens",
                prompt_notes="wide, dusk",
                frame_in=1001,
                frame_out=1048,
                status=statuses[i % len(statuses)],
                next_version_number=VERSIONS_PER_SHOT + 1,
            )
            for i in range(SHOTS)
        ],
        batch_size=1000,
    )
    versions = Version.objects.bulk_create(
        [
            Version(
                project=project,
                shot=shot,
                number=n,
                source="generation" if n % 2 else "upload",
                frame_count=48,
                first_frame=1001,
                fps_num=24,
                fps_den=1,
                width=1920,
                height=1080,
                processing_status="ready",
                poster=f"versions/{project.id}/{uuid.uuid4()}/review/poster.jpg",
                lineage={"prompt": "dusk", "seed": n},
            )
            for shot in shots
            for n in range(1, VERSIONS_PER_SHOT + 1)
        ],
        batch_size=2000,
    )
    latest = {v.shot_id: v for v in versions if v.number == VERSIONS_PER_SHOT}
    for shot in shots:
        shot.current_version = latest[shot.id]
    Shot.objects.bulk_update(shots, ["current_version"], batch_size=1000)
    Shot.assignees.through.objects.bulk_create(
        [
            Shot.assignees.through(shot_id=shot.id, user_id=artists[(i + k) % len(artists)].id)
            for i, shot in enumerate(shots)
            for k in range(2)
        ],
        batch_size=2000,
    )
    Comment.objects.bulk_create(
        [Comment(project=project, version=v, author=producer, body="note", frame=1001 + (i % 48)) for i, v in enumerate(latest.values())],
        batch_size=2000,
    )
    _, key = tenancy_services.create_token(user=producer, name="bench")
    # Fresh planner statistics, as autovacuum would have them on a live database (these rows are
    # uncommitted, so autovacuum cannot see them; without this the planner assumes empty tables).
    tables = [m._meta.db_table for m in (Shot, Version, Sequence, Comment, Project, Membership)] + [Shot.assignees.through._meta.db_table]
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE " + ", ".join(tables))
    return {"project": project, "shots": shots, "versions": list(latest.values()), "key": key}


def measure(label: str, rounds: int, call) -> dict:
    timings, queries = [], []
    call()  # warm-up
    for _ in range(rounds):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            call()
            timings.append((time.perf_counter() - started) * 1000)
        queries.append(len(captured.captured_queries))
    timings.sort()
    p95 = timings[min(len(timings) - 1, int(round(0.95 * len(timings))) - 1)]
    row = {
        "label": label,
        "n": rounds,
        "p50": statistics.median(timings),
        "p95": p95,
        "mean": statistics.fmean(timings),
        "queries": max(queries),
    }
    print(
        f"  {label:<44} n={rounds:<3} p50={row['p50']:8.1f} ms   p95={row['p95']:8.1f} ms   "
        f"mean={row['mean']:8.1f} ms   queries={row['queries']}",
        flush=True,
    )
    return row


def main() -> int:
    db = settings.DATABASES["default"]
    print(
        f"bench_projects: {SHOTS} shots x {VERSIONS_PER_SHOT} versions in database '{db['NAME']}' "
        f"(one transaction, rolled back); {os.cpu_count()} CPUs",
        flush=True,
    )
    results = []
    try:
        with transaction.atomic():
            started = time.perf_counter()
            data = seed()
            print(
                f"  seeded {len(data['shots'])} shots and {len(data['shots']) * VERSIONS_PER_SHOT} versions "
                f"in {time.perf_counter() - started:.1f} s",
                flush=True,
            )
            client = Client(HTTP_AUTHORIZATION=f"Token {data['key']}")
            project = data["project"]
            rng = random.Random(7)
            shots_url = f"/api/v1/projects/{project.id}/shots/"

            def ok(response, status=200):
                if response.status_code != status:
                    raise SystemExit(f"unexpected {response.status_code}: {response.content[:300]!r}")
                return response

            def page():
                number = rng.randint(1, max(1, SHOTS // 100))
                ok(client.get(shots_url, {"page": number}))

            def full():
                response = ok(client.get(shots_url, {"page_size": "all"}))
                assert response.json()["count"] == SHOTS

            def one_shot():
                shot = rng.choice(data["shots"])
                body = ok(client.get(f"/api/v1/shots/{shot.id}/")).json()
                assert len(body["versions"]) == VERSIONS_PER_SHOT

            def comment():
                version = rng.choice(data["versions"])
                ok(
                    client.post(
                        f"/api/v1/versions/{version.id}/comments/",
                        {"frame": 1001 + rng.randint(0, 47), "body": "bench note"},
                        content_type="application/json",
                    ),
                    201,
                )

            reset_queries()
            results.append(measure("shot list, paginated (100 per page)", ROUNDS, page))
            results.append(measure(f"shot list, full ({SHOTS} shots, page_size=all)", FULL_ROUNDS, full))
            results.append(measure(f"one shot with its version stack ({VERSIONS_PER_SHOT})", ROUNDS, one_shot))
            results.append(measure("post a comment", ROUNDS, comment))
            raise Rollback
    except Rollback:
        pass
    leftover = Organization.objects.filter(slug__startswith="bench-").count()
    print(f"  rolled back; bench organizations left in the database: {leftover}", flush=True)
    return 0 if results else 1


if __name__ == "__main__":
    raise SystemExit(main())
