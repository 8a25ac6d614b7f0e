/**
 * Windowing for long lists (the shot list of a 2,000-shot show): which rows to put in the DOM for
 * a scroll position, and the spacers that stand in for the others. Pure functions; the React side
 * is `components/useVirtualRows.ts`.
 *
 * Rows may differ in height (a sequence header is shorter than a shot row): each row has a size,
 * measured once it has been rendered and estimated until then; `offsets[i]` is where row i starts
 * and `offsets[count]` is the list's full height.
 */

/** Prefix sums of the row sizes: `offsets[i]` = top of row i, `offsets[n]` = total height. */
export function rowOffsets(sizes: ArrayLike<number>): Float64Array {
  const out = new Float64Array(sizes.length + 1);
  for (let i = 0; i < sizes.length; i++) out[i + 1] = out[i]! + Math.max(0, sizes[i] ?? 0);
  return out;
}

/** The row that contains position `y` (clamped to the list): the last i with offsets[i] <= y. */
export function rowAt(offsets: Float64Array, y: number): number {
  const count = offsets.length - 1;
  if (count <= 0) return 0;
  let lo = 0;
  let hi = count - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (offsets[mid]! <= y) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

export interface RowRange {
  /** First row to render. */
  start: number;
  /** One past the last row to render. */
  end: number;
}

/**
 * The rows that intersect the viewport `[top, bottom)` (in list coordinates: 0 is the list's first
 * row), widened by `overscan` pixels on each side so a fast scroll or a Tab into the next row never
 * shows a blank.
 */
export function visibleRange(offsets: Float64Array, top: number, bottom: number, overscan = 0): RowRange {
  const count = offsets.length - 1;
  const total = offsets[count] ?? 0;
  if (count <= 0 || bottom + overscan <= 0 || top - overscan >= total) {
    // Nothing of the list is on screen: render the first rows (what comes into view first).
    const start = bottom + overscan <= 0 || count <= 0 ? 0 : rowAt(offsets, total - 1);
    return { start, end: Math.min(count, start + 1) };
  }
  const start = rowAt(offsets, Math.max(0, top - overscan));
  const last = rowAt(offsets, Math.max(0, Math.min(total, bottom + overscan) - 0.5));
  return { start, end: Math.min(count, last + 1) };
}

export type Slot = { kind: "row"; index: number } | { kind: "gap"; key: string; size: number };

/**
 * What the list renders, in order: each row of `range`, plus any `pinned` rows outside it (the row
 * holding keyboard focus stays in the DOM while it is scrolled away, so focus is never lost), with a
 * gap of the right height wherever rows are left out. The gaps keep the scrollbar exact.
 */
export function layoutSlots(offsets: Float64Array, range: RowRange, pinned: readonly number[] = []): Slot[] {
  const count = offsets.length - 1;
  const rows = new Set<number>();
  for (let i = Math.max(0, range.start); i < Math.min(count, range.end); i++) rows.add(i);
  for (const p of pinned) if (p >= 0 && p < count) rows.add(p);
  const sorted = [...rows].sort((a, b) => a - b);
  const out: Slot[] = [];
  let next = 0;
  for (const index of sorted) {
    if (index > next) out.push({ kind: "gap", key: `gap-${next}-${index}`, size: offsets[index]! - offsets[next]! });
    out.push({ kind: "row", index });
    next = index + 1;
  }
  if (next < count) out.push({ kind: "gap", key: `gap-${next}-${count}`, size: offsets[count]! - offsets[next]! });
  return out;
}

/** The scroll position that brings row `index` fully into a viewport of `height` (unchanged if it is). */
export function scrollToReveal(offsets: Float64Array, index: number, scrollTop: number, height: number, listTop = 0): number {
  const top = listTop + (offsets[index] ?? 0);
  const bottom = listTop + (offsets[index + 1] ?? top);
  if (top < scrollTop) return top;
  if (bottom > scrollTop + height) return Math.max(0, bottom - height);
  return scrollTop;
}
