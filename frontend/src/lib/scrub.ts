/**
 * Hover scrub: the pointer's place across a picture picks a frame (or a sprite tile) of the clip.
 * Shared by version thumbnails (sprite sheets, components/Thumb.tsx) and take cards (the native
 * clip, seeked; components/TakesGallery.tsx).
 */

/** Where the pointer is across the element, from 0 (left edge) to just under 1 (right edge). */
export function pointerFraction(clientX: number, left: number, width: number): number {
  if (!(width > 0)) return 0;
  return Math.min(0.999, Math.max(0, (clientX - left) / width));
}

/** The index (0-based) of the frame or tile under `fraction` when `count` of them span the width evenly. */
export function scrubIndex(fraction: number, count: number): number {
  if (count <= 0) return 0;
  return Math.min(count - 1, Math.max(0, Math.floor(fraction * count)));
}

/** "24000/1001" or "16" → frames per second (0 when unreadable). */
export function fpsValue(ratio: string): number {
  const [n = 0, d = 1] = ratio.split("/").map(Number);
  return d > 0 && Number.isFinite(n / d) ? n / d : 0;
}

/**
 * The time to seek a video to so it shows frame `frame` (0-based): the middle of the frame's display
 * interval, so rounding in the browser's decoder never lands on the frame before.
 */
export function frameTime(frame: number, fps: number): number {
  return fps > 0 ? (frame + 0.5) / fps : 0;
}
