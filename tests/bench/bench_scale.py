"""Benchmark (issue 17, "speed at production scale"): the shot list and the other hot paths of a show.

    .venv/bin/python tests/bench/bench_scale.py            # or: make bench
    BENCH_SHOTS=2000 BENCH_ROUNDS=30 BENCH_LOAD_SECONDS=20 .venv/bin/python tests/bench/bench_scale.py
    BENCH_ONLY=notes,uses .venv/bin/python tests/bench/bench_scale.py     # only some parts (list, kept, server, notes, audit, uses)

It builds everything itself, in the configured database:
1. a committed project of 2,000 shots in 20 sequences (3 versions each, 2 assignees, a note on each
   current version), deleted again at the end: server time in-process (Django's test Client: every
   middleware, token auth, routing, view, PostgreSQL; no network) for the full shot list as the
   browser asks for it (`page_size=all`, with and without gzip), one page of 100, a revisit with
   If-None-Match (304) and the sequences list, each with its query count; then a real web process
   (uvicorn, as in the Procfile) with 1 and with 8 concurrent clients asking for the full list
   (requests/s, p50, p99);
   then (part `kept`, tests/bench/scale_kept_rows.py) the full list with the studio rows kept against
   every row built, alternating, and the list statement's EXPLAIN ANALYZE both ways;
2. in one transaction rolled back at the end (the audit log is append-only): a version with 200
   notes (each with a drawing and a reply), an organization's audit list with 100,000 events paged
   by cursor (first page, a page 90,000 events deep, and the numbered page at the same depth for
   comparison), and an agency's likeness-use queue with 10,000 uses.
Figures print as median (p50) and p90 in milliseconds.
"""

from __future__ import annotations

import os
import statistics
import sys
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studio.settings")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.db.models import F  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from projects.models import Annotation, Comment, Project, Sequence, Shot, Version  # noqa: E402
from studio.realtime.models import EventCounter  # noqa: E402
from studio.tenancy.models import ApiToken, Membership, Organization, Role, User  # noqa: E402
from studio.tenancy.services import hash_token_key  # noqa: E402

SHOTS = int(os.environ.get("BENCH_SHOTS", 2000))
SEQUENCES = int(os.environ.get("BENCH_SEQUENCES", 20))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", 30))
LOAD_SECONDS = float(os.environ.get("BENCH_LOAD_SECONDS", 20))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", 8))
NOTES = int(os.environ.get("BENCH_NOTES", 200))
AUDIT_EVENTS = int(os.environ.get("BENCH_AUDIT_EVENTS", 100_000))
USES = int(os.environ.get("BENCH_USES", 10_000))
GZIP = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br"}  # as browsers send it: answered with brotli
# BENCH_ONLY=list,kept,server,notes,audit,uses: run only these parts (default: all).
ONLY = {part.strip() for part in os.environ.get("BENCH_ONLY", "list,kept,server,notes,audit,uses").split(",")}
# BENCH_BASELINE=1: run against a checkout from before issue 17 (no 304s there: a revisit is a 200).
BASELINE = os.environ.get("BENCH_BASELINE") == "1"


class Rollback(Exception):
    pass


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def report(label: str, timings: list[float], queries: int | None = None, extra: str = "") -> None:
    q = f"   queries={queries}" if queries is not None else ""
    print(f"  {label:<58} n={len(timings):<4} p50={statistics.median(timings):8.1f} ms   p90={percentile(timings, 0.9):8.1f} ms{q}{extra}",
          flush=True)


def measure(label: str, call, *, rounds: int = ROUNDS, status: int = 200, prepare=None) -> None:
    """`prepare`, when given, runs before each round, untimed (e.g. a change to the project)."""
    timings, queries = [], []
    call()  # warm-up
    for _ in range(rounds):
        if prepare is not None:
            prepare()
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = call()
            timings.append((time.perf_counter() - started) * 1000)
        if response.status_code != status:
            raise SystemExit(f"{label}: unexpected {response.status_code}: {response.content[:300]!r}")
        queries.append(len(captured.captured_queries))
    size = len(response.content)
    report(label, timings, max(queries), f"   body={size / 1024:.0f} KiB")


# ---------------------------------------------------------------- the 2,000-shot project (committed)

def seed_show(tag: str) -> dict:
    org = Organization.objects.create(slug=f"bench-scale-{tag}", name=f"Bench scale {tag}", kind=Organization.Kind.STUDIO)
    producer = User.objects.create_user(email=f"producer-{tag}@bench.invalid", password=None, display_name="Bench Producer")
    Membership.objects.create(user=producer, organization=org, role=Role.PRODUCER)
    artists = [User.objects.create_user(email=f"artist{i}-{tag}@bench.invalid", password=None, display_name=f"Artist {i}")
               for i in range(5)]
    Membership.objects.bulk_create([Membership(user=a, organization=org, role=Role.ARTIST) for a in artists])
    project = Project.objects.create(organization=org, name="Scale bench", code=f"SB{tag[:6]}", required_lanes=["producer"])
    per_sequence = -(-SHOTS // SEQUENCES)
    sequences = Sequence.objects.bulk_create([Sequence(project=project, code=f"SB_{(i + 1) * 10:03d}", order=i) for i in range(SEQUENCES)])
    statuses = [s for s in Shot.Status.values if s != "final"]
    shots = Shot.objects.bulk_create(
        [
            Shot(project=project, sequence=sequences[i // per_sequence],
                 code=f"{sequences[i // per_sequence].code}_{(i % per_sequence + 1) * 10:04d}",
                 order=i % per_sequence, description=f"Shot {i}: what happens in it", prompt_notes="wide, dusk", frame_in=1001,
                 frame_out=1048, status=statuses[i % len(statuses)], next_version_number=4)
            for i in range(SHOTS)
        ],
        batch_size=1000,
    )
    versions = Version.objects.bulk_create(
        [
            Version(project=project, shot=shot, number=n, source="generation" if n % 2 else "upload", frame_count=48, first_frame=1001,
                    fps_num=24, fps_den=1, width=1920, height=1080, processing_status="ready",
                    poster=f"versions/{project.id}/{uuid.uuid4()}/review/poster.jpg", lineage={"prompt": "dusk", "seed": n})
            for shot in shots
            for n in (1, 2, 3)
        ],
        batch_size=2000,
    )
    current = {v.shot_id: v for v in versions if v.number == 3}
    for shot in shots:
        shot.current_version = current[shot.id]
    Shot.objects.bulk_update(shots, ["current_version"], batch_size=1000)
    Shot.assignees.through.objects.bulk_create(
        [Shot.assignees.through(shot_id=shot.id, user_id=artists[(i + k) % 5].id) for i, shot in enumerate(shots) for k in range(2)],
        batch_size=2000,
    )
    Comment.objects.bulk_create([Comment(project=project, version=v, author=producer, body="note", frame=1001) for v in current.values()],
                                batch_size=2000)
    key = f"glt_bench_{uuid.uuid4().hex}"
    ApiToken.objects.create(user=producer, name="bench", prefix=key[:12], key_hash=hash_token_key(key))
    with connection.cursor() as cursor:
        tables = (Shot, Version, Sequence, Comment, Membership, Shot.assignees.through)
        cursor.execute("ANALYZE " + ", ".join(m._meta.db_table for m in tables))
    return {"org": org, "users": [producer, *artists], "project": project, "key": key, "shots": shots}


def drop_show(show: dict) -> None:
    Project.objects.filter(pk=show["project"].pk).delete()  # shots, versions, notes, events and counter go with it
    show["org"].delete()
    User.objects.filter(pk__in=[u.pk for u in show["users"]]).delete()


def bench_in_process(show: dict) -> None:
    client = Client(HTTP_AUTHORIZATION=f"Token {show['key']}")
    project = show["project"]
    url = f"/api/v1/projects/{project.id}/shots/"
    print(f"  server time in-process ({SHOTS} shots, {SEQUENCES} sequences):", flush=True)

    EventCounter.objects.get_or_create(stream_id=project.pk)

    def changed():  # what a service call does to the project's change counter (a comment, a status change …)
        EventCounter.objects.filter(stream_id=project.pk).update(last_seq=F("last_seq") + 1)

    full = lambda: client.get(url, {"page_size": "all"}, **GZIP)  # noqa: E731
    measure("full shot list, right after a change (rendered), br", full, prepare=changed)
    measure("full shot list, right after a change, gzip only", lambda: client.get(url, {"page_size": "all"}, HTTP_ACCEPT_ENCODING="gzip"),
            prepare=changed)
    measure("full shot list, right after a change, identity", lambda: client.get(url, {"page_size": "all"}), prepare=changed)
    measure("full shot list, unchanged project (page cache), br", full)
    measure("one page of 100, right after a change, br", lambda: client.get(url, {"page": 7}, **GZIP), prepare=changed)
    etag = client.get(url, {"page_size": "all"}, **GZIP).get("ETag", '"none"')
    measure("revisit of the full list, If-None-Match (304)",
            lambda: client.get(url, {"page_size": "all"}, HTTP_IF_NONE_MATCH=etag, **GZIP), status=200 if BASELINE else 304)
    measure("sequences of the project", lambda: client.get(f"/api/v1/projects/{project.id}/sequences/", **GZIP))
    shot = show["shots"][SHOTS // 2]
    measure("one shot with its version stack (3)", lambda: client.get(f"/api/v1/shots/{shot.id}/", **GZIP))
    measure("versions of a shot (3)", lambda: client.get(f"/api/v1/shots/{shot.id}/versions/", **GZIP))


# ---------------------------------------------------------------- a real web process

def load(server, show: dict, clients: int, seconds: float, *, changes_per_second: float = 0) -> None:
    """`clients` threads asking for the full list back to back for `seconds`; with `changes_per_second`,
    the project changes that often meanwhile (its change counter moves: the next request renders afresh)."""
    import logging

    import httpx

    logging.getLogger("httpx").setLevel(logging.WARNING)

    url = f"{server.http}/api/v1/projects/{show['project'].id}/shots/?page_size=all"
    headers = {"Authorization": f"Token {show['key']}", "Accept-Encoding": "gzip"}
    timings: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def worker():
        with httpx.Client(timeout=60) as http:
            while time.monotonic() < deadline:
                started = time.perf_counter()
                with http.stream("GET", url, headers=headers) as response:
                    for _ in response.iter_raw():  # the bytes as sent (gzip), not decoded: the client's CPU stays small
                        pass
                took = (time.perf_counter() - started) * 1000
                with lock:
                    (timings.append(took) if response.status_code == 200 else errors.append(str(response.status_code)))

    with httpx.Client(timeout=60) as http:  # warm-up: the process's imports, URL resolution, a connection
        for _ in range(2):
            http.get(url, headers=headers)
    def changer():
        from django.db import connections

        while time.monotonic() < deadline:
            EventCounter.objects.filter(stream_id=show["project"].pk).update(last_seq=F("last_seq") + 1)
            time.sleep(1 / changes_per_second)
        connections.close_all()

    started = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(clients)]
    if changes_per_second:
        EventCounter.objects.get_or_create(stream_id=show["project"].pk)
        threads.append(threading.Thread(target=changer))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    what = f", {changes_per_second:g} change/s" if changes_per_second else ""
    report(f"{clients} concurrent client(s), full list over HTTP{what}", timings,
           extra=f"   p99={percentile(timings, 0.99):8.1f} ms   {len(timings) / elapsed:5.1f} requests/s   errors={len(errors)}")


def bench_server(show: dict) -> None:
    import shlex

    from tests.realtime.servers import UvicornServer

    web = next(line for line in (ROOT / "Procfile").read_text().splitlines() if line.startswith("web:"))
    words = shlex.split(web[4:])
    ws_impl = words[words.index("--ws") + 1] if "--ws" in words else "auto"
    ws_args = [w for i, w in enumerate(words) if w.startswith("--ws-per") or (i and words[i - 1].startswith("--ws-per"))]
    if "--workers" in words:
        ws_args += ["--workers", words[words.index("--workers") + 1]]
    workers = os.environ.get("BENCH_WEB_WORKERS")
    args = [*ws_args, *(["--workers", workers] if workers else [])]
    print(f"  a real web process: uvicorn --ws {ws_impl} {' '.join(args)} (the Procfile's options), gzip accepted, "
          f"{LOAD_SECONDS:.0f} s per run:", flush=True)
    server = UvicornServer(name="bench-scale", log_dir=ROOT / "var" / "bench", ws=ws_impl, args=args)
    server.start()
    try:
        load(server, show, 1, LOAD_SECONDS / 2)
        load(server, show, CLIENTS, LOAD_SECONDS)
        load(server, show, CLIENTS, LOAD_SECONDS, changes_per_second=1)
    finally:
        server.stop()


# ---------------------------------------------------------------- notes, audit, likeness uses (rolled back)

def bench_notes(show: dict) -> None:
    client = Client(HTTP_AUTHORIZATION=f"Token {show['key']}")
    version = show["shots"][0].current_version
    producer = show["users"][0]
    notes = Comment.objects.bulk_create(
        [Comment(project=show["project"], version=version, author=producer, body=f"note {i}: tighten the cut", frame=1001 + i % 48,
                 internal=bool(i % 3 == 0)) for i in range(NOTES)]
    )
    Comment.objects.bulk_create([Comment(project=show["project"], version=version, author=producer, body="agreed", frame=n.frame, parent=n)
                                 for n in notes])
    line = {"type": "line", "from": [0.1, 0.1], "to": [0.9, 0.9], "color": "#ff0000", "width": 2}
    Annotation.objects.bulk_create([Annotation(project=show["project"], comment=n, frame=n.frame, shapes=[line, line]) for n in notes])
    measure(f"a version's {NOTES + 1} notes (+ replies, drawings)", lambda: client.get(f"/api/v1/versions/{version.id}/comments/", **GZIP))


def bench_audit(show: dict) -> None:
    from studio.audit.models import AuditEvent

    org = show["org"]
    owner = show["users"][1]
    Membership.objects.filter(user=owner, organization=org).update(role=Role.OWNER)
    key = f"glt_bench_{uuid.uuid4().hex}"
    ApiToken.objects.create(user=owner, name="bench", prefix=key[:12], key_hash=hash_token_key(key))
    base = time.time() - AUDIT_EVENTS
    from datetime import UTC, datetime

    started = time.perf_counter()
    AuditEvent.objects.bulk_create(
        [AuditEvent(chain=f"bench-{org.pk}", seq=i + 1, organization=org, occurred_at=datetime.fromtimestamp(base + i, tz=UTC),
                    actor_label="bench", action="shot.updated", target_type="shot", target_id=str(i), data={"i": i},
                    prev_hash="0" * 64, hash=f"{i:064d}") for i in range(AUDIT_EVENTS)],
        batch_size=5000,
    )
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {AuditEvent._meta.db_table}")
    print(f"  audit: {AUDIT_EVENTS} events inserted in {time.perf_counter() - started:.1f} s", flush=True)
    client = Client(HTTP_AUTHORIZATION=f"Token {key}")
    url = f"/api/v1/audit-events/?organization={org.pk}"
    measure("audit list, first page of 100 (cursor)", lambda: client.get(url, **GZIP))
    deep = url + "&page_size=1000"
    depth = AUDIT_EVENTS * 9 // 10
    for _ in range(depth // 1000):
        deep = client.get(deep).json()["next"]
    deep = deep.replace("page_size=1000", "page_size=100")
    measure(f"audit list, a page {depth:,} events deep (cursor)", lambda: client.get(deep, **GZIP))
    numbered = url + f"&page={depth // 100 + 1}"
    measure(f"audit list, the same depth by ?page={depth // 100 + 1} (OFFSET)", lambda: client.get(numbered, **GZIP))


def bench_uses(show: dict) -> None:
    from rights import services as rights_services
    from rights.models import LikenessUse
    from tests.support import world as w

    tag = uuid.uuid4().hex[:8]
    agency = Organization.objects.create(slug=f"bench-scale-agency-{tag}", name=f"Bench Agency {tag}", kind=Organization.Kind.AGENCY)
    agent = w.make_user(f"agent-{tag}@bench.invalid", org=agency, role=Role.AGENT)
    talent = rights_services.create_talent(actor=agent, agency=agency, name=f"Bench Talent {tag}", aliases=[])
    producer, project, shot = show["users"][0], show["project"], show["shots"][0]
    grant = w.give_consent(agent=agent, grant=w.request_consent(requester=producer, talent=talent, studio=show["org"], project=project,
                                                                requires_per_use_approval=True))
    started = time.perf_counter()
    states = [LikenessUse.State.PENDING_REVIEW, LikenessUse.State.APPROVED, LikenessUse.State.REJECTED]
    LikenessUse.objects.bulk_create(
        [LikenessUse(talent=talent, grant=grant, studio=show["org"], project=project, shot=shot, job_id=uuid.uuid4(),
                     use_type="digital_replica", prompt=f"Bench Talent walks through the rain, take {i}", prompt_sha256=f"{i:064d}",
                     requires_review=True, state=states[i % 3], created_by=producer) for i in range(USES)],
        batch_size=5000,
    )
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {LikenessUse._meta.db_table}")
    print(f"  likeness uses: {USES} inserted in {time.perf_counter() - started:.1f} s", flush=True)
    key = f"glt_bench_{uuid.uuid4().hex}"
    ApiToken.objects.create(user=agent, name="bench", prefix=key[:12], key_hash=hash_token_key(key))
    client = Client(HTTP_AUTHORIZATION=f"Token {key}")
    measure("agency's likeness-use queue, first page (all states)", lambda: client.get("/api/v1/likeness-uses/", **GZIP))
    measure("agency's likeness-use queue, awaiting review", lambda: client.get("/api/v1/likeness-uses/?state=pending_review", **GZIP))


def main() -> int:
    from django.conf import settings

    db = settings.DATABASES["default"]
    print(f"bench_scale: database '{db['NAME']}', {os.cpu_count()} CPUs, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}", flush=True)
    started = time.perf_counter()
    show = seed_show(uuid.uuid4().hex[:10])
    print(f"  seeded {SHOTS} shots, {SHOTS * 3} versions in {time.perf_counter() - started:.1f} s (committed; removed at the end)",
          flush=True)
    try:
        if "list" in ONLY:
            bench_in_process(show)
        if "kept" in ONLY:  # kept rows against every row built, alternating; and the database alone
            from tests.bench.scale_kept_rows import bench_kept_rows

            bench_kept_rows(show, rounds=ROUNDS)
        if LOAD_SECONDS > 0 and "server" in ONLY:
            bench_server(show)
        try:
            with transaction.atomic():
                for name, part in (("notes", bench_notes), ("audit", bench_audit), ("uses", bench_uses)):
                    if name in ONLY:
                        part(show)
                raise Rollback
        except Rollback:
            pass
    finally:
        drop_show(show)
    left = Organization.objects.filter(slug__startswith="bench-scale-").count()
    print(f"  cleaned up; bench-scale organizations left: {left}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
