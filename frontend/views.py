"""Serves the built single-page app (frontend/dist/index.html) for every non-API path.

The bundle is built by `frontend/scripts/task.sh build` (run by `make run`); its assets are
collected by `collectstatic` and served by WhiteNoise under /static/, which is Vite's `base`.
index.html itself is never cached by the browser, so a new deploy is picked up at once; the hashed
assets it points at are immutable.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.views.decorators.csrf import ensure_csrf_cookie

DIST_INDEX = Path(settings.BASE_DIR) / "frontend" / "dist" / "index.html"

NOT_BUILT = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Greenlight</title>
<style>body{background:#111316;color:#e6e6e6;font:15px system-ui;margin:3rem}a{color:#7cc4ff}</style></head>
<body><h1>Greenlight</h1><p>The browser app has not been built on this machine. <code>make run</code> builds it
(or run <code>frontend/scripts/task.sh build</code> and <code>manage.py collectstatic</code>).</p>
<p>The API is live: <a href="/api/docs/">interactive API docs</a> · <a href="/healthz">health</a>.</p></body></html>"""

_cache: dict[str, tuple[float, str]] = {}


def _index_html() -> str | None:
    try:
        mtime = DIST_INDEX.stat().st_mtime
    except FileNotFoundError:
        return None
    cached = _cache.get("index")
    if cached is None or cached[0] != mtime:
        cached = (mtime, DIST_INDEX.read_text(encoding="utf-8"))
        _cache["index"] = cached
    return cached[1]


@ensure_csrf_cookie
def app(request: HttpRequest, path: str = "") -> HttpResponse:
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    html = _index_html()
    response = HttpResponse(html if html is not None else NOT_BUILT, content_type="text/html; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    return response
