/**
 * Storyboard logic the page shares and the unit tests pin down: moving a panel (drag or keyboard)
 * yields the board's full new order (the API takes every panel id once), panel start frames and
 * durations as timecode at the project's rate, and the rows of the "Make shots" preview.
 */
import { durationTimecode, frameToTimecode, type FrameRate } from "./timecode";

/** The ids with `id` moved to `to` (clamped to the list); the same array when nothing moves. */
export function moveTo(ids: readonly string[], id: string, to: number): string[] {
  const from = ids.indexOf(id);
  if (from < 0) return [...ids];
  const target = Math.max(0, Math.min(ids.length - 1, to));
  if (target === from) return [...ids];
  const out = ids.filter((x) => x !== id);
  out.splice(target, 0, id);
  return out;
}

/** Keyboard move: one step left (-1) or right (+1). */
export function moveBy(ids: readonly string[], id: string, step: -1 | 1): string[] {
  return moveTo(ids, id, ids.indexOf(id) + step);
}

/** Drag and drop: the dragged panel takes the place of the one it was dropped on. */
export function dropOn(ids: readonly string[], dragged: string, target: string): string[] {
  if (dragged === target || !ids.includes(target)) return [...ids];
  return moveTo(ids, dragged, ids.indexOf(target));
}

export function sameOrder(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

export interface PanelTiming {
  start: number;
  frames: number;
  startTimecode: string;
  duration: string;
}

/** Each panel's start in the animatic and its duration, in frames and as timecode at `rate`. */
export function panelTimings(durations: readonly number[], rate: FrameRate): PanelTiming[] {
  let start = 0;
  return durations.map((frames) => {
    const timing = { start, frames, startTimecode: frameToTimecode(start, rate), duration: durationTimecode(frames, rate) };
    start += frames;
    return timing;
  });
}

export interface PlanRow {
  number: number;
  action: "create" | "update" | "keep";
  code: string;
  frame_in: number;
  frame_out: number;
  frames: number;
  before: { frame_in?: number | null; frame_out?: number | null } | null;
}

export interface PlanLine {
  number: number;
  code: string;
  verb: string;
  range: string;
  change: string;
}

function range(a: number | null | undefined, b: number | null | undefined): string {
  return a == null || b == null ? "no range" : `${a}–${b}`;
}

/** What the preview table shows for each panel: what happens to which shot, and the frames. */
export function planLines(rows: readonly PlanRow[]): PlanLine[] {
  return rows.map((row) => {
    const now = range(row.frame_in, row.frame_out);
    if (row.action === "create") return { number: row.number, code: row.code, verb: "New shot", range: now, change: `${row.frames} f` };
    const before = range(row.before?.frame_in, row.before?.frame_out);
    if (row.action === "update") {
      const old = row.before?.frame_in != null && row.before?.frame_out != null ? row.before.frame_out - row.before.frame_in + 1 : null;
      return { number: row.number, code: row.code, verb: "Cut length changes", range: `${before} → ${now}`, change: `${old ?? "?"} → ${row.frames} f` };
    }
    return { number: row.number, code: row.code, verb: "Unchanged", range: now, change: `${row.frames} f` };
  });
}

/** "3 new shots, 1 changed" — or "Nothing to change". */
export function planSummary(rows: readonly PlanRow[]): string {
  const created = rows.filter((r) => r.action === "create").length;
  const updated = rows.filter((r) => r.action === "update").length;
  if (!created && !updated) return "Nothing to change: every panel has its shot with the right length.";
  const parts = [];
  if (created) parts.push(`${created} new shot${created === 1 ? "" : "s"}`);
  if (updated) parts.push(`${updated} changed`);
  return parts.join(", ");
}
