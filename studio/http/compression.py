"""gzip for JSON API responses (issue 17: the full shot list of a show is ~2 MB of JSON, ~0.3 MB gzipped).

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


def accepts_gzip(request) -> bool:
    """Whether Accept-Encoding allows gzip (named, or `*`, with a q above 0)."""
    for token in request.META.get("HTTP_ACCEPT_ENCODING", "").lower().split(","):
        name, _, params = token.strip().partition(";")
        if name.strip() not in ("gzip", "x-gzip", "*"):
            continue
        quality = params.strip().removeprefix("q=") if params.strip().startswith("q=") else "1"
        try:
            if float(quality) > 0:
                return True
        except ValueError:
            continue
    return False


def json_gzip_level() -> int:
    return getattr(settings, "JSON_GZIP_LEVEL", 1)


class JsonGZipMiddleware(MiddlewareMixin):
    def process_response(self, request, response):
        if response.streaming or not _is_json(response.get("Content-Type", "")) or response.has_header("Content-Encoding"):
            return response
        if len(response.content) < MIN_BYTES:
            return response
        patch_vary_headers(response, ("Accept-Encoding",))
        if not accepts_gzip(request):
            return response
        compressed = gzip_body(response.content, level=json_gzip_level())
        if len(compressed) >= len(response.content):
            return response
        response.content = compressed
        response.headers["Content-Length"] = str(len(compressed))
        etag = response.get("ETag")
        if etag and etag.startswith('"'):
            response.headers["ETag"] = "W/" + etag
        response.headers["Content-Encoding"] = "gzip"
        return response


def precompressed_json(request, gzipped: bytes) -> HttpResponse:
    """A JSON response from a body kept gzipped: sent as is to a client that takes gzip, inflated
    for one that does not (this middleware then leaves it alone, or compresses it afresh)."""
    if accepts_gzip(request):
        response = HttpResponse(gzipped, content_type="application/json")
        response.headers["Content-Encoding"] = "gzip"
    else:
        response = HttpResponse(gzip.decompress(gzipped), content_type="application/json")
    patch_vary_headers(response, ("Accept-Encoding",))
    return response
