"""Organization webhooks: register, change, rotate the secret of, delete an endpoint; redeliver.

Owners and admins of an organization manage its endpoints (404 for a non-member, 403 naming the
roles for another member). Every change is audited in the organization's chain. The signing secret
is returned once, when the endpoint is made or its secret rotated; only its last characters are
shown afterwards.
"""

from __future__ import annotations

from django.db import transaction
from rest_framework.exceptions import ValidationError

from notifications import signing
from notifications.models import WebhookDelivery, WebhookEndpoint
from notifications.selectors import WEBHOOK_ROLES
from notifications.services._common import parse_bool
from notifications.services.deliveries import PING_TYPE, create_delivery, webhook_event_types
from notifications.urlsafety import UnsafeUrl, check_url
from studio.audit import services as audit
from studio.exceptions import Conflict
from studio.tenancy.models import Organization, User
from studio.tenancy.selectors import require_membership

MAX_ENDPOINTS_PER_ORGANIZATION = 20


def _url(value) -> str:
    try:
        return check_url(value)
    except UnsafeUrl as exc:
        raise ValidationError({"url": [str(exc)]})


def _event_types(value) -> list[str]:
    allowed = webhook_event_types()
    if not isinstance(value, (list, tuple)) or not value:
        raise ValidationError({"event_types": [f"Give a non-empty list of event types, from: {', '.join(allowed)}."]})
    wanted = list(dict.fromkeys(str(v) for v in value))
    unknown = [v for v in wanted if v not in allowed]
    if unknown:
        raise ValidationError({"event_types": [f"Not a webhook event type: {', '.join(unknown[:5])}. Use any of: {', '.join(allowed)}."]})
    return wanted


def _description(value) -> str:
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > 200:
        raise ValidationError({"description": ["A text of at most 200 characters."]})
    return value.strip()


def _require_manager(*, actor: User, organization_id) -> None:
    require_membership(user=actor, organization=organization_id, roles=WEBHOOK_ROLES, action="manage webhooks")


def _audit(endpoint: WebhookEndpoint, *, actor: User, action: str, data: dict | None = None) -> None:
    audit.record(
        organization=endpoint.organization, actor=actor, action=action, target=endpoint,
        data={"url": endpoint.url, "event_types": endpoint.event_types, "active": endpoint.active, **(data or {})},
    )


def create_endpoint(*, actor: User, organization: Organization, url, event_types, description=None) -> tuple[WebhookEndpoint, str]:
    """A new endpoint and its signing secret (shown to the caller once)."""
    _require_manager(actor=actor, organization_id=organization.pk)
    url, types, description = _url(url), _event_types(event_types), _description(description)
    if WebhookEndpoint.objects.filter(organization=organization).count() >= MAX_ENDPOINTS_PER_ORGANIZATION:
        raise ValidationError({"url": [f"An organization has at most {MAX_ENDPOINTS_PER_ORGANIZATION} webhooks; delete one first."]})
    secret = signing.new_secret()
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.create(
            organization=organization, url=url, event_types=types, description=description, created_by=actor,
            secret_encrypted=signing.encrypt_secret(secret), secret_hint=secret[-4:],
        )
        _audit(endpoint, actor=actor, action="webhook.created")
    return endpoint, secret


def update_endpoint(*, actor: User, endpoint: WebhookEndpoint, changes: dict) -> WebhookEndpoint:
    _require_manager(actor=actor, organization_id=endpoint.organization_id)
    unknown = set(changes) - {"url", "event_types", "description", "active"}
    if unknown:
        raise ValidationError({name: ["This field cannot be changed; use url, event_types, description or active."] for name in unknown})
    values = {}
    if "url" in changes:
        values["url"] = _url(changes["url"])
    if "event_types" in changes:
        values["event_types"] = _event_types(changes["event_types"])
    if "description" in changes:
        values["description"] = _description(changes["description"])
    if "active" in changes:
        values["active"] = parse_bool(changes["active"], field="active")
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.select_for_update(of=("self",), no_key=True).select_related("organization").get(pk=endpoint.pk)
        for name, value in values.items():
            setattr(endpoint, name, value)
        endpoint.save()
        _audit(endpoint, actor=actor, action="webhook.updated", data={"fields": sorted(values)})
    return endpoint


def rotate_secret(*, actor: User, endpoint: WebhookEndpoint) -> tuple[WebhookEndpoint, str]:
    """A new signing secret (shown once); deliveries from now on are signed with it."""
    _require_manager(actor=actor, organization_id=endpoint.organization_id)
    secret = signing.new_secret()
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.select_for_update(of=("self",), no_key=True).select_related("organization").get(pk=endpoint.pk)
        endpoint.secret_encrypted, endpoint.secret_hint = signing.encrypt_secret(secret), secret[-4:]
        endpoint.save(update_fields=["secret_encrypted", "secret_hint", "updated_at"])
        _audit(endpoint, actor=actor, action="webhook.secret_rotated")
    return endpoint, secret


def delete_endpoint(*, actor: User, endpoint: WebhookEndpoint) -> None:
    _require_manager(actor=actor, organization_id=endpoint.organization_id)
    with transaction.atomic():
        _audit(endpoint, actor=actor, action="webhook.deleted")
        endpoint.delete()


def _require_active(endpoint: WebhookEndpoint) -> None:
    if not endpoint.active:
        raise Conflict("This webhook is disabled; enable it (active: true) before sending to it.")


def send_ping(*, actor: User, endpoint: WebhookEndpoint) -> WebhookDelivery:
    """A `webhook.ping` delivery, to check the receiver and its signature verification."""
    _require_manager(actor=actor, organization_id=endpoint.organization_id)
    _require_active(endpoint)
    with transaction.atomic():
        delivery = create_delivery(
            endpoint=endpoint, event_type=PING_TYPE, project_id=None,
            data={"endpoint": str(endpoint.pk), "by": actor.name or actor.email},
        )
        _audit(endpoint, actor=actor, action="webhook.pinged", data={"delivery": str(delivery.pk)})
    return delivery


def redeliver(*, actor: User, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a delivery's payload again, as a new delivery (same body and event id, a new signature)."""
    endpoint = delivery.endpoint
    _require_manager(actor=actor, organization_id=endpoint.organization_id)
    _require_active(endpoint)
    with transaction.atomic():
        copy = create_delivery(endpoint=endpoint, event_type=delivery.event_type, payload=delivery.payload, redelivery_of=delivery)
        _audit(endpoint, actor=actor, action="webhook.redelivered", data={"delivery": str(delivery.pk), "new_delivery": str(copy.pk)})
    return copy
