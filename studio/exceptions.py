"""One JSON error shape for the whole API: {"error": code, "detail": message, "fields"?: {...}}."""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.db import connections
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler, set_rollback

from studio.http.limits import body_limit_for, too_large_payload
from studio.middleware import UNAVAILABLE, service_unavailable_response

log = logging.getLogger(__name__)


class Gone(exceptions.APIException):
    """410: the thing existed and is no longer available (an expired or revoked share link)."""

    status_code = status.HTTP_410_GONE
    default_detail = "This is no longer available."
    default_code = "gone"


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the current state of the resource."
    default_code = "conflict"


def _flatten(detail) -> dict:
    if isinstance(detail, dict):
        return {k: _flatten_value(v) for k, v in detail.items()}
    return {"non_field_errors": _flatten_value(detail)}


def _flatten_value(value):
    if isinstance(value, dict):
        return {k: _flatten_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [str(v) if not isinstance(v, (dict, list)) else _flatten_value(v) for v in value]
    return [str(value)]


def _request_rollback_flags() -> dict[str, bool]:
    return {conn.alias: conn.needs_rollback for conn in connections.all(initialized_only=True) if conn.in_atomic_block}


def _keep_deliberate_writes(before: dict[str, bool]) -> None:
    """Undo DRF's rollback mark on the request's transaction (ATOMIC_REQUESTS) for a handled 4xx.

    Services refuse before they write, and their own atomic blocks undo partial work; what a service
    wrote on purpose before refusing (the audit of a consent denial or of a failed sign-in) stays, as
    it did before requests were one transaction. A rollback Django itself asked for is kept."""
    for conn in connections.all(initialized_only=True):
        if conn.alias in before and conn.in_atomic_block:
            conn.set_rollback(before[conn.alias])


def api_exception_handler(exc, context):
    if isinstance(exc, UNAVAILABLE):
        set_rollback()  # the request's transaction must not commit what it did before the outage
        # As the middleware does: the 503's cause (an outage, a deadlock, a dropped connection) goes to the log.
        request = context.get("request")
        log.warning("service unavailable during %s %s: %s: %s", getattr(request, "method", "?"), getattr(request, "path", "?"),
                    type(exc).__name__, exc)
        return service_unavailable_response(exc)
    before = _request_rollback_flags()
    try:
        return _render_exception(exc, context)
    finally:
        _keep_deliberate_writes(before)


def _render_exception(exc, context):
    if isinstance(exc, Http404):
        return Response({"error": "not_found", "detail": "Not found."}, status=404)
    if isinstance(exc, RequestDataTooBig):
        request = context.get("request")
        return Response(too_large_payload(body_limit_for(request.path_info) if request is not None else 0), status=413)
    if isinstance(exc, TooManyFieldsSent | TooManyFilesSent):
        return Response({"error": "malformed_request", "detail": "The form has too many fields or files; send fewer."}, status=400)
    if isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)

    response = exception_handler(exc, context)
    if response is None:
        return None

    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail)
        names = ", ".join(k for k in fields if k != "non_field_errors")
        first = next(iter(fields.values()), ["Invalid input."])
        message = first[0] if isinstance(first, list) and first and isinstance(first[0], str) else "Invalid input."
        detail = f"Invalid input for {names}: {message}" if names else message
        response.data = {"error": "invalid", "detail": detail, "fields": fields}
        return response

    if isinstance(exc, exceptions.ParseError):
        response.data = {
            "error": "malformed_request",
            "detail": f"{exc.detail} Send a valid JSON object with 'Content-Type: application/json'.",
        }
        return response

    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        response.status_code = 401
        response.data = {
            "error": "not_authenticated",
            "detail": f"{exc.detail} Sign in, or send 'Authorization: Token <key>'.",
        }
        response["WWW-Authenticate"] = 'Token realm="api"'
        return response

    code = getattr(exc, "default_code", "error")
    detail = exc.detail
    if isinstance(detail, dict | list):
        response.data = {"error": code, "detail": "Request refused.", "fields": _flatten(detail)}
    else:
        response.data = {"error": getattr(detail, "code", None) or code, "detail": str(detail)}
        extra = getattr(exc, "extra", None)
        if extra:
            response.data.update(extra)
    return response
