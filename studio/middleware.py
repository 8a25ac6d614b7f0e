"""Turn an unreachable PostgreSQL or Redis into a clean 503 instead of a traceback page."""

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
