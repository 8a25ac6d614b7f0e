"""Serve a stored file with HTTP Range support (RFC 9110 §14), for the permission-checked media views
of every app (a version's media in `projects`, a likeness use's proxy in `rights`).

- `Range: bytes=a-b`, `bytes=a-`, `bytes=-n` -> 206 with Content-Range;
- a range that starts past the end, a malformed one, or one with a position of more than 18 digits
  -> 416 with `Content-Range: bytes */size`;
- several ranges at once -> the whole file with 200 (allowed by the RFC; browsers never ask for it);
- `If-Range` with a stale validator -> the whole file; `If-None-Match` matching -> 304.
"""

from __future__ import annotations

import json
import os
import re
from email.utils import formatdate
from pathlib import Path

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIRequest
from django.http import HttpResponse, StreamingHttpResponse
from django.utils.http import http_date, parse_http_date_safe, quote_etag

CHUNK = 256 * 1024
_SPEC = re.compile(r"^\s*(\d*)\s*-\s*(\d*)\s*$")
# A position of more than 18 digits (past an exabyte) is no position in a stored file: such a range is
# refused with 416 before int() sees it (Python's int() refuses over 4,300 digits with ValueError: a 500).
_MAX_DIGITS = 18


class RangeNotSatisfiable(Exception):
    pass


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """(start, end inclusive) for a single byte range, None for 'send everything'.

    Raises RangeNotSatisfiable for ranges that cannot be served.
    """
    if not header:
        return None
    unit, _, spec = header.partition("=")
    if unit.strip().lower() != "bytes":
        return None  # unknown unit: ignore the header (RFC 9110 §14.2)
    if "," in spec:
        return None  # multiple ranges: answer with the whole representation
    match = _SPEC.match(spec)
    if not match or (not match.group(1) and not match.group(2)):
        raise RangeNotSatisfiable("a malformed range")  # never echo the header
    first, last = match.group(1), match.group(2)
    if len(first) > _MAX_DIGITS or len(last) > _MAX_DIGITS:
        raise RangeNotSatisfiable("range position too large")
    if not first:  # suffix range: the last n bytes
        length = int(last)
        if length == 0 or size == 0:
            raise RangeNotSatisfiable("empty suffix range")
        return max(0, size - length), size - 1
    start = int(first)
    end = int(last) if last else size - 1
    if end < start:
        raise RangeNotSatisfiable("range ends before it starts")
    if start >= size:
        raise RangeNotSatisfiable("range starts past the end")
    return start, min(end, size - 1)


def _etag(stat: os.stat_result) -> str:
    return quote_etag(f"{stat.st_mtime_ns:x}-{stat.st_size:x}")


def _sync_chunks(path: Path, start: int, length: int):
    with open(path, "rb") as fh:
        fh.seek(start)
        remaining = length
        while remaining > 0:
            data = fh.read(min(CHUNK, remaining))
            if not data:
                break
            remaining -= len(data)
            yield data


async def _async_chunks(path: Path, start: int, length: int):
    fh = await sync_to_async(open, thread_sensitive=False)(path, "rb")
    try:
        await sync_to_async(fh.seek, thread_sensitive=False)(start)
        remaining = length
        while remaining > 0:
            data = await sync_to_async(fh.read, thread_sensitive=False)(min(CHUNK, remaining))
            if not data:
                break
            remaining -= len(data)
            yield data
    finally:
        await sync_to_async(fh.close, thread_sensitive=False)()


def _if_range_matches(value: str, etag: str, mtime: float) -> bool:
    value = value.strip()
    if value.startswith('"') or value.startswith("W/"):
        return value == etag  # weak validators never match If-Range
    when = parse_http_date_safe(value)
    return when is not None and int(mtime) <= when


def ranged_file_response(request, path: Path, *, content_type: str, filename: str, attachment: bool = False):
    """A 200/206/304/416 response for `path`, streamed in chunks (async under ASGI)."""
    stat = path.stat()
    size = stat.st_size
    etag = _etag(stat)
    common = {
        "Accept-Ranges": "bytes",
        "ETag": etag,
        "Last-Modified": http_date(stat.st_mtime),
        "Cache-Control": "private, max-age=0, must-revalidate",
        "Content-Disposition": f'{"attachment" if attachment else "inline"}; filename="{filename}"',
    }
    if_none_match = request.META.get("HTTP_IF_NONE_MATCH")
    if if_none_match and etag in [v.strip() for v in if_none_match.split(",")]:
        response = HttpResponse(status=304)
        for key, value in common.items():
            response[key] = value
        return response

    header = request.META.get("HTTP_RANGE")
    if_range = request.META.get("HTTP_IF_RANGE")
    if header and if_range and not _if_range_matches(if_range, etag, stat.st_mtime):
        header = None
    try:
        byte_range = parse_range(header, size)
    except RangeNotSatisfiable as exc:
        response = HttpResponse(
            json.dumps(
                {
                    "error": "range_not_satisfiable",
                    "detail": f"Cannot serve {exc}: the file has {size} bytes; ask for bytes=0-{max(size - 1, 0)} or less.",
                }
            ),
            status=416,
            content_type="application/json",
        )
        response["Content-Range"] = f"bytes */{size}"
        response["Accept-Ranges"] = "bytes"
        return response

    start, end = byte_range if byte_range else (0, size - 1)
    length = max(0, end - start + 1)
    is_async = isinstance(getattr(request, "_request", request), ASGIRequest)
    body = _async_chunks(path, start, length) if is_async else _sync_chunks(path, start, length)
    if request.method == "HEAD":
        body = iter(())
    response = StreamingHttpResponse(body, status=206 if byte_range else 200, content_type=content_type)
    response["Content-Length"] = str(length)
    if byte_range:
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
    for key, value in common.items():
        response[key] = value
    response["Date"] = formatdate(usegmt=True)
    return response
