/**
 * Consent badges (issue 13): where decisions are made — shot list rows, version cards, the player's
 * header, playlist items — a version shows its likeness use (awaiting agency review, use approved,
 * use rejected), whether the likeness scan holds it, and whether it is quarantined. Words from the one
 * vocabulary (lib/states.ts); each badge's title and accessible name say why.
 *
 * Reads only what the API gives: `likeness` (the version's uses at their worst; null for client
 * reviewers and versions without uses), `held` (or `likeness_scan.state === "held"`), `quarantined`.
 */
import type { LikenessState } from "../api/types";
import { USE_STATES } from "../lib/states";

const WHY: Record<LikenessState, string> = {
  pending_review: "Likeness use awaiting the talent agency's review: the version cannot be approved before the agency approves the use.",
  approved: "Likeness use approved (by the talent's agency, or covered by the grant).",
  rejected: "Likeness use rejected by the talent's agency.",
  invalidated: "Likeness use quarantined: the consent grant stopped covering it.",
};
const QUARANTINED = "Quarantined: a likeness consent grant no longer covers this version; it cannot be approved, exported or delivered.";
const HELD = "Held by the likeness scan: a face matches a protected performer without consent; it cannot be approved, exported or delivered.";

export interface ConsentFacts {
  likeness?: LikenessState | null;
  held?: boolean;
  quarantined?: boolean;
}

function Badge({ kind, label, tone, why, state }: { kind: string; label: string; tone: string; why: string; state?: string }) {
  return (
    <span className="chip consent-badge" data-tone={tone} data-testid={`badge-${kind}`} data-state={state} title={why}>
      {label}
      <span className="visually-hidden"> — {why}</span>
    </span>
  );
}

/** Nothing when there is nothing to say. `heldReason` / `quarantineReason`: the API's words, when it gave them. */
export function ConsentBadges({ likeness, held, quarantined, heldReason, quarantineReason }: ConsentFacts & { heldReason?: string; quarantineReason?: string }) {
  // A quarantined version says so once (its invalidated uses are the same fact).
  const use = likeness && !(quarantined && likeness === "invalidated") ? likeness : null;
  if (!use && !held && !quarantined) return null;
  return (
    <span className="consent-badges" data-testid="consent-badges">
      {quarantined && <Badge kind="quarantined" label="Quarantined" tone="danger" why={quarantineReason ? `Quarantined: ${quarantineReason}` : QUARANTINED} />}
      {held && <Badge kind="held" label="Held" tone="danger" why={heldReason ? `Held by the likeness scan: ${heldReason}` : HELD} />}
      {use && <Badge kind="likeness" label={USE_STATES[use].label} tone={USE_STATES[use].tone} why={WHY[use]} state={use} />}
    </span>
  );
}
