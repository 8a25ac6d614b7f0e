"""Failed-login throttling, kept in Redis so that it holds across web processes.

Each failed attempt increments a counter per account (the normalised email) and per client
address; a counter over its limit refuses further attempts with 429 until its window expires.
A successful login clears the account's counter.
"""

from __future__ import annotations

import hashlib
import math
import time

from django.conf import settings
from django.core.cache import cache
from rest_framework.exceptions import Throttled


def _key(kind: str, value: str) -> str:
    digest = hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]
    return f"login-fail:{kind}:{digest}"


def _limits() -> list[tuple[str, int]]:
    return [("account", settings.LOGIN_THROTTLE_MAX_PER_ACCOUNT), ("address", settings.LOGIN_THROTTLE_MAX_PER_ADDRESS)]


def check_login_allowed(*, email: str, address: str) -> None:
    """Raise 429 (with Retry-After) when the account or the address has failed too often."""
    window = settings.LOGIN_THROTTLE_WINDOW_SECONDS
    for (kind, limit), value in zip(_limits(), (email, address), strict=True):
        entry = cache.get(_key(kind, value))
        if entry and entry["count"] >= limit:
            wait = max(1, math.ceil(entry["first"] + window - time.time()))
            raise Throttled(
                wait=wait,
                detail=f"Too many failed sign-in attempts for this {kind}. Try again in {wait} seconds.",
            )


def register_failure(*, email: str, address: str) -> None:
    window = settings.LOGIN_THROTTLE_WINDOW_SECONDS
    now = time.time()
    for kind, value in (("account", email), ("address", address)):
        key = _key(kind, value)
        entry = cache.get(key) or {"count": 0, "first": now}
        entry["count"] += 1
        remaining = max(1, int(entry["first"] + window - now))
        cache.set(key, entry, timeout=remaining)


def clear_account(*, email: str) -> None:
    cache.delete(_key("account", email))
