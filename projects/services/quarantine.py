"""Consent quarantine: versions whose likeness grant stopped (or resumed) covering them, and the
check before a version's original is delivered."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone

from projects.consent import version_ref
from projects.models import Approval, Version
from projects.services._common import _publish_shot
from projects.services._lane_state import _restate_version, lane_states
from rights import policy as consent_policy
from studio.audit import services as audit
from studio.realtime.publish import notify_user, publish
from studio.tenancy.models import User


def quarantine_versions(*, version_ids: Iterable, reason: str, cause: str, grant_id=None, actor: User | None = None) -> list[Version]:
    """Versions whose likeness grant stopped covering them (`rights.signals.grant_stopped_covering`):
    they cannot be approved, exported or delivered, and show why. An approved one falls back to
    pending (its shot back to review). Audited, published (`version.updated`, change `quarantined`)
    and the version's author is notified. Runs in the transaction that changed the grant."""
    ids = sorted({str(v) for v in version_ids})
    if not ids:
        return []
    now = timezone.now()
    changed: list[Version] = []
    versions = (
        Version.objects.select_for_update(of=("self",), no_key=True)
        .select_related("shot", "project__organization").filter(pk__in=ids)
    )
    for version in versions.order_by("pk"):
        first = version.quarantined_at is None
        version.quarantined_at = version.quarantined_at or now
        version.quarantine_reason = reason[:4000]
        version.save(update_fields=["quarantined_at", "quarantine_reason", "updated_at"])
        before = version.approval_status
        after, _ = lane_states(version, Approval.objects.filter(version=version))
        shot_change = _restate_version(version, before, after)
        audit.record(
            organization=version.project.organization,
            actor=actor,
            actor_label="" if actor else f"consent {cause}",
            action="version.quarantined",
            target=version,
            data={"shot": version.shot.code, "version": version.label, "cause": cause, "reason": reason,
                  "grant": str(grant_id) if grant_id else None, "status": [before, after], "already_quarantined": not first},
        )
        _publish_quarantine(version, change="quarantined", approval_status=after)
        if shot_change is not None:
            _publish_shot(shot_change, "approval", retake_count=shot_change.retake_count, version=str(version.id))
        if version.created_by_id:
            notify_user(
                user_id=version.created_by_id, type="version.quarantined", project_id=version.project_id,
                data={"version": str(version.id), "shot": version.shot.code, "label": version.label, "reason": reason},
            )
        changed.append(version)
    return changed


def release_versions(*, version_ids: Iterable, actor: User | None = None, note: str = "") -> list[Version]:
    """A suspended grant was resumed (`rights.signals.grant_resumed_covering`): versions with no
    likeness use left invalidated leave quarantine (their approvals count again); the others keep it,
    with the remaining reason."""
    from rights import selectors as rights_selectors

    ids = sorted({str(v) for v in version_ids})
    released: list[Version] = []
    versions = Version.objects.select_for_update(of=("self",), no_key=True).select_related("shot", "project__organization").filter(
        pk__in=ids, quarantined_at__isnull=False
    )
    for version in versions.order_by("pk"):
        remaining = rights_selectors.invalidated_uses_for_version(version=version_ref(version))
        if remaining:
            version.quarantine_reason = remaining[0].invalidated_reason
            version.save(update_fields=["quarantine_reason", "updated_at"])
            continue
        previous = version.quarantine_reason
        version.quarantined_at, version.quarantine_reason = None, ""
        version.save(update_fields=["quarantined_at", "quarantine_reason", "updated_at"])
        before = version.approval_status
        after, _ = lane_states(version, Approval.objects.filter(version=version))
        shot_change = _restate_version(version, before, after)
        audit.record(
            organization=version.project.organization,
            actor=actor,
            actor_label="" if actor else "consent resumed",
            action="version.released",
            target=version,
            data={"shot": version.shot.code, "version": version.label, "was": previous, "note": note, "status": [before, after]},
        )
        _publish_quarantine(version, change="released", approval_status=after)
        if shot_change is not None:
            _publish_shot(shot_change, "approval", retake_count=shot_change.retake_count, version=str(version.id))
        released.append(version)
    return released


def _publish_quarantine(version: Version, *, change: str, approval_status: str) -> None:
    # To everyone: the reason names the talent and the agency's decision, so client reviewers' sockets
    # receive it only as `withdrawn` (no reason), and only for a version submitted to them
    # (projects.realtime.streams.ClientEvents); their page drops it.
    publish(
        type="version.updated",
        project_id=version.project_id,
        data={
            "id": str(version.id),
            "shot": str(version.shot_id),
            "change": change,
            "quarantined": version.quarantined_at is not None,
            "quarantine_reason": version.quarantine_reason,
            "approval_status": approval_status,
        },
    )


def check_delivery(*, version: Version, actor: User) -> None:
    """Before a version's original leaves the platform: the consent policy must allow delivery
    (403 with the reasons otherwise; a denial is audited by the policy)."""
    consent = consent_policy.check_version_use(version=version_ref(version, with_project=True), purpose="deliver", actor=actor)
    consent.raise_unless_permitted()
