"""Approval lanes: who decides each lane, which lanes a version needs, and the pre-decision check.

`projects.services.decide_approval` is the only writer of decisions; it asks this module three
things, in this order, inside its transaction:

1. `get_lane(name)` — the lane exists (`LANES` is the registry; a new lane is one entry here);
2. `lane.authorize(access=..., version=...)` — the caller may decide this lane;
3. `check_decision_allowed(...)` — the policy checks that must pass before any decision lands
   (today: an approval needs playable media; the rights issue adds the consent check here).

`required_lanes_for(version)` decides which lanes must approve for the version to count as approved
(today: the project's `required_lanes`; the rights issue adds `agency` when a likeness is used).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from rest_framework.exceptions import PermissionDenied

from projects.access import ProjectAccess
from studio.exceptions import Conflict
from studio.tenancy.models import Role


@dataclass(frozen=True)
class Lane:
    name: str
    label: str
    decider_roles: frozenset[str] = field(default_factory=frozenset)
    # For lanes whose deciders are not a project role (e.g. the talent's agency), a callable
    # (access, version) -> bool replaces the role test.
    decider: Callable | None = None
    description: str = ""

    def may_decide(self, *, access: ProjectAccess, version) -> bool:
        if self.decider is not None:
            return bool(self.decider(access, version))
        return access.role in self.decider_roles

    def authorize(self, *, access: ProjectAccess, version) -> None:
        if not self.may_decide(access=access, version=version):
            who = ", ".join(sorted(str(r) for r in self.decider_roles)) or "the lane's designated reviewers"
            raise PermissionDenied(f"Your role '{access.role}' may not decide the {self.name} lane; it is decided by: {who}.")


LANES: dict[str, Lane] = {
    "producer": Lane(
        name="producer",
        label="Producer",
        decider_roles=frozenset({Role.OWNER, Role.ADMIN, Role.PRODUCER}),
        description="The studio's sign-off. Nothing is approved without it.",
    ),
    "client": Lane(
        name="client",
        label="Client",
        decider_roles=frozenset({Role.REVIEWER}),
        description="Client reviewers added to the project.",
    ),
}

# The producer lane can never be dropped from a project's required lanes.
ALWAYS_REQUIRED = ("producer",)


def get_lane(name: str) -> Lane | None:
    return LANES.get(name)


def lane_names() -> list[str]:
    return list(LANES)


def required_lanes_for(version) -> list[str]:
    """The lanes that must all approve `version`, in registry order."""
    required = set(version.project.required_lanes or []) | set(ALWAYS_REQUIRED)
    return [name for name in LANES if name in required]


def check_decision_allowed(*, version, lane: Lane, decision: str, access: ProjectAccess) -> None:
    """Policy checks before a decision is stored. Raise to refuse; nothing is written then.

    The consent check of the rights issue (`rights.policy.check_approval`) is called from here.
    """
    from projects.models import Approval, Version

    if decision == Approval.Decision.APPROVED and version.processing_status != Version.Processing.READY:
        if version.processing_status == Version.Processing.FAILED:
            raise Conflict(
                f"{version.label} cannot be approved: its media failed to process ({version.failure_reason or 'unknown reason'}). "
                "Upload a new version."
            )
        raise Conflict(f"{version.label} is still processing; approve it once its review proxy is ready.")
