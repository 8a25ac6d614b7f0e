"""Locust users for `make load` (tests/load/run.py starts the stack and runs this headless).

- `Reviewer` (200): a client reviewer in the browser app. Opens the project's WebSocket stream
  once and keeps it open (a greenlet reads every message), then, with think time: the shot list,
  a shot, the player's proxy in Range requests (the first bytes, then a seek), the version's
  comments, and now and then a frame note.
- `Artist` (10): submits a render, follows it to its end over the REST API, submits the next one;
  so 10 renders are in flight the whole run.

Fixture ids and tokens come from the JSON file named by LOAD_FIXTURE (written by run.py). Only
loopback addresses are ever targeted (run.py refuses any other host).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import time

import gevent
import websocket
from locust import HttpUser, between, events, task

FIXTURE = json.load(open(os.environ["LOAD_FIXTURE"]))  # noqa: SIM115
_reviewer_tokens = itertools.cycle(FIXTURE["reviewers"])
_artist_tokens = itertools.cycle(FIXTURE["artists"])
WS_STATS = {"messages": 0, "progress": 0, "durable": 0, "drops": 0}


def fire(environment, *, kind: str, name: str, started: float, exception=None, length: int = 0) -> None:
    environment.events.request.fire(request_type=kind, name=name, response_time=(time.perf_counter() - started) * 1000,
                                    response_length=length, exception=exception, context={})


class Reviewer(HttpUser):
    fixed_count = FIXTURE["reviewer_count"]
    wait_time = between(1.0, 4.0)

    def on_start(self) -> None:
        self.token = next(_reviewer_tokens)
        self.client.headers["Authorization"] = f"Token {self.token}"
        self.ws = None
        self.reader = gevent.spawn(self._follow)

    def on_stop(self) -> None:
        self.reader.kill(block=False)
        if self.ws is not None:
            self.ws.close()

    def _follow(self) -> None:
        """One WebSocket per reviewer, reconnecting with since= like the app."""
        url = f"{self.host.replace('http', 'ws', 1)}/ws/projects/{FIXTURE['project']}/"
        last = 0
        while True:
            started = time.perf_counter()
            try:
                self.ws = websocket.create_connection(f"{url}?since={last}", header=[f"Authorization: Token {self.token}"],
                                                      origin=FIXTURE["origin"], timeout=30, enable_multithread=True)
                ready = False
                while True:
                    message = json.loads(self.ws.recv())
                    WS_STATS["messages"] += 1
                    if message.get("id") is not None:
                        last = message["id"]
                        WS_STATS["durable"] += 1
                    elif message["type"] == "job.progress":
                        WS_STATS["progress"] += 1
                    elif message["type"] == "stream.ready" and not ready:
                        ready = True
                        last = max(last, message["data"]["last_id"])
                        fire(self.environment, kind="WS", name="connect → stream.ready", started=started)
                        self.ws.settimeout(None)  # a quiet project sends nothing for a while: that is no drop
            except (websocket.WebSocketException, OSError, ValueError) as exc:
                if self.environment.runner is None or self.environment.runner.state in ("stopping", "stopped"):
                    return
                WS_STATS["drops"] += 1
                fire(self.environment, kind="WS", name="dropped", started=time.perf_counter(), exception=exc)
                gevent.sleep(1.0)

    @task(4)
    def shot_list(self) -> None:
        self.client.get(f"/api/v1/projects/{FIXTURE['project']}/shots/", name="GET /projects/{id}/shots/")

    @task(2)
    def shot(self) -> None:
        self.client.get(f"/api/v1/shots/{random.choice(FIXTURE['shots'])}/", name="GET /shots/{id}/")

    @task(4)
    def play(self) -> None:
        version = random.choice(FIXTURE["versions"])
        url = f"/api/v1/versions/{version}/media/proxy/"
        size = FIXTURE["proxy_size"]
        self.client.get(url, headers={"Range": "bytes=0-65535"}, name="GET media proxy (Range: first 64 KiB)")
        start = random.randrange(0, max(1, size - 65536))
        self.client.get(url, headers={"Range": f"bytes={start}-{start + 65535}"}, name="GET media proxy (Range: seek)")

    @task(2)
    def comments(self) -> None:
        self.client.get(f"/api/v1/versions/{random.choice(FIXTURE['versions'])}/comments/", name="GET /versions/{id}/comments/")

    @task(1)
    def note(self) -> None:
        self.client.post(f"/api/v1/versions/{random.choice(FIXTURE['versions'])}/comments/", name="POST /versions/{id}/comments/",
                         json={"body": "The horizon drifts here; hold it level.", "frame": FIXTURE["first_frame"] + random.randrange(24)})


class Artist(HttpUser):
    fixed_count = FIXTURE["artist_count"]
    wait_time = between(0.0, 0.5)

    def on_start(self) -> None:
        self.client.headers["Authorization"] = f"Token {next(_artist_tokens)}"

    @task
    def render(self) -> None:
        started = time.perf_counter()
        with self.client.post(f"/api/v1/shots/{random.choice(FIXTURE['shots'])}/generations/", name="POST /shots/{id}/generations/",
                              json={"prompt": "a lighthouse at dusk, slow push-in", **FIXTURE["render"]}, catch_response=True) as answer:
            if answer.status_code != 201:
                answer.failure(f"{answer.status_code}: {answer.text[:200]}")
                return
            job = answer.json()["jobs"][0]["id"]
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            gevent.sleep(1.0)
            state = self.client.get(f"/api/v1/generations/{job}/", name="GET /generations/{id}/").json().get("state")
            if state in ("succeeded", "failed", "cancelled"):
                exception = None if state == "succeeded" else RuntimeError(f"render {state}")
                fire(self.environment, kind="RENDER", name="submit → succeeded (end to end)", started=started, exception=exception)
                return
        fire(self.environment, kind="RENDER", name="submit → succeeded (end to end)", started=started, exception=TimeoutError(job))


@events.quitting.add_listener
def _ws_summary(environment, **_kwargs) -> None:
    with open(os.environ.get("LOAD_WS_STATS", "/dev/null"), "w") as fh:
        json.dump(WS_STATS, fh)
