"""Metrics, logs and the request id end to end: a real uvicorn web process, a real render worker.

An artist's API call with `X-Request-ID` submits a render through the web process; the worker
renders it; a producer watches on a WebSocket. Then both processes' `/metrics` are scraped over
HTTP (only with the token: loopback is not in their allowed ranges here) and the request id is
followed into the web process's access log, the job's live events and the worker's log records of
the task the call caused.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from rights import services as rights_services
from studio.tenancy.services import create_token
from tests.generation.conftest import start_worker, wait_state
from tests.realtime.servers import UvicornServer, free_port, recv_json, recv_type, ws_connect

pytestmark = pytest.mark.worker

QUEUE = "gpu-test-observability"
TOKEN = "scrape-" + uuid.uuid4().hex
NOT_LOOPBACK = "192.0.2.0/24"  # TEST-NET-1: loopback callers need the token
RENDER = "generation.tasks.render_generation"


def parse(text: str) -> dict[str, list[tuple[dict, float]]]:
    """{sample name: [(labels, value), …]} of a Prometheus text exposition."""
    out: dict[str, list[tuple[dict, float]]] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            out.setdefault(sample.name, []).append((sample.labels, sample.value))
    return out


def value(scraped: dict, name: str, **labels) -> float | None:
    for sample_labels, sample_value in scraped.get(name, []):
        if all(sample_labels.get(k) == v for k, v in labels.items()):
            return sample_value
    return None


@pytest.fixture
def web(django_db_blocker):
    server = UvicornServer(name="observability", env={
        "GENERATION_QUEUE": QUEUE, "LOG_FORMAT": "json", "LOG_REQUESTS": "1",
        "METRICS_TOKEN": TOKEN, "METRICS_ALLOWED_CIDRS": NOT_LOOPBACK,
    })
    server.log_path.unlink(missing_ok=True)
    with django_db_blocker.unblock():
        server.start()
    yield server
    server.stop()


@pytest.fixture
def worker(django_db_blocker, settings, demo_model_folder):
    settings.GENERATION_QUEUE = QUEUE
    port = free_port()
    log_path = Path(settings.DATA_DIR) / "logs" / "worker-obs-gpu.log"
    log_path.unlink(missing_ok=True)
    process = start_worker(django_db_blocker, name="obs-gpu", queue=QUEUE, LOG_FORMAT="json", WORKER_METRICS_PORT=port,
                           METRICS_TOKEN=TOKEN, METRICS_ALLOWED_CIDRS=NOT_LOOPBACK)
    process.metrics_url = f"http://127.0.0.1:{port}/metrics"
    yield process
    process.stop()


async def _session(*, web, worker, world, tokens: dict, request_id: str, leo_id: str) -> dict:
    """Submit, get refused, watch the render finish on a socket, and scrape both processes while it is open."""
    ws = await ws_connect(f"{web.ws}/ws/projects/{world.project.pk}/", token=tokens["producer"])
    try:
        await recv_type(ws, "stream.ready")
        async with httpx.AsyncClient(base_url=web.http, timeout=30) as http:
            artist = {"Authorization": f"Token {tokens['artist']}"}
            submitted = await http.post(f"/api/v1/shots/{world.shot.pk}/generations/", headers={**artist, "X-Request-ID": request_id},
                                        json={"prompt": "a lighthouse at dusk, slow push-in", "steps": 4, "seed": 7})
            assert submitted.status_code == 201, submitted.text
            assert submitted.headers["X-Request-ID"] == request_id
            job_id = submitted.json()["jobs"][0]["id"]
            refused = await http.post(f"/api/v1/shots/{world.shot.pk}/generations/", headers=artist,
                                      json={"prompt": "two figures on the pier", "cast": [leo_id]})
            assert refused.status_code == 403 and refused.json()["error"] == "consent_denied", refused.text
            assert len(refused.headers["X-Request-ID"]) == 32  # none offered: one was made

            events = []
            loop = asyncio.get_running_loop()
            deadline = loop.time() + 180
            while not any(e.get("job") == job_id and e["data"].get("state") in ("succeeded", "failed") for e in events):
                events.append(await recv_json(ws, timeout=max(0.1, deadline - loop.time())))

            web_scrapes = {
                "none": await http.get("/metrics"),
                "wrong": await http.get("/metrics", headers={"Authorization": "Bearer not-the-token"}),
                "token": await http.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}),
            }
            worker_scrapes = {
                "none": await http.get(worker.metrics_url),
                "token": await http.get(worker.metrics_url, headers={"Authorization": f"Bearer {TOKEN}"}),
            }
    finally:
        await ws.close()
    return {"job_id": job_id, "events": events, "web": web_scrapes, "worker": worker_scrapes}


def test_metrics_logs_and_the_request_id_across_a_web_process_and_a_render_worker(transactional_db, world, web, worker):
    leo = rights_services.create_talent(actor=world.agent, agency=world.agency, name="Leo Park", aliases=[])
    tokens = {"artist": create_token(user=world.artist, name="obs")[1], "producer": create_token(user=world.producer, name="obs")[1]}
    request_id = f"obs-{uuid.uuid4().hex[:12]}"

    result = asyncio.run(_session(web=web, worker=worker, world=world, tokens=tokens, request_id=request_id, leo_id=str(leo.pk)))
    job = wait_state(result["job_id"], "succeeded")
    model, organization = job.model.name, str(world.northlight.pk)

    # -- who may scrape: loopback is not in the allowed range, so only the token opens either endpoint
    for side in ("web", "worker"):
        refused = result[side]["none"]
        assert refused.status_code == 404 and refused.json()["error"] == "not_found", (side, refused.text)
        assert b"greenlight_" not in refused.content
    assert result["web"]["wrong"].status_code == 403 and result["web"]["wrong"].json()["error"] == "forbidden"

    # -- the web process: requests, database, queues, sockets, fan-out lag, refusals
    web_metrics = parse(result["web"]["token"].text)
    assert value(web_metrics, "django_http_requests_total_by_method_total", method="POST") >= 2
    assert value(web_metrics, "django_http_responses_total_by_status_total", status="201") >= 1
    assert value(web_metrics, "django_http_responses_total_by_status_total", status="403") >= 1
    assert value(web_metrics, "django_db_execute_total", alias="default", vendor="postgresql") > 0
    assert value(web_metrics, "greenlight_queue_depth", queue=QUEUE) == 0  # the worker took the job
    assert {labels["queue"] for labels, _ in web_metrics["greenlight_queue_depth"]} >= {QUEUE, "media", "default"}
    assert all(v == 1 for _, v in web_metrics["greenlight_metrics_source_up"])
    assert value(web_metrics, "greenlight_generation_jobs", organization=organization, state="queued") is None  # none waiting
    assert value(web_metrics, "greenlight_websocket_connections", stream="project") == 1  # the producer's socket
    assert value(web_metrics, "greenlight_realtime_fanout_lag_seconds_count", kind="durable") >= 3  # queued, running, succeeded…
    assert value(web_metrics, "greenlight_realtime_fanout_lag_seconds_sum", kind="durable") >= 0
    assert value(web_metrics, "greenlight_consent_refusals_total", purpose="generation") == 1

    # -- the worker: its task, the render by model and stage, step time, queue wait per queue and organization
    worker_metrics = parse(result["worker"]["token"].text)
    assert value(worker_metrics, "greenlight_tasks_total", queue=QUEUE, task=RENDER, state="SUCCESS") == 1
    assert value(worker_metrics, "greenlight_task_queue_wait_seconds_count", queue=QUEUE) == 1
    assert value(worker_metrics, "greenlight_renders_total", model=model, outcome="succeeded") == 1
    for stage in ("load", "denoise", "decode", "encode", "total"):
        assert value(worker_metrics, "greenlight_render_seconds_count", model=model, stage=stage) == 1, stage
    total = value(worker_metrics, "greenlight_render_seconds_sum", model=model, stage="total")
    assert total == pytest.approx(job.timings["total"], rel=1e-6) and total > 0
    step = value(worker_metrics, "greenlight_render_step_seconds_sum", model=model)
    assert step == pytest.approx(job.timings["denoise"] / 4, rel=1e-6) and step > 0
    assert value(worker_metrics, "greenlight_generation_queue_wait_seconds_count", organization=organization) == 1
    assert value(worker_metrics, "django_db_execute_total", alias="default", vendor="postgresql") > 0
    assert job.timings["device"] == "cpu"
    assert "greenlight_gpu_memory_bytes" not in worker_metrics  # no CUDA on this worker: the series is absent

    # -- the request id: response → web access log → live events → the worker's log of the task
    mine = [e for e in result["events"] if e.get("job") == result["job_id"] and e["type"] == "job.state_changed"]
    assert {e["data"]["state"] for e in mine} >= {"running", "succeeded"}
    assert all(e.get("meta") == {"request_id": request_id} for e in mine), mine
    web_log = [json.loads(line) for line in web.log_path.read_text().splitlines() if line.startswith("{")]
    access = [r for r in web_log if r["logger"] == "greenlight.request" and r.get("request_id") == request_id]
    assert [(r["method"], r["status"]) for r in access] == [("POST", 201)]

    worker_log = wait_for_log(worker.log_path, lambda r: r.get("request_id") == request_id and "succeeded in" in r["message"])
    assert worker_log["task_name"] == RENDER and worker_log["task_id"] == job.task_id

    # -- the socket closed: the gauge goes back to zero
    assert wait_for_gauge(web, lambda m: value(m, "greenlight_websocket_connections", stream="project") == 0)


def wait_for_log(path: Path, predicate, timeout: float = 30) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for line in path.read_text().splitlines():
            if line.startswith("{"):
                record = json.loads(line)
                if predicate(record):
                    return record
        time.sleep(0.1)
    raise AssertionError(f"no matching record in {path} within {timeout}s")


def wait_for_gauge(server, predicate, timeout: float = 20) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        scraped = parse(httpx.get(f"{server.http}/metrics", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10).text)
        if predicate(scraped):
            return True
        time.sleep(0.1)
    return False
