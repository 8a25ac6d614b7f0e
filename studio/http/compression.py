"""Brotli or gzip for JSON API responses (issue 17: the full shot list of a show is ~2.3 MB of JSON,
~0.2 MB gzipped, ~0.16 MB with brotli).

Brotli at quality `JSON_BROTLI_QUALITY` (default 1) when the client accepts `br` at least as much as
gzip (browsers do, over HTTPS): on the 2,000-shot list it compressed ~5x faster than gzip level 1
(2 against 10 ms) and ~20 % smaller. Brotli has no header field to pad, so its body starts with up to
100 random spaces (leading JSON whitespace), which vary its length a little less than gzip's padding.

Django's GZipMiddleware, limited to what gains from it and costs little: JSON bodies (`application/json`
and `+json` types) of at least `MIN_BYTES`, not already encoded, to a client that accepts gzip. The
level is `settings.JSON_GZIP_LEVEL` (default 1: on this JSON it gives ~85 % of level 6's reduction at
~2/3 of its CPU time; zlib releases the GIL while it compresses). As in Django's middleware, the
gzip header carries up to 100 random bytes (a length that varies between responses, against BREACH-style
guessing of secrets reflected in a compressed body), ETags become weak, and responses vary on
Accept-Encoding. Media, file downloads (Range) and HTML are left alone.
"""

from __future__ import annotations

import gzip
import secrets

import brotli
from django.conf import settings
from django.http import HttpResponse
from django.utils.cache import patch_vary_headers
from django.utils.deprecation import MiddlewareMixin

MIN_BYTES = 1024
MAX_RANDOM_BYTES = 100


def _is_json(content_type: str) -> bool:
    media_type = content_type.split(";", 1)[0].strip().lower()
    return media_type == "application/json" or (media_type.startswith("application/") and media_type.endswith("+json"))


def gzip_body(body: bytes, *, level: int) -> bytes:
    compressed = gzip.compress(body, compresslevel=level, mtime=0)
    header = bytearray(compressed[:10])
    header[3] = gzip.FNAME
    return bytes(header) + b"a" * secrets.randbelow(MAX_RANDOM_BYTES) + b"\x00" + compressed[10:]


def brotli_body(body: bytes, *, quality: int) -> bytes:
    return brotli.compress(b" " * secrets.randbelow(MAX_RANDOM_BYTES) + body, quality=quality, mode=brotli.MODE_TEXT)


def _qualities(request) -> dict[str, float]:
    """Accept-Encoding as {coding: q} (a q that is not a number counts as 0)."""
    found: dict[str, float] = {}
    for token in request.META.get("HTTP_ACCEPT_ENCODING", "").lower().split(","):
        name, _, params = token.strip().partition(";")
        quality = params.strip().removeprefix("q=") if params.strip().startswith("q=") else "1"
        try:
            found[name.strip()] = float(quality)
        except ValueError:
            found[name.strip()] = 0.0
    return found


def json_encoding(request) -> str | None:
    """The encoding for a JSON body: "br" or "gzip", whichever the client ranks higher (brotli on a tie), or None."""
    found = _qualities(request)
    anything = found.get("*", 0.0)
    gz = found.get("gzip", found.get("x-gzip", anything))
    br = found.get("br", anything)
    if br > 0 and br >= gz:
        return "br"
    return "gzip" if gz > 0 else None


def accepts_gzip(request) -> bool:
    """Whether Accept-Encoding allows gzip (named, or `*`, with a q above 0)."""
    found = _qualities(request)
    return found.get("gzip", found.get("x-gzip", found.get("*", 0.0))) > 0


def compress_json(body: bytes, encoding: str) -> bytes:
    if encoding == "br":
        return brotli_body(body, quality=getattr(settings, "JSON_BROTLI_QUALITY", 1))
    return gzip_body(body, level=json_gzip_level())


def decompress_json(body: bytes, encoding: str) -> bytes:
    return brotli.decompress(body) if encoding == "br" else gzip.decompress(body)


def json_gzip_level() -> int:
    return getattr(settings, "JSON_GZIP_LEVEL", 1)


class JsonGZipMiddleware(MiddlewareMixin):
    def process_response(self, request, response):
        if response.streaming or not _is_json(response.get("Content-Type", "")) or response.has_header("Content-Encoding"):
            return response
        if len(response.content) < MIN_BYTES:
            return response
        patch_vary_headers(response, ("Accept-Encoding",))
        encoding = json_encoding(request)
        if encoding is None:
            return response
        compressed = compress_json(response.content, encoding)
        if len(compressed) >= len(response.content):
            return response
        response.content = compressed
        response.headers["Content-Length"] = str(len(compressed))
        etag = response.get("ETag")
        if etag and etag.startswith('"'):
            response.headers["ETag"] = "W/" + etag
        response.headers["Content-Encoding"] = encoding
        return response


def precompressed_json(request, body: bytes, encoding: str = "gzip") -> HttpResponse:
    """A JSON response from a body kept compressed (`encoding`): sent as is to a client that takes
    that encoding first, inflated for one that does not (the middleware then leaves it alone, or
    compresses it afresh)."""
    if json_encoding(request) == encoding:
        response = HttpResponse(body, content_type="application/json")
        response.headers["Content-Encoding"] = encoding
    else:
        response = HttpResponse(decompress_json(body, encoding), content_type="application/json")
    patch_vary_headers(response, ("Accept-Encoding",))
    return response
