/**
 * One vocabulary for approval-lane and likeness-use states (issue 13): the studio's lanes, the agency
 * lane, the agency's list of uses, the approvals panel and the consent badges all say the same thing
 * in the same words. The server's table is `studio/vocabulary.py` (its `state_label` fields);
 * tests/projects/test_vocabulary.py checks that the labels here are the same.
 */
import type { LaneState, UseState } from "../api/types";

export type Tone = "ok" | "warn" | "danger" | "info" | "muted";
export interface StateLabel {
  label: string;
  tone: Tone;
}

/** A studio lane (producer, client). */
export const LANE_STATES: Record<Exclude<LaneState, "quarantined">, StateLabel> = {
  pending: { label: "Awaiting decision", tone: "warn" },
  approved: { label: "Approved", tone: "ok" },
  changes_requested: { label: "Changes requested", tone: "danger" },
};

/** A likeness use — and the version's likeness badge (its uses at their worst). */
export const USE_STATES: Record<UseState, StateLabel> = {
  pending_review: { label: "Awaiting agency review", tone: "warn" },
  approved: { label: "Use approved", tone: "ok" },
  rejected: { label: "Use rejected", tone: "danger" },
  // The grant stopped covering the use: the studio's version is quarantined; one word for both.
  invalidated: { label: "Quarantined", tone: "danger" },
};

/** The agency lane is the agency's reviews of the version's uses: the use words. */
export const AGENCY_LANE_STATES: Record<LaneState, StateLabel> = {
  pending: USE_STATES.pending_review,
  approved: USE_STATES.approved,
  changes_requested: USE_STATES.rejected,
  quarantined: USE_STATES.invalidated,
};

export function laneState(lane: string, state: LaneState): StateLabel {
  if (lane === "agency") return AGENCY_LANE_STATES[state];
  return state === "quarantined" ? USE_STATES.invalidated : LANE_STATES[state];
}

export function likenessUseState(state: UseState): StateLabel {
  return USE_STATES[state];
}

/** A decision shown under a lane: the agency's are decisions on a use. */
export function decisionLabel(lane: string, decision: "approved" | "changes_requested"): StateLabel {
  return laneState(lane, decision);
}
