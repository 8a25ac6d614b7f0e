"""Which render workers are alive, so the dispatcher can size its slots to them (`GENERATION_GPU_SLOTS=auto`).

Every Celery worker that consumes the `gpu` queue announces itself in Redis when it is ready: a key
`greenlight:gpu-worker:<node name>` whose value is its concurrency (renders it runs at once) and whose
expiry is three heartbeats, refreshed every `GENERATION_HEARTBEAT_SECONDS` by a thread of the
worker's main process. A worker that stops cleanly removes its key; one that dies stops refreshing it
and drops out of the count within three heartbeats. With autoscaled render workers (KEDA adding GPU
pods as jobs wait) the number of jobs released to the `gpu` queue then follows the pods that exist:
no render waits in the broker behind another studio's while a worker idles, and no more than the
workers can take is ever released (generation/services/scheduling.py).

A newly announced worker runs the dispatcher once, so its capacity is used at once rather than at
the next render's end or beat's safety tick.
"""

from __future__ import annotations

import logging
import threading

import redis
from django.conf import settings

log = logging.getLogger(__name__)

KEY_PREFIX = "greenlight:gpu-worker:"
_client: redis.Redis | None = None


def _redis() -> redis.Redis:
    global _client
    if _client is None:
        _client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=5)
    return _client


def ttl_seconds() -> int:
    return max(3, 3 * int(settings.GENERATION_HEARTBEAT_SECONDS))


def announce(node: str, concurrency: int) -> None:
    _redis().set(f"{KEY_PREFIX}{node}", int(concurrency), ex=ttl_seconds())


def retire(node: str) -> None:
    _redis().delete(f"{KEY_PREFIX}{node}")


def live() -> dict[str, int]:
    """node name -> concurrency of every render worker whose announcement has not expired."""
    client = _redis()
    keys = list(client.scan_iter(match=f"{KEY_PREFIX}*", count=200))
    if not keys:
        return {}
    values = client.mget(keys)
    return {key.decode()[len(KEY_PREFIX):]: int(value) for key, value in zip(keys, values, strict=True) if value is not None}


def live_slots() -> int:
    """Renders the live workers can run at once."""
    return sum(live().values())


class Announcer:
    """The worker-side heartbeat: announce now and every heartbeat until stopped, then retire."""

    def __init__(self, node: str, concurrency: int, on_first=None):
        self.node, self.concurrency, self.on_first = node, concurrency, on_first
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="gpu-worker-announcer", daemon=True)

    def start(self) -> Announcer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        try:
            retire(self.node)
        except redis.RedisError:
            log.warning("could not retire gpu worker %s; its announcement expires in %ss", self.node, ttl_seconds())

    def _run(self) -> None:
        first = True
        while not self._stop.is_set():
            try:
                announce(self.node, self.concurrency)
                if first and self.on_first is not None:
                    self.on_first()
                first = False
            except Exception:  # noqa: BLE001 - Redis away for a moment: the next beat announces again
                log.warning("gpu worker %s could not announce itself", self.node, exc_info=True)
            self._stop.wait(max(1, int(settings.GENERATION_HEARTBEAT_SECONDS)))
