"""The likeness scan of takes: every take a worker stores is scanned on the `media` queue for faces
of protected performers (the same scan as a version's: `projects.likeness_scan`, settled by
`rights.services.settle_likeness_scan`).

- `request_take_scan` bumps `scan_attempt` (the fencing token), sets the take `pending` and sends
  `generation.tasks.scan_take_likeness` after commit (`store_take` calls it in the worker's
  transaction; a grant change calls it through `rescan_held_takes`).
- `scan_take_likeness` runs the scan outside any transaction, then stores the verdict under the
take's row lock: uses of covered faces are recorded under the take's job (an imported take's own id; the
version a publish makes inherits them), a face no grant covers holds the take: publishing answers 409 with the
  performer, the reason and the pre-filled consent request.
"""

from __future__ import annotations

import logging
import uuid
from pathlib import Path

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from generation.models import Take
from generation.services.takes import _publish_take
from projects import likeness_scan, media
from projects.consent import project_ref, shot_ref
from rights import selectors as rights_selectors
from rights import services as rights_services
from studio.audit import services as audit
from studio.exceptions import Conflict
from studio.queues import send_media

log = logging.getLogger(__name__)

ScanState = Take.ScanState
RESCAN_STATES = (ScanState.HELD, ScanState.PENDING, ScanState.RUNNING)  # see projects.services.likeness_scan


class TakeHeld(Conflict):
    """409: the likeness scan holds the take; the body names the performer and offers the request."""

    default_code = "likeness_held"

    def __init__(self, take: Take):
        result = take.scan_result or {}
        reason = result.get("held_reason") or "A face in this take matches a protected performer without consent."
        super().__init__(detail=f"This take is held by the likeness scan and cannot be published: {reason}")
        self.extra = {"scan_state": take.scan_state, "reasons": result.get("held") or [],
                      "request_consent": result.get("request_consent")}


def request_take_scan(*, take: Take) -> None:
    """Queue a (re-)scan of `take` (inside a transaction; the message leaves at commit)."""
    from generation.tasks import scan_take_likeness

    Take.objects.filter(pk=take.pk).update(scan_attempt=F("scan_attempt") + 1, scan_state=ScanState.PENDING, updated_at=timezone.now())
    take.refresh_from_db(fields=["scan_attempt", "scan_state"])
    take_id, attempt = str(take.pk), take.scan_attempt
    transaction.on_commit(lambda: send_media(scan_take_likeness, take_id, attempt), robust=True)


def _claim(take_id, attempt: int) -> Take | None:
    with transaction.atomic():
        take = Take.objects.select_for_update(of=("self",), no_key=True).filter(pk=take_id).first()
        if take is None or take.scan_attempt != attempt or take.scan_state not in (ScanState.PENDING, ScanState.RUNNING):
            return None
        take.scan_state = ScanState.RUNNING
        take.save(update_fields=["scan_state", "updated_at"])
        return take


def scan_take_likeness(*, take_id, attempt: int) -> Take | None:
    """Scan one take (the media worker's task). None when the message is stale or the take gone."""
    take = _claim(take_id, attempt)
    if take is None:
        return None
    try:
        scan = likeness_scan.scan_image_file if take.is_still else likeness_scan.scan_file  # a still take is one PNG
        outcome = scan(Path(take.media.path), references=rights_selectors.likeness_references())
    except (media.MediaError, OSError, ValueError) as exc:
        log.warning("likeness scan of take %s failed: %s", take_id, exc)
        return _store(take_id, attempt, state=ScanState.FAILED, result={"error": getattr(exc, "message", str(exc))[:500]})
    return _store(take_id, attempt, outcome=outcome)


def _store(take_id, attempt: int, *, outcome=None, state: str | None = None, result: dict | None = None) -> Take | None:
    with transaction.atomic():
        take = (Take.objects.select_for_update(of=("self",), no_key=True).select_related("project__organization", "shot", "panel")
                .filter(pk=take_id).first())
        if take is None or take.scan_attempt != attempt:
            return None
        talent: list = []
        if outcome is not None:
            verdict = rights_services.settle_likeness_scan(
                project=project_ref(take.project), matches=outcome.matches, use_key=take.use_key,
                shot=shot_ref(take.shot) if take.shot_id else None,
            )
            state, talent, result = verdict.state, verdict.talent_ids, {**outcome.summary(), **verdict.as_result()}
        take.scan_state, take.scan_talent, take.scan_result = state, [uuid.UUID(t) for t in talent], result
        take.scanned_at = timezone.now()
        take.save(update_fields=["scan_state", "scan_talent", "scan_result", "scanned_at", "updated_at"])
        audit.record(
            organization=take.project.organization, actor_label="likeness scan", action="take.likeness_scanned", target=take,
            data={"state": state, "talent": [str(t) for t in talent], "attempt": attempt,
                  "frames": (result or {}).get("frames_sampled"), "faces": (result or {}).get("faces_found")},
        )
        _publish_take(take)
    return take


def rescan_held_takes(*, organization_id, talent_id) -> int:
    """Re-scan the studio's unpublished takes the scan holds for `talent_id` (a grant of theirs changed)."""
    held = list(
        Take.objects.select_for_update(of=("self",), no_key=True).filter(
            organization_id=organization_id, scan_state__in=RESCAN_STATES, scan_talent__contains=[talent_id], version__isnull=True,
        )
    )
    for take in held:
        request_take_scan(take=take)
    return len(held)
