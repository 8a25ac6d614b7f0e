"""Failed-login throttling, kept in Redis so that it holds across web processes.

Every sign-in attempt is counted **before** the password is checked, in one atomic Redis step
(INCR, and the window's expiry set by the first attempt), per account (the normalised email) and
per client address. An attempt that finds its counter over the limit is refused with 429 (and
`Retry-After`) even with the right password, until the window expires. Counting first is what makes
the limit hold under parallel guesses: N concurrent wrong passwords take N distinct numbers, so
only the first `limit` of them reach the password check (a check-then-count design let 8 parallel
guesses through against a limit of 5). A successful sign-in clears the account's counter and gives
its attempt back to the address.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache
from rest_framework.exceptions import Throttled

# INCR, and start the window on the first attempt; answer the count and the seconds left. One
# script, so no other attempt can come between the increment and the expiry.
_COUNT = """
local n = redis.call('INCR', KEYS[1])
if n == 1 or redis.call('TTL', KEYS[1]) < 0 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return {n, redis.call('TTL', KEYS[1])}
"""
_GIVE_BACK = """
local n = tonumber(redis.call('GET', KEYS[1]) or '0')
if n > 0 then redis.call('DECR', KEYS[1]) end
return n
"""


def _key(kind: str, value: str) -> str:
    digest = hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]
    return cache.make_and_validate_key(f"login-fail:{kind}:{digest}")


def _client(key: str):
    # The cache's own Redis connection: its keys live (and are cleared) with the rest of the cache.
    return cache._cache.get_client(key, write=True)


def _limits(*, email: str, address: str) -> list[tuple[str, int, str]]:
    return [
        ("account", settings.LOGIN_THROTTLE_MAX_PER_ACCOUNT, email),
        ("address", settings.LOGIN_THROTTLE_MAX_PER_ADDRESS, address),
    ]


def count_attempt(*, email: str, address: str) -> None:
    """Count one sign-in attempt for the account and the address, atomically; raise 429 (with
    Retry-After) when either is over its limit. Call before checking the password."""
    window = int(settings.LOGIN_THROTTLE_WINDOW_SECONDS)
    for kind, limit, value in _limits(email=email, address=address):
        key = _key(kind, value)
        count, ttl = _client(key).eval(_COUNT, 1, key, window)
        if int(count) > limit:
            wait = max(1, int(ttl))
            raise Throttled(wait=wait, detail=f"Too many failed sign-in attempts for this {kind}. Try again in {wait} seconds.")


def succeeded(*, email: str, address: str) -> None:
    """A correct password: the account starts afresh and the address gets its attempt back."""
    account = _key("account", email)
    _client(account).delete(account)
    key = _key("address", address)
    _client(key).eval(_GIVE_BACK, 1, key)


# ---------------------------------------------------------------- the same counters, for other guesses
# Other secrets people might guess (share-link tokens and passphrases, projects/services/sharing.py)
# use the same atomic count, under their own scope.

def _scoped_key(scope: str, value: str) -> str:
    digest = hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]
    return cache.make_and_validate_key(f"throttle:{scope}:{digest}")


def count_guess(*, scope: str, value: str, limit: int, window: int, message: str) -> None:
    """Count one guess for (`scope`, `value`), atomically; 429 (with Retry-After) once over `limit`
    in `window` seconds. `message` may name `{wait}`, the seconds left. Call before checking the secret."""
    key = _scoped_key(scope, value)
    count, ttl = _client(key).eval(_COUNT, 1, key, int(window))
    if int(count) > limit:
        wait = max(1, int(ttl))
        raise Throttled(wait=wait, detail=message.format(wait=wait))


def refuse_if_over(*, scope: str, value: str, limit: int, message: str) -> None:
    """429 when (`scope`, `value`) is already over `limit`, without counting this request."""
    key = _scoped_key(scope, value)
    client = _client(key)
    count = int(client.get(key) or 0)
    if count >= limit:
        wait = max(1, int(client.ttl(key)))
        raise Throttled(wait=wait, detail=message.format(wait=wait))


def give_back_guess(*, scope: str, value: str) -> None:
    """A right guess: give its count back."""
    key = _scoped_key(scope, value)
    _client(key).eval(_GIVE_BACK, 1, key)
