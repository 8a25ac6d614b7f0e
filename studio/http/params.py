"""Query parameters checked in one place, before any view reads them.

Under /api/, a query string whose names or values hold a control character (a NUL byte cannot be
sent to PostgreSQL at all), a value longer than `MAX_QUERY_VALUE_CHARS`, or more than Django's
`DATA_UPLOAD_MAX_NUMBER_FIELDS` parameters is refused with the API's JSON 400, naming the
parameter and never echoing its value. Views then read `request.query_params` knowing each value
is short, printable text.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import TooManyFieldsSent
from django.http import JsonResponse

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _short(name: str) -> str:
    name = _CONTROL.sub("?", name)
    return name if len(name) <= 40 else name[:40] + "…"


def query_problem(query) -> tuple[str, str] | None:
    """(parameter, what is wrong and how to fix it) for the first bad parameter, or None."""
    limit = settings.MAX_QUERY_VALUE_CHARS
    for name, values in query.lists():
        if _CONTROL.search(name) or len(name) > 100:
            return _short(name), "This parameter name is not valid; use the names listed in /api/docs/."
        for value in values:
            if _CONTROL.search(value):
                return name, "The value contains a control character (such as a NUL byte); send plain text."
            if len(value) > limit:
                return name, f"The value is {len(value):,} characters long; keep it under {limit:,}."
    return None


def _refusal(name: str, message: str) -> JsonResponse:
    return JsonResponse(
        {"error": "invalid", "detail": f"Invalid input for {name}: {message}", "fields": {name: [message]}}, status=400
    )


class QueryParamsMiddleware:
    """Refuses a malformed query string under /api/ with the JSON 400 (see the module docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith("/api/") and request.META.get("QUERY_STRING"):
            try:
                problem = query_problem(request.GET)
            except TooManyFieldsSent:
                limit = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
                problem = ("query", f"Too many query parameters; send at most {limit:,}.")
            if problem is not None:
                return _refusal(*problem)
        return self.get_response(request)
