/**
 * The agency's likeness uses (/o/:org/uses): every render that used its talent's likeness, across
 * studios, and the review of one — the version's proxy at its own rate, and the decision. What the
 * signed-in person may decide comes from the API (`allowed_actions`), never from rules copied here.
 */
import { useState } from "react";
import { useSearchParams } from "react-router";

import type { LikenessUse } from "../../api/types";
import { ActionButton } from "../../components/ActionButton";
import { ApprovalsPanel } from "../../components/Approvals";
import { Chip } from "../../components/chips";
import { EmptyState, ErrorMessage, Field, Loading } from "../../components/feedback";
import { formatDateTime, formatRelative } from "../../components/format";
import { findAction, isOffered } from "../../lib/actions";
import { usePlayhead, type PlayerMedia } from "../../player/controls";
import { ReviewPlayer, useDrawState } from "../../player/ReviewPlayer";
import { useDecideUse, useLikenessUses, useReviewCopyReady } from "../../queries";
import { AgencyNotes } from "./AgencyNotes";
import { NotAgency, USE_STATE, USE_TYPE_LABELS, useAgency } from "./common";

export function UsesPage() {
  const agency = useAgency();
  const [params, setParams] = useSearchParams();
  const state = (params.get("state") ?? "pending_review") as LikenessUse["state"] | "all";
  const talent = params.get("talent") ?? undefined;
  const uses = useLikenessUses({ ...(state !== "all" ? { state } : {}), ...(talent ? { talent } : {}) });
  const [open, setOpen] = useState<string | null>(null);
  // What was just decided: the row leaves the "awaiting" list, so say so and where it went.
  const [decided, setDecided] = useState<{ what: string; state: LikenessUse["state"] } | null>(null);
  if (!agency) return <NotAgency />;
  const rows = uses.data?.results ?? [];
  const selected = rows.find((u) => u.id === open) ?? null;
  return (
    <div className="page wide">
      <div className="page-header">
        <div>
          <h1>Likeness uses</h1>
          <div className="sub">Every render that used your talent's likeness, across all studios. Review the ones that await you.</div>
        </div>
        <span className="spacer" />
        <label className="visually-hidden" htmlFor="use-state">
          State
        </label>
        <select id="use-state" value={state} onChange={(e) => setParams({ state: e.target.value, ...(talent ? { talent } : {}) })}>
          {(Object.keys(USE_STATE) as LikenessUse["state"][]).map((s) => (
            <option key={s} value={s}>
              {USE_STATE[s].label}
            </option>
          ))}
          <option value="all">All</option>
        </select>
      </div>
      {decided && (
        <div className="alert row" data-tone="ok" role="status" data-testid="use-decided">
          <span>
            {USE_STATE[decided.state].label}: the use of {decided.what}. The studio is told.
          </span>
          <span className="grow" />
          <button type="button" className="link small" onClick={() => setParams({ state: decided.state, ...(talent ? { talent } : {}) })}>
            Show {decided.state === "approved" ? "approved" : "rejected"} uses
          </button>
          <button type="button" className="chip-x" aria-label="Dismiss" onClick={() => setDecided(null)}>
            ×
          </button>
        </div>
      )}
      {uses.isPending && <Loading />}
      <ErrorMessage error={uses.error} />
      {uses.data && rows.length === 0 && (
        <EmptyState title={state === "pending_review" ? "Nothing awaits your review" : "No uses"}>
          {state === "pending_review" ? "New uses of your talent's likeness appear here as studios render them." : "Try another state."}
        </EmptyState>
      )}
      <div className={selected ? "uses-split" : undefined}>
        {rows.length > 0 && (
          <div className="panel">
            <table className="data" aria-label="Likeness uses">
              <thead>
                <tr>
                  <th>Talent</th>
                  <th>Studio · project · shot</th>
                  <th>Prompt</th>
                  <th>State</th>
                  <th>When</th>
                  <th className="actions">
                    <span className="visually-hidden">Open</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {rows.map((u) => (
                  <tr key={u.id} data-testid="use-row" data-state={u.state} aria-selected={u.id === open}>
                    <td className="strong-link">{u.talent.name}</td>
                    <td>
                      {u.studio.name}
                      <div className="muted small">
                        {u.project.name} · <span className="mono">{u.shot_code ?? "—"}</span> {versionLabel(u)}
                      </div>
                    </td>
                    <td className="small truncate" style={{ maxWidth: 320 }} title={u.prompt}>
                      {u.prompt}
                    </td>
                    <td>
                      <Chip label={USE_STATE[u.state].label} tone={USE_STATE[u.state].tone} />
                    </td>
                    <td className="muted small nowrap">{formatRelative(u.created_at)}</td>
                    <td className="actions">
                      <button type="button" className="small" onClick={() => setOpen(u.id === open ? null : u.id)} aria-expanded={u.id === open}>
                        {u.id === open ? "Close" : u.state === "pending_review" ? "Review" : "Open"}
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {selected && (
          <UseReview
            key={selected.id}
            use={selected}
            onDone={(state) => {
              setOpen(null);
              if (state) setDecided({ what: `${selected.talent.name} in ${selected.shot_code ?? selected.project.name} ${versionLabel(selected)}`.trim(), state });
            }}
          />
        )}
      </div>
    </div>
  );
}

function versionLabel(u: LikenessUse): string {
  return u.version?.label ?? "";
}

/** What the player can know about a use's version: the agency sees its frames, rate and size, and
 * plays the proxy through the use (it never sees the studio's version record). */
function mediaOfUse(u: LikenessUse): PlayerMedia {
  const v = u.version;
  const rate = v?.fps_num && v.fps_den ? { num: v.fps_num, den: v.fps_den } : null;
  const playable = v !== null && v.has_proxy && rate !== null && v.frame_count !== null;
  return {
    id: u.id,
    label: `${u.shot_code ?? ""} ${versionLabel(u)}`.trim() || "Likeness use",
    src: playable ? `/api/v1/likeness-uses/${u.id}/proxy/` : null,
    poster: null,
    width: v?.width ?? 16,
    height: v?.height ?? 9,
    frameCount: v?.frame_count ?? 0,
    // Until the media is processed there is no rate and nothing to play; 24 only keeps the clock valid.
    rate: rate ?? { num: 24, den: 1 },
    // Timecode at the project's rate, as the studio reads it (frame numbers are the same either way).
    timecodeRate: v ? { num: v.timecode_fps_num, den: v.timecode_fps_den } : undefined,
    firstFrame: v?.first_frame ?? 1001,
    unavailable: playable
      ? null
      : u.state === "invalidated"
        ? "This use is quarantined (the grant stopped covering it); its render may never have finished."
        : "No playable version yet: the render is still running or being processed (or it failed).",
  };
}

function UseReview({ use, onDone }: { use: LikenessUse; onDone: (decided?: LikenessUse["state"]) => void }) {
  const media = mediaOfUse(use);
  const playhead = usePlayhead(media);
  // The agency streams its own watermarked copy: 202 until the media queue has made it.
  const copy = useReviewCopyReady(media.src);
  const draw = useDrawState();
  const [note, setNote] = useState("");
  const [sent, setSent] = useState<"approve" | "reject" | null>(null);
  const decide = useDecideUse(use.id, { onDecided: () => onDone(sent === "reject" ? "rejected" : "approved") });
  const send = (decision: "approve" | "reject") => {
    setSent(decision);
    decide.mutate({ decision, note });
  };
  const approve = findAction(use.allowed_actions, "approve");
  const reject = findAction(use.allowed_actions, "reject");
  return (
    <section className="panel use-review" aria-label={`Review the use of ${use.talent.name}`} data-testid="use-review">
      <div className="use-player">
        {copy.preparing && (
          <p className="muted" role="status" data-testid="review-copy-preparing">
            Your personal, watermarked review copy is being prepared; it plays in a few moments.
          </p>
        )}
        {/* Drawing is on once there is a version to note (the notes below carry the drawing). */}
        <ReviewPlayer key={copy.ready ? "ready" : "preparing"} media={media} playhead={playhead} markers={[]} annotationsAt={() => []} draw={draw} readOnly={use.version === null} />
      </div>
      <div className="panel-body stack">
        <div className="row tight" style={{ gap: 8 }}>
          <strong>{use.talent.name}</strong>
          <span>· {USE_TYPE_LABELS[use.use_type]} · via {use.via === "cast" ? "casting" : "the prompt"}</span>
          <span className="grow" />
          <Chip label={USE_STATE[use.state].label} tone={USE_STATE[use.state].tone} />
        </div>
        <div className="small">
          <span className="muted">Prompt:</span> {use.prompt}
        </div>
        {use.negative_prompt && (
          <div className="small">
            <span className="muted">Negative:</span> {use.negative_prompt}
          </div>
        )}
        <div className="muted small">
          {use.studio.name} · {use.project.name} · <span className="mono">{use.shot_code}</span> {versionLabel(use)} · rendered {formatDateTime(use.created_at)}
          {use.version?.frame_count ? ` · ${use.version.frame_count} frames (${use.version.first_frame}–${use.version.first_frame + use.version.frame_count - 1})` : ""}
        </div>
        {!use.requires_review && use.state !== "invalidated" && (
          <div className="muted small">The grant does not require your approval of each use; this one was approved when it was rendered.</div>
        )}
        {use.state === "invalidated" && (
          <div className="alert" role="note" data-testid="use-invalidated">
            <div>
              <strong>{USE_STATE.invalidated.label} {use.invalidated_at ? formatRelative(use.invalidated_at) : ""}</strong>
              <div>{use.invalidated_reason || "The grant stopped covering this use."}</div>
            </div>
          </div>
        )}
        {use.version === null && (isOffered(approve) || isOffered(reject)) && (
          <>
            <div className="muted small">No version yet: you can decide now, or wait to watch the render.</div>
            <Field id="use-note" label="Note to the studio (required to reject)">
              <textarea id="use-note" rows={2} value={note} onChange={(e) => setNote(e.target.value)} />
            </Field>
            <div className="row">
              <ActionButton action={approve} className="primary" busy={decide.isPending} onClick={() => send("approve")}>
                Approve use
              </ActionButton>
              <ActionButton action={reject} className="danger" busy={decide.isPending} disabledReason={note.trim() ? undefined : "Say why the use is rejected; the studio sees it."} onClick={() => send("reject")}>
                Reject use
              </ActionButton>
            </div>
            <ErrorMessage error={decide.error} title="Decision not recorded" />
          </>
        )}
      </div>
      {use.version !== null && <AgencyNotes versionId={use.version.id} firstFrame={media.firstFrame} playhead={playhead} draw={draw} />}
      {use.version !== null && use.requires_review && (
        <ApprovalsPanel
          versionId={use.version.id}
          title={`Approval of ${use.version.label}`}
          // No project stream reaches the agency: when the proxy appears (the uses are polled), what may be decided is read again.
          freshWith={use.version.has_proxy}
          onDecided={(summary) => {
            // Decided: the use leaves the review queue (it stays under its new state's filter).
            const agency = summary.lanes.find((lane) => lane.lane === "agency");
            onDone(agency?.state === "approved" ? "approved" : agency?.state === "changes_requested" ? "rejected" : undefined);
          }}
        />
      )}
    </section>
  );
}
