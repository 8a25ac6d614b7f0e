"""Webhook secrets and signatures.

A delivery carries `X-Greenlight-Signature: t=<unix seconds>,v1=<hex>` where
`hex = HMAC-SHA256(secret, "<t>.<raw body>")`. A receiver recomputes it over the raw body, compares in
constant time and refuses a timestamp too far from its clock (docs/OPERATIONS.md, "Webhooks").

Secrets are needed again to sign, so they cannot be stored hashed; they are stored encrypted
(Fernet, key derived from SECRET_KEY). Rotating SECRET_KEY makes stored secrets unreadable:
rotate each endpoint's secret afterwards.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time

from cryptography.fernet import Fernet
from django.conf import settings

SIGNATURE_HEADER = "X-Greenlight-Signature"
SECRET_PREFIX = "whsec_"


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def _fernet() -> Fernet:
    key = hashlib.sha256(f"greenlight.webhooks:{settings.SECRET_KEY}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt_secret(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode()


def decrypt_secret(token: str) -> str:
    return _fernet().decrypt(token.encode()).decode()


def sign(*, secret: str, body: bytes, timestamp: int | None = None) -> str:
    """The signature header's value for `body`."""
    t = int(time.time()) if timestamp is None else int(timestamp)
    digest = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={digest}"


def verify(*, secret: str, body: bytes, header: str, tolerance: int = 300, now: float | None = None) -> bool:
    """What a receiver does (also used by the tests): the header's v1 matches and t is recent."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        t = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs((time.time() if now is None else now) - t) > tolerance:
        return False
    expected = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, parts.get("v1", ""))
