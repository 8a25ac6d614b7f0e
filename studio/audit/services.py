"""Writing to the audit chain. Call inside the transaction of the change being audited."""

from __future__ import annotations

import datetime
import hashlib
import json
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from studio.audit.models import GENESIS_HASH, PLATFORM_CHAIN, AuditEvent


def canonical_json(
    *,
    chain: str,
    seq: int,
    occurred_at,
    actor_id,
    actor_label: str,
    action: str,
    target_type: str,
    target_id: str,
    data: Any,
) -> str:
    payload = {
        "chain": chain,
        "seq": seq,
        "at": occurred_at.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "actor": {"id": str(actor_id) if actor_id else None, "label": actor_label},
        "action": action,
        "target": {"type": target_type, "id": target_id},
        "data": data,
    }
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def compute_hash(prev_hash: str, canonical: str) -> str:
    return hashlib.sha256((prev_hash + canonical).encode("utf-8")).hexdigest()


def event_hash(event: AuditEvent, *, prev_hash: str | None = None) -> str:
    canonical = canonical_json(
        chain=event.chain,
        seq=event.seq,
        occurred_at=event.occurred_at,
        actor_id=event.actor_id,
        actor_label=event.actor_label,
        action=event.action,
        target_type=event.target_type,
        target_id=event.target_id,
        data=event.data,
    )
    return compute_hash(event.prev_hash if prev_hash is None else prev_hash, canonical)


def _jsonable(data: dict | None) -> dict:
    # Round-trip through JSON so that what is hashed is exactly what jsonb stores and returns.
    return json.loads(json.dumps(data or {}, default=str))


def record(
    *,
    organization,
    actor=None,
    actor_label: str = "",
    action: str,
    target=None,
    target_type: str = "",
    target_id: str = "",
    data: dict | None = None,
) -> AuditEvent:
    """Append one event to the organization's chain (the platform chain when `organization` is None).

    Writers of one chain are serialised with a transaction-scoped advisory lock, so concurrent
    requests cannot fork the chain.
    """
    chain = str(organization.pk) if organization is not None else PLATFORM_CHAIN
    if target is not None:
        target_type = target_type or target._meta.label_lower
        target_id = target_id or str(target.pk)
    if actor is not None and getattr(actor, "is_authenticated", False):
        actor_id, label = actor.pk, actor_label or actor.email
    else:
        actor_id, label = None, actor_label or "system"
    clean = _jsonable(data)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [f"audit:{chain}"])
        head = AuditEvent.objects.filter(chain=chain).order_by("-seq").values("seq", "hash").first()
        seq = head["seq"] + 1 if head else 1
        prev_hash = head["hash"] if head else GENESIS_HASH
        # Microsecond precision is what PostgreSQL stores, so the hash verifies after a round trip.
        occurred_at = timezone.now()
        event = AuditEvent(
            chain=chain,
            seq=seq,
            organization=organization,
            occurred_at=occurred_at,
            actor_id=actor_id,
            actor_label=label,
            action=action,
            target_type=target_type,
            target_id=str(target_id),
            data=clean,
            prev_hash=prev_hash,
        )
        event.hash = event_hash(event)
        event.save(force_insert=True)
    return event


def record_for_user(*, user, action: str, actor=None, target=None, data: dict | None = None) -> list[AuditEvent]:
    """Record an event about a user (login, token) in the chain of every organization they belong to,
    or in the platform chain when they belong to none."""
    from studio.tenancy.models import Organization

    orgs = list(Organization.objects.filter(memberships__user=user).order_by("pk"))
    actor = actor if actor is not None else user
    if not orgs:
        return [record(organization=None, actor=actor, action=action, target=target, data=data)]
    return [record(organization=org, actor=actor, action=action, target=target, data=data) for org in orgs]
