import { describe, expect, it } from "vitest";

import { layoutSlots, rowAt, rowOffsets, scrollToReveal, visibleRange, type Slot } from "./virtual";

const uniform = (count: number, size: number) => rowOffsets(Array.from({ length: count }, () => size));
const rowsOf = (slots: Slot[]) => slots.flatMap((s) => (s.kind === "row" ? [s.index] : []));
const heightOf = (offsets: Float64Array, slots: Slot[]) =>
  slots.reduce((sum, s) => sum + (s.kind === "gap" ? s.size : offsets[s.index + 1]! - offsets[s.index]!), 0);

describe("rowOffsets / rowAt", () => {
  it("sums mixed heights and finds the row under a position", () => {
    const offsets = rowOffsets([31, 74, 74, 31, 74]);
    expect([...offsets]).toEqual([0, 31, 105, 179, 210, 284]);
    expect(rowAt(offsets, 0)).toBe(0);
    expect(rowAt(offsets, 30.9)).toBe(0);
    expect(rowAt(offsets, 31)).toBe(1);
    expect(rowAt(offsets, 209)).toBe(3);
    expect(rowAt(offsets, 10_000)).toBe(4);
    expect(rowAt(offsets, -5)).toBe(0);
  });

  it("treats negative sizes as zero and handles an empty list", () => {
    expect([...rowOffsets([10, -3, 5])]).toEqual([0, 10, 10, 15]);
    expect(rowAt(rowOffsets([]), 100)).toBe(0);
  });
});

describe("visibleRange", () => {
  const offsets = uniform(2000, 74); // 2,000 shots: 148,000 px

  it("renders only the rows in a 900 px viewport, plus the overscan", () => {
    expect(visibleRange(offsets, 0, 900)).toEqual({ start: 0, end: 13 });
    expect(visibleRange(offsets, 0, 900, 300)).toEqual({ start: 0, end: 17 });
    const mid = visibleRange(offsets, 74_000, 74_900, 300);
    expect(mid).toEqual({ start: 995, end: 1017 });
    expect(mid.end - mid.start).toBeLessThan(30);
  });

  it("stops at the ends of the list", () => {
    expect(visibleRange(offsets, 147_500, 148_400, 300)).toEqual({ start: 1989, end: 2000 });
    expect(visibleRange(uniform(3, 74), 0, 900, 300)).toEqual({ start: 0, end: 3 });
  });

  it("with the list partly above the viewport (scrolled past its top), starts mid-list", () => {
    expect(visibleRange(offsets, -200, 700)).toEqual({ start: 0, end: 10 });
  });

  it("renders one row when the list is entirely off screen", () => {
    expect(visibleRange(offsets, -2000, -1000)).toEqual({ start: 0, end: 1 });
    expect(visibleRange(offsets, 200_000, 201_000)).toEqual({ start: 1999, end: 2000 });
    expect(visibleRange(rowOffsets([]), 0, 900)).toEqual({ start: 0, end: 0 });
  });
});

describe("layoutSlots", () => {
  const offsets = uniform(100, 10);

  it("puts gaps of the right height before and after the rendered rows", () => {
    const slots = layoutSlots(offsets, { start: 40, end: 45 });
    expect(slots[0]).toEqual({ kind: "gap", key: "gap-0-40", size: 400 });
    expect(rowsOf(slots)).toEqual([40, 41, 42, 43, 44]);
    expect(slots.at(-1)).toEqual({ kind: "gap", key: "gap-45-100", size: 550 });
    expect(heightOf(offsets, slots)).toBe(1000); // the scrollbar stays exact
  });

  it("keeps a pinned (focused) row rendered in its place while it is scrolled away", () => {
    const slots = layoutSlots(offsets, { start: 40, end: 43 }, [90, 5]);
    expect(rowsOf(slots)).toEqual([5, 40, 41, 42, 90]);
    expect(slots.map((s) => s.kind)).toEqual(["gap", "row", "gap", "row", "row", "row", "gap", "row", "gap"]);
    expect(heightOf(offsets, slots)).toBe(1000);
  });

  it("ignores pins outside the list and duplicates, and renders a whole short list without gaps", () => {
    expect(rowsOf(layoutSlots(offsets, { start: 0, end: 2 }, [1, -1, 100]))).toEqual([0, 1]);
    const all = layoutSlots(uniform(5, 10), { start: 0, end: 5 });
    expect(all.every((s) => s.kind === "row")).toBe(true);
  });
});

describe("scrollToReveal", () => {
  const offsets = uniform(100, 50);

  it("scrolls only as far as needed to show a row", () => {
    expect(scrollToReveal(offsets, 2, 0, 500)).toBe(0); // already visible
    expect(scrollToReveal(offsets, 20, 0, 500)).toBe(550); // below: its bottom at the viewport's bottom
    expect(scrollToReveal(offsets, 3, 400, 500)).toBe(150); // above: its top at the viewport's top
    expect(scrollToReveal(offsets, 20, 0, 500, 120)).toBe(670); // the list starts 120 px down the page
  });
});
