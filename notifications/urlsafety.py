"""Which webhook URLs may be registered and called.

Only http and https URLs with a host. Unless `WEBHOOK_ALLOW_PRIVATE_ADDRESSES` is on (it is off in
production, on in development and tests, where receivers listen on localhost), a host that is or
resolves to a loopback, private, link-local, multicast, reserved or unspecified address is refused,
both when the endpoint is registered and again before every delivery (a name may be re-pointed).
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings


class UnsafeUrl(ValueError):
    """The URL may not be used; the message says why and what to do."""


def _forbidden(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


def check_url(url: str, *, resolve: bool = True) -> str:
    """`url` cleaned, or UnsafeUrl."""
    if not isinstance(url, str) or not url.strip():
        raise UnsafeUrl("Give the receiver's URL, e.g. https://hooks.example.com/greenlight.")
    url = url.strip()
    if len(url) > 2000:
        raise UnsafeUrl("The URL is longer than 2000 characters.")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise UnsafeUrl(f"Only http and https URLs can receive webhooks, not {parts.scheme or 'a URL without a scheme'}.")
    if not parts.hostname:
        raise UnsafeUrl("The URL has no host name.")
    if parts.username or parts.password:
        raise UnsafeUrl("Leave credentials out of the URL; verify deliveries with the signature instead.")
    try:
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError as exc:
        raise UnsafeUrl(f"The URL's port is not valid: {exc}.") from exc
    if getattr(settings, "WEBHOOK_ALLOW_PRIVATE_ADDRESSES", False):
        return url
    for address in _addresses(parts.hostname, resolve=resolve):
        if _forbidden(address):
            raise UnsafeUrl(
                f"{parts.hostname} is a private, loopback or reserved address ({address}); webhooks go to public hosts only."
            )
    return url


def _addresses(host: str, *, resolve: bool) -> list[str]:
    try:
        return [str(ipaddress.ip_address(host.strip("[]")))]
    except ValueError:
        pass
    if host.lower() == "localhost" or host.lower().endswith(".localhost"):
        return ["127.0.0.1"]
    if not resolve:
        return []
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except OSError as exc:
        raise UnsafeUrl(f"{host} cannot be resolved ({exc.strerror or exc}); check the host name.") from exc
    return sorted({info[4][0] for info in infos})
