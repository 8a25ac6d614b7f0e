"""The API's JSON parser: DRF's, plus a nesting limit.

Python's `json` recurses once per nested array or object, so a small body of `[[[[…` raised
`RecursionError` (a 500) or, deeper inside serializers and JSON Schema checks, exhausted the stack.
A body nested deeper than `MAX_JSON_DEPTH` levels is refused with the API's 400 instead. No API
payload needs more than a handful of levels (annotations: shapes → points → coordinates).
"""

from __future__ import annotations

from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import ParseError


def json_depth_exceeds(value, limit: int) -> bool:
    """Whether `value` nests lists or objects more than `limit` levels deep (iterative: no recursion)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def _too_deep(limit: int) -> ParseError:
    return ParseError(f"The JSON body is nested more than {limit} levels deep.")


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.MAX_JSON_DEPTH
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise _too_deep(limit) from None
        if json_depth_exceeds(data, limit):
            raise _too_deep(limit)
        return data
