"""Rendered pages of the shot list, kept in the cache under the project's change counter.

A page of the shot list shows only rows of one project, and every change to them is a service call
that bumps the project's event counter in its transaction (the same fact the ETags rest on:
`_conditional.py`). So a rendered page stays exact for as long as the counter has not moved, for
everyone who sees the project the same way: the studio's people on one side, client reviewers (no
assignees, no internal notes) on the other. The key holds the counter, that visibility class, the
host, path and query (and the caller when the page is `assignee=me`); a change moves the counter and
the next request renders afresh. The counter is read before the rows, so a page stored under counter
N is never older than N. Bodies are kept gzipped (`JSON_GZIP_LEVEL`), as most browsers take them.

The cache is an accelerator only: when it fails, the page is rendered as if it were empty.
`SHOT_LIST_PAGE_CACHE_SECONDS` (default 600) is how long a page is kept; 0 turns it off (the test
suite does, since tests write rows directly, bypassing the services that move the counter;
tests/projects/test_rendered_pages.py turns it on).
"""

from __future__ import annotations

import hashlib
import logging

from django.conf import settings
from django.core.cache import cache

from projects.access import ProjectAccess

log = logging.getLogger(__name__)
REPRESENTATION = 1  # bump with the shot row's shape


def page_key(request, *, project_id, position: int, access: ProjectAccess) -> str:
    params = sorted((k, v) for k, v in request.GET.lists() for v in v)
    caller = request.user.pk if request.GET.get("assignee", "").strip() == "me" else ""
    visibility = "client" if access.is_client else "studio"
    raw = repr((REPRESENTATION, str(project_id), position, visibility, request.get_host(), request.path, params, str(caller)))
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
