"""Presence: who is looking at which version of a project, kept in Redis so every web process agrees.

Per project, one sorted set (connection → expiry time) and one hash (connection → who and which
version). Each open socket refreshes its own entry every TTL/3 seconds; an entry whose process died
simply expires, and the next sweep (one socket of the project wins a short Redis lock) removes it
and tells the project. Nothing lives in a web process's memory.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

from django.conf import settings

from studio.realtime import store


def ttl_seconds() -> float:
    return float(getattr(settings, "REALTIME_PRESENCE_TTL_SECONDS", 30))


def _zkey(project_id) -> str:
    return store.key("presence", project_id)


def _whokey(project_id) -> str:
    return store.key("presence-who", project_id)


def _revkey(project_id) -> str:
    return store.key("presence-rev", project_id)


def _sweepkey(project_id) -> str:
    return store.key("presence-sweep", project_id)


@dataclass(frozen=True)
class Viewer:
    user: str
    name: str
    version: str


async def enter(*, project_id, version_id, conn: str, user_id, name: str) -> None:
    ttl = ttl_seconds()
    client = store.async_client()
    who = json.dumps({"user": str(user_id), "name": name, "version": str(version_id)})
    async with client.pipeline(transaction=True) as pipe:
        pipe.zadd(_zkey(project_id), {conn: time.time() + ttl})
        pipe.hset(_whokey(project_id), conn, who)
        pipe.expire(_zkey(project_id), int(ttl * 4) + 1)
        pipe.expire(_whokey(project_id), int(ttl * 4) + 1)
        await pipe.execute()


async def leave(*, project_id, conn: str) -> bool:
    client = store.async_client()
    async with client.pipeline(transaction=True) as pipe:
        pipe.zrem(_zkey(project_id), conn)
        pipe.hdel(_whokey(project_id), conn)
        removed, _ = await pipe.execute()
    return bool(removed)


async def refresh(*, project_id, version_id, conn: str, user_id, name: str) -> None:
    """Extend this connection's entry (re-creating it if a sweep removed it during a stall)."""
    await enter(project_id=project_id, version_id=version_id, conn=conn, user_id=user_id, name=name)


async def next_rev(*, project_id) -> int:
    client = store.async_client()
    async with client.pipeline(transaction=True) as pipe:
        pipe.incr(_revkey(project_id))
        pipe.expire(_revkey(project_id), 7 * 24 * 3600)
        rev, _ = await pipe.execute()
    return int(rev)


async def current_rev(*, project_id) -> int:
    raw = await store.async_client().get(_revkey(project_id))
    return int(raw) if raw else 0


async def viewers(*, project_id) -> list[Viewer]:
    """Everyone present in the project right now (expired entries excluded even before a sweep)."""
    client = store.async_client()
    conns = await client.zrangebyscore(_zkey(project_id), time.time(), "+inf")
    if not conns:
        return []
    raws = await client.hmget(_whokey(project_id), conns)
    result = []
    for raw in raws:
        if raw:
            who = json.loads(raw)
            result.append(Viewer(user=who["user"], name=who["name"], version=who["version"]))
    return result


def summarise(entries: list[Viewer], version_id) -> list[dict]:
    """One row per person looking at `version_id` (several tabs of one person count once)."""
    people: dict[str, dict] = {}
    for v in entries:
        if v.version == str(version_id):
            row = people.setdefault(v.user, {"user": v.user, "name": v.name, "tabs": 0})
            row["tabs"] += 1
    return sorted(people.values(), key=lambda r: (r["name"].lower(), r["user"]))


def by_version(entries: list[Viewer]) -> dict[str, list[dict]]:
    return {version: summarise(entries, version) for version in sorted({v.version for v in entries})}


async def sweep(*, project_id) -> set[str]:
    """Remove expired entries; return the versions whose viewers changed.

    Only one caller per project and period does the work (a short Redis lock), and each expired
    entry is removed by exactly one caller (ZREM answers 1 once), so a change is announced once.
    """
    client = store.async_client()
    period_ms = max(200, int(ttl_seconds() * 1000 / 3))
    if not await client.set(_sweepkey(project_id), "1", nx=True, px=period_ms):
        return set()
    expired = await client.zrangebyscore(_zkey(project_id), "-inf", time.time())
    changed: set[str] = set()
    for conn in expired:
        raw = await client.hget(_whokey(project_id), conn)
        if await client.zrem(_zkey(project_id), conn):
            await client.hdel(_whokey(project_id), conn)
            if raw:
                changed.add(json.loads(raw)["version"])
    return changed
