"""The likeness scan of versions: every uploaded version (and a published take's version whose take
was not scanned to the end) is scanned on the `media` queue for faces of protected performers.

- `request_version_scan` bumps the version's `scan_attempt` (a fencing token: a stale or duplicate
  message does not store), sets it `pending` and sends `projects.tasks.scan_version_likeness`
  after commit.
- `scan_version_likeness` (the task's body) marks it `running`, samples and matches its original
  outside any transaction (`projects.likeness_scan`), then under the row lock asks rights for the
  verdict (`rights.services.settle_likeness_scan`: uses for covered faces, holds for the others),
  stores state and result, audits and publishes `version.updated` (change `scanned`).
- `rescan_held_versions` (from the `rights.signals.grant_changed` receiver): a grant of a talent
  changed, so every version of the grantee studio that the scan holds for that talent is scanned
  again.

A held version is refused by the consent policy wherever a version is approved, exported or
delivered (`projects.consent.version_ref` hands the scanned talent to `rights.policy`).
"""

from __future__ import annotations

import logging
import uuid
from pathlib import Path

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from projects import likeness_scan, media
from projects.consent import project_ref, shot_ref, version_ref
from projects.models import Version
from rights import selectors as rights_selectors
from rights import services as rights_services
from studio.audit import services as audit
from studio.queues import send_media
from studio.realtime.publish import publish

log = logging.getLogger(__name__)

ScanState = Version.ScanState
# Held, or being re-scanned for a hold (a running scan of an older attempt stores nothing: its result
# may predate the grant).
RESCAN_STATES = (ScanState.HELD, ScanState.PENDING, ScanState.RUNNING)


def request_version_scan(*, version: Version) -> None:
    """Queue a (re-)scan of `version` (call inside a transaction; the message leaves at commit)."""
    from projects.tasks import scan_version_likeness

    Version.objects.filter(pk=version.pk).update(
        scan_attempt=F("scan_attempt") + 1, scan_state=ScanState.PENDING, updated_at=timezone.now()
    )
    version.refresh_from_db(fields=["scan_attempt", "scan_state"])
    version_id, attempt = str(version.pk), version.scan_attempt
    transaction.on_commit(lambda: send_media(scan_version_likeness, version_id, attempt), robust=True)


def _claim(version_id, attempt: int) -> Version | None:
    with transaction.atomic():
        version = Version.objects.select_for_update(of=("self",), no_key=True).filter(pk=version_id).first()
        if version is None or version.scan_attempt != attempt or version.scan_state not in (ScanState.PENDING, ScanState.RUNNING):
            return None
        version.scan_state = ScanState.RUNNING
        version.save(update_fields=["scan_state", "updated_at"])
        return version


def scan_version_likeness(*, version_id, attempt: int) -> Version | None:
    """Scan one version (the media worker's task). None when the message is stale or the version gone."""
    version = _claim(version_id, attempt)
    if version is None:
        return None
    try:
        outcome = likeness_scan.scan_file(Path(version.original.path), references=rights_selectors.likeness_references())
    except (media.MediaError, OSError, ValueError) as exc:
        log.warning("likeness scan of version %s failed: %s", version_id, exc)
        return _store(version_id, attempt, state=ScanState.FAILED, result={"error": getattr(exc, "message", str(exc))[:500]})
    return _store(version_id, attempt, outcome=outcome)


def _store(version_id, attempt: int, *, outcome=None, state: str | None = None, result: dict | None = None) -> Version | None:
    with transaction.atomic():
        version = Version.objects.select_for_update(of=("self",), no_key=True).select_related("project__organization", "shot").filter(
            pk=version_id
        ).first()
        if version is None or version.scan_attempt != attempt:
            return None
        talent: list = []
        if outcome is not None:
            verdict = rights_services.settle_likeness_scan(
                project=project_ref(version.project), matches=outcome.matches, use_key=_use_key(version),
                shot=shot_ref(version.shot), version=version_ref(version),
            )
            state, talent, result = verdict.state, verdict.talent_ids, {**outcome.summary(), **verdict.as_result()}
        version.scan_state, version.scan_talent, version.scan_result = state, [uuid.UUID(t) for t in talent], result
        version.scanned_at = timezone.now()
        version.save(update_fields=["scan_state", "scan_talent", "scan_result", "scanned_at", "updated_at"])
        audit.record(
            organization=version.project.organization, actor_label="likeness scan", action="version.likeness_scanned", target=version,
            data={"state": state, "talent": [str(t) for t in talent], "attempt": attempt,
                  "frames": (result or {}).get("frames_sampled"), "faces": (result or {}).get("faces_found")},
        )
        publish(type="version.updated", project_id=version.project_id,
                data={"id": str(version.id), "shot": str(version.shot_id), "change": "scanned", "scan_state": state})
    return version


def _use_key(version: Version) -> uuid.UUID:
    """The ledger key of the version's scan uses: the job that rendered it, or the version itself."""
    job = (version.lineage or {}).get("job") if isinstance(version.lineage, dict) else None
    try:
        return uuid.UUID(str(job)) if job else version.pk
    except ValueError:
        return version.pk


def rescan_held_versions(*, organization_id, talent_id) -> int:
    """Re-scan the studio's versions the scan holds for `talent_id` (a grant of theirs changed)."""
    held = list(
        Version.objects.select_for_update(of=("self",), no_key=True).filter(
            project__organization_id=organization_id, scan_state__in=RESCAN_STATES, scan_talent__contains=[talent_id],
        )
    )
    for version in held:
        request_version_scan(version=version)
    return len(held)
