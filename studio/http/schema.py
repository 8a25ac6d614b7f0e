"""The error answers every operation can give, written into the OpenAPI schema (drf-spectacular).

Views document their success answers and the refusals particular to them (409, 416 …); what any
operation may answer comes from the layers in front of the views and is added here, to every
operation, as the one JSON error shape (`Error`):

- 400: a malformed query string (studio/http/params.py), a malformed or too deeply nested body
  (studio/http/parsers.py), invalid input (the view's serializer or service);
- 401 without credentials (on the sign-in routes: wrong email or password), 403 for a member without the
  role, 404 for anything the caller cannot see (every foreign row, and an id that is not a UUID);
- 409 for every write: the row's current state refuses it (`studio.exceptions.Conflict`: a shot
  that still has versions, a decision already taken …);
- 413 for operations that take a body (studio/http/limits.py);
- 429 on the sign-in routes (studio/tenancy/throttling.py);
- 503 while PostgreSQL or Redis is unreachable (studio/middleware.py).

Reads that answer conditional requests (studio/http/conditional.py) document it through their view's
schema class, `ConditionalGetSchema`: the `If-None-Match` request header, the `ETag` response header
and the 304 answer.

Registered in SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"].
"""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse

ERROR_SCHEMA = {
    "type": "object",
    "description": "Every error of the API: a code, a sentence saying what is wrong and how to fix it, and the fields concerned.",
    "properties": {
        "error": {"type": "string", "description": "A stable code: invalid, not_found, permission_denied, payload_too_large …"},
        "detail": {"type": "string"},
        "fields": {"type": "object", "additionalProperties": True, "description": "Per field: the messages about it."},
    },
    "required": ["error", "detail"],
    "additionalProperties": True,
}

DESCRIPTIONS = {
    "400": "Invalid input: a malformed query string or body, or values the operation refuses (the message says which and why).",
    "401": "Not signed in: sign in, or send 'Authorization: Token <key>'.",
    "403": "Signed in, but your role may not do this (the message names the roles that may).",
    "404": "Not found, or not visible to you (rows of other organizations are never revealed).",
    "409": "The current state of the row refuses this change (the message says what to do first).",
    "413": "The request body is larger than this operation accepts.",
    "429": "Too many failed sign-ins; retry after the Retry-After seconds.",
    "503": "The database or Redis is unreachable right now; nothing was changed. Retry in a moment.",
}
OPEN_ROUTES = ("/api/v1/auth/",)


def _error(code: str, path: str = "") -> dict:
    description = "The email or password is wrong." if code == "401" and path.startswith(OPEN_ROUTES) else DESCRIPTIONS[code]
    return {"description": description, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def add_error_responses(result, generator, request, public):
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            codes = ["400", "401", "403", "404", "503"]
            if path.startswith(OPEN_ROUTES):
                codes.append("429")
            if method != "get":
                codes.append("409")
            if "requestBody" in operation:
                codes.append("413")
            responses = operation.setdefault("responses", {})
            for code in codes:
                existing = responses.get(code)
                if existing is None:
                    responses[code] = _error(code, path)
                elif not existing.get("content"):
                    existing["content"] = _error(code)["content"]
    return result


# ---------------------------------------------------------------- conditional GET (studio/http/conditional.py)

IF_NONE_MATCH = (
    "The ETag of the representation you already hold (from an earlier answer): when it is still current the answer is "
    "304 with no body."
)
ETAG = "Validator of this representation (weak): send it back as If-None-Match to be answered 304 while it is current."
NOT_MODIFIED = "Not modified: the representation named by If-None-Match is still current; reuse it (no body)."
CONDITIONAL_ACTIONS = ("list", "retrieve")


class ConditionalGetSchema(AutoSchema):
    """The schema of a view whose reads answer conditional requests (`If-None-Match` → `304`, `ETag` on
    200 and 304): set as `schema` on such views (projects.api.views._conditional.ConditionalReads)."""

    def _conditional(self) -> bool:
        return self.method == "GET" and getattr(self.view, "action", None) in CONDITIONAL_ACTIONS

    def get_override_parameters(self):
        parameters = list(super().get_override_parameters())
        if self._conditional():
            parameters += [
                OpenApiParameter("If-None-Match", OpenApiTypes.STR, OpenApiParameter.HEADER, description=IF_NONE_MATCH),
                OpenApiParameter("ETag", OpenApiTypes.STR, OpenApiParameter.HEADER, description=ETAG, response=[200, 304]),
            ]
        return parameters

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if self._conditional() and "304" not in responses:
            responses["304"] = self._get_response_for_code(OpenApiResponse(description=NOT_MODIFIED), "304", direction=direction)
        return responses
