"""Operational endpoints ahead of everything else, and a clean 503 when PostgreSQL or Redis is down."""

from __future__ import annotations

import logging

from django.db import InterfaceError, OperationalError
from django.http import JsonResponse
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger(__name__)

UNAVAILABLE = (OperationalError, InterfaceError, RedisConnectionError, RedisTimeoutError)


def service_unavailable_response(exc: BaseException) -> JsonResponse:
    service = "redis" if isinstance(exc, (RedisConnectionError, RedisTimeoutError)) else "database"
    return JsonResponse(
        {
            "error": "service_unavailable",
            "detail": f"The {service} is unreachable right now; nothing was changed. Retry in a moment.",
            "service": service,
        },
        status=503,
        headers={"Retry-After": "5"},
    )


class ServiceUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            return self.get_response(request)
        except UNAVAILABLE as exc:
            log.warning("service unavailable during %s %s: %s", request.method, request.path, exc)
            return service_unavailable_response(exc)

    def process_exception(self, request, exc):
        if isinstance(exc, UNAVAILABLE):
            log.warning("service unavailable during %s %s: %s", request.method, request.path, exc)
            return service_unavailable_response(exc)
        return None


class OperationalEndpointsMiddleware:
    """Answers /livez, /readyz, /healthz and /metrics before host validation, sessions and CSRF.

    Probes and Prometheus reach a pod by its address, which is not in ALLOWED_HOSTS; these answers
    need no session and change nothing. /metrics checks its own caller (studio/metrics.py).
    """

    def __init__(self, get_response):
        from studio.health import healthz, livez, readyz
        from studio.metrics import metrics_view

        self.get_response = get_response
        self.views = {"/livez": livez, "/readyz": readyz, "/healthz": healthz, "/metrics": metrics_view}

    def __call__(self, request):
        view = self.views.get(request.path_info)
        if view is not None:
            return view(request)
        return self.get_response(request)
