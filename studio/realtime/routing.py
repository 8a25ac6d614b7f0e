"""WebSocket routes (the protocol is in docs/REALTIME.md).

The core serves its own streams (`/ws/projects/{id}/`, `/ws/me/`); apps add theirs with
`register_websocket_routes(...)` from their `AppConfig.ready` (e.g. the review room of `projects`).
`websocket_urlpatterns()` is read once by the ASGI application (`studio/asgi.py`), after every app
is ready: the core's routes, then the apps' in registration order, then 4404 for anything else.
"""

from __future__ import annotations

from django.urls import re_path

from studio.realtime.consumers import NotFoundConsumer, ProjectStreamConsumer, UserStreamConsumer

CORE_ROUTES: list = [
    re_path(r"^ws/projects/(?P<project_id>[^/]+)/$", ProjectStreamConsumer.as_asgi()),
    re_path(r"^ws/me/$", UserStreamConsumer.as_asgi()),
]

_registered: list = []


def register_websocket_routes(routes: list) -> None:
    """Add an app's WebSocket routes (`re_path(...)` / `path(...)` entries); call it from `ready()`."""
    for route in routes:
        if any(str(route.pattern) == str(existing.pattern) for existing in CORE_ROUTES + _registered):
            continue  # registered already (ready() ran twice, e.g. in a test): routes stay unique
        _registered.append(route)


def websocket_urlpatterns() -> list:
    """Every WebSocket route: the core's, the apps', and the catch-all that answers 4404."""
    return [*CORE_ROUTES, *_registered, re_path(r"", NotFoundConsumer.as_asgi())]
