"""WebSocket authentication: the browser session (Channels' AuthMiddlewareStack) or a personal API token.

A token comes in the `Authorization: Token <key>` header, or as `?token=<key>` for clients that
cannot set headers on a WebSocket (browsers). A token that is given but unknown or revoked makes the
connection anonymous — it never falls back to the session — so it is refused like any anonymous
one. Keep `--no-access-log` (Procfile) or strip query strings from access logs: `?token=` is a
credential.
"""

from __future__ import annotations

from urllib.parse import parse_qs

from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from studio.realtime.selectors import user_for_token
from studio.tenancy.models import ApiToken


def token_from_scope(scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"authorization":
            parts = value.decode("latin1").split()
            if len(parts) == 2 and parts[0].lower() == "token":
                return parts[1]
            return ""  # an Authorization header of another kind: not a usable credential
    query = parse_qs(scope.get("query_string", b"").decode("latin1"))
    if "token" in query:
        return query["token"][-1]
    return None


@database_sync_to_async
def _resolve_token(key: str):
    user, token = user_for_token(key=key)
    if token is not None and (token.last_used_at is None or (timezone.now() - token.last_used_at).total_seconds() > 60):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return user, token


class TokenAuthMiddleware:
    """Sets scope["user"] from an API token when one is presented; records how the caller signed in."""

    def __init__(self, inner):
        self.inner = inner

    async def __call__(self, scope, receive, send):
        scope = dict(scope)
        key = token_from_scope(scope)
        if key is None:
            scope["auth"] = {"method": "session", "session_key": getattr(scope.get("session"), "session_key", None)}
        else:
            user, token = await _resolve_token(key) if key else (None, None)
            scope["user"] = user or AnonymousUser()
            scope["auth"] = {"method": "token", "token_id": token.pk if token else None}
        return await self.inner(scope, receive, send)


def RealtimeAuthStack(inner):  # noqa: N802 - mirrors Channels' AuthMiddlewareStack
    return AuthMiddlewareStack(TokenAuthMiddleware(inner))
