"""publish(): send an event to everyone watching a project, after the current transaction commits.

The envelope is the same for every event: {id, type, project, job?, at, data}. This first version
sends over the Channels Redis layer only; the realtime issue adds the durable event log behind it.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

log = logging.getLogger(__name__)


def project_group(project_id) -> str:
    return f"project.{project_id}"


def user_group(user_id) -> str:
    return f"user.{user_id}"


def _send(group: str, envelope: dict[str, Any], audience: str = "all") -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group, {"type": "event.message", "event": envelope, "audience": audience})
    except Exception:  # noqa: BLE001 - a lost live message must never fail the write that caused it
        log.exception("could not publish %s to %s", envelope.get("type"), group)


def build_envelope(*, type: str, project_id, data: dict, job_id=None, event_id=None) -> dict[str, Any]:
    envelope = {
        "id": event_id,
        "type": type,
        "project": str(project_id) if project_id else None,
        "at": timezone.now().isoformat(),
        "data": json.loads(json.dumps(data, cls=DjangoJSONEncoder)),
    }
    if job_id is not None:
        envelope["job"] = str(job_id)
    return envelope


def publish(*, type: str, project_id, data: dict, job_id=None, audience: str = "all") -> None:
    """Publish to the project's group once the surrounding transaction commits (at once outside one).

    `audience="internal"` limits delivery to the studio's own people (not client reviewers).
    """
    envelope = build_envelope(type=type, project_id=project_id, data=data, job_id=job_id)
    transaction.on_commit(lambda: _send(project_group(project_id), envelope, audience))


def publish_progress(*, project_id, job_id, data: dict) -> None:
    """Ephemeral `job.progress`: not stored, sent at once (progress happens outside transactions)."""
    envelope = build_envelope(type="job.progress", project_id=project_id, data=data, job_id=job_id)
    _send(project_group(project_id), envelope)
