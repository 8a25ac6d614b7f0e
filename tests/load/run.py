"""make load: 200 simulated reviewers and 10 concurrent renders against a real stack, with figures.

From a clean state, on this machine only (loopback), bounded in time:

1. a throwaway PostgreSQL database (`LOAD_DATABASE_NAME`, default `greenlight_load`) on the
   server of DATABASE_URL, migrated; a private redis-server on its own port; DATA_DIR=var/load;
2. seed: a studio project with 200 shots, 20 versions with real review media (one clip encoded
   and processed by the media pipeline, its files shared by the versions), 200 client reviewers
   and 10 artists, each with an API token; the tiny demo model;
3. the Procfile's processes: uvicorn (same flags), a render worker (`-Q gpu -c 1`), a media worker;
4. locust, headless (tests/load/locustfile.py), for `--duration` seconds; py-spy samples the web
   process meanwhile; the load average is sampled every 5 s;
5. prints p50/p95/p99 per request type, the error count, WebSocket figures, the load average and
   where the web process spent its time; writes var/load/summary.md; drops the database.

    .venv/bin/python tests/load/run.py [--reviewers 200] [--artists 10] [--duration 120] [--no-profile]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
OUT = ROOT / "var" / "load"
PY = str(ROOT / ".venv" / "bin" / "python")

from tests.chaos.harness import OwnRedis, free_port, wait_until  # noqa: E402


def database_urls() -> tuple[str, str, str]:
    base = urlparse(os.environ.get("DATABASE_URL", "postgres://greenlight:greenlight@127.0.0.1:5432/greenlight"))
    name = os.environ.get("LOAD_DATABASE_NAME", "greenlight_load")
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", name):
        raise SystemExit(f"LOAD_DATABASE_NAME={name!r}: use lower-case letters, digits and _")
    return urlunparse(base._replace(path=f"/{name}")), urlunparse(base._replace(path="/postgres")), name


def recreate_database(admin_url: str, name: str, *, drop_only: bool = False) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        if not drop_only:
            conn.execute(f"CREATE DATABASE {name}")


def stack_env(db_url: str, redis_url: str) -> dict:
    env = os.environ.copy()
    env.update({
        "DATABASE_URL": db_url, "REDIS_URL": redis_url, "CELERY_BROKER_URL": redis_url, "CELERY_RESULT_BACKEND": redis_url,
        "CHANNELS_PREFIX": "gl-load", "DATA_DIR": str(OUT / "data"), "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
        "OMP_NUM_THREADS": "1", "PYTHONUNBUFFERED": "1", "DJANGO_SETTINGS_MODULE": "studio.settings",
    })
    return env


def seed(env: dict, *, reviewers: int, artists: int) -> dict:
    """Runs in a child process (Django against the load database): prints the fixture as JSON."""
    out = subprocess.run([PY, str(Path(__file__).with_name("seed.py")), str(reviewers), str(artists)], env=env, cwd=ROOT,
                         capture_output=True, text=True, timeout=900)
    if out.returncode != 0:
        raise SystemExit(f"seeding failed:\n{out.stdout[-3000:]}\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


class Processes:
    def __init__(self, env: dict):
        self.env, self.procs, self.port = env, {}, free_port()

    def start(self, name: str, cmd: list[str], env: dict | None = None) -> subprocess.Popen:
        log = open(OUT / f"{name}.log", "ab")  # noqa: SIM115 - closed with the process
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env or self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self.procs[name] = proc
        return proc

    def start_stack(self) -> None:
        import httpx

        self.start("web", [str(ROOT / ".venv/bin/uvicorn"), "studio.asgi:application", "--host", "127.0.0.1", "--port", str(self.port),
                           "--ws", "websockets-sansio", "--ws-per-message-deflate", "false", "--no-access-log"])
        for name, queues in (("gpu", "gpu"), ("media", "media,default")):
            self.start(name, [PY, "-m", "celery", "-A", "studio", "worker", "-Q", queues, "-c", "1", "-n", f"load-{name}@%h",
                              "--without-gossip", "--without-mingle", "-l", "info"])

        def up() -> bool:
            try:
                return httpx.get(f"http://127.0.0.1:{self.port}/livez", timeout=2).status_code == 200
            except httpx.HTTPError:
                return False

        wait_until(up, timeout=120, interval=0.3, what="uvicorn")
        for name in ("gpu", "media"):
            wait_until(lambda n=name: b" ready." in (OUT / f"{n}.log").read_bytes(), timeout=180, interval=0.3, what=f"the {name} worker")

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                except ProcessLookupError:
                    continue
        for proc in self.procs.values():
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)


def run_locust(procs: Processes, fixture_path: Path, *, users: int, duration: int, spawn_rate: int) -> None:
    host = f"http://127.0.0.1:{procs.port}"
    assert urlparse(host).hostname == "127.0.0.1"  # loopback only
    env = {**procs.env, "LOAD_FIXTURE": str(fixture_path), "LOAD_WS_STATS": str(OUT / "ws.json")}
    cmd = [str(ROOT / ".venv/bin/locust"), "-f", str(Path(__file__).with_name("locustfile.py")), "--headless", "-u", str(users),
           "-r", str(spawn_rate), "-t", f"{duration}s", "--host", host, "--csv", str(OUT / "stats"), "--only-summary",
           "--stop-timeout", "10", "--loglevel", "WARNING"]
    locust = procs.start("locust", cmd, env=env)
    locust.wait(timeout=duration + 300)


def sample_load(stop: threading.Event, samples: list) -> None:
    while not stop.wait(5):
        samples.append(os.getloadavg()[0])


def profile(pid: int, seconds: int, path: Path) -> subprocess.Popen:
    return subprocess.Popen([str(ROOT / ".venv/bin/py-spy"), "record", "-p", str(pid), "-d", str(seconds), "-r", "50", "-f", "raw",
                             "-o", str(path), "--nonblocking", "--subprocesses"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _frame(frame: str) -> str:
    """'func (/path/to/site-packages/pkg/mod.py:12)' -> 'func (pkg/mod.py)'."""
    name, _, where = frame.partition(" (")
    path = where.rsplit(":", 1)[0]
    for marker in ("site-packages/", str(ROOT) + "/", "/lib/python3.11/"):
        if marker in path:
            path = path.split(marker, 1)[1]
            break
    return f"{name} ({path})"


def summarize_profile(path: Path, top: int = 12) -> dict[str, list[tuple[str, float]]]:
    """py-spy's folded stacks (busy threads only) → where the web process spent its CPU: the share
    of samples with a frame on the stack (inclusive, our code and the big libraries) and as the
    innermost frame (self)."""
    if not path.exists():
        return {}
    inclusive, leaves, total = Counter(), Counter(), 0
    ours = ("studio/", "projects/", "rights/", "generation/", "rest_framework/", "django/", "psycopg/", "channels", "uvicorn/",
            "websockets/", "redis/", "asyncio/")
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        frames = [_frame(f) for f in stack.split(";") if ".py:" in f]
        if not count.isdigit() or not frames:
            continue
        total += int(count)
        for frame in set(frames):
            if any(f"({part}" in frame for part in ours):
                inclusive[frame] += int(count)
        leaves[frames[-1]] += int(count)
    if not total:
        return {}
    share = lambda counter: [(frame, 100.0 * n / total) for frame, n in counter.most_common(top)]  # noqa: E731
    return {"inclusive": share(inclusive), "self": share(leaves)}


def read_stats() -> tuple[list[dict], list[dict]]:
    with open(OUT / "stats_stats.csv") as fh:
        stats = list(csv.DictReader(fh))
    failures = []
    if (OUT / "stats_failures.csv").exists():
        with open(OUT / "stats_failures.csv") as fh:
            failures = list(csv.DictReader(fh))
    return stats, failures


def render_summary(args, stats, failures, loads, ws, hot, started) -> str:
    lines = [f"# make load — {time.strftime('%Y-%m-%d %H:%M', time.localtime(started))}",
             "", f"machine: {os.cpu_count()} CPUs, load average during the run {min(loads or [0]):.1f}–{max(loads or [0]):.1f} "
             f"(1-min, sampled every 5 s); {args.reviewers} reviewers + {args.artists} artists for {args.duration} s", "",
             "| type | request | count | errors | p50 ms | p95 ms | p99 ms | max ms |", "|---|---|---|---|---|---|---|---|"]
    for row in stats:
        lines.append(f"| {row['Type'] or ''} | {row['Name']} | {row['Request Count']} | {row['Failure Count']} | {row['50%']} | "
                     f"{row['95%']} | {row['99%']} | {float(row['Max Response Time']):.0f} |")
    errors = sum(int(f["Occurrences"]) for f in failures)
    lines += ["", f"errors: {errors}"] + [f"- {f['Occurrences']}× {f['Method']} {f['Name']}: {f['Error'][:200]}" for f in failures]
    lines += ["", f"WebSocket: {json.dumps(ws)}"]
    for kind, title in (("inclusive", "with the frame on the stack"), ("self", "in the frame itself")):
        lines += ["", f"web process CPU samples {title} (py-spy):"] + [f"- {share:5.1f}%  {frame}" for frame, share in hot.get(kind, [])]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reviewers", type=int, default=200)
    parser.add_argument("--artists", type=int, default=10)
    parser.add_argument("--duration", type=int, default=120, help="seconds of load (bounded; at most 900)")
    parser.add_argument("--spawn-rate", type=int, default=20)
    parser.add_argument("--no-profile", action="store_true")
    args = parser.parse_args()
    args.duration = max(10, min(args.duration, 900))
    OUT.mkdir(parents=True, exist_ok=True)
    for stale in OUT.glob("stats*.csv"):
        stale.unlink()
    db_url, admin_url, name = database_urls()
    recreate_database(admin_url, name)
    redis = OwnRedis(appendonly=False).start()
    env = stack_env(db_url, redis.url)
    procs = Processes(env)
    started = time.time()
    try:
        print(f"load: migrating {name} …", flush=True)
        subprocess.run([PY, "manage.py", "migrate", "--noinput", "-v0"], env=env, cwd=ROOT, check=True, timeout=900)
        subprocess.run([PY, "manage.py", "build_demo_model", "--default"], env=env, cwd=ROOT, check=True, timeout=600,
                       stdout=subprocess.DEVNULL)
        print("load: seeding …", flush=True)
        fixture = seed(env, reviewers=args.reviewers, artists=args.artists)
        fixture.update({"reviewer_count": args.reviewers, "artist_count": args.artists, "origin": "http://127.0.0.1:8000"})
        fixture_path = OUT / "fixture.json"
        fixture_path.write_text(json.dumps(fixture))
        procs.start_stack()
        print(f"load: {args.reviewers} reviewers + {args.artists} artists for {args.duration} s on http://127.0.0.1:{procs.port} …",
              flush=True)
        stop, loads = threading.Event(), []
        threading.Thread(target=sample_load, args=(stop, loads), daemon=True).start()
        spy = None if args.no_profile else profile(procs.procs["web"].pid, max(5, args.duration - 15), OUT / "web.folded")
        started = time.time()
        run_locust(procs, fixture_path, users=args.reviewers + args.artists, duration=args.duration, spawn_rate=args.spawn_rate)
        stop.set()
        if spy is not None:
            spy.wait(timeout=120)
        stats, failures = read_stats()
        ws = json.loads((OUT / "ws.json").read_text()) if (OUT / "ws.json").exists() else {}
        summary = render_summary(args, stats, failures, loads, ws, summarize_profile(OUT / "web.folded"), started)
        (OUT / "summary.md").write_text(summary)
        print(summary)
        return 0
    finally:
        procs.stop()
        redis.close()
        recreate_database(admin_url, name, drop_only=True)


if __name__ == "__main__":
    sys.exit(main())
