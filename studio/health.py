"""Liveness and readiness, answered separately.

- `/livez` — the process is up and serving requests. Touches nothing else, so a database or Redis
  outage never makes an orchestrator restart healthy web processes.
- `/readyz` — the database, Redis and the Celery broker, each checked for real: 200 when all
  answer, 503 (with each check's error and latency) when one does not, so traffic goes elsewhere.
- `/healthz` — the same answer as `/readyz` (kept for existing monitors and scripts).
"""

from __future__ import annotations

import time

from django.conf import settings
from django.db import connections
from django.http import JsonResponse


def _timed(check) -> dict:
    started = time.perf_counter()
    try:
        check()
    except Exception as exc:  # noqa: BLE001 - a health check reports any failure
        return {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:300], "ms": round((time.perf_counter() - started) * 1000, 1)}
    return {"ok": True, "ms": round((time.perf_counter() - started) * 1000, 1)}


def check_database() -> None:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_redis() -> None:
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
    try:
        client.ping()
    finally:
        client.close()


def check_broker() -> None:
    from studio.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=1)


def livez(request):
    return JsonResponse({"status": "ok"})


def readyz(request):
    checks = {"database": _timed(check_database), "redis": _timed(check_redis), "broker": _timed(check_broker)}
    healthy = all(c["ok"] for c in checks.values())
    # Close a broken database connection so the next request reconnects cleanly.
    if not checks["database"]["ok"]:
        connections["default"].close_if_unusable_or_obsolete()
    return JsonResponse({"status": "ok" if healthy else "unavailable", "checks": checks}, status=200 if healthy else 503)


healthz = readyz
