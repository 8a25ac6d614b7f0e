"""Redis access for realtime state that must be shared by every web process (presence, rooms, progress).

Keys live under the channel layer's prefix (`CHANNELS_PREFIX`), so two deployments or test runs that
share one Redis server with different prefixes never see each other's rooms.
"""

from __future__ import annotations

import asyncio
import time
import weakref

import redis
import redis.asyncio as aredis
from django.conf import settings

_async_clients: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_sync_client: redis.Redis | None = None


def key(*parts) -> str:
    prefix = settings.CHANNEL_LAYERS["default"]["CONFIG"].get("prefix", "gl-asgi")
    return ":".join([prefix, "rt", *(str(p) for p in parts)])


def async_client() -> aredis.Redis:
    """A client bound to the running event loop (each loop gets its own connection pool)."""
    loop = asyncio.get_running_loop()
    client = _async_clients.get(loop)
    if client is None:
        # Wait for a free connection rather than fail when many sockets act at once (see layers.py).
        pool = aredis.BlockingConnectionPool.from_url(
            settings.REDIS_URL, max_connections=100, timeout=10, socket_connect_timeout=2, socket_timeout=5
        )
        client = aredis.Redis(connection_pool=pool)
        _async_clients[loop] = client
    return client


def sync_client() -> redis.Redis:
    global _sync_client
    if _sync_client is None:
        _sync_client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=5)
    return _sync_client


def now_ms() -> int:
    return int(time.time() * 1000)


async def close_async_client() -> None:
    """Close the running loop's client (tests and shutdown hooks; the next call opens a new one)."""
    client = _async_clients.pop(asyncio.get_running_loop(), None)
    if client is not None:
        await client.aclose()
