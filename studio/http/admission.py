"""Admission control for a web process: at most N HTTP requests run at once; the rest wait their turn.

Django serves each ASGI request on a thread of its own, and each such thread opens its own database
connection while it runs. Without a bound, a burst of requests opens as many PostgreSQL connections
as there are requests in flight, past `max_connections`, and everyone gets a 503 (found by `make
load`: 961 of 2,012 requests failed with "remaining connection slots are reserved"). With this gate,
a process holds at most `WEB_MAX_CONCURRENT_REQUESTS` request threads (and so connections) at once;
a request that cannot get a slot within `WEB_ADMISSION_TIMEOUT_SECONDS` answers 503 JSON with
`Retry-After`, having touched nothing. WebSockets are not gated here: their database work runs on
the consumers' own bounded thread pool (channels' `database_sync_to_async`).

Liveness is never queued (`/livez` answers even when every slot is busy), so a busy process is not
restarted for being busy.
"""

from __future__ import annotations

import asyncio
import json
import math

UNGATED_PATHS = frozenset({"/livez", "/livez/"})


class AdmissionGate:
    """ASGI middleware around the HTTP application (see the module docstring)."""

    def __init__(self, app, *, limit: int, timeout: float):
        if limit < 1:
            raise ValueError("the admission limit must be at least 1")
        self.app, self.limit, self.timeout = app, limit, timeout
        self._slots: asyncio.Semaphore | None = None
        self.waiting = 0

    @property
    def slots(self) -> asyncio.Semaphore:
        # Made lazily: it belongs to the server's event loop, which does not exist at import time.
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.limit)
        return self._slots

    @property
    def in_flight(self) -> int:
        return self.limit - self.slots._value

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope.get("path") in UNGATED_PATHS:
            return await self.app(scope, receive, send)
        self.waiting += 1
        try:
            await asyncio.wait_for(self.slots.acquire(), timeout=self.timeout)
        except TimeoutError:
            return await _busy(send, retry_after=max(1, math.ceil(self.timeout)))
        finally:
            self.waiting -= 1
        try:
            return await self.app(scope, receive, send)
        finally:
            self.slots.release()


async def _busy(send, *, retry_after: int) -> None:
    body = json.dumps({
        "error": "server_busy",
        "detail": "The server is busy with other requests right now; nothing was changed. Retry in a few seconds.",
    }).encode()
    await send({
        "type": "http.response.start",
        "status": 503,
        "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                    (b"retry-after", str(retry_after).encode())],
    })
    await send({"type": "http.response.body", "body": body})
