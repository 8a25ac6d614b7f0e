/** A render's progress as the job card shows it: the stored job, overtaken by live stream messages. */
import type { GenerationJob } from "../api/types";
import type { JobLive } from "./stream";

const STATES: ReadonlySet<string> = new Set(["queued", "running", "succeeded", "failed", "cancelled"]);

/** Progress: the live stream's latest step when newer than what the list returned. */
export function jobProgress(job: GenerationJob, live: JobLive | undefined) {
  const stored = (job.progress ?? {}) as { step?: number; total?: number; eta?: number | null; elapsed?: number };
  const liveState = live?.state;
  const state: GenerationJob["state"] = liveState && STATES.has(liveState) ? (liveState as GenerationJob["state"]) : job.state;
  const step = Math.max(live?.step ?? 0, stored.step ?? 0);
  const total = live?.total ?? stored.total ?? job.steps;
  const done = state === "succeeded";
  return {
    state: job.state === "succeeded" || job.state === "failed" || job.state === "cancelled" ? job.state : state,
    step: done ? total : step,
    total,
    eta: done ? 0 : (live?.eta ?? stored.eta ?? null),
    elapsed: live?.elapsed ?? stored.elapsed ?? null,
    percent: done ? 100 : total > 0 ? Math.min(100, Math.round((step / total) * 100)) : 0,
  };
}

