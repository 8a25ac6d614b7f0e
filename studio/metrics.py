"""Prometheus metrics: Greenlight's own series, scrape-time sources, and who may read them.

Where each series comes from (docs/OPERATIONS.md, "Metrics"):

- **web** (`GET /metrics`, one uvicorn process per pod): django-prometheus (requests, responses,
  latency by view, database queries), WebSocket connections, event fan-out lag, consent refusals
  decided in requests, and the **scrape-time gauges** computed from the source of truth when
  Prometheus asks: Celery queue depth per queue (Redis list lengths on the broker) and, from the
  apps that register a source (`register_source`), e.g. generation jobs queued/running per
  organization and the age of the oldest queued one (PostgreSQL).
- **Celery workers** expose their own on `WORKER_METRICS_PORT` (`/metrics`): task queue wait and
  run time per queue, render seconds by model and stage, step time, GPU memory (CUDA workers only:
  the series is absent on a CPU worker), renders by outcome, consent refusals at render time. A
  prefork worker's pool processes record into prometheus_client's multiprocess files
  (`PROMETHEUS_MULTIPROC_DIR`, a fresh private folder per worker made by studio/celery.py), which
  the worker's main process serves.

This module is the platform core: it imports no domain app. Domain code records through the
definitions below and registers its scrape-time sources.
"""

from __future__ import annotations

import atexit
import hmac
import ipaddress
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable
from functools import lru_cache
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric

log = logging.getLogger(__name__)

WAIT_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, float("inf"))
RENDER_BUCKETS = (0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200, float("inf"))
STEP_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, float("inf"))
LAG_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, float("inf"))

# ---------------------------------------------------------------- Celery (any worker)
TASK_QUEUE_WAIT = Histogram(
    "greenlight_task_queue_wait_seconds", "Time a Celery task waited in its queue, from sending to a worker starting it.",
    ["queue"], buckets=WAIT_BUCKETS,
)
TASK_SECONDS = Histogram("greenlight_task_seconds", "Run time of Celery tasks.", ["queue", "task"], buckets=RENDER_BUCKETS)
TASKS = Counter("greenlight_tasks_total", "Celery tasks finished, by queue, task and Celery state.", ["queue", "task", "state"])

# ---------------------------------------------------------------- rendering (gpu workers)
GENERATION_QUEUE_WAIT = Histogram(
    "greenlight_generation_queue_wait_seconds", "Time a generation job waited, from queued to a worker starting it.",
    ["organization"], buckets=WAIT_BUCKETS,
)
RENDERS = Counter("greenlight_renders_total", "Render attempts finished, by model and outcome.", ["model", "outcome"])
RENDER_SECONDS = Histogram(
    "greenlight_render_seconds", "Seconds a render spent, by model and stage (load, denoise, decode, encode, store, total).",
    ["model", "stage"], buckets=RENDER_BUCKETS,
)
RENDER_STEP_SECONDS = Histogram(
    "greenlight_render_step_seconds", "Mean seconds per denoising step of a render, by model.", ["model"], buckets=STEP_BUCKETS,
)
GPU_MEMORY = Gauge(
    "greenlight_gpu_memory_bytes",
    "GPU memory of a render worker (peak allocated by the last render, reserved now, total). Absent without CUDA.",
    ["device", "kind"], multiprocess_mode="mostrecent",
)

# ---------------------------------------------------------------- web
WEBSOCKET_CONNECTIONS = Gauge(
    "greenlight_websocket_connections", "Open WebSocket connections, by stream.", ["stream"], multiprocess_mode="livesum",
)
FANOUT_LAG = Histogram(
    "greenlight_realtime_fanout_lag_seconds", "Seconds from publish() to a socket's consumer sending the event, by kind.",
    ["kind"], buckets=LAG_BUCKETS,
)
CONSENT_REFUSALS = Counter("greenlight_consent_refusals_total", "Consent policy refusals (audited denials), by purpose.", ["purpose"])


def multiprocess_dir() -> str | None:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or os.environ.get("prometheus_multiproc_dir") or None


def _forget_this_process() -> None:
    """At exit, in multiprocess mode: drop this process's live gauges (open WebSockets) from the sum."""
    if multiprocess_dir():
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(os.getpid())


atexit.register(_forget_this_process)


# ---------------------------------------------------------------- recording helpers

def _stream_name(consumer) -> str:
    name = type(consumer).__name__
    for suffix in ("StreamConsumer", "Consumer"):
        name = name.removesuffix(suffix)
    return name.lower() or "unknown"


def websocket_opened(consumer) -> None:
    consumer._metrics_stream = _stream_name(consumer)
    WEBSOCKET_CONNECTIONS.labels(stream=consumer._metrics_stream).inc()


def websocket_closed(consumer) -> None:
    stream = getattr(consumer, "_metrics_stream", None)
    if stream is not None:
        consumer._metrics_stream = None
        WEBSOCKET_CONNECTIONS.labels(stream=stream).dec()


def observe_fanout(message: dict) -> None:
    """For a channel-layer event message about to be sent to a socket: publish → send lag."""
    published = message.get("published_at")
    if isinstance(published, (int, float)):
        kind = "durable" if message.get("id") is not None else "ephemeral"
        FANOUT_LAG.labels(kind=kind).observe(max(0.0, time.time() - published))


def consent_refused(purpose: str) -> None:
    CONSENT_REFUSALS.labels(purpose=purpose or "unknown").inc()


# ---------------------------------------------------------------- Celery signal handlers

SENT_AT_HEADER = "gl_sent_at"


def stamp_task_headers(headers: dict | None) -> None:
    """before_task_publish: when the task left, so the worker can tell how long it waited."""
    if headers is not None:
        headers.setdefault(SENT_AT_HEADER, time.time())


def _queue_of(task) -> str:
    info = getattr(task.request, "delivery_info", None) or {}
    return str(info.get("routing_key") or info.get("queue") or "unknown")


def task_started(task) -> None:
    sent_at = getattr(task.request, SENT_AT_HEADER, None)
    if sent_at is None:
        sent_at = (getattr(task.request, "headers", None) or {}).get(SENT_AT_HEADER)
    task._metrics_started = time.perf_counter()
    if isinstance(sent_at, (int, float)) and not getattr(task.request, "is_eager", False):
        TASK_QUEUE_WAIT.labels(queue=_queue_of(task)).observe(max(0.0, time.time() - sent_at))


def task_finished(task, state: str | None) -> None:
    queue = _queue_of(task)
    TASKS.labels(queue=queue, task=task.name, state=state or "UNKNOWN").inc()
    started = getattr(task, "_metrics_started", None)
    if started is not None:
        TASK_SECONDS.labels(queue=queue, task=task.name).observe(time.perf_counter() - started)


# ---------------------------------------------------------------- scrape-time sources

Source = Callable[[], Iterable[Metric]]
_sources: dict[str, Source] = {}


def register_source(name: str, source: Source) -> None:
    """A function the web process calls at every scrape, yielding metric families computed from the
    source of truth (database, Redis). A failing source is reported as
    `greenlight_metrics_source_up{source=name} 0` and never fails the scrape."""
    _sources[name] = source


KOMBU_PRIORITY_SEPARATOR = "\x06\x16"
KOMBU_PRIORITY_STEPS = (0, 3, 6, 9)


def queue_names() -> list[str]:
    """The Celery queues to report: METRICS_QUEUES, or every queue the settings route to."""
    from django.conf import settings

    configured = getattr(settings, "METRICS_QUEUES", None)
    if configured:
        return list(dict.fromkeys(configured))
    names = [settings.CELERY_TASK_DEFAULT_QUEUE, getattr(settings, "GENERATION_QUEUE", "gpu")]
    names += [route.get("queue") for route in settings.CELERY_TASK_ROUTES.values() if route.get("queue")]
    return list(dict.fromkeys(names))


def celery_queue_depth() -> Iterable[Metric]:
    """LLEN of each queue's Redis lists on the broker (with kombu's priority sub-queues)."""
    import redis
    from django.conf import settings

    url = settings.CELERY_BROKER_URL
    if not url.startswith(("redis://", "rediss://", "unix://")):
        return []
    depth = GaugeMetricFamily("greenlight_queue_depth", "Celery messages waiting in each queue (broker list length).", labels=["queue"])
    client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
    try:
        names = queue_names()
        with client.pipeline(transaction=False) as pipe:
            for name in names:
                for step in KOMBU_PRIORITY_STEPS:
                    pipe.llen(name if step == 0 else f"{name}{KOMBU_PRIORITY_SEPARATOR}{step}")
            lengths = pipe.execute()
    finally:
        client.close()
    per_queue = len(KOMBU_PRIORITY_STEPS)
    for index, name in enumerate(names):
        depth.add_metric([name], float(sum(lengths[index * per_queue:(index + 1) * per_queue])))
    return [depth]


register_source("celery_queues", celery_queue_depth)


class _SourcesCollector:
    def collect(self) -> Iterable[Metric]:
        up = GaugeMetricFamily("greenlight_metrics_source_up", "1 when a scrape-time metrics source answered.", labels=["source"])
        for name, source in sorted(_sources.items()):
            started = time.perf_counter()
            try:
                families = list(source())
            except Exception as exc:  # noqa: BLE001 - a broken source must not fail the scrape
                log.warning("metrics source %s failed: %s", name, exc)
                up.add_metric([name], 0.0)
                _close_database_if_broken(exc)
                continue
            log.debug("metrics source %s took %.1f ms", name, (time.perf_counter() - started) * 1000)
            up.add_metric([name], 1.0)
            yield from families
        yield up


def _close_database_if_broken(exc: Exception) -> None:
    """After a database error, drop a broken connection so the next scrape reconnects cleanly."""
    from django.db import DatabaseError, connections

    if isinstance(exc, DatabaseError):
        connections["default"].close_if_unusable_or_obsolete()


class _ProcessCollector:
    """This process's own series: the default registry, or every process's multiprocess files."""

    def collect(self) -> Iterable[Metric]:
        if multiprocess_dir():
            from prometheus_client import multiprocess

            registry = CollectorRegistry(auto_describe=False)
            multiprocess.MultiProcessCollector(registry)
            yield from registry.collect()
        else:
            yield from REGISTRY.collect()


def exposition(*, with_sources: bool) -> bytes:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_ProcessCollector())
    if with_sources:
        registry.register(_SourcesCollector())
    return generate_latest(registry)


# ---------------------------------------------------------------- who may read

@lru_cache(maxsize=8)
def _networks(cidrs: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(cidr, strict=False) for cidr in cidrs)


def parse_cidrs(values: Iterable[str]) -> tuple[str, ...]:
    """Validate METRICS_ALLOWED_CIDRS at start-up (a typo must not silently open or close /metrics)."""
    cleaned = []
    for value in values:
        try:
            ipaddress.ip_network(value, strict=False)
        except ValueError as exc:
            raise ValueError(f"METRICS_ALLOWED_CIDRS: {value!r} is not an address range such as 10.0.0.0/8 ({exc}).") from exc
        cleaned.append(value)
    return tuple(cleaned)


def access_denied(*, remote_addr: str | None, authorization: str | None, proxied: bool) -> tuple[int, str, str] | None:
    """None when the caller may read the metrics, else (status, error code, detail).

    A caller is let in by a right bearer token (`Authorization: Bearer <METRICS_TOKEN>`), or by its
    address being in METRICS_ALLOWED_CIDRS. A request that came through a proxy (it carries
    X-Forwarded-For or Forwarded) is judged by its token only: its address is the proxy's.
    """
    from django.conf import settings

    token = getattr(settings, "METRICS_TOKEN", "") or ""
    if authorization:
        scheme, _, presented = authorization.partition(" ")
        if token and scheme.lower() == "bearer" and hmac.compare_digest(presented.strip().encode(), token.encode()):
            return None
        if scheme.lower() == "bearer":
            return 403, "forbidden", "The metrics token is wrong. Send Authorization: Bearer <METRICS_TOKEN>."
    if not proxied and remote_addr:
        try:
            address = ipaddress.ip_address(remote_addr.split("%", 1)[0])
        except ValueError:
            address = None
        if address is not None and any(address in network for network in _networks(tuple(settings.METRICS_ALLOWED_CIDRS))):
            return None
    return 404, "not_found", "Nothing here."


# ---------------------------------------------------------------- the web view

def metrics_view(request):
    from django.http import HttpResponse, JsonResponse

    proxied = "HTTP_X_FORWARDED_FOR" in request.META or "HTTP_FORWARDED" in request.META
    denied = access_denied(remote_addr=request.META.get("REMOTE_ADDR"), authorization=request.META.get("HTTP_AUTHORIZATION"),
                           proxied=proxied)
    if denied is not None:
        status, code, detail = denied
        return JsonResponse({"error": code, "detail": detail}, status=status)
    if request.method not in ("GET", "HEAD"):
        return JsonResponse({"error": "method_not_allowed", "detail": "Use GET."}, status=405, headers={"Allow": "GET, HEAD"})
    return HttpResponse(exposition(with_sources=True), content_type=CONTENT_TYPE_LATEST)


# ---------------------------------------------------------------- the worker's endpoint

class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the stdlib's signature
        log.debug("metrics: " + format, *args)


def _worker_app(environ, start_response):
    import json

    proxied = "HTTP_X_FORWARDED_FOR" in environ or "HTTP_FORWARDED" in environ
    denied = access_denied(remote_addr=environ.get("REMOTE_ADDR"), authorization=environ.get("HTTP_AUTHORIZATION"), proxied=proxied)
    if denied is None and environ.get("PATH_INFO", "/") not in ("/metrics", "/metrics/"):
        denied = (404, "not_found", "The worker's metrics are at /metrics.")
    if denied is not None:
        status, code, detail = denied
        body = json.dumps({"error": code, "detail": detail}).encode()
        start_response(f"{status} {'Forbidden' if status == 403 else 'Not Found'}", [("Content-Type", "application/json")])
        return [body]
    body = exposition(with_sources=False)
    start_response("200 OK", [("Content-Type", CONTENT_TYPE_LATEST), ("Content-Length", str(len(body)))])
    return [body]


_worker_server: WSGIServer | None = None


def start_worker_server(*, port: int, address: str) -> WSGIServer | None:
    """Serve this worker's metrics (all its pool processes) on address:port, in a daemon thread.

    A port that cannot be bound is logged and skipped: metrics never stop a worker from working.
    """
    global _worker_server
    if _worker_server is not None:
        return _worker_server
    try:
        server = make_server(address, port, _worker_app, server_class=_ThreadingWSGIServer, handler_class=_QuietHandler)
    except OSError as exc:
        log.warning("worker metrics: cannot listen on %s:%s (%s); this worker's metrics are not served", address, port, exc)
        return None
    threading.Thread(target=server.serve_forever, name="metrics-server", daemon=True).start()
    log.info("worker metrics on http://%s:%s/metrics", address, server.server_port)
    _worker_server = server
    return server
