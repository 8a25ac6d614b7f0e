"""A version's approval status from its lanes, and how a change of it moves the shot.

Shared by approvals (a decision), quarantine (consent stopped or resumed) and project settings
(the required lanes changed). `lane_states` is public; the rest is internal to `projects.services`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import F

from projects import lanes as lane_registry
from projects.models import Approval, Project, Shot, Version
from projects.services._common import _publish_shot
from studio.realtime.publish import publish


@dataclass
class LaneState:
    lane: str
    required: bool
    state: str
    decisions: list[Approval] = field(default_factory=list)


def lane_states(version: Version, approvals: Iterable[Approval]) -> tuple[str, list[LaneState]]:
    """The version's approval status and each lane's state from its decisions.

    A lane is `changes_requested` when any of its reviewers asks for changes, `approved` when at
    least one approves and none asks for changes, else `pending`. The version is `approved` when
    every required lane is approved, `changes_requested` when any lane asks for changes, else
    `pending`.
    """
    required = lane_registry.required_lanes_for(version)
    by_lane: dict[str, list[Approval]] = {}
    for approval in approvals:
        by_lane.setdefault(approval.lane, []).append(approval)
    states = []
    for name in lane_registry.lane_names():
        lane = lane_registry.LANES[name]
        if lane.read is not None:
            # Decisions kept elsewhere (the agency's reviews of likeness uses); shown only where the lane applies.
            if name not in required:
                continue
            state, decisions = lane.read(version)
            states.append(LaneState(lane=name, required=True, state=state, decisions=decisions))
            continue
        decisions = by_lane.get(name, [])
        kinds = {d.decision for d in decisions}
        if Approval.Decision.CHANGES_REQUESTED in kinds:
            state = "changes_requested"
        elif Approval.Decision.APPROVED in kinds:
            state = "approved"
        else:
            state = "pending"
        states.append(LaneState(lane=name, required=name in required, state=state, decisions=decisions))
    if version.quarantined_at is None and all(s.state == "approved" for s in states if s.required):
        # A quarantined version (its likeness grant stopped covering it) is never approved.
        overall = Version.ApprovalStatus.APPROVED
    elif any(s.state == "changes_requested" for s in states):
        overall = Version.ApprovalStatus.CHANGES_REQUESTED
    else:
        overall = Version.ApprovalStatus.PENDING
    return overall, states


def _restate_version(version: Version, before: str, after: str) -> Shot | None:
    """Store the version's new approval status and move its shot; returns the shot when it changed.

    approved -> the shot is approved (a final shot stays final); the shot's current version sent
    back -> its retake count goes up by one and it returns to in progress (an older or exploratory
    version sent back leaves the shot alone); no longer approved -> back to review, unless another
    version of the shot is still approved.
    """
    if after == before:
        return None
    version.approval_status = after
    version.save(update_fields=["approval_status", "updated_at"])
    shot = Shot.objects.select_for_update(no_key=True).get(pk=version.shot_id)
    fields = []
    if after == Version.ApprovalStatus.APPROVED:
        if shot.status not in (Shot.Status.FINAL, Shot.Status.APPROVED):
            shot.status = Shot.Status.APPROVED
            fields.append("status")
    elif after == Version.ApprovalStatus.CHANGES_REQUESTED and shot.current_version_id == version.id:
        shot.retake_count = F("retake_count") + 1
        fields.append("retake_count")
        if shot.status in (Shot.Status.REVIEW, Shot.Status.APPROVED, Shot.Status.PENDING):
            shot.status = Shot.Status.IN_PROGRESS
            fields.append("status")
    elif before == Version.ApprovalStatus.APPROVED and shot.status == Shot.Status.APPROVED and not _another_approved(version):
        shot.status = Shot.Status.REVIEW
        fields.append("status")
    if not fields:
        return None
    shot.save(update_fields=[*fields, "updated_at"])
    shot.refresh_from_db(fields=["retake_count", "status"])
    return shot


def _another_approved(version: Version) -> bool:
    others = Version.objects.filter(shot_id=version.shot_id, approval_status=Version.ApprovalStatus.APPROVED)
    return others.exclude(pk=version.pk).exists()


def _restate_project_approvals(project: Project) -> int:
    """After the required lanes changed: recompute every decided version of the project."""
    changed = 0
    decided = Approval.objects.filter(project=project).values("version_id")
    versions = (
        Version.objects.select_for_update(of=("self",), no_key=True)
        .filter(project=project, pk__in=decided).select_related("project").order_by("pk")
    )
    for version in versions:
        before = version.approval_status
        after, _ = lane_states(version, Approval.objects.filter(version=version))
        if after == before:
            continue
        changed += 1
        shot = _restate_version(version, before, after)
        publish(
            type="version.updated",
            project_id=project.id,
            data={"id": str(version.id), "change": "approval_status", "approval_status": after},
        )
        if shot is not None:
            _publish_shot(shot, "approval", retake_count=shot.retake_count, version=str(version.id))
    return changed
