"""Request bodies are refused with 413 before they are read, per route.

Django's ASGI handler reads a whole body (spooling it to disk past FILE_UPLOAD_MAX_MEMORY_SIZE)
before any view runs, so a size check in a view comes too late. `RequestBodyLimitMiddleware` wraps
the HTTP application (studio/asgi.py) and, for each request:

- answers 413 at once, without reading, when `Content-Length` is over the route's limit;
- counts the bytes as they arrive (a chunked body has no `Content-Length`) and stops reading at the
  limit: Django sees a disconnect, runs no view, and the middleware answers 413.

The limit of a route is the first registered pattern that matches its path, else
`MAX_JSON_BODY_BYTES` (every JSON route). The core registers the sign-in routes
(`MAX_AUTH_BODY_BYTES`, they answer unauthenticated callers); apps register their upload routes
from `AppConfig.ready` (`register_body_limit`): versions (`MAX_UPLOAD_BYTES`), imports
(`MAX_IMPORT_BYTES`), likeness assets. Inside Django the same limits hold for the test client and
WSGI: `DATA_UPLOAD_MAX_MEMORY_SIZE` (JSON and form fields) and the capped upload handler
(studio/http/uploads.py) raise `RequestDataTooBig`, which the API answers as the same JSON 413.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable

from django.conf import settings

# Room for multipart boundaries and small form fields around an uploaded file.
MULTIPART_OVERHEAD = 64 * 1024

_ROUTES: list[tuple[re.Pattern, Callable[[], int]]] = []


def register_body_limit(*, pattern: str, limit: Callable[[], int]) -> None:
    """Requests whose path matches `pattern` (a regex, from the start of the path) may send up to
    `limit()` bytes. Called from `AppConfig.ready`; the first match wins."""
    _ROUTES.append((re.compile(pattern), limit))


def body_limit_for(path: str) -> int:
    for pattern, limit in _ROUTES:
        if pattern.match(path):
            return int(limit())
    return int(settings.MAX_JSON_BODY_BYTES)


def too_large_payload(limit: int) -> dict:
    return {
        "error": "payload_too_large",
        "detail": f"The request body is larger than this endpoint accepts ({_size(limit)}). "
        "Send a smaller body; files go to the upload endpoints.",
        "limit_bytes": limit,
    }


def _size(n: int) -> str:
    return f"{n / 2**20:.0f} MiB" if n >= 2**20 else f"{n / 2**10:.0f} KiB" if n >= 2**10 else f"{n} bytes"


def _declared_length(scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _send_413(send, limit: int) -> None:
    body = json.dumps(too_large_payload(limit)).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()), (b"connection", b"close")]
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class RequestBodyLimitMiddleware:
    """ASGI middleware around the HTTP application (see the module docstring)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        limit = body_limit_for(scope.get("path", ""))
        declared = _declared_length(scope)
        if declared is not None and declared > limit:
            return await _send_413(send, limit)
        state = {"received": 0, "over": False, "started": False}

        async def counting_receive():
            message = await receive()
            if message["type"] == "http.request" and not state["over"]:
                state["received"] += len(message.get("body", b""))
                if state["received"] > limit:
                    state["over"] = True
            if state["over"]:
                return {"type": "http.disconnect"}
            return message

        async def tracking_send(message):
            if message["type"] == "http.response.start":
                state["started"] = True
            await send(message)

        await self.app(scope, counting_receive, tracking_send)
        if state["over"] and not state["started"]:
            await _send_413(send, limit)


register_body_limit(pattern=r"^/api/v1/auth/", limit=lambda: settings.MAX_AUTH_BODY_BYTES)
