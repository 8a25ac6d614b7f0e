"""Structured logs and the request id that follows a request into its Celery tasks and events.

- `RequestIdMiddleware` takes the caller's `X-Request-ID` when it is well-formed (1–128 characters
  of `A–Z a–z 0–9 . _ : -`), or makes one; it is bound for the request, returned in the response's
  `X-Request-ID`, and (with `LOG_REQUESTS`) one access record per request is logged.
- `ContextFilter` (on the console handler) puts `request_id`, `task_id` and `task_name` on every log
  record; `JsonFormatter` writes one JSON object per line (`LOG_FORMAT=json`, the production default).
- Celery: a task sent while a request id is bound carries it in the message headers
  (`gl_request_id`); the worker binds it before the task runs, so the task's log records, the tasks
  it sends and the events it publishes carry it too (`bind_task_context`).

The request id lives in a context variable: it follows asyncio tasks and asgiref's thread hops, and
is never shared between two requests served at once.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import time
import traceback
import uuid
from datetime import UTC, datetime

REQUEST_ID_HEADER = "X-Request-ID"
REQUEST_ID_META = "HTTP_X_REQUEST_ID"
TASK_HEADER = "gl_request_id"
MAX_REQUEST_ID_LENGTH = 128
_VALID_REQUEST_ID = re.compile(rf"[A-Za-z0-9._:-]{{1,{MAX_REQUEST_ID_LENGTH}}}")

_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("greenlight_request_id", default=None)
_task: contextvars.ContextVar[tuple[str, str] | None] = contextvars.ContextVar("greenlight_task", default=None)

access_log = logging.getLogger("greenlight.request")
# Probes and scrapes arrive every few seconds: their access records are left out unless they fail.
QUIET_PATHS = frozenset({"/livez", "/readyz", "/healthz", "/metrics"})


def new_request_id() -> str:
    return uuid.uuid4().hex


def valid_request_id(value: object) -> str | None:
    """The value when it may be used as a request id (bounded, safe in headers and logs), else None."""
    if isinstance(value, str) and _VALID_REQUEST_ID.fullmatch(value):
        return value
    return None


def current_request_id() -> str | None:
    return _request_id.get()


def bind_request_id(value: str | None) -> contextvars.Token:
    return _request_id.set(value)


def reset_request_id(token: contextvars.Token) -> None:
    _request_id.reset(token)


def request_meta() -> dict[str, str] | None:
    """`{"request_id": …}` for an event envelope's `meta`, or None when no request id is bound."""
    request_id = _request_id.get()
    return {"request_id": request_id} if request_id else None


# ---------------------------------------------------------------- HTTP

class RequestIdMiddleware:
    """Binds the request id for the whole request (every later middleware and the view)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings

        request_id = valid_request_id(request.META.get(REQUEST_ID_META)) or new_request_id()
        request.request_id = request_id
        token = _request_id.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = request_id
            if getattr(settings, "LOG_REQUESTS", False) and (request.path not in QUIET_PATHS or response.status_code >= 400):
                access_log.info(
                    "%s %s %s", request.method, request.path, response.status_code,
                    extra={"method": request.method, "path": request.path, "status": response.status_code,
                           "duration_ms": round((time.perf_counter() - started) * 1000, 1)},
                )
            return response
        finally:
            _request_id.reset(token)


# ---------------------------------------------------------------- Celery

def add_task_headers(headers: dict | None) -> None:
    """before_task_publish: the bound request id travels with the task message."""
    request_id = _request_id.get()
    if headers is not None and request_id and TASK_HEADER not in headers:
        headers[TASK_HEADER] = request_id


def _task_header(request, name: str):
    value = getattr(request, name, None)
    if value is None:
        value = (getattr(request, "headers", None) or {}).get(name)
    return value


def bind_task_context(task) -> None:
    """task_prerun (in the process that runs the task): bind the task's request id, id and name.

    Left bound after the task returns, so Celery's own "succeeded in" record carries them; the next
    task replaces them.
    """
    request = getattr(task, "request", None)
    _request_id.set(valid_request_id(_task_header(request, TASK_HEADER)))
    _task.set((str(getattr(request, "id", "") or ""), str(getattr(task, "name", "") or "")))


# ---------------------------------------------------------------- logging

class ContextFilter(logging.Filter):
    """Adds `request_id`, `task_id` and `task_name` (or None) to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            # django.request logs a failed response after the middleware has unbound the id; that
            # record carries the request itself.
            record.request_id = _request_id.get() or getattr(getattr(record, "request", None), "request_id", None)
        task = _task.get()
        if not hasattr(record, "task_id"):
            record.task_id = task[0] if task else None
        if not hasattr(record, "task_name"):
            record.task_name = task[1] if task else None
        return True


class TextFormatter(logging.Formatter):
    """`time level logger [request id] message` — for a terminal."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s [%(request_id_text)s] %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        record.request_id_text = getattr(record, "request_id", None) or "-"
        return super().format(record)


# Attributes every LogRecord has; anything else on a record came from `extra=` and is written out.
_STANDARD_ATTRS = frozenset(vars(logging.LogRecord("x", 0, "x", 0, "x", None, None))) | {
    "message", "asctime", "request_id", "task_id", "task_name", "request_id_text", "taskName",
    "request",  # django.request's HttpRequest: its method and path are in the message
}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ms), level, logger, message, process, request and task
    ids when bound, the exception, and whatever the call passed in `extra=`."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "process": record.process,
        }
        for name in ("request_id", "task_id", "task_name"):
            value = getattr(record, name, None)
            if value:
                entry[name] = value
        for key, value in record.__dict__.items():
            if key not in _STANDARD_ATTRS and not key.startswith("_") and key not in entry:
                entry[key] = value
        if record.exc_info:
            entry["exception"] = "".join(traceback.format_exception(*record.exc_info)).rstrip()
        elif record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = record.stack_info
        return json.dumps(entry, default=str, ensure_ascii=False, separators=(",", ":"))


def logging_config(*, log_format: str, level: str) -> dict:
    """The LOGGING dict for settings: one console handler, the chosen format, context on every record.

    uvicorn's loggers are routed through it too, so a production web process writes JSON only.
    """
    if log_format not in ("json", "text"):
        raise ValueError(f"LOG_FORMAT={log_format!r} is not a log format; use 'json' or 'text'.")
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"context": {"()": "studio.logs.ContextFilter"}},
        "formatters": {
            "json": {"()": "studio.logs.JsonFormatter"},
            "text": {"()": "studio.logs.TextFormatter"},
        },
        "handlers": {
            "console": {"class": "logging.StreamHandler", "formatter": log_format, "filters": ["context"]},
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "django.request": {"level": "ERROR"},
            "uvicorn": {"handlers": ["console"], "level": level, "propagate": False},
            "uvicorn.error": {"handlers": [], "level": level, "propagate": True},
            "uvicorn.access": {"handlers": ["console"], "level": level, "propagate": False},
        },
    }
