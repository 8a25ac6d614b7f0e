"""Webhook deliveries: fan an event out to the endpoints that want it, send with a signature, retry.

- `enqueue_for_event` (the `notifications.webhooks` listener, in the publishing transaction): one
  delivery per active endpoint of the project's organization that chose the event's type; each is
  sent to the webhook queue after commit.
- `attempt_delivery` (the Celery task): claims attempt N of a pending delivery (the attempt number
  fences a redelivered task), re-checks the URL, POSTs the stored body with a fresh signature, logs
  the attempt with its response code, and either marks the delivery delivered (2xx), schedules the
  next attempt after an exponential backoff (WEBHOOK_RETRY_BASE_SECONDS × 2^(N-1), at most
  WEBHOOK_RETRY_MAX_SECONDS) or, after WEBHOOK_MAX_ATTEMPTS, marks it failed.
- `requeue_due` (beat): pending deliveries whose next attempt is overdue (their task was lost with a
  broker or a worker) are sent to the queue again.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from datetime import timedelta

import httpx
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from notifications import signing
from notifications.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from notifications.urlsafety import UnsafeUrl, check_url
from studio.realtime import events as registry

log = logging.getLogger(__name__)

PING_TYPE = "webhook.ping"
USER_AGENT = "Greenlight-Webhooks/1"


def webhook_event_types() -> list[str]:
    """What an endpoint may subscribe to: every durable project event type, and the ping."""
    return sorted({name for name, event in registry.registered().items() if event.channel == "project"} | {PING_TYPE})


def encode_body(payload: dict) -> bytes:
    return json.dumps(payload, separators=(",", ":"), sort_keys=True, ensure_ascii=False).encode()


def build_payload(*, event_type: str, organization_id, project_id, data: dict, job_id=None, event_id=None, at: str = "") -> dict:
    return {
        "id": str(uuid.uuid4()), "type": event_type, "organization": str(organization_id),
        "project": str(project_id) if project_id else None, "job": str(job_id) if job_id else None,
        "event_id": event_id, "at": at or timezone.now().isoformat(), "data": data,
    }


def _send_after_commit(delivery: WebhookDelivery, attempt: int, countdown: float = 0) -> None:
    from notifications.tasks import deliver_webhook

    args, queue = [str(delivery.pk), attempt], settings.WEBHOOK_QUEUE
    transaction.on_commit(lambda: deliver_webhook.apply_async(args=args, queue=queue, countdown=countdown), robust=True)


def create_delivery(*, endpoint: WebhookEndpoint, event_type: str, project_id=None, data: dict | None = None,
                    payload: dict | None = None, redelivery_of: WebhookDelivery | None = None) -> WebhookDelivery:
    if payload is None:
        payload = build_payload(event_type=event_type, organization_id=endpoint.organization_id, project_id=project_id, data=data or {})
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint, event_type=event_type, payload=payload, next_attempt_at=timezone.now(), redelivery_of=redelivery_of,
    )
    _send_after_commit(delivery, 1)
    return delivery


def enqueue_for_event(*, event_type: str, project_id, data: dict, job_id=None, event_id=None, at: str = "") -> list[WebhookDelivery]:
    """Deliveries for the active endpoints of the project's organization that chose `event_type`."""
    endpoints = list(
        WebhookEndpoint.objects.filter(active=True, event_types__contains=[event_type], organization__projects__id=project_id)
    )
    if not endpoints:
        return []
    payloads = {}
    deliveries = []
    for endpoint in endpoints:
        payload = payloads.get(endpoint.organization_id)
        if payload is None:
            payload = payloads[endpoint.organization_id] = build_payload(
                event_type=event_type, organization_id=endpoint.organization_id, project_id=project_id, data=data,
                job_id=job_id, event_id=event_id, at=at,
            )
        deliveries.append(create_delivery(endpoint=endpoint, event_type=event_type, payload=payload))
    return deliveries


def backoff_seconds(attempt: int) -> float:
    base = float(settings.WEBHOOK_RETRY_BASE_SECONDS)
    return min(base * (2 ** max(0, attempt - 1)), float(settings.WEBHOOK_RETRY_MAX_SECONDS))


def _claim(delivery_id, attempt: int) -> WebhookDelivery | None:
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(of=("self",), skip_locked=True, no_key=True).select_related("endpoint")
            .filter(pk=delivery_id, state=WebhookDelivery.State.PENDING, attempts=attempt - 1).first()
        )
        if delivery is None:
            return None  # done already, or another task has this attempt
        delivery.attempts = attempt
        delivery.next_attempt_at = timezone.now() + timedelta(seconds=settings.WEBHOOK_TIMEOUT_SECONDS + 60)
        delivery.save(update_fields=["attempts", "next_attempt_at"])
    return delivery


def _post(endpoint: WebhookEndpoint, delivery: WebhookDelivery) -> tuple[int | None, str, str]:
    """(status code or None, error, response excerpt)."""
    try:
        url = check_url(endpoint.url)
    except UnsafeUrl as exc:
        return None, f"refused: {exc}", ""
    body = encode_body(delivery.payload)
    headers = {
        "Content-Type": "application/json", "User-Agent": USER_AGENT,
        "X-Greenlight-Event": delivery.event_type, "X-Greenlight-Delivery": str(delivery.pk),
        signing.SIGNATURE_HEADER: signing.sign(secret=signing.decrypt_secret(endpoint.secret_encrypted), body=body),
    }
    try:
        with httpx.Client(timeout=float(settings.WEBHOOK_TIMEOUT_SECONDS), follow_redirects=False, trust_env=False) as client:
            response = client.post(url, content=body, headers=headers)
        return response.status_code, "", response.text[:500]
    except httpx.HTTPError as exc:
        return None, f"{type(exc).__name__}: {exc}"[:1000], ""


def attempt_delivery(*, delivery_id, attempt: int) -> str:
    """Make attempt `attempt` of a delivery. Returns what happened (for logs and tests)."""
    delivery = _claim(delivery_id, attempt)
    if delivery is None:
        return "skipped"
    endpoint = delivery.endpoint
    started = time.monotonic()
    if not endpoint.active:
        status, error, excerpt = None, "refused: the webhook is disabled", ""
    else:
        status, error, excerpt = _post(endpoint, delivery)
    elapsed_ms = int((time.monotonic() - started) * 1000)
    with transaction.atomic():
        delivery = WebhookDelivery.objects.select_for_update(no_key=True).filter(pk=delivery.pk).first()
        if delivery is None:
            return "gone"  # the endpoint was deleted while the request was in flight
        WebhookAttempt.objects.create(
            delivery=delivery, number=attempt, status_code=status, error=error, duration_ms=elapsed_ms, response_excerpt=excerpt,
        )
        delivery.last_status_code, delivery.last_error = status, error or (f"HTTP {status}" if status and status >= 300 else "")
        if status is not None and 200 <= status < 300:
            delivery.state, delivery.delivered_at, delivery.next_attempt_at, outcome = (
                WebhookDelivery.State.SUCCEEDED, timezone.now(), None, "delivered")
        elif error.startswith("refused:") or attempt >= settings.WEBHOOK_MAX_ATTEMPTS:
            delivery.state, delivery.next_attempt_at, outcome = WebhookDelivery.State.FAILED, None, "failed"
        else:
            wait = backoff_seconds(attempt)
            delivery.next_attempt_at, outcome = timezone.now() + timedelta(seconds=wait), "retrying"
            _send_after_commit(delivery, attempt + 1, countdown=wait)
        delivery.save(update_fields=["state", "delivered_at", "next_attempt_at", "last_status_code", "last_error"])
    log.info("webhook delivery %s attempt %s: %s (%s)", delivery.pk, attempt, outcome, status or error)
    return outcome


def requeue_due(*, grace_seconds: float | None = None) -> int:
    """Beat: pending deliveries overdue by more than the grace period go to the queue again."""
    grace = settings.WEBHOOK_REQUEUE_AFTER_SECONDS if grace_seconds is None else grace_seconds
    cutoff = timezone.now() - timedelta(seconds=grace)
    count = 0
    due = WebhookDelivery.objects.filter(state=WebhookDelivery.State.PENDING, next_attempt_at__lt=cutoff)
    for delivery_id in due.values_list("pk", flat=True)[:1000]:
        with transaction.atomic():
            delivery = (
                WebhookDelivery.objects.select_for_update(skip_locked=True, no_key=True)
                .filter(pk=delivery_id, state=WebhookDelivery.State.PENDING, next_attempt_at__lt=cutoff).first()
            )
            if delivery is None:
                continue
            delivery.next_attempt_at = timezone.now() + timedelta(seconds=grace)
            delivery.save(update_fields=["next_attempt_at"])
            _send_after_commit(delivery, delivery.attempts + 1)
            count += 1
    return count
