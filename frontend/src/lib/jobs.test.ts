import { describe, expect, it } from "vitest";

import type { GenerationJob } from "../api/types";
import { jobProgress } from "./jobs";

function job(partial: Partial<GenerationJob>): GenerationJob {
  return { state: "running", steps: 20, progress: {}, ...partial } as GenerationJob;
}

describe("jobProgress", () => {
  it("moves the bar with live steps newer than the stored job", () => {
    const p = jobProgress(job({ progress: { step: 2, total: 20 } }), { step: 10, total: 20, eta: 4, state: "running", at: "t" });
    expect(p).toMatchObject({ state: "running", step: 10, total: 20, percent: 50, eta: 4 });
  });

  it("never goes back to an older stored step", () => {
    expect(jobProgress(job({ progress: { step: 12, total: 20 } }), { step: 9, total: 20, state: "running", at: "t" }).step).toBe(12);
  });

  it("shows 100 % as soon as the stream says the job succeeded", () => {
    expect(jobProgress(job({ progress: { step: 19, total: 20 } }), { state: "succeeded", at: "t" })).toMatchObject({ percent: 100, step: 20, eta: 0 });
  });

  it("trusts a finished job over stale live state", () => {
    expect(jobProgress(job({ state: "cancelled", progress: { step: 5, total: 20 } }), { step: 6, state: "running", at: "t" }).state).toBe("cancelled");
  });

  it("ignores a state it does not know", () => {
    expect(jobProgress(job({ state: "queued" }), { state: "exploded", at: "t" }).state).toBe("queued");
  });
});
