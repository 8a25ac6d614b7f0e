"""Rendered pages of the shot list, kept in the cache under the project's change counter.

A page of the shot list shows only rows of one project, and every change to them is a service call
that bumps the project's event counter in its transaction (the same fact the ETags rest on:
`_conditional.py`). So a rendered page stays exact for as long as the counter has not moved, for
everyone who sees the project the same way: the studio's people on one side, client reviewers (no
assignees, no internal notes) on the other. The key holds the counter, that visibility class, the
host, path and query (and the caller when the page is `assignee=me`); a change moves the counter and
the next request renders afresh. The counter is read before the rows, so a page stored under counter
N is never older than N. Bodies are kept compressed, one entry per encoding (brotli or gzip: `studio/http/compression.py`).

After a change, many browsers ask at once (each got the change's event): one request renders the
page while the others wait for it (up to `WAIT_SECONDS`, then they render too), so a change costs
one rendering, not one per open shot list (`render_once`).

The cache is an accelerator only: when it fails, the page is rendered as if it were empty.
`SHOT_LIST_PAGE_CACHE_SECONDS` (default 600) is how long a page is kept; 0 turns it off (the test
suite does, since tests write rows directly, bypassing the services that move the counter;
tests/projects/test_rendered_pages.py turns it on).
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache

from projects.access import ProjectAccess

log = logging.getLogger(__name__)
REPRESENTATION = 1  # bump with the shot row's shape
WAIT_SECONDS = 2.0
POLL_SECONDS = 0.01


def page_key(request, *, project_id, position: int, access: ProjectAccess, encoding: str = "gzip") -> str:
    params = sorted((k, v) for k, v in request.GET.lists() for v in v)
    caller = request.user.pk if request.GET.get("assignee", "").strip() == "me" else ""
    visibility = "client" if access.is_client else "studio"
    raw = repr((REPRESENTATION, str(project_id), position, visibility, request.get_host(), request.path, params, str(caller), encoding))
    return "shotlist:" + hashlib.blake2b(raw.encode(), digest_size=20).hexdigest()


def _keep_seconds() -> int:
    return getattr(settings, "SHOT_LIST_PAGE_CACHE_SECONDS", 600)


def fetch(key: str) -> bytes | None:
    if _keep_seconds() <= 0:
        return None
    try:
        return cache.get(key)
    except Exception:  # noqa: BLE001 - an accelerator: render instead
        log.warning("shot list page cache unavailable", exc_info=True)
        return None


def keep(key: str, body: bytes) -> None:
    if _keep_seconds() <= 0:
        return
    try:
        cache.set(key, body, _keep_seconds())
    except Exception:  # noqa: BLE001 - an accelerator: the next request renders again
        log.warning("shot list page cache unavailable", exc_info=True)


def render_once(key: str, render: Callable[[], bytes]) -> bytes:
    """The page under `key`: from the cache, or rendered here, or rendered by a concurrent request
    that took the key's lock first (waited for, bounded; past the bound it is rendered here too)."""
    body = fetch(key)
    if body is not None or _keep_seconds() <= 0:
        return body if body is not None else render()
    if _try_lock(key):
        try:
            body = render()
            keep(key, body)
            return body
        finally:
            _unlock(key)
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        time.sleep(POLL_SECONDS)  # another request is rendering this very page
        body = fetch(key)
        if body is not None:
            return body
    return render()


def _try_lock(key: str) -> bool:
    try:
        return bool(cache.add(f"{key}:rendering", 1, timeout=int(WAIT_SECONDS) + 1))
    except Exception:  # noqa: BLE001 - no cache: render without the lock
        return True


def _unlock(key: str) -> None:
    try:
        cache.delete(f"{key}:rendering")
    except Exception:  # noqa: BLE001 - the lock expires by itself
        log.warning("shot list page cache unavailable", exc_info=True)
