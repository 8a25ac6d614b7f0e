"""Approval lanes: who decides each lane, which lanes a version needs, and the pre-decision check.

`projects.services.decide_approval` is the only entry point for decisions; it asks this module four
things, in this order:

1. `get_lane(name)` — the lane exists (`LANES` is the registry; a new lane is one entry here);
2. `projects.access.access_for_decision(...)` — how the caller reaches the version for this lane (a
   project role, or, for the `agency` lane, membership of the agency that represents the talent);
   access is decided in `projects.access` only;
3. `lane.authorize(access=..., version=...)` — the caller may decide this lane;
4. `check_decision_allowed(...)` — the checks that must pass before any decision lands: an
   approval needs playable media, and the consent policy (`rights.policy.check_approval`) must
   allow it (a quarantined version cannot be approved; nor can one whose likeness use the agency
   has not approved yet when its grant requires per-use approval); nor can a version the likeness
   scan holds (409 `likeness_held`).

`required_lanes_for(version)` decides which lanes must approve for the version to count as approved:
the project's `required_lanes`, plus `agency` when the version uses a likeness under a grant that
requires the agency's approval of each use.

`decision_actions(...)` reports the same rules as `allowed_actions` (who may approve or request
changes in which lane, and why not), for any number of versions from facts loaded once.

The `agency` lane keeps no `Approval` rows: its decisions *are* the agency's reviews of the
version's likeness uses (`rights.models.LikenessUse`), recorded by `rights.services.decide_use`
whether the agency decides through `/versions/{id}/approvals/` or `/likeness-uses/{id}/decide/`,
so the two can never disagree. Projects may import rights; rights never imports projects. So:

- through `/versions/{id}/approvals/` (`projects.services.decide_approval`): projects calls
  `rights.services.decide_use(..., notify=False)` for each of the agency's pending uses, then
  settles the lane itself (`record_agency_review`: restate the version and its shot, audit
  `approval.decided`, publish), in the same transaction — a direct call, no round trip;
- through `/likeness-uses/{id}/decide/` (the rights API): `decide_use` sends the one-way
  notification `rights.signals.likeness_use_decided` inside its transaction, and
  `projects.receivers` settles the lane from it with the same `record_agency_review`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from rest_framework.exceptions import PermissionDenied

from projects.access import CallerMembership, ProjectAccess, agency_access
from projects.consent import version_ref
from projects.likeness_scan import held_refusal
from studio.actions import BLOCKED, NOT_APPLICABLE, NOT_PERMITTED, Action, first_refusal
from studio.exceptions import Conflict
from studio.tenancy.models import Role

# Who in the representing agency decides its talent's uses.
AGENCY_DECIDER_ROLES = frozenset({Role.OWNER, Role.ADMIN, Role.AGENT, Role.LEGAL})


@dataclass(frozen=True)
class LaneDecision:
    """One decision as the approval summary shows it (an `Approval` row, or an agency's use review)."""

    id: UUID
    reviewer: object
    decision: str
    note: str
    decided_at: datetime


@dataclass(frozen=True)
class Lane:
    name: str
    label: str
    decider_roles: frozenset[str] = field(default_factory=frozenset)
    # For lanes whose deciders are not a project role (e.g. the talent's agency), a callable
    # (access, version, reviewing_agency_ids or None) -> bool replaces the role test.
    decider: Callable | None = None
    description: str = ""
    # Who decides, in words, for lanes decided by someone other than a project role.
    deciders_label: str = ""
    # Who decides, in the words a refusal uses ("the project's producers, admins and owners").
    who: str = ""
    # Added by the platform to the versions that need it; a project cannot require it for every version.
    automatic: bool = False
    # For lanes whose decisions live elsewhere: version -> (state, [LaneDecision]) replaces the Approval rows.
    read: Callable | None = None

    def may_decide(self, *, access: ProjectAccess | None, version, reviewing_agency_ids: Iterable | None = None) -> bool:
        if access is None:
            return False
        if self.decider is not None:
            return bool(self.decider(access, version, reviewing_agency_ids))
        return access.role in self.decider_roles

    def refusal(self, *, agencies: Iterable[str] = ()) -> str:
        """Why someone who may not decide this lane sees no buttons, in their terms."""
        names = sorted(set(agencies))
        if self.decider is not None and names:
            return f"The {self.label} lane is decided by {_names(names)}, the agency that represents the talent."
        return f"The {self.label} lane is decided by {self.who or self.deciders_label or 'its designated reviewers'}."

    def authorize(self, *, access: ProjectAccess, version) -> None:
        if not self.may_decide(access=access, version=version):
            who = self.deciders_label or ", ".join(sorted(str(r) for r in self.decider_roles)) or "the lane's designated reviewers"
            raise PermissionDenied(f"Your role '{access.role}' may not decide the {self.name} lane; it is decided by: {who}.")


def _names(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _agency_may_decide(access: ProjectAccess, version, reviewing_agency_ids: Iterable | None = None) -> bool:
    if access.via != "agency" or access.role not in AGENCY_DECIDER_ROLES or access.organization_id is None:
        return False
    if reviewing_agency_ids is None:
        from rights.selectors import reviewing_agencies_for_version

        reviewing_agency_ids = [agency.pk for agency in reviewing_agencies_for_version(version=version_ref(version))]
    return access.organization_id in set(reviewing_agency_ids)


def _agency_lane(version) -> tuple[str, list[LaneDecision]]:
    """The agency lane from the version's likeness uses that need the agency's approval: changes
    requested (in the use vocabulary, "Use rejected") when any was rejected, quarantined when a grant
    stopped covering one (the use is invalidated), approved when all were approved, else pending.
    Decisions show what the agency decided, also for a use invalidated since (its earlier state)."""
    from rights.models import LikenessUse
    from rights.selectors import review_uses_for_version

    uses = review_uses_for_version(version=version_ref(version))
    states = {use.state for use in uses}
    if LikenessUse.State.REJECTED in states:
        state = "changes_requested"
    elif LikenessUse.State.INVALIDATED in states:
        state = "quarantined"
    elif uses and states == {LikenessUse.State.APPROVED}:
        state = "approved"
    else:
        state = "pending"
    decisions = []
    for use in uses:
        decided = use.state_before_invalidation if use.state == LikenessUse.State.INVALIDATED else use.state
        if use.decided_by_id is None or use.decided_at is None or decided not in (LikenessUse.State.APPROVED, LikenessUse.State.REJECTED):
            continue
        decisions.append(LaneDecision(
            id=use.pk, reviewer=use.decided_by, note=use.decision_note, decided_at=use.decided_at,
            decision="approved" if decided == LikenessUse.State.APPROVED else "changes_requested",
        ))
    return state, sorted(decisions, key=lambda d: d.decided_at)


LANES: dict[str, Lane] = {
    "producer": Lane(
        name="producer",
        label="Producer",
        decider_roles=frozenset({Role.OWNER, Role.ADMIN, Role.PRODUCER}),
        description="The studio's sign-off. Nothing is approved without it.",
        who="the project's producers, admins and owners",
    ),
    "client": Lane(
        name="client",
        label="Client",
        decider_roles=frozenset({Role.REVIEWER}),
        description="Client reviewers added to the project.",
        who="the client's reviewers on the project",
    ),
    "agency": Lane(
        name="agency",
        label="Talent agency",
        decider=_agency_may_decide,
        deciders_label="the agency that represents the talent whose likeness the version uses (owner, admin, agent or legal)",
        description="Added to versions that use a talent's likeness under a grant requiring the agency's approval of each use.",
        automatic=True,
        read=_agency_lane,
    ),
}

# The producer lane can never be dropped from a project's required lanes.
ALWAYS_REQUIRED = ("producer",)


def get_lane(name: str) -> Lane | None:
    return LANES.get(name)


def lane_names() -> list[str]:
    return list(LANES)


def project_lane_names() -> list[str]:
    """Lanes a project may require of every version (automatic lanes are added where they apply)."""
    return [name for name, lane in LANES.items() if not lane.automatic]


def required_lanes_for(version) -> list[str]:
    """The lanes that must all approve `version`, in registry order."""
    from rights.selectors import reviewing_agencies_for_version

    required = set(version.project.required_lanes or []) | set(ALWAYS_REQUIRED)
    required -= {name for name, lane in LANES.items() if lane.automatic}
    if reviewing_agencies_for_version(version=version_ref(version)):
        required.add("agency")
    return [name for name in LANES if name in required]


def check_decision_allowed(*, version, lane: Lane, decision: str, access: ProjectAccess) -> None:
    """Checks before a decision is stored. Raise to refuse; nothing is written then.

    Approving needs the consent policy's `allow` (`rights.policy.check_approval`, run without
    auditing: the caller audits a refusal after its transaction is rolled back) and then playable
    media. The agency approving the very uses it reviews is refused only for a consent *denial*, not
    for its own pending review. Sending a version back is always possible.
    """
    from projects.models import Approval
    from rights import policy

    if decision != Approval.Decision.APPROVED:
        return
    # Consent first: a quarantined or unconsented version is refused with its reasons whatever its media.
    consent = policy.check_approval(version=version_ref(version, with_project=True), audit=False)
    if not consent.permits and not (lane.name == "agency" and consent.outcome == policy.NEEDS_AGENCY_REVIEW):
        raise policy.PolicyDenied(consent)
    if refusal := held_refusal(version):
        # allowed_actions offered Approve disabled with this reason; the service enforces it too.
        raise VersionHeld(refusal)
    if refusal := media_refusal(version):
        raise Conflict(refusal)


class VersionHeld(Conflict):
    """409: the likeness scan holds the version (a protected face without consent)."""

    default_code = "likeness_held"


def quarantine_refusal(version, *, access: ProjectAccess | None, verb: str = "approved") -> str | None:
    """Why a quarantined version cannot be approved (or downloaded: `verb`); None when it is not
    quarantined. The consent policy would refuse it. The grant's reason is the studio's to read;
    client reviewers get the general words (projects.access.sees_studio_internals)."""
    from projects.access import sees_studio_internals

    if version.quarantined_at is None:
        return None
    if sees_studio_internals(access) and version.quarantine_reason:
        return f"Quarantined, so it cannot be {verb}: {version.quarantine_reason}"
    return f"Quarantined: a likeness consent grant no longer covers this version, so it cannot be {verb}."


def media_refusal(version) -> str | None:
    """Why `version` cannot be approved yet as far as its media goes (None once it is playable)."""
    from projects.models import Version

    if version.processing_status == Version.Processing.READY:
        return None
    if version.processing_status == Version.Processing.FAILED:
        return (
            f"{version.label} cannot be approved: its media failed to process ({version.failure_reason or 'unknown reason'}). "
            "Upload a new version."
        )
    return f"{version.label} is still processing; approve it once its review proxy is ready."


# ---------------------------------------------------------------- the same rules, as allowed actions


def agency_decision_conflict(*, label: str, uses: list) -> str | None:
    """Why an agency has nothing to decide in a version: None while one of its talent's uses in it
    awaits review. `uses`: the agency's uses of the version that need review (LikenessUse)."""
    if any(use.state == "pending_review" for use in uses):
        return None
    invalidated = [use for use in uses if use.state == "invalidated"]
    if invalidated:
        return f"{label} is quarantined ({invalidated[0].invalidated_reason}); there is nothing to decide."
    states = ", ".join(sorted({f"{use.talent.name}: {use.state}" for use in uses})) or "none"
    return (
        f"No use in {label} awaits your agency's review ({states}). Decisions are final; revoke or suspend "
        "the grant to stop further use."
    )


def agency_review_refusal(uses: list, *, access: ProjectAccess | None) -> str | None:
    """Why a studio or client lane cannot approve yet because of the agency lane (the consent policy
    refuses it with `agency_review_pending` or `consent_denied`); None when no use is pending or
    rejected. `uses`: the version's uses that need an agency's review. Client reviewers get the
    general words: the talent and the agency's note are not theirs to read."""
    from projects.access import sees_studio_internals

    rejected = [use for use in uses if use.state == "rejected"]
    pending = [use for use in uses if use.state == "pending_review"]
    if not rejected and not pending:
        return None
    if not sees_studio_internals(access):
        return "Waiting for the talent agency's approval of a likeness use in this version."
    if rejected:
        use = rejected[0]
        note = f": {use.decision_note}" if use.decision_note else "."
        return f"{use.talent.organization.name} rejected the use of {use.talent.name}{note}"
    names = _names(sorted({use.talent.name for use in pending}))
    agencies = _names(sorted({use.talent.organization.name for use in pending}))
    return f"Waiting for the talent agency's approval: {agencies} has not yet approved the use of {names}."


def lanes_shown(*, reviewing_agency_ids: Iterable) -> list[str]:
    """The lanes a version shows: every project lane, and automatic lanes where they apply."""
    applies = bool(set(reviewing_agency_ids))
    return [name for name, lane in LANES.items() if not lane.automatic or applies]


def decision_actions(*, version, access: ProjectAccess | None, memberships: list[CallerMembership], review_uses: list) -> list[Action]:
    """`approve` and `request_changes` in each lane of `version` for the caller, with the reason when
    not allowed: the lane's deciders, the agency's pending uses, the agency lane holding the studio's
    and client's approval back (a use pending or rejected), playable media. The consent policy itself
    is not asked (it answers when the decision is made, e.g. for a likeness used without a recorded
    use). `review_uses`: the version's uses that need an agency's review
    (rights.selectors.review_uses_by_version)."""
    agencies = {use.talent.organization_id: use.talent.organization.name for use in review_uses}
    project = access.project if access is not None else version.project
    actions: list[Action] = []
    for name in lanes_shown(reviewing_agency_ids=agencies):
        lane = LANES[name]
        deciding = access
        if lane.decider is not None:
            deciding = agency_access(memberships=memberships, agency_ids=agencies, project=project) or access
        permitted = lane.may_decide(access=deciding, version=version, reviewing_agency_ids=agencies)
        permission = None if permitted else lane.refusal(agencies=agencies.values())
        conflict = None
        if permitted and lane.read is not None:
            mine = [use for use in review_uses if use.talent.organization_id == deciding.organization_id]
            conflict = agency_decision_conflict(label=version.label, uses=mine)
        # The agency approving its own pending uses is not held back by them (check_decision_allowed).
        waiting = agency_review_refusal(review_uses, access=deciding) if lane.read is None else None
        actions.append(first_refusal("approve", [
            (NOT_PERMITTED, permission), (NOT_APPLICABLE, conflict),
            (BLOCKED, quarantine_refusal(version, access=deciding) or waiting or held_refusal(version) or media_refusal(version)),
        ], lane=name))
        actions.append(first_refusal("request_changes", [(NOT_PERMITTED, permission), (NOT_APPLICABLE, conflict)], lane=name))
    return actions
