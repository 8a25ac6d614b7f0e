"""Public ids in URLs: one UUID pattern for every id in every route.

A path segment that is not a UUID matches no route, so it answers the JSON 404 of
`studio.errors.not_found` before any view or query runs (a 36-character string of dashes is no
longer handed to the database as an id). Every route uses it:

- `path("projects/<id:project_pk>/…")` — the `id` converter, registered here;
- routers: `IdRouter` (a `SimpleRouter` whose detail lookup is the same pattern) and
  `nested("project_pk")` for the parent id in a nested prefix.

`tests/studio/test_route_ids.py` walks every route under /api/v1/ and fails for an id group that
does not use this pattern.
"""

from __future__ import annotations

import uuid

from django.urls import register_converter
from rest_framework.routers import SimpleRouter

UUID_PATTERN = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
# The one exception: audit events are numbered in their chain (a bigint, at most 18 digits).
SEQUENCE_PATTERN = r"[0-9]{1,18}"


class IdConverter:
    """`<id:name>`: a UUID in any case; the view receives a `uuid.UUID`."""

    regex = UUID_PATTERN

    def to_python(self, value: str) -> uuid.UUID:
        return uuid.UUID(value)

    def to_url(self, value) -> str:
        return str(value)


register_converter(IdConverter, "id")


def nested(name: str) -> str:
    """The named regex group of a parent id in a router prefix: `rf"projects/{nested('project_pk')}/shots"`."""
    return rf"(?P<{name}>{UUID_PATTERN})"


class IdRouter(SimpleRouter):
    """A router whose detail routes accept only a UUID, whatever the view declares."""

    def __init__(self, *args, pattern: str = UUID_PATTERN, **kwargs):
        self.pattern = pattern
        super().__init__(*args, **kwargs)

    def get_lookup_regex(self, viewset, lookup_prefix=""):
        lookup_field = getattr(viewset, "lookup_field", "pk")
        kwarg = getattr(viewset, "lookup_url_kwarg", None) or lookup_field
        return f"(?P<{lookup_prefix}{kwarg}>{self.pattern})"
