"""API authentication: personal tokens (`Authorization: Token <key>`) and the browser session."""

from __future__ import annotations

from django.utils import timezone
from rest_framework import authentication, exceptions

from studio.tenancy.models import ApiToken
from studio.tenancy.services import hash_token_key


class ApiTokenAuthentication(authentication.TokenAuthentication):
    keyword = "Token"

    def authenticate_credentials(self, key: str):
        token = (
            ApiToken.objects.select_related("user")
            .filter(key_hash=hash_token_key(key), revoked_at__isnull=True)
            .first()
        )
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed("Invalid or revoked token.")
        now = timezone.now()
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate_header(self, request) -> str:
        return 'Token realm="api"'


class CsrfSessionAuthentication(authentication.SessionAuthentication):
    """Session auth with CSRF enforced for unsafe methods (DRF's default behaviour, made explicit)."""
