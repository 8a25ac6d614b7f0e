"""One vocabulary for approval-lane and likeness-use states (issue 13, "one vocabulary everywhere").

The studio's lanes, the agency's lane and the agency's list of uses all describe the same facts; they
used to use different words ("Awaiting decision" on a lane whose decision read "Use rejected", the
agency's list calling the studio's "Quarantined" use "Invalidated"). Every serializer that shows such
a state adds its label from here (`state_label`), and the browser's table
(`frontend/src/lib/states.ts`) holds the same words (tests/projects/test_vocabulary.py compares them).

Pure data: the core (`studio/`) imports no domain app; `projects` and `rights` import this.
"""

from __future__ import annotations

# A studio lane (producer, client): the lane's decisions.
LANE_STATES: dict[str, str] = {
    "pending": "Awaiting decision",
    "approved": "Approved",
    "changes_requested": "Changes requested",
}

# A likeness use (rights.LikenessUse.state), and the agency lane, which is the agency's reviews of them.
USE_STATES: dict[str, str] = {
    "pending_review": "Awaiting agency review",
    "approved": "Use approved",
    "rejected": "Use rejected",
    # The grant stopped covering the use: the studio's version is quarantined; same word for both.
    "invalidated": "Quarantined",
}
# The worst use state of a version, as the API's `likeness`/`likeness_use` fields give it (one OpenAPI enum).
USE_STATE_VALUES: list[str] = ["pending_review", "approved", "rejected", "invalidated"]

# The agency lane's states, in the use vocabulary.
AGENCY_LANE_STATES: dict[str, str] = {
    "pending": USE_STATES["pending_review"],
    "approved": USE_STATES["approved"],
    "changes_requested": USE_STATES["rejected"],
    "quarantined": USE_STATES["invalidated"],
}

# How bad a use state is for the version that carries it (lowest first): a version's likeness badge
# shows its worst use.
USE_SEVERITY: tuple[str, ...] = ("rejected", "invalidated", "pending_review", "approved")


def lane_state_label(lane: str, state: str) -> str:
    table = AGENCY_LANE_STATES if lane == "agency" else LANE_STATES
    return table.get(state, state.replace("_", " ").capitalize())


def use_state_label(state: str) -> str:
    return USE_STATES.get(state, state.replace("_", " ").capitalize())


def worst_use_state(states) -> str | None:
    """The most severe of some use states (None for none)."""
    present = set(states)
    return next((s for s in USE_SEVERITY if s in present), None)
