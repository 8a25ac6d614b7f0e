/**
 * Playhead rules of the review player, as pure functions: clamping, stepping, in/out range, loop,
 * and the J/K/L shuttle. All positions are frame indices (0 = first frame of the media).
 */

export interface InOut {
  /** First frame of the range (inclusive), or null for the start of the media. */
  in: number | null;
  /** Last frame of the range (inclusive), or null for the end of the media. */
  out: number | null;
}

export const NO_RANGE: InOut = { in: null, out: null };

export function clampIndex(index: number, frameCount: number): number {
  if (frameCount <= 0) return 0;
  return Math.min(frameCount - 1, Math.max(0, Math.round(index)));
}

/** The playable range [first, last], inclusive, honouring in/out when set. */
export function playRange(frameCount: number, range: InOut): [number, number] {
  const last = Math.max(0, frameCount - 1);
  const first = range.in === null ? 0 : clampIndex(range.in, frameCount);
  const end = range.out === null ? last : clampIndex(range.out, frameCount);
  return first <= end ? [first, end] : [end, first];
}

/** Sets the in point; an out point before it is dropped. */
export function setIn(range: InOut, index: number): InOut {
  return { in: index, out: range.out !== null && range.out < index ? null : range.out };
}

/** Sets the out point; an in point after it is dropped. */
export function setOut(range: InOut, index: number): InOut {
  return { in: range.in !== null && range.in > index ? null : range.in, out: index };
}

/** Manual stepping (arrow keys) moves over the whole media, not only the range. */
export function step(index: number, delta: number, frameCount: number): number {
  return clampIndex(index + delta, frameCount);
}

/**
 * The next frame during playback in `direction` (+1 forward, -1 reverse). At the edge of the range
 * it wraps when looping, otherwise it stops there.
 */
export function advance(
  index: number,
  direction: 1 | -1,
  { frameCount, range, loop }: { frameCount: number; range: InOut; loop: boolean },
): { index: number; stopped: boolean } {
  const [first, last] = playRange(frameCount, range);
  const next = index + direction;
  if (direction > 0 && next > last) return loop ? { index: first, stopped: false } : { index: last, stopped: true };
  if (direction < 0 && next < first) return loop ? { index: last, stopped: false } : { index: first, stopped: true };
  // Outside the range (the playhead was parked there): jump into it.
  if (next < first || next > last) return { index: direction > 0 ? first : last, stopped: false };
  return { index: next, stopped: false };
}

/**
 * Where playback starts: from the current frame, unless it sits at (or beyond) the end of the
 * range in the playing direction — then from the other end, as every player does.
 */
export function playStart(index: number, direction: 1 | -1, frameCount: number, range: InOut): number {
  const [first, last] = playRange(frameCount, range);
  if (direction > 0 && (index >= last || index < first)) return first;
  if (direction < 0 && (index <= first || index > last)) return last;
  return index;
}

export const SPEEDS = [0.25, 0.5, 1, 1.5, 2] as const;

export function nextSpeed(speed: number, direction: 1 | -1): number {
  const index = SPEEDS.findIndex((s) => s >= speed - 1e-9);
  const current = index === -1 ? SPEEDS.length - 1 : index;
  const next = Math.min(SPEEDS.length - 1, Math.max(0, current + direction));
  return SPEEDS[next] as number;
}

/** The J/K/L shuttle: direction of play and its multiplier. */
export interface Shuttle {
  direction: -1 | 0 | 1;
  rate: number;
}

export const STOPPED: Shuttle = { direction: 0, rate: 1 };
const SHUTTLE_RATES = [1, 2, 4];

/** L plays forward; pressing it again goes faster (×2, ×4). J does the same in reverse; K stops. */
export function shuttle(current: Shuttle, key: "j" | "k" | "l"): Shuttle {
  if (key === "k") return STOPPED;
  const direction = key === "l" ? 1 : -1;
  if (current.direction !== direction) return { direction, rate: 1 };
  const i = SHUTTLE_RATES.indexOf(current.rate);
  return { direction, rate: SHUTTLE_RATES[Math.min(SHUTTLE_RATES.length - 1, i + 1)] as number };
}

/** The nearest marker frame strictly before/after `index` (for jumping between comments). */
export function nearestMarker(markers: number[], index: number, direction: 1 | -1): number | null {
  let best: number | null = null;
  for (const m of markers) {
    if (direction > 0 && m > index && (best === null || m < best)) best = m;
    if (direction < 0 && m < index && (best === null || m > best)) best = m;
  }
  return best;
}
