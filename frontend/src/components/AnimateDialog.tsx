import { useEffect, useRef, useState, type FormEvent } from "react";
import { Link } from "react-router";

import { asApiError } from "../api/errors";
import type { GenerationJob } from "../api/types";
import { jobProgress } from "../lib/jobs";
import { useStreamState } from "../realtime/context";
import { useAnimateStill, useModels, useShotJobs, useShots, type AnimateSource } from "../queries";
import { Chip, JOB_STATE } from "./chips";
import { ErrorMessage, Field } from "./feedback";

/**
 * "Animate": an image-to-video render of a shot that starts from a still (a panel's) or from a
 * frame of a version ("Use this frame" in the player). Prompt, an image-to-video model, the shot;
 * after submitting, the render's live job card and a link to the shot where its take lands.
 */
export function AnimateDialog({
  projectId,
  source,
  what,
  initialPrompt = "",
  initialShotId = "",
  onClose,
}: {
  projectId: string;
  source: AnimateSource;
  /** What the first frame is, e.g. "panel 2's still" or "frame 1012 of MR_010_0040 v003". */
  what: string;
  initialPrompt?: string;
  initialShotId?: string;
  onClose: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const models = (useModels().data?.results ?? []).filter((m) => m.kind === "i2v");
  const shots = useShots(projectId, {}).data?.results ?? [];
  const [prompt, setPrompt] = useState(initialPrompt);
  const [model, setModel] = useState("");
  const [shotId, setShotId] = useState(initialShotId);
  const animate = useAnimateStill();
  const error = animate.error ? asApiError(animate.error) : null;
  const chosenModel = model || models[0]?.name || "";
  const chosenShot = shotId || shots[0]?.id || "";

  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
  }, []);

  function submit(e: FormEvent) {
    e.preventDefault();
    animate.mutate({ shotId: chosenShot, prompt, model: chosenModel, source });
  }

  const jobs = animate.data?.jobs ?? [];
  return (
    <dialog ref={ref} className="modal" aria-labelledby="animate-title" onCancel={(e) => (e.preventDefault(), onClose())} data-testid="animate-dialog">
      <form className="modal-body stack" onSubmit={submit}>
        <h2 id="animate-title">Animate {what}</h2>
        <p className="muted small">An image-to-video render that starts from this image. It becomes a take in the shot&apos;s gallery.</p>
        <Field id="animate-prompt" label="What happens" error={error?.field("prompt")}>
          <textarea id="animate-prompt" rows={3} value={prompt} onChange={(e) => setPrompt(e.target.value)} required maxLength={2000} />
        </Field>
        <Field id="animate-model" label="Model (image-to-video)" error={error?.field("model")} hint={models.length === 0 ? "No image-to-video model is registered." : undefined}>
          <select id="animate-model" value={chosenModel} onChange={(e) => setModel(e.target.value)}>
            {models.map((m) => (
              <option key={m.id} value={m.name}>
                {m.display_name || m.name}
              </option>
            ))}
          </select>
        </Field>
        <Field id="animate-shot" label="Shot" error={error?.field("source") ?? error?.field("panel") ?? error?.field("frame")}>
          <select id="animate-shot" value={chosenShot} onChange={(e) => setShotId(e.target.value)}>
            {shots.map((s) => (
              <option key={s.id} value={s.id}>
                {s.code}
              </option>
            ))}
          </select>
        </Field>
        <ErrorMessage error={animate.error} title="The render was not started" />
        {jobs.map((job) => (
          <AnimateJob key={job.id} job={job} shotId={chosenShot} />
        ))}
        {jobs.length > 0 && (
          <Link className="button small" to={`/projects/${projectId}/shots/${chosenShot}`} data-testid="animate-open-shot">
            Open the shot&apos;s takes
          </Link>
        )}
        <div className="modal-actions">
          <button type="button" onClick={onClose}>
            {jobs.length ? "Close" : "Cancel"}
          </button>
          <button type="submit" className="primary" disabled={animate.isPending || !chosenModel || !chosenShot || !prompt.trim()} data-testid="animate-submit">
            {animate.isPending ? "Starting…" : jobs.length ? "Animate again" : "Animate"}
          </button>
        </div>
      </form>
    </dialog>
  );
}

/** The started render, live: the shot's job list refreshes on job.state_changed, progress from the stream. */
function AnimateJob({ job: started, shotId }: { job: GenerationJob; shotId: string }) {
  const listed = useShotJobs(shotId).data?.results.find((j) => j.id === started.id);
  const job = listed ?? started;
  const live = useStreamState().jobs[job.id];
  const p = jobProgress(job, live);
  const s = JOB_STATE[p.state];
  return (
    <article className="job-card panel" data-testid="job-card" data-state={p.state} aria-label={`Render, seed ${job.seed}: ${s.label}`}>
      <div className="row tight" style={{ gap: 8 }}>
        <Chip label={s.label} tone={s.tone} />
        <span className="mono small">seed {job.seed}</span>
        <span className="muted small">
          {job.model} · {job.frames}f · {job.width}×{job.height}
        </span>
        <span className="grow" />
        {p.state === "succeeded" && <span className="muted small">take ready</span>}
      </div>
      <div className="progress" role="progressbar" aria-label="Render progress" aria-valuemin={0} aria-valuemax={100} aria-valuenow={p.percent} data-testid="job-progress">
        <span style={{ width: `${p.percent}%` }} data-state={p.state} />
      </div>
      <div className="muted small mono">
        step {p.step}/{p.total} · {p.percent}%
      </div>
      {job.error && <div className="field-error small">{job.error}</div>}
    </article>
  );
}

/** "Animate" on a panel card (a panel with a still): opens the dialog for that still. */
export function AnimatePanelButton({ projectId, panel }: { projectId: string; panel: { id: string; number: number; prompt: string; still: string | null; shot?: { id: string } | null } }) {
  const [open, setOpen] = useState(false);
  if (!panel.still) return null;
  return (
    <>
      <button type="button" className="small" onClick={() => setOpen(true)} data-testid="animate-panel">
        Animate
      </button>
      {open && (
        <AnimateDialog
          projectId={projectId}
          source={{ kind: "panel", panelId: panel.id }}
          what={`panel ${panel.number}'s still`}
          initialPrompt={panel.prompt}
          initialShotId={panel.shot?.id ?? ""}
          onClose={() => setOpen(false)}
        />
      )}
    </>
  );
}
