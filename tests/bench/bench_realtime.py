"""Realtime benchmark: job-progress latency to 1, 50 and 200 WebSocket clients, and replay of 1,000 events.

    .venv/bin/python tests/bench/bench_realtime.py            (or: make bench, which runs every bench)

What it measures, all on 127.0.0.1:
- one real web process (`uvicorn studio.asgi:application --ws websockets`) and the configured Redis
  and PostgreSQL (DATABASE_URL, REDIS_URL, CHANNELS_PREFIX — the same settings as the app);
- a separate publisher process acting as a GPU worker: it calls `publish_progress()` 8 times a second
  (under the 10/s coalescing limit, so every message is sent at once) with its wall-clock send time;
- N clients subscribed to the project; latency = client receive time − publisher send time
  (CLOCK_REALTIME, one machine), over every (message, client) pair; p50 and p99 are reported;
- replay: a client reconnects with `?since=` after 1,000 durable events it missed; the time from
  opening the socket to receiving the 1,000th event (and to `stream.ready`).

It creates its own organization, user, token and project, and deletes them (and their events) at
the end; every wait is bounded. The clients, the server and the publisher share this machine's
CPUs, so on a small shared machine the client side's own work is part of the figures.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studio.settings")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
# The publisher puts its send time into the payloads, which the declared shapes of job.progress and
# comment.created do not have: payload validation stays off here (the types are still checked).
os.environ["REALTIME_VALIDATE_EVENTS"] = "0"

CLIENT_COUNTS = (1, 50, 200)
MESSAGES = 60  # measured messages per client count
WARMUP = 5
INTERVAL = 0.125  # seconds between progress messages: 8/s, under the 10/s coalescing limit
REPLAY_EVENTS = 1000
REPLAY_ROUNDS = 3


# ---------------------------------------------------------------- the publisher process

def publisher_main(project_id: str, count: int, interval: float) -> int:
    import django

    django.setup()
    from studio.realtime.publish import flush, publish_progress

    job = str(uuid.uuid4())
    for i in range(count):
        publish_progress(project_id=project_id, job_id=job, audience="internal",
                         data={"seq": i, "sent_ns": time.time_ns(), "warmup": i < WARMUP})
        time.sleep(interval)
    return 0 if flush(10) else 1


# ---------------------------------------------------------------- the benchmark

def percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, round(q / 100 * (len(sorted_values) - 1))))
    return sorted_values[index]


def procfile_ws_options() -> tuple[str, list[str]]:
    """The WebSocket implementation and options of the Procfile's `web` process, so the figures are
    those of what `make run` serves."""
    import shlex

    for line in (ROOT / "Procfile").read_text().splitlines():
        if line.startswith("web:"):
            words = shlex.split(line[4:])
            impl = words[words.index("--ws") + 1] if "--ws" in words else "auto"
            args = []
            if "--ws-per-message-deflate" in words:
                args = ["--ws-per-message-deflate", words[words.index("--ws-per-message-deflate") + 1]]
            return impl, args
    return "websockets", []


def setup_world():
    from projects.models import Project
    from studio.tenancy.models import ApiToken, Membership, Organization, Role, User
    from studio.tenancy.services import hash_token_key

    tag = uuid.uuid4().hex[:10]
    org = Organization.objects.create(kind="studio", name=f"Bench {tag}", slug=f"bench-realtime-{tag}")
    user = User.objects.create_user(email=f"bench-{tag}@bench.invalid", password=None, display_name="Bench")
    Membership.objects.create(user=user, organization=org, role=Role.PRODUCER)
    project = Project.objects.create(organization=org, name="Realtime bench", code=f"RB{tag[:6]}")
    key = f"glt_bench_{uuid.uuid4().hex}"
    ApiToken.objects.create(user=user, name="bench", prefix=key[:12], key_hash=hash_token_key(key))
    return org, user, project, key


def teardown_world(org, user, project) -> None:
    from projects.models import Project

    Project.objects.filter(pk=project.pk).delete()  # events and counter go with it
    org.delete()
    user.delete()


async def open_clients(url: str, key: str, count: int) -> list:
    from tests.realtime.servers import recv_type, ws_connect

    clients = []
    semaphore = asyncio.Semaphore(20)

    async def one():
        async with semaphore:
            ws = await ws_connect(url, token=key)
            await recv_type(ws, "stream.ready", timeout=30)
            clients.append(ws)

    await asyncio.wait_for(asyncio.gather(*(one() for _ in range(count))), timeout=180)
    return clients


async def measure_latency(server, project, key: str, count: int) -> dict:
    clients = await open_clients(f"{server.ws}/ws/projects/{project.pk}/", key, count)
    latencies: list[float] = []
    per_message: dict[int, list[float]] = {}
    received = [0] * len(clients)

    async def reader(index: int, ws) -> None:
        while received[index] < MESSAGES:
            raw = await ws.recv()
            now = time.time_ns()
            message = json.loads(raw)
            if message.get("type") != "job.progress" or message["data"].get("warmup"):
                continue
            latency = (now - message["data"]["sent_ns"]) / 1e6
            latencies.append(latency)
            per_message.setdefault(message["data"]["seq"], []).append(latency)
            received[index] += 1

    readers = [asyncio.create_task(reader(i, ws)) for i, ws in enumerate(clients)]
    publisher = await asyncio.create_subprocess_exec(
        sys.executable, str(Path(__file__).resolve()), "--publisher", str(project.pk), str(MESSAGES + WARMUP), str(INTERVAL),
        cwd=str(ROOT), env=os.environ.copy(),
    )
    try:
        await asyncio.wait_for(asyncio.gather(*readers), timeout=120 + (MESSAGES + WARMUP) * INTERVAL)
        rc = await asyncio.wait_for(publisher.wait(), timeout=60)
        if rc != 0:
            raise RuntimeError(f"publisher exited with {rc}")
    finally:
        for task in readers:
            task.cancel()
        if publisher.returncode is None:
            publisher.kill()
            await publisher.wait()
        await asyncio.gather(*(ws.close() for ws in clients), return_exceptions=True)
    latencies.sort()
    first = sorted(min(v) for v in per_message.values())  # the first client to get each message
    last = sorted(max(v) for v in per_message.values())  # the last one
    return {
        "clients": count, "samples": len(latencies), "p50_ms": percentile(latencies, 50), "p99_ms": percentile(latencies, 99),
        "max_ms": latencies[-1], "mean_ms": statistics.fmean(latencies),
        "first_client_p50_ms": percentile(first, 50), "last_client_p50_ms": percentile(last, 50),
    }


async def measure_replay(server, project, key: str) -> dict:
    from asgiref.sync import sync_to_async
    from django.db import transaction

    from studio.realtime.publish import publish
    from tests.realtime.servers import recv_type, ws_connect

    url = f"{server.ws}/ws/projects/{project.pk}/"
    ws = await ws_connect(url, token=key)
    since = (await recv_type(ws, "stream.ready", timeout=30))["data"]["last_id"]
    await ws.close()

    def publish_missed() -> None:
        for i in range(REPLAY_EVENTS):
            with transaction.atomic():
                publish(type="comment.created", project_id=project.pk, data={"n": i, "body": "A note on frame 1012: hold the push-in."})

    started = time.perf_counter()
    await sync_to_async(publish_missed, thread_sensitive=True)()
    publish_seconds = time.perf_counter() - started

    rounds = []
    for _ in range(REPLAY_ROUNDS):
        started = time.perf_counter()
        ws = await ws_connect(f"{url}?since={since}", token=key)
        opened = time.perf_counter()
        ids = []
        while len(ids) < REPLAY_EVENTS:
            message = json.loads(await asyncio.wait_for(ws.recv(), 30))
            if message.get("id") is not None:
                ids.append(message["id"])
        last_event = time.perf_counter()
        ready = await recv_type(ws, "stream.ready", timeout=30)
        done = time.perf_counter()
        await ws.close()
        assert ids == list(range(since + 1, since + REPLAY_EVENTS + 1)), "replay out of order or incomplete"
        assert ready["data"]["replayed"] == REPLAY_EVENTS
        rounds.append({"handshake_ms": (opened - started) * 1000, "to_last_event_ms": (last_event - started) * 1000,
                       "to_ready_ms": (done - started) * 1000})
    return {"events": REPLAY_EVENTS, "publish_seconds": publish_seconds, "rounds": rounds}


async def run(server, project, key) -> dict:
    results = {"latency": [], "replay": None}
    for count in CLIENT_COUNTS:
        result = await measure_latency(server, project, key, count)
        results["latency"].append(result)
        print(f"  job.progress → {count:>3} clients: p50 {result['p50_ms']:6.2f} ms   p99 {result['p99_ms']:7.2f} ms   "
              f"max {result['max_ms']:7.2f} ms   first/last client p50 {result['first_client_p50_ms']:.2f}/"
              f"{result['last_client_p50_ms']:.2f} ms   ({result['samples']} samples)", flush=True)
    results["replay"] = await measure_replay(server, project, key)
    for i, r in enumerate(results["replay"]["rounds"], 1):
        print(f"  replay of {REPLAY_EVENTS} missed events, round {i}: last event after {r['to_last_event_ms']:7.1f} ms, "
              f"stream.ready after {r['to_ready_ms']:7.1f} ms (handshake {r['handshake_ms']:.1f} ms)", flush=True)
    return results


def main() -> int:
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    from tests.realtime.servers import UvicornServer

    print(f"realtime bench: redis {settings.REDIS_URL}, channels prefix "
          f"{settings.CHANNEL_LAYERS['default']['CONFIG'].get('prefix')}, database {connection.settings_dict['NAME']}, "
          f"{os.cpu_count()} CPUs", flush=True)
    org, user, project, key = setup_world()
    ws_impl, ws_args = procfile_ws_options()
    ws_impl = os.environ.get("BENCH_WS", ws_impl)
    if "BENCH_WS_DEFLATE" in os.environ:
        ws_args = ["--ws-per-message-deflate", os.environ["BENCH_WS_DEFLATE"]]
    print(f"  web process: uvicorn --ws {ws_impl} {' '.join(ws_args)} (as in the Procfile unless BENCH_WS/BENCH_WS_DEFLATE say otherwise)")
    server = UvicornServer(name="bench-realtime", log_dir=ROOT / "var" / "bench", ws=ws_impl, args=ws_args)
    try:
        server.start()
        # The clients use uvloop, as the server does (uvicorn's default loop when it is installed).
        import uvloop

        with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
            results = runner.run(run(server, project, key))
    finally:
        server.stop()
        teardown_world(org, user, project)
    target = results["latency"][-1]
    verdict = "meets" if target["p50_ms"] < 10 and target["p99_ms"] < 100 else "misses"
    print(f"  target at {target['clients']} clients (p50 < 10 ms, p99 < 100 ms): {verdict}")
    print("  json: " + json.dumps(results, default=lambda v: round(v, 3) if isinstance(v, float) else str(v)))
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--publisher":
        raise SystemExit(publisher_main(sys.argv[2], int(sys.argv[3]), float(sys.argv[4])))
    raise SystemExit(main())
