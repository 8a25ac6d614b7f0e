/**
 * Playlists and review sessions, pure logic (unit-tested in playlist.test.ts): reordering items,
 * stepping between them, where a follower's playhead belongs, which room message to apply, and the
 * badges of an item. Frames, never seconds: a room's `frame` is a frame number of the version.
 */
import type { DataOf } from "../api/generated/events";

export type RoomState = DataOf<"room.snapshot">["state"];
export type RoomMember = DataOf<"room.snapshot">["members"][number];
export type RoomYou = DataOf<"room.snapshot">["you"];

/** `ids` with the element at `from` moved to `to` (both clamped); the same array when nothing moves. */
export function moveItem<T>(ids: readonly T[], from: number, to: number): T[] {
  const last = ids.length - 1;
  const a = Math.max(0, Math.min(from, last));
  const b = Math.max(0, Math.min(to, last));
  if (a === b || ids.length < 2) return [...ids];
  const next = [...ids];
  const [moved] = next.splice(a, 1);
  next.splice(b, 0, moved as T);
  return next;
}

/** The item after (+1) or before (-1) `index`, or null at either end (a playlist does not wrap). */
export function stepItem(index: number, count: number, delta: 1 | -1): number | null {
  const next = index + delta;
  return next >= 0 && next < count ? next : null;
}

/**
 * Where the room's playhead is at server time `serverNow` (ms): while playing, `frame` was true at
 * `at`, so it has moved on by (now − at) × fps × speed frames, kept inside the version's frames.
 */
export function roomFrameAt(state: Pick<RoomState, "frame" | "playing" | "at" | "fps" | "speed" | "first_frame" | "last_frame">, serverNow: number): number | null {
  const { frame } = state;
  if (frame === null) return null;
  if (!state.playing || !state.fps) return frame;
  const [num, den] = state.fps as [number, number];
  let now = frame + Math.floor(((serverNow - state.at) / 1000) * (num / den) * state.speed);
  if (state.first_frame !== null) now = Math.max(now, state.first_frame);
  if (state.last_frame !== null) now = Math.min(now, state.last_frame);
  return now;
}

/** The server clock minus this browser's, from a snapshot's `server_time` received at `localNow`. */
export function clockOffset(serverTime: number, localNow: number): number {
  return serverTime - localNow;
}

export interface FollowPlan {
  /** Frame index (0 = the version's first frame) the follower's playhead should be at. */
  index: number;
  playing: boolean;
  /** Seek now: paused, or the follower drifted by more than `tolerance` frames while playing. */
  seek: boolean;
}

/**
 * What a follower's player should do for the room's state: its index and play state, and whether
 * to seek (always when paused on another frame; while both play, only beyond `tolerance` frames).
 */
export function followPlan(
  state: RoomState,
  firstFrame: number,
  current: { index: number; playing: boolean },
  serverNow: number,
  tolerance = 2,
): FollowPlan | null {
  const frame = roomFrameAt(state, serverNow);
  if (frame === null) return null;
  const index = frame - firstFrame;
  const drift = Math.abs(current.index - index);
  const seek = state.playing ? !current.playing || drift > tolerance : drift !== 0;
  return { index, playing: state.playing, seek };
}

/** Apply a room message only when it is newer than what this tab holds (ends ping-ponging). */
export function isNewer(incoming: { rev: number }, held: { rev: number } | null): boolean {
  return held === null || incoming.rev > held.rev;
}

export type BadgeTone = "ok" | "warn" | "danger" | "info" | "muted";
export interface Badge {
  label: string;
  tone: BadgeTone;
  title: string;
}

const APPROVAL: Record<string, Badge> = {
  approved: { label: "Approved", tone: "ok", title: "This version is approved." },
  changes_requested: { label: "Changes requested", tone: "warn", title: "Changes were requested on this version." },
  pending: { label: "In review", tone: "info", title: "This version awaits a decision." },
};
/** An item's approval state (its consent badges are the shared components/ConsentBadges); null for an unknown state. */
export function approvalBadge(status: string): Badge | null {
  return APPROVAL[status] ?? null;
}

/**
 * The latest approved version of the shot other than the one shown, preferring one older than it
 * ("compare with the previous approved"); null when there is none.
 */
export function previousApproved<V extends { id: string; number: number; approval_status: string }>(versions: readonly V[], shown: { id: string; number: number }): V | null {
  const approved = versions.filter((v) => v.approval_status === "approved" && v.id !== shown.id).sort((a, b) => b.number - a.number);
  return approved.find((v) => v.number < shown.number) ?? approved[0] ?? null;
}

/** A random id for this browser tab in a room (the server wants 8–64 letters, digits, '-' or '_'). */
export function newTabId(random: () => number = Math.random): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  let id = "tab-";
  for (let i = 0; i < 16; i++) id += alphabet[Math.floor(random() * alphabet.length)] ?? "x";
  return id;
}
