"""Redis (broker, channel layer, cache, presence) is restarted during a render while browsers watch.

A private redis-server (never the machine's shared one) serves a real uvicorn process and a
supervised render worker. WebSocket clients follow the project the way the browser app does:
remember the highest event id, reconnect with `?since=` after any drop (with back-off), ping to
close the tail. Redis is restarted mid-render — with its append-only file, as production runs it,
and without (a cache-only Redis that forgets the channel layer's group memberships and the broker's
queues). Half the clients also lose their socket during the outage (a network blip) and reconnect
with `since` while Redis is still down (refused until it is back). Every client then holds every
durable event of the project exactly once, in id order, and progress messages resume after the
restart until the render's end. `make test` runs the harder case (no persistence) once; `make
chaos` both, with two restarts each and 20 clients.
"""

from __future__ import annotations

import asyncio
import json
import os
import time

import httpx
import pytest

from studio.realtime.models import Event
from studio.tenancy.services import create_token
from tests.chaos.conftest import LOGS, worker_command, worker_env
from tests.chaos.harness import OwnRedis, Supervisor, celery_ready, full, report, scale
from tests.realtime.servers import UvicornServer, ws_connect

pytestmark = [pytest.mark.worker, pytest.mark.timeout(900)]

# Enough work that the render is still running when Redis is back (the restart starts at step 3,
# at most step 18 with two restarts, and Redis is down for 2 s): at 128×128 a quiet machine rendered
# all 100 steps (the API's most) in under 4 s, inside the outage, leaving no progress to see after it;
# at 192×192×33 a quiet machine took ~3.5 s (2026-12-03: the render ended while a dropped client was
# still backing off). 256×256×49 is ~2.6× that work.
RENDER = {"frames": 49, "width": 256, "height": 256, "steps": 100}


class Follower:
    """One browser tab on the project stream."""

    def __init__(self, base: str, project_id, token: str):
        self.url, self.token = f"{base}/ws/projects/{project_id}/", token
        self.last: int = 0
        self.durable: list[int] = []
        self.progress: list[tuple[float, int]] = []  # (monotonic time, step)
        self.connects = 0
        self.drops: list[str] = []
        self.states: list[str] = []
        self.stopping = False
        self.pong = asyncio.Event()
        self.ws = None

    async def run(self) -> None:
        delay = 0.2
        while not self.stopping:
            try:
                async with await ws_connect(f"{self.url}?since={self.last}", token=self.token) as ws:
                    self.ws, self.connects, delay = ws, self.connects + 1, 0.2
                    async for raw in ws:
                        self.on_message(json.loads(raw))
                    self.drops.append(f"closed {ws.close_code}")
            except Exception as exc:  # noqa: BLE001 - any drop: back off and reconnect with since
                self.drops.append(type(exc).__name__)
            finally:
                self.ws = None
            if not self.stopping:
                await asyncio.sleep(delay)
                delay = min(delay * 2, 0.5)  # short: the render must still run when a follower is back

    def on_message(self, message: dict) -> None:
        if message.get("id") is not None:
            assert message["id"] > self.last, (message["id"], self.last)  # never a duplicate, never backwards
            self.durable.append(message["id"])
            self.last = message["id"]
            if message["type"] == "job.state_changed":
                self.states.append(message["data"]["state"])
        elif message["type"] == "job.progress":
            self.progress.append((time.monotonic(), message["data"]["step"]))
        elif message["type"] == "stream.pong":
            self.pong.set()

    async def flush(self, timeout: float = 30) -> None:
        """Ping until answered: the server sends any stored event this socket has not had first."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.ws is not None:
                self.pong.clear()
                try:
                    await self.ws.send(json.dumps({"type": "ping"}))
                    await asyncio.wait_for(self.pong.wait(), 5)
                    return
                except Exception:  # noqa: BLE001 - dropped meanwhile: the loop reconnects
                    pass
            await asyncio.sleep(0.2)
        raise AssertionError("no stream.pong")


@pytest.fixture(params=["aof", "no-persistence"] if full() else ["no-persistence"])
def stack(request, transactional_db, world, demo_model_folder):
    redis = OwnRedis(appendonly=request.param == "aof").start()
    env = {"REDIS_URL": redis.url, "CELERY_BROKER_URL": redis.url, "CELERY_RESULT_BACKEND": redis.url,
           "CHANNELS_PREFIX": "gl-chaos-redis", "GENERATION_QUEUE": "gpu"}
    node = f"chaos-redis-gpu@{os.uname().nodename}"
    gpu = Supervisor("chaos-redis-gpu", worker_command(queues="gpu", node=node), env=worker_env(queue="gpu", **env),
                     log_path=LOGS / "chaos-redis-gpu.log", ready=celery_ready(node))
    web = UvicornServer(name="chaos-redis", env={**env, "DB_CONN_MAX_AGE": "60"}, log_dir=LOGS,
                        args=["--ws-per-message-deflate", "false"], ws="websockets-sansio")
    try:
        gpu.start()
        web.start()
        yield request.param, redis, web, gpu
    finally:
        web.stop()
        gpu.stop()
        redis.close()


async def scenario(world, key: str, web, redis, followers_count: int, restarts: int) -> dict:
    followers = [Follower(web.ws, world.project.id, key) for _ in range(followers_count)]
    tasks = [asyncio.create_task(f.run()) for f in followers]
    async with httpx.AsyncClient(base_url=web.http, headers={"Authorization": f"Token {key}"}, timeout=30) as http:
        for f in followers:
            await wait_for(lambda f=f: f.connects >= 1, 30)
        response = await http.post(f"/api/v1/shots/{world.shot.id}/generations/", json={"prompt": "harbour at night", **RENDER})
        assert response.status_code == 201, response.text
        job_id = response.json()["jobs"][0]["id"]
        restart_steps, restarted_at = [], []
        for n in range(restarts):
            at_step = 3 + n * 15
            await wait_for(lambda s=at_step: max((step for _, step in followers[0].progress), default=0) >= s, 120)
            restart_steps.append(at_step)
            restarting = asyncio.create_task(asyncio.to_thread(redis.restart, down_seconds=2.0))
            await asyncio.sleep(0.5)
            for f in followers[1::2]:  # these lose their socket during the outage and reconnect with since
                if f.ws is not None:
                    await f.ws.close()
            await restarting
            restarted_at.append(time.monotonic())

        async def job_state():
            body = (await http.get(f"/api/v1/generations/{job_id}/")).json()
            return body["state"] if body.get("state") in ("succeeded", "failed", "cancelled") else None

        state = await wait_for(job_state, 300)
    await asyncio.gather(*(f.flush() for f in followers))
    for f in followers:
        f.stopping = True
        if f.ws is not None:
            await f.ws.close()
    await asyncio.gather(*tasks, return_exceptions=True)
    return {"job": job_id, "state": state, "followers": followers, "restart_steps": restart_steps, "restarted_at": restarted_at}


async def wait_for(predicate, timeout: float):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = await predicate() if asyncio.iscoroutinefunction(predicate) else predicate()
        if value:
            return value
        await asyncio.sleep(0.05)
    raise AssertionError(f"timed out after {timeout}s")


def test_redis_restarted_mid_render_every_client_gets_every_durable_event_once_in_order_and_progress_resumes(stack, world):
    mode, redis, web, gpu = stack
    _, key = create_token(user=world.artist, name="chaos follower")
    result = asyncio.run(scenario(world, key, web, redis, followers_count=scale(3, 20), restarts=scale(1, 2)))
    assert result["state"] == "succeeded"
    expected = list(Event.objects.filter(stream_id=world.project.id).order_by("seq").values_list("seq", flat=True))
    assert expected == list(range(1, len(expected) + 1)) and len(expected) >= 4  # queued, running, take.created, succeeded …
    assert all(f.connects >= 2 for f in result["followers"][1::2])  # the dropped ones came back with since
    last_restart = result["restarted_at"][-1]
    for f in result["followers"]:
        assert f.durable == expected, (f.durable, expected, f.drops)  # every event, once, in order
        assert f.states[-1] == "succeeded"
        assert any(t > last_restart for t, _ in f.progress), ("no progress after the restart", last_restart, f.progress[-3:], f.drops)
        resumed = [step for t, step in f.progress if t > last_restart]
        assert resumed == sorted(resumed) and resumed[-1] == RENDER["steps"], resumed
    followers = result["followers"]
    report(f"redis restarted ({mode})", restarts=redis.restarts, clients=len(followers), durable_events=len(expected),
           events_received_per_client=sorted({len(f.durable) for f in followers}),
           reconnects=sum(f.connects - 1 for f in followers), drops=sorted({d for f in followers for d in f.drops}),
           progress_after_restart_min=min(sum(1 for t, _ in f.progress if t > last_restart) for f in followers),
           worker_restarts=gpu.starts - 1)
