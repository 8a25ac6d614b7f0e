"""Conditional GET for JSON reads: weak ETags and 304 Not Modified (RFC 9110 §13).

A view computes its validator *before* it reads the rows it shows (so a change that commits while
it renders can only make the next request answer 200 again, never hide a change), asks
`not_modified`, and on a 200 stamps the response with `stamp`. The validator is opaque: a digest of
whatever the caller says the response depends on (in Greenlight, `projects.api.views._conditional`:
the project's change counter and who asks). Responses are private (`Cache-Control: private,
no-cache`: a browser keeps them and revalidates each time; a shared cache never stores them) and
vary on the credentials.
"""

from __future__ import annotations

import hashlib

from django.http import HttpRequest, HttpResponseBase, HttpResponseNotModified
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import parse_etags

VARY_ON = ("Authorization", "Cookie")


def weak_etag(*parts) -> str:
    """A weak validator from `parts` (weak: gzip and identity encodings of a body share it)."""
    digest = hashlib.blake2b("\x1f".join(str(p) for p in parts).encode(), digest_size=16).hexdigest()
    return f'W/"{digest}"'


def stamp(response: HttpResponseBase, etag: str) -> HttpResponseBase:
    response["ETag"] = etag
    patch_cache_control(response, private=True, no_cache=True)
    patch_vary_headers(response, VARY_ON)
    return response


def not_modified(request: HttpRequest, etag: str) -> HttpResponseNotModified | None:
    """A 304 when the request's If-None-Match names `etag` (GET and HEAD only); None otherwise."""
    if request.method not in ("GET", "HEAD"):
        return None
    wanted = {tag.removeprefix("W/") for tag in parse_etags(request.META.get("HTTP_IF_NONE_MATCH", ""))}
    if "*" not in wanted and etag.removeprefix("W/") not in wanted:  # weak comparison (RFC 9110 §8.8.3.2)
        return None
    return stamp(HttpResponseNotModified(), etag)
