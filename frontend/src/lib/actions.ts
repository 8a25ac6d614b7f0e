/**
 * Reading `allowed_actions` (what the API says the signed-in person may do to a row, and why not):
 * the server computes them from its own rules, so screens never copy lane or state-machine rules.
 *
 * How a screen shows an action (a presentation choice, not a rule):
 * - allowed: a working button;
 * - `blocked` (theirs, once something else has happened — e.g. the media is still processing): the
 *   button, disabled, with the API's reason beside it;
 * - `not_permitted` / `not_applicable` (not theirs, or no such step from here): no button; a panel may
 *   show the reason as a hint where the missing buttons need explaining.
 */
import type { AllowedAction } from "../api/types";

export function findAction(actions: readonly AllowedAction[] | undefined, action: string, lane: string | null = null): AllowedAction | undefined {
  return actions?.find((a) => a.action === action && (a.lane ?? null) === lane);
}

/** Shown as a button: allowed, or blocked for now (disabled, with the reason). */
export function isOffered(action: AllowedAction | undefined): boolean {
  return action !== undefined && (action.allowed || action.code === "blocked");
}

/** The person's own step (even if not possible right now): anything but `not_permitted`. */
export function isTheirs(action: AllowedAction | undefined): boolean {
  return action !== undefined && action.code !== "not_permitted";
}

/** Why the action is not there or not possible, when it is not allowed. */
export function reasonOf(action: AllowedAction | undefined): string {
  return action && !action.allowed ? action.reason : "";
}
