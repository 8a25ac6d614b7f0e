/**
 * The approvals panel: each lane of a version (producer, client, and — when the version uses a
 * talent's likeness under a grant requiring per-use approval — the talent's agency), who decided
 * what, what the consent policy says about approving it (quarantine, the agency's pending review,
 * denials with reasons), and the buttons the signed-in person may press.
 *
 * Used by the studio's review page and by the agency portal's use review. Which buttons appear comes
 * from the API (`allowed_actions` of the approval summary: the lane's deciders, the agency's pending
 * uses, playable media); the consent policy has the last word when a decision is sent, and a refusal
 * shows its reasons.
 */
import { useState } from "react";

import type { ApprovalSummary, Lane } from "../api/types";
import { findAction, isOffered, isTheirs } from "../lib/actions";
import { listNames } from "../lib/consent";
import { useApprovals, useDecideApproval, type Decision } from "../queries";
import { useMe } from "../session";
import { ActionButton, ActionHint } from "./ActionButton";
import { decisionLabel, laneState } from "../lib/states";
import { ApprovalChip, Chip } from "./chips";
import { EmptyState, ErrorMessage, Loading } from "./feedback";
import { formatDateTime, formatRelative, personName } from "./format";

const QUARANTINE_FALLBACK = "A likeness consent grant no longer covers this version: it cannot be approved, exported or delivered.";

/** Why a version is quarantined (client reviewers get no reason from the API: a general one then). */
export function QuarantineNotice({ reason, compact = false, testId = "quarantine" }: { reason: string; compact?: boolean; testId?: string }) {
  if (compact) {
    return (
      <div className="quarantine-line small" role="note" data-testid={testId}>
        <strong>Quarantined:</strong> {reason || QUARANTINE_FALLBACK}
      </div>
    );
  }
  return (
    <div className="alert" role="note" data-testid={testId}>
      <div>
        <strong>Quarantined — cannot be approved, exported or delivered</strong>
        <div>{reason || QUARANTINE_FALLBACK}</div>
      </div>
    </div>
  );
}

/** What the consent policy says about approving: nothing when it allows it. */
function ConsentNotice({ summary, decidesAgencyLane }: { summary: ApprovalSummary; decidesAgencyLane: boolean }) {
  const { consent } = summary;
  if (consent.outcome === "deny") {
    // The quarantine notice already says why when that is the only reason.
    const reasons = consent.reasons.filter((r) => !(summary.quarantined && (r.code === "quarantined" || r.message === summary.quarantine_reason)));
    if (reasons.length === 0) return null;
    return (
      <div className="alert" role="note" data-testid="consent-denied">
        <div>
          <strong>Consent does not cover approving this version</strong>
          <ul>
            {reasons.map((r, i) => (
              <li key={`${r.code}-${r.talent_id}-${i}`} data-code={r.code}>
                {r.message.includes(r.talent) ? r.message : `${r.talent}: ${r.message}`}
              </li>
            ))}
          </ul>
        </div>
      </div>
    );
  }
  if (consent.outcome === "needs_agency_review" && consent.reviews.length > 0) {
    const agencies = listNames(consent.reviews.map((r) => r.agency));
    const talent = listNames(consent.reviews.map((r) => r.talent));
    if (decidesAgencyLane) {
      return (
        <div className="alert" data-tone="warn" role="note" data-testid="consent-awaiting">
          <div>
            <strong>Awaiting your review</strong>
            <div>The studio cannot approve this version before you approve the use of {talent}'s likeness in it.</div>
          </div>
        </div>
      );
    }
    return (
      <div className="alert" data-tone="warn" role="note" data-testid="consent-awaiting">
        <div>
          <strong>Waiting for {agencies}</strong>
          <div>
            The version uses {talent}'s likeness under a grant that needs the agency's approval of each use. No one can approve the version before the agency
            does.
          </div>
        </div>
      </div>
    );
  }
  return null;
}

export function ApprovalsPanel({
  versionId,
  onDecided,
  title = "Approval",
  freshWith,
}: {
  versionId: string;
  onDecided?: (summary: ApprovalSummary) => void;
  title?: string;
  /** Read the summary again when this changes (for pages no project stream refreshes). */
  freshWith?: unknown;
}) {
  const approvals = useApprovals(versionId, { freshWith });
  const summary = approvals.data;
  return (
    <section className="panel approvals" aria-labelledby={`approvals-title-${versionId}`} data-testid="approvals" data-status={summary?.status}>
      <div className="panel-header">
        <h2 id={`approvals-title-${versionId}`}>{title}</h2>
        <span className="grow" />
        {summary && <ApprovalChip status={summary.status} />}
      </div>
      <div className="panel-body stack">
        {approvals.isPending && <Loading />}
        <ErrorMessage error={approvals.error} />
        {summary?.quarantined && <QuarantineNotice reason={summary.quarantine_reason} testId="approvals-quarantine" />}
        {summary && <ConsentNotice summary={summary} decidesAgencyLane={isTheirs(findAction(summary.allowed_actions, "approve", "agency"))} />}
        {summary && summary.lanes.length === 0 && <EmptyState title="No approval lanes">This project requires no sign-off.</EmptyState>}
        {summary?.lanes.map((lane) => (
          <LaneView key={lane.lane} lane={lane} versionId={versionId} summary={summary} onDecided={onDecided} />
        ))}
      </div>
    </section>
  );
}

function LaneView({
  lane,
  versionId,
  summary,
  onDecided,
}: {
  lane: Lane;
  versionId: string;
  summary: ApprovalSummary;
  onDecided?: (summary: ApprovalSummary) => void;
}) {
  const { data: me } = useMe();
  const [note, setNote] = useState("");
  const [asking, setAsking] = useState(false);
  const agency = lane.lane === "agency";
  const mine = lane.decisions.find((d) => d.reviewer.id === me?.id);
  const approve = findAction(summary.allowed_actions, "approve", lane.lane);
  const sendBack = findAction(summary.allowed_actions, "request_changes", lane.lane);
  const decide = useDecideApproval(versionId, {
    onDecided: (data) => {
      setNote("");
      setAsking(false);
      onDecided?.(data);
    },
  });
  const send = (decision: Decision) => decide.mutate({ lane: lane.lane, decision, note });
  const state = laneState(lane.lane, lane.state);
  const open = isOffered(approve) || isOffered(sendBack);
  const awaited = agency ? listNames(summary.consent.reviews.map((r) => r.agency)) : "";
  const labels = agency
    ? { approve: "Approve use", ask: "Reject use…", send: "Send: reject use", note: "Why the use is rejected (the studio sees it)" }
    : { approve: mine?.decision === "approved" ? "Approved ✓" : "Approve", ask: "Request changes", send: "Send: request changes", note: "What needs to change" };
  // Why there are no buttons: not this person's lane (while it waits for a decision), or nothing left to decide.
  const hint = !open && approve && (approve.code === "not_applicable" || lane.state === "pending") ? approve : undefined;
  return (
    <div className="lane" data-testid={`lane-${lane.lane}`} data-state={lane.state}>
      <div className="row tight" style={{ gap: 8 }}>
        <strong>{lane.label}</strong>
        {lane.required ? <span className="muted small">required</span> : <span className="muted small">optional</span>}
        <span className="grow" />
        <Chip label={state.label} tone={state.tone} testId="lane-state" />
      </div>
      {lane.decisions.length === 0 && lane.state === "pending" && (
        <div className="muted small">{agency ? (awaited ? `Awaiting ${awaited}'s review.` : "Awaiting the talent agency's review.") : "No decision yet."}</div>
      )}
      {lane.decisions.length > 0 && (
        <ul className="decisions" aria-label={`${lane.label} decisions`}>
          {lane.decisions.map((d) => (
            <li key={d.id} data-testid="decision" data-decision={d.decision}>
              <Chip label={decisionLabel(lane.lane, d.decision).label} tone={decisionLabel(lane.lane, d.decision).tone} />{" "}
              <span data-testid="decided-by">{d.reviewer.id === me?.id ? "You" : personName(d.reviewer)}</span>{" "}
              <time className="muted small" dateTime={d.decided_at} title={formatDateTime(d.decided_at)}>
                {formatRelative(d.decided_at)}
              </time>
              {d.note && <div className="small">“{d.note}”</div>}
            </li>
          ))}
        </ul>
      )}
      {open && (
        <div className="stack" style={{ gap: 6 }}>
          {asking && (
            <>
              <label className="visually-hidden" htmlFor={`note-${lane.lane}-${versionId}`}>
                {labels.note}
              </label>
              <textarea
                id={`note-${lane.lane}-${versionId}`}
                rows={2}
                value={note}
                onChange={(e) => setNote(e.target.value)}
                placeholder={`${labels.note} (required)`}
                autoFocus
              />
            </>
          )}
          <div className="row tight" style={{ gap: 6 }}>
            <ActionButton action={approve} className="primary small" busy={decide.isPending} onClick={() => send("approved")}>
              {labels.approve}
            </ActionButton>
            {asking ? (
              <>
                <ActionButton action={sendBack} className="danger small" busy={decide.isPending} disabledReason={note.trim() ? undefined : "Write a note first."} onClick={() => send("changes_requested")}>
                  {labels.send}
                </ActionButton>
                <button type="button" className="ghost small" onClick={() => setAsking(false)}>
                  Cancel
                </button>
              </>
            ) : (
              <ActionButton action={sendBack} className="danger small" busy={decide.isPending} onClick={() => setAsking(true)}>
                {labels.ask}
              </ActionButton>
            )}
          </div>
          {agency && <div className="muted small">Your decision is final for this use; to stop later use, suspend or revoke the grant.</div>}
          <ErrorMessage error={decide.error} title="Decision not recorded" />
        </div>
      )}
      <ActionHint action={hint} testId={`lane-hint-${lane.lane}`} />
    </div>
  );
}
