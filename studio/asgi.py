"""ASGI entry point: HTTP goes to Django, WebSocket to the realtime consumers.

HTTP requests pass the body limit of their route first (studio/http/limits.py: 413 before the
body is read). WebSocket connections pass, in order: the Origin check against ALLOWED_HOSTS (a page of another
site cannot open a socket with the visitor's cookie), the session cookie, an API token when one is
presented (header `Authorization: Token <key>` or `?token=`), then the WebSocket routes: the
core's and those the apps registered in their `ready()` (studio.realtime.routing), read here once
Django is set up.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studio.settings")
# Tell the settings this is a web process (no persistent database connections: see settings); only
# while they load, so processes this one starts (none in production; tests) are not affected.
_marked = "GREENLIGHT_ASGI" not in os.environ
if _marked:
    os.environ["GREENLIGHT_ASGI"] = "1"
django_asgi_app = get_asgi_application()
if _marked:
    del os.environ["GREENLIGHT_ASGI"]

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.conf import settings  # noqa: E402

from studio.http.admission import AdmissionGate  # noqa: E402
from studio.http.limits import RequestBodyLimitMiddleware  # noqa: E402
from studio.realtime.auth import RealtimeAuthStack  # noqa: E402
from studio.realtime.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        # Oversized bodies are refused (413) before they take a slot; then at most
        # WEB_MAX_CONCURRENT_REQUESTS requests (and database connections) run at once per process.
        "http": RequestBodyLimitMiddleware(
            AdmissionGate(django_asgi_app, limit=settings.WEB_MAX_CONCURRENT_REQUESTS, timeout=settings.WEB_ADMISSION_TIMEOUT_SECONDS)
        ),
        "websocket": AllowedHostsOriginValidator(RealtimeAuthStack(URLRouter(websocket_urlpatterns()))),
    }
)
