"""Serves the built single-page app (frontend/dist/index.html) for every non-API path."""

from pathlib import Path

from django.conf import settings
from django.http import HttpResponse
from django.views.decorators.csrf import ensure_csrf_cookie

DIST_INDEX = Path(settings.BASE_DIR) / "frontend" / "dist" / "index.html"

NOT_BUILT = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Greenlight</title>
<style>body{background:#111316;color:#e6e6e6;font:15px system-ui;margin:3rem}a{color:#7cc4ff}</style></head>
<body><h1>Greenlight</h1><p>The browser app has not been built on this machine.</p>
<p>The API is live: <a href="/api/docs/">interactive API docs</a> · <a href="/healthz">health</a>.</p></body></html>"""


@ensure_csrf_cookie
def app(request, path: str = ""):
    if DIST_INDEX.exists():
        return HttpResponse(DIST_INDEX.read_text(encoding="utf-8"))
    return HttpResponse(NOT_BUILT)
