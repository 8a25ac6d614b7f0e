import type { ApprovalSummary, GenerationJob, ShotStatus, Version } from "../api/types";
import { LANE_STATES } from "../lib/states";

type Tone = "ok" | "warn" | "danger" | "info" | "muted" | undefined;

export const SHOT_STATUS: Record<ShotStatus, { label: string; tone: Tone }> = {
  pending: { label: "Pending", tone: "muted" },
  in_progress: { label: "In progress", tone: "info" },
  review: { label: "In review", tone: "warn" },
  approved: { label: "Approved", tone: "ok" },
  final: { label: "Final", tone: "ok" },
  omitted: { label: "Omitted", tone: "muted" },
};

/** A version's approval status: the studio lanes' words (lib/states.ts, one vocabulary). */
export const APPROVAL_STATUS: Record<ApprovalSummary["status"], { label: string; tone: Tone }> = LANE_STATES;

export const PROCESSING: Record<Version["processing_status"], { label: string; tone: Tone }> = {
  processing: { label: "Processing", tone: "info" },
  ready: { label: "Ready", tone: "ok" },
  failed: { label: "Failed", tone: "danger" },
};

export const JOB_STATE: Record<GenerationJob["state"], { label: string; tone: Tone }> = {
  queued: { label: "Queued", tone: "muted" },
  running: { label: "Rendering", tone: "info" },
  succeeded: { label: "Done", tone: "ok" },
  failed: { label: "Failed", tone: "danger" },
  cancelled: { label: "Cancelled", tone: "muted" },
};

export function Chip({ label, tone, title, testId }: { label: string; tone?: Tone; title?: string; testId?: string }) {
  return (
    <span className="chip" data-tone={tone} title={title} data-testid={testId}>
      {label}
    </span>
  );
}

export function ShotStatusChip({ status }: { status: ShotStatus }) {
  const s = SHOT_STATUS[status];
  return <Chip label={s.label} tone={s.tone} testId="shot-status" />;
}

export function ApprovalChip({ status }: { status: ApprovalSummary["status"] }) {
  const s = APPROVAL_STATUS[status];
  return <Chip label={s.label} tone={s.tone} testId="approval-status" />;
}
