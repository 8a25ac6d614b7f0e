/**
 * Generated stills on the storyboard (docs/GENERATION.md, "Stills"): "Generate missing stills" for
 * the board, live job cards of the board's still renders, and per panel "Generate still" and a
 * picker of the panel's still takes ("Use as still"). Progress comes from the project stream
 * (job.progress), the lists refresh on job.state_changed / take.* / storyboard.updated.
 */
import { useState } from "react";

import type { GenerationJob, Panel } from "../api/types";
import { jobProgress } from "../lib/jobs";
import { useStreamState } from "../realtime/context";
import { useBoardStillJobs, useCancelJob, useChooseStill, useGenerateMissingStills, useGenerateStill, usePanelStills } from "../queries";
import { Chip, JOB_STATE } from "./chips";
import { ErrorMessage } from "./feedback";

/** The header button: one batch of stills for every panel without one. */
export function GenerateMissingStills({ sequenceId, projectId, panels }: { sequenceId: string; projectId: string; panels: Panel[] }) {
  const generate = useGenerateMissingStills(sequenceId, projectId);
  const missing = panels.filter((p) => !p.still).length;
  const skipped = generate.data?.skipped_panels.length ?? 0;
  return (
    <>
      <button
        type="button"
        onClick={() => generate.mutate()}
        disabled={generate.isPending || missing === 0}
        title={missing === 0 ? "Every panel has a still" : `Draw a still for the ${missing} panel${missing === 1 ? "" : "s"} without one`}
        data-testid="generate-missing-stills"
      >
        {generate.isPending ? "Queueing stills…" : `Generate missing stills${missing ? ` (${missing})` : ""}`}
      </button>
      {skipped > 0 && <span className="muted small">{skipped} panel{skipped === 1 ? "" : "s"} without a prompt skipped</span>}
      <ErrorMessage error={generate.error} title="The stills were not queued" />
    </>
  );
}

/** Live job cards of the board's still renders (queued or running). */
export function BoardStillJobs({ projectId, panels }: { projectId: string; panels: Panel[] }) {
  const jobs = useBoardStillJobs(projectId);
  const live = useStreamState().jobs;
  const numbers = new Map(panels.map((p) => [p.id, p.number]));
  const rows = (jobs.data ?? []).filter((job) => job.panel && numbers.has(job.panel));
  if (rows.length === 0) return null;
  return (
    <section className="stack" aria-label="Still renders" data-testid="still-jobs">
      {rows.map((job) => (
        <StillJobCard key={job.id} job={job} number={numbers.get(job.panel!)!} live={live[job.id]} />
      ))}
    </section>
  );
}

function StillJobCard({ job, number, live }: { job: GenerationJob; number: number; live: Parameters<typeof jobProgress>[1] }) {
  const p = jobProgress(job, live);
  const s = JOB_STATE[p.state];
  const cancel = useCancelJob(job.id);
  const active = p.state === "queued" || p.state === "running";
  return (
    <article className="job-card panel" data-testid="still-job-card" data-state={p.state} aria-label={`Still for panel ${number}: ${s.label}`}>
      <div className="row tight" style={{ gap: 8 }}>
        <Chip label={s.label} tone={s.tone} />
        <strong className="small">Panel {number}</strong>
        <span className="mono small">seed {job.seed}</span>
        <span className="muted small">
          {job.model} · {job.width}×{job.height}
        </span>
        <span className="grow" />
        {active && (
          <button type="button" className="small danger" onClick={() => cancel.mutate()} disabled={cancel.isPending || job.cancel_requested}>
            {job.cancel_requested || cancel.isSuccess ? "Cancelling…" : "Cancel"}
          </button>
        )}
      </div>
      <div
        className="progress"
        role="progressbar"
        aria-label={`Still progress, panel ${number}`}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={p.percent}
        data-testid="still-job-progress"
        data-percent={p.percent}
      >
        <span style={{ width: `${p.percent}%` }} data-state={p.state} />
      </div>
      <span className="mono muted small">
        step {p.step}/{p.total} · {p.percent}%
      </span>
      <ErrorMessage error={cancel.error} title="Could not cancel" />
    </article>
  );
}

/** A panel's "Generate still" button and its still-take picker. */
export function PanelStillActions({ panel, sequenceId, projectId }: { panel: Panel; sequenceId: string; projectId: string }) {
  const [picking, setPicking] = useState(false);
  const generate = useGenerateStill(projectId);
  return (
    <div className="stack" data-testid="panel-still-actions">
      <div className="row tight" style={{ flexWrap: "wrap" }}>
        <button
          type="button"
          className="small"
          onClick={() => generate.mutate({ panelId: panel.id })}
          disabled={generate.isPending || !panel.prompt}
          title={panel.prompt ? "Draw a still from the panel's prompt" : "Write the panel's prompt first"}
          data-testid="generate-still"
        >
          {generate.isPending ? "Queueing…" : "Generate still"}
        </button>
        <button type="button" className="small ghost" onClick={() => setPicking((v) => !v)} aria-expanded={picking} data-testid="pick-still">
          Stills…
        </button>
      </div>
      <ErrorMessage error={generate.error} title="The still was not queued" />
      {picking && <StillPicker panel={panel} sequenceId={sequenceId} />}
    </div>
  );
}

function StillPicker({ panel, sequenceId }: { panel: Panel; sequenceId: string }) {
  const stills = usePanelStills(panel.id);
  const choose = useChooseStill(sequenceId);
  const takes = stills.data?.takes ?? [];
  return (
    <div className="stack still-picker" data-testid="still-picker">
      <ErrorMessage error={stills.error ?? choose.error} title="The stills could not be shown or used" />
      {stills.data && takes.length === 0 && <p className="muted small">No generated stills yet: Generate still draws one from the prompt.</p>}
      {stills.data && stills.data.jobs.length > 0 && (
        <p className="muted small">
          {stills.data.jobs.length} still{stills.data.jobs.length === 1 ? "" : "s"} on the way…
        </p>
      )}
      <div className="row tight" style={{ flexWrap: "wrap", gap: 6 }}>
        {takes.map((take) => {
          const current = stills.data?.still_take === take.id;
          return (
            <figure key={take.id} className="still-choice" data-testid="still-take" data-current={current || undefined} style={{ margin: 0 }}>
              <img src={take.media_url} alt={`Still, seed ${take.seed}`} width={64} height={64} style={{ imageRendering: "pixelated" }} />
              <figcaption className="small mono">seed {take.seed}</figcaption>
              {current ? (
                <span className="small muted">In use</span>
              ) : (
                <button
                  type="button"
                  className="small"
                  onClick={() => choose.mutate({ panelId: panel.id, takeId: take.id })}
                  disabled={choose.isPending || take.likeness_scan.state === "held"}
                  data-testid="use-still"
                >
                  Use as still
                </button>
              )}
            </figure>
          );
        })}
      </div>
    </div>
  );
}
