import { useEffect, useMemo, useState, type FormEvent } from "react";
import { Link, useNavigate, useOutletContext, useParams } from "react-router";

import { asApiError } from "../api/errors";
import type { GenerationJob, GenerationSubmit, ModelProfile, Project, ShotDetail, Version } from "../api/types";
import { QuarantineNotice } from "../components/Approvals";
import { ApprovalChip, Chip, JOB_STATE, PROCESSING, ShotStatusChip } from "../components/chips";
import { ExamplePrompts } from "../components/ExamplePrompts";
import { EmptyState, ErrorMessage, Field, Loading } from "../components/feedback";
import { formatDateTime, formatRelative, formatSeconds, personName } from "../components/format";
import { TakesGallery } from "../components/TakesGallery";
import { ConsentBadges } from "../components/ConsentBadges";
import { HeldNotice, ScanBadge } from "../components/LikenessScan";
import { RequestConsentButtons } from "../components/RequestConsent";
import { SubmitToClient } from "../components/SubmitToClient";
import { HoverScrubThumb } from "../components/Thumb";
import { useStreamState } from "../realtime/context";
import { castCoverage, coveringGrants, listNames, type UseType } from "../lib/consent";
import { jobProgress } from "../lib/jobs";
import type { JobLive } from "../lib/stream";
import { useCancelJob, useConsents, useGpuAllowance, useModels, useShot, useShotJobs, useSubmitGeneration, useTalent, useUploadVersion } from "../queries";
import { NoSuchThing } from "./ProjectLayout";

const USE_TYPES: Record<NonNullable<GenerationSubmit["use_type"]>, { label: string; hint: string }> = {
  digital_replica: { label: "Digital replica", hint: "A new performance generated from the talent's likeness." },
  digital_alteration: { label: "Digital alteration", hint: "Changing a recorded performance of the talent." },
  name_or_likeness_in_prompt: { label: "Name or likeness in the prompt", hint: "The prompt names or describes the talent." },
};
const USE_TYPE_KEYS = Object.keys(USE_TYPES) as UseType[];

const ADD_VERSIONS = new Set(["owner", "admin", "producer", "supervisor", "artist"]);

/** The review page's chunk: its data is already here (the versions of this shot). */
const preloadReview = () => void import("./Review");

export function ShotPage() {
  const project = useOutletContext<Project>();
  const { shotId = "" } = useParams();
  const shot = useShot(shotId);
  // The review page is the next step from here: fetch its chunk while this page is read.
  useEffect(() => {
    const idle = setTimeout(preloadReview, 200);
    return () => clearTimeout(idle);
  }, []);
  if (shot.isPending) return <Loading />;
  if (shot.error) {
    if (asApiError(shot.error).status === 404) return <NoSuchThing what="Shot" />;
    return (
      <div className="page">
        <ErrorMessage error={shot.error} />
      </div>
    );
  }
  // From the shot list, the list's row stands in until the detail (with the versions) arrives.
  return <Shot project={project} shot={shot.data} versionsPending={shot.isPlaceholderData} />;
}

function Shot({ project, shot, versionsPending }: { project: Project; shot: ShotDetail; versionsPending: boolean }) {
  const canRender = ADD_VERSIONS.has(project.my_role ?? "");
  const [compare, setCompare] = useState<string[]>([]);
  const navigate = useNavigate();
  // The stack is newest first: the approved version shown is the newest one the lanes approved.
  const approved = shot.versions.find((v) => v.approval_status === "approved") ?? null;
  return (
    <div className="page wide shot-page">
      <div className="page-header">
        <div>
          <div className="breadcrumbs">
            <Link to={`/projects/${project.id}`}>Shot list</Link>
            {shot.sequence && <span>/ {shot.sequence.code}</span>}
          </div>
          <div className="row">
            <h1 className="mono">{shot.code}</h1>
            <ShotStatusChip status={shot.status} />
            {shot.retake_count > 0 && <Chip label={`${shot.retake_count} retake${shot.retake_count > 1 ? "s" : ""}`} tone="danger" />}
          </div>
          <div className="sub">
            {shot.frame_in !== null && shot.frame_out !== null ? `Frames ${shot.frame_in}–${shot.frame_out} (${shot.duration} frames)` : "No frame range yet"}
            {shot.assignees.length > 0 && ` · assigned to ${shot.assignees.map((a) => personName(a)).join(", ")}`}
          </div>
        </div>
        <span className="spacer" />
        {compare.length === 2 && (
          <button type="button" className="primary" onClick={() => void navigate(`/projects/${project.id}/compare?a=${compare[0]}&b=${compare[1]}`)}>
            Compare the two selected
          </button>
        )}
        {approved && (
          <Link className="button primary" to={`/projects/${project.id}/versions/${approved.id}`} data-testid="open-approved" title="The shot's approved version" onPointerEnter={preloadReview} onFocus={preloadReview}>
            Approved: {approved.label}
          </Link>
        )}
        {shot.current_version && shot.current_version.id !== approved?.id && (
          <Link className="button" to={`/projects/${project.id}/versions/${shot.current_version.id}`} onPointerEnter={preloadReview} onFocus={preloadReview}>
            Review {shot.current_version.label}
          </Link>
        )}
      </div>
      {(shot.description || shot.prompt_notes) && (
        <div className="panel panel-body shot-notes">
          {shot.description && <p>{shot.description}</p>}
          {shot.prompt_notes && (
            <p className="muted">
              <strong>Action / prompt notes:</strong> {shot.prompt_notes}
            </p>
          )}
        </div>
      )}
      {shot.panel && (
        <div className="panel panel-body row shot-panel" data-testid="shot-panel">
          {shot.panel.still && <img src={shot.panel.still} alt={`Storyboard panel ${shot.panel.number}`} className="shot-panel-still" />}
          <div className="stack tight">
            <strong>
              Storyboard panel {shot.panel.number} · {shot.panel.duration_frames} frames
            </strong>
            {shot.panel.prompt && <span className="muted">{shot.panel.prompt}</span>}
            <Link to={`/projects/${project.id}/sequences/${shot.panel.sequence}/board`}>Open the storyboard</Link>
          </div>
        </div>
      )}
      <div className="shot-columns">
        <div className="stack">
        {project.my_role !== "reviewer" && <TakesGallery shotId={shot.id} canImport={canRender} />}
        <section aria-labelledby="versions-title" className="stack">
          <div className="row">
            <h2 id="versions-title">Versions</h2>
            <span className="muted">{versionsPending ? shot.version_count : shot.versions.length}</span>
            <span className="grow" />
            {canRender && <UploadVersion shotId={shot.id} />}
          </div>
          {versionsPending ? (
            <Loading label="Loading versions…" />
          ) : shot.versions.length === 0 ? (
            <EmptyState title="No versions yet">{canRender ? "Generate takes with the panel and publish one, or upload a video." : "Versions appear here when an artist publishes a take or uploads a video."}</EmptyState>
          ) : (
            <ol className="version-stack" aria-label="Version stack, newest first">
              {shot.versions.map((v) => (
                <VersionCard
                  key={v.id}
                  version={v}
                  project={project}
                  isApproved={v.id === approved?.id}
                  isCurrent={v.id === shot.current_version?.id}
                  selected={compare.includes(v.id)}
                  onSelect={(on) => setCompare((c) => (on ? [...c.filter((x) => x !== v.id), v.id].slice(-2) : c.filter((x) => x !== v.id)))}
                />
              ))}
            </ol>
          )}
        </section>
        </div>
        <aside className="stack" aria-label="Generation">
          {canRender ? <GeneratePanel project={project} shot={shot} /> : <p className="muted">Your role cannot render takes.</p>}
          <JobList shotId={shot.id} canCancel={canRender} />
        </aside>
      </div>
    </div>
  );
}

function plain(value: unknown): string | null {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return null;
}

function lineageText(version: Version): { prompt?: string; bits: string[] } {
  const l = (version.lineage ?? {}) as Record<string, unknown>;
  const params = (typeof l.parameters === "object" && l.parameters !== null ? l.parameters : {}) as Record<string, unknown>;
  const get = (k: string) => plain(l[k] ?? params[k]);
  const model = typeof l.model === "object" && l.model !== null ? plain((l.model as Record<string, unknown>).name) : get("model");
  const bits = [
    model,
    get("seed") !== null ? `seed ${get("seed")}` : null,
    get("steps") !== null ? `${get("steps")} steps` : null,
    get("width") !== null && get("height") !== null ? `${get("width")}×${get("height")}` : null,
    get("frames") !== null ? `${get("frames")} frames` : null,
  ].filter((b): b is string => b !== null);
  return { prompt: get("prompt") ?? undefined, bits };
}

type VersionCardProps = { version: Version; project: Project; isApproved: boolean; isCurrent: boolean; selected: boolean; onSelect: (on: boolean) => void };

function VersionCard({ version, project, isApproved, isCurrent, selected, onSelect }: VersionCardProps) {
  const lineage = version.source === "generation" ? lineageText(version) : null;
  const processing = PROCESSING[version.processing_status];
  return (
    <li className="version-card" data-testid="version-card" data-version={version.label} data-quarantined={version.quarantined || undefined} data-approved={isApproved || undefined}>
      <Link to={`/projects/${project.id}/versions/${version.id}`} aria-label={`Review ${version.label}`}>
        <HoverScrubThumb versionId={version.id} poster={version.media.poster} width={160} height={90} label={version.label} />
      </Link>
      <div className="version-body">
        <div className="row tight" style={{ gap: 8 }}>
          <Link to={`/projects/${project.id}/versions/${version.id}`} className="strong-link mono">
            {version.label}
          </Link>
          <Chip label={version.source === "generation" ? "Generated" : "Uploaded"} tone="info" />
          {version.processing_status !== "ready" && <Chip label={processing.label} tone={processing.tone} title={version.failure_reason || undefined} />}
          <ApprovalChip status={version.approval_status} />
          {isApproved && <Chip label="Shot's approved version" tone="ok" testId="shot-approved-version" />}
          {isCurrent && !isApproved && <Chip label="Current" tone="info" />}
          {version.quarantined && <Chip label="Quarantined" tone="danger" title="A likeness consent grant no longer covers this version" testId="quarantined" />}
          <ScanBadge scan={version.likeness_scan} />
          {/* The quarantine chip above already says what an invalidated use would. */}
          <ConsentBadges likeness={version.quarantined && version.likeness === "invalidated" ? null : version.likeness} />
          <span className="grow" />
          <label className="small muted row tight" style={{ gap: 4 }}>
            <input type="checkbox" checked={selected} onChange={(e) => onSelect(e.target.checked)} aria-label={`Select ${version.label} to compare`} />
            compare
          </label>
        </div>
        <div className="muted small">
          {personName(version.created_by)} · <time dateTime={version.created_at} title={formatDateTime(version.created_at)}>{formatRelative(version.created_at)}</time>
          {version.frame_count ? ` · ${version.frame_count} frames (${version.first_frame}–${version.last_frame})` : ""}
          {version.width && version.height ? ` · ${version.width}×${version.height}` : ""}
        </div>
        {lineage && (
          <div className="lineage small">
            {lineage.prompt && <div className="prompt">“{lineage.prompt}”</div>}
            <div className="muted mono">{lineage.bits.join(" · ")}</div>
          </div>
        )}
        {version.quarantined && <QuarantineNotice reason={version.quarantine_reason} compact />}
        <HeldNotice scan={version.likeness_scan} actions={version.allowed_actions} />
        {version.conform && <div className="small muted" data-testid="version-conform">{version.conform}</div>}
        {version.note && <div className="small">{version.note}</div>}
        <SubmitToClient projectId={project.id} version={version} />
        {version.processing_status === "failed" && <div className="field-error small">{version.failure_reason}</div>}
      </div>
    </li>
  );
}

function UploadVersion({ shotId }: { shotId: string }) {
  const upload = useUploadVersion(shotId);
  return (
    <div className="stack" style={{ gap: 4 }}>
      <label className="button">
        {upload.isPending ? "Uploading…" : "Upload a version"}
        <input
          type="file"
          accept="video/*,.mov,.mp4,.mkv,.webm"
          className="visually-hidden"
          disabled={upload.isPending}
          onChange={(e) => {
            const file = e.target.files?.[0];
            if (file) upload.mutate(file);
            e.target.value = "";
          }}
        />
      </label>
      <ErrorMessage error={upload.error} title="Upload refused" />
    </div>
  );
}

// ---------------------------------------------------------------- generate panel

/** The model's defaults as the form's text values (empty until the catalogue has loaded). */
function modelDefaults(model: ModelProfile | undefined) {
  const d = model?.defaults;
  const text = (v: number | undefined) => (v === undefined ? "" : String(v));
  return { frames: text(d?.frames), width: text(d?.width), height: text(d?.height), steps: text(d?.steps), guidance: text(d?.guidance), negative: d?.negative_prompt ?? "" };
}

function GeneratePanel({ project, shot }: { project: Project; shot: ShotDetail }) {
  const models = useModels();
  const consents = useConsents({ state: "active" });
  const talent = useTalent();
  const list = (models.data?.results ?? []).filter((m) => m.kind !== "t2i"); // text-to-image models draw panel stills
  const [modelName, setModelName] = useState<string>("");
  const model = list.find((m) => m.name === modelName) ?? list.find((m) => m.is_default) ?? list[0];
  const defaults = modelDefaults(model);
  const [prompt, setPrompt] = useState(shot.prompt_notes || "");
  const [negative, setNegative] = useState<string | null>(null);
  const [seed, setSeed] = useState("");
  const [frames, setFrames] = useState<string | null>(null);
  const [width, setWidth] = useState<string | null>(null);
  const [height, setHeight] = useState<string | null>(null);
  const [steps, setSteps] = useState<string | null>(null);
  const [count, setCount] = useState("1");
  const [cast, setCast] = useState<string[]>([]);
  const [useType, setUseType] = useState<UseType>("digital_replica");
  const constraints = model?.constraints;

  // Talent with an active grant for this studio that covers this project (or all its projects).
  const here = { studio: project.organization, project: project.id };
  const grants = consents.data?.results ?? [];
  const coveredTalent = useMemo(() => {
    const ids = new Set(coveringGrants(consents.data?.results ?? [], { studio: project.organization, project: project.id }).map((g) => g.talent.id));
    return (talent.data?.results ?? []).filter((t) => ids.has(t.id));
  }, [consents.data, talent.data, project.organization, project.id]);
  const uncovered = (talent.data?.results ?? []).filter((t) => !coveredTalent.includes(t));
  const chosen = coveredTalent.filter((t) => cast.includes(t.id));
  const coverage = castCoverage(grants, chosen, useType, here);
  const notGranted = (u: UseType) => castCoverage(grants, chosen, u, here).missing.length > 0;

  const submit = useSubmitGeneration(shot.id);
  const error = submit.error ? asApiError(submit.error) : null;
  function go(e: FormEvent) {
    e.preventDefault();
    const num = (v: string | null, fallback: string) => {
      const text = (v ?? fallback).trim();
      return text === "" ? undefined : Number(text);
    };
    submit.mutate({
      prompt,
      negative_prompt: negative ?? defaults.negative,
      model: model?.name,
      // Sent as typed when it is not a whole number, so the server's 400 says what is wrong (never a random seed).
      seed: seed.trim() === "" ? null : /^\d+$/.test(seed.trim()) ? Number(seed.trim()) : (seed.trim() as unknown as number),
      frames: num(frames, defaults.frames),
      width: num(width, defaults.width),
      height: num(height, defaults.height),
      steps: num(steps, defaults.steps),
      count: Number(count) || 1,
      cast,
      use_type: useType,
    });
  }
  const framesHint = constraints
    ? `${constraints.frames.rule}, up to ${constraints.frames.max}` +
      (constraints.frames.windowed_max ? ` in one pass, ${constraints.frames.windowed_max} in windows` : "")
    : undefined;
  const sizeHint = constraints ? `multiple of ${constraints.width.multiple}` : undefined;
  const seedHint = constraints ? `Empty: random (recorded). Up to ${constraints.seed_max}.` : "Empty: random (recorded).";

  return (
    <form className="panel generate" onSubmit={go} aria-labelledby="generate-title" data-testid="generate-panel">
      <div className="panel-header">
        <h2 id="generate-title">Generate</h2>
        <span className="grow" />
        {models.isPending && <span className="muted small">loading models…</span>}
      </div>
      <div className="panel-body stack">
        {models.data && list.length === 0 && <div className="alert" data-tone="warn">No generation model is registered. An admin runs <code>manage.py build_demo_model</code> or <code>register_model</code>.</div>}
        <Field id="gen-prompt" label="Prompt" error={error?.field("prompt")} hint={constraints ? `Up to ${constraints.prompt_max_chars} characters.` : undefined}>
          <textarea id="gen-prompt" rows={4} value={prompt} onChange={(e) => setPrompt(e.target.value)} placeholder="What the shot shows: subject, action, camera, light…" />
        </Field>
        <ExamplePrompts model={model} onPick={setPrompt} />
        <Field id="gen-negative" label="Negative prompt" error={error?.field("negative_prompt")}>
          <textarea id="gen-negative" rows={2} value={negative ?? defaults.negative} onChange={(e) => setNegative(e.target.value)} />
        </Field>
        <fieldset className="cast">
          <legend>Cast</legend>
          {coveredTalent.length === 0 && <div className="muted small">No talent with an active consent grant for {project.name}.</div>}
          {coveredTalent.map((t) => (
            <label key={t.id} className="row tight" style={{ gap: 6 }}>
              <input
                type="checkbox"
                checked={cast.includes(t.id)}
                onChange={(e) => setCast((c) => (e.target.checked ? [...c, t.id] : c.filter((x) => x !== t.id)))}
              />
              {t.name} <span className="muted small">({t.agency.name})</span>
            </label>
          ))}
          {chosen.length > 0 && (
            <div className="use-type stack" data-testid="use-type">
              <Field id="gen-use-type" label="Likeness use" error={error?.field("use_type")} hint={USE_TYPES[useType].hint}>
                <select id="gen-use-type" value={useType} onChange={(e) => setUseType(e.target.value as UseType)}>
                  {USE_TYPE_KEYS.map((u) => (
                    <option key={u} value={u}>
                      {USE_TYPES[u].label}
                      {notGranted(u) ? " — not granted" : ""}
                    </option>
                  ))}
                </select>
              </Field>
              {coverage.missing.length > 0 && (
                <div className="field-error small" role="alert" data-testid="use-type-not-granted">
                  {listNames(coverage.missing)}'s grant for {project.name} does not include {USE_TYPES[useType].label.toLowerCase()}; the request will be refused.
                  Choose another use or ask the agency to extend the grant.
                </div>
              )}
              {coverage.missing.length === 0 && coverage.needsReview.length > 0 && (
                <div className="muted small" data-testid="use-needs-review">
                  {listNames(coverage.needsReview)}'s agency approves each use: the version can be approved only after the agency has.
                </div>
              )}
            </div>
          )}
          {uncovered.length > 0 && (
            <div className="muted small">Not castable here (no covering grant): {uncovered.map((t) => t.name).join(", ")}.</div>
          )}
          {error?.field("cast") && <div className="field-error small">{error.field("cast")}</div>}
        </fieldset>
        <div className="grid-2">
          <Field id="gen-model" label="Model" error={error?.field("model")}>
            <select id="gen-model" value={model?.name ?? ""} onChange={(e) => setModelName(e.target.value)}>
              {list.map((m) => (
                <option key={m.id} value={m.name}>
                  {m.display_name || m.name}
                </option>
              ))}
            </select>
          </Field>
          <Field id="gen-seed" label="Seed" error={error?.field("seed")} hint={seedHint}>
            <input id="gen-seed" inputMode="numeric" value={seed} onChange={(e) => setSeed(e.target.value)} placeholder="random" />
          </Field>
          <Field id="gen-frames" label="Frames" error={error?.field("frames")} hint={framesHint}>
            <input id="gen-frames" type="number" value={frames ?? defaults.frames} onChange={(e) => setFrames(e.target.value)} />
          </Field>
          <Field id="gen-steps" label="Steps" error={error?.field("steps")}>
            <input id="gen-steps" type="number" value={steps ?? defaults.steps} onChange={(e) => setSteps(e.target.value)} />
          </Field>
          <Field id="gen-width" label="Width" error={error?.field("width")} hint={sizeHint}>
            <input id="gen-width" type="number" value={width ?? defaults.width} onChange={(e) => setWidth(e.target.value)} />
          </Field>
          <Field id="gen-height" label="Height" error={error?.field("height")} hint={sizeHint}>
            <input id="gen-height" type="number" value={height ?? defaults.height} onChange={(e) => setHeight(e.target.value)} />
          </Field>
          <Field id="gen-count" label="Count" error={error?.field("count")} hint={constraints ? `Seeds at once, up to ${constraints.count_max}.` : undefined}>
            <input id="gen-count" type="number" min={1} max={constraints?.count_max} value={count} onChange={(e) => setCount(e.target.value)} />
          </Field>
        </div>
        {error && <ErrorMessage error={error} />}
        <RequestConsentButtons error={error} />
        <GpuUse organizationId={project.organization} />
        <button type="submit" className="primary" disabled={submit.isPending || !model}>
          {submit.isPending ? "Submitting…" : Number(count) > 1 ? `Generate ${count} takes` : "Generate"}
        </button>
      </div>
    </form>
  );
}

// ---------------------------------------------------------------- job cards

function JobList({ shotId, canCancel }: { shotId: string; canCancel: boolean }) {
  const jobs = useShotJobs(shotId);
  const live = useStreamState().jobs;
  const rows = jobs.data?.results ?? [];
  const active = rows.filter((j) => j.state === "queued" || j.state === "running");
  const recent = rows.filter((j) => j.state !== "queued" && j.state !== "running").slice(0, 6);
  return (
    <section aria-labelledby="jobs-title" className="stack" data-testid="job-list">
      <h2 id="jobs-title">Renders</h2>
      <ErrorMessage error={jobs.error} />
      {jobs.data && rows.length === 0 && <p className="muted small">No renders for this shot yet.</p>}
      {[...active, ...recent].map((job) => (
        <JobCard key={job.id} job={job} live={live[job.id]} canCancel={canCancel} />
      ))}
    </section>
  );
}

function JobCard({ job, live, canCancel }: { job: GenerationJob; live: JobLive | undefined; canCancel: boolean }) {
  const p = jobProgress(job, live);
  const s = JOB_STATE[p.state];
  const cancel = useCancelJob(job.id);
  const running = p.state === "running" || p.state === "queued";
  return (
    <article className="job-card panel" data-testid="job-card" data-state={p.state} aria-label={`Render, seed ${job.seed}: ${s.label}`}>
      <div className="row tight" style={{ gap: 8 }}>
        <Chip label={s.label} tone={s.tone} />
        <span className="mono small">seed {job.seed}</span>
        <span className="muted small">
          {job.model} · {job.frames}f · {job.width}×{job.height}
        </span>
        <span className="grow" />
        {p.state === "succeeded" && (job.version ? <span className="mono small">{job.version.label}</span> : <span className="muted small">take ready</span>)}
        {canCancel && running && (
          <button type="button" className="small danger" onClick={() => cancel.mutate()} disabled={cancel.isPending || job.cancel_requested}>
            {job.cancel_requested || cancel.isSuccess ? "Cancelling…" : "Cancel"}
          </button>
        )}
      </div>
      <div
        className="progress"
        role="progressbar"
        aria-label="Render progress"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={p.percent}
        aria-valuetext={`${p.percent}% (step ${p.step} of ${p.total})`}
        data-testid="job-progress"
        data-percent={p.percent}
      >
        <span style={{ width: `${p.percent}%` }} data-state={p.state} />
      </div>
      <div className="row tight muted small" style={{ gap: 10 }}>
        <span className="mono">
          step {p.step}/{p.total} · {p.percent}%
        </span>
        {p.state === "running" && p.eta !== null && <span>ETA {formatSeconds(p.eta)}</span>}
        {p.state === "queued" && <span data-testid="job-queue">{queueText(job.queue)}</span>}
        <span className="grow" />
        <span>
          {job.created_by?.name ?? ""} · {formatRelative(job.created_at)}
        </span>
      </div>
      {job.error && <div className="field-error small">{job.error}</div>}
      <ErrorMessage error={cancel.error} title="Could not cancel" />
    </article>
  );
}

// Fair scheduling (docs/GENERATION.md): a waiting job's place in line across studios, refreshed
// whenever a job.state_changed of this project refetches the list.
function queueText(queue: GenerationJob["queue"]): string {
  if (!queue) return "waiting for a GPU worker";
  if (queue.released) return "sent to a GPU worker, starting next";
  if (queue.position === null) return "waiting for a GPU worker";
  const eta = queue.eta_seconds !== null ? ` · starts in about ${formatSeconds(queue.eta_seconds)}` : "";
  return `waiting: #${queue.position} in line${eta}`;
}

// The studio's GPU limits as producers render against them: this month's use of the quota.
function GpuUse({ organizationId }: { organizationId: string }) {
  const allowance = useGpuAllowance(organizationId).data;
  if (!allowance) return null;
  const used = Math.round(allowance.used_gpu_seconds);
  const quota = allowance.monthly_gpu_seconds;
  const resets = new Date(allowance.resets_at).toLocaleDateString(undefined, { day: "numeric", month: "short" });
  return (
    <p className="muted small" data-testid="gpu-use">
      GPU this month: {used.toLocaleString()} s{quota !== null ? ` of ${quota.toLocaleString()} s (resets ${resets})` : " (no quota)"} · up to{" "}
      {allowance.max_concurrent} renders at once · {allowance.waiting} waiting
    </p>
  );
}
