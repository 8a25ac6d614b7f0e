import { describe, expect, it } from "vitest";

import { NO_RANGE, STOPPED, advance, clampIndex, nearestMarker, nextSpeed, playRange, playStart, setIn, setOut, shuttle, step } from "./transport";

describe("stepping and clamping", () => {
  it("steps one frame and stops at the ends of the media", () => {
    expect(step(0, -1, 48)).toBe(0);
    expect(step(11, 1, 48)).toBe(12);
    expect(step(47, 1, 48)).toBe(47);
    expect(clampIndex(-3, 48)).toBe(0);
    expect(clampIndex(99, 48)).toBe(47);
    expect(clampIndex(5, 0)).toBe(0);
  });
});

describe("in/out range", () => {
  it("keeps in before out whichever is set last", () => {
    expect(setOut(setIn(NO_RANGE, 10), 20)).toEqual({ in: 10, out: 20 });
    expect(setIn({ in: 10, out: 20 }, 30)).toEqual({ in: 30, out: null });
    expect(setOut({ in: 10, out: 20 }, 5)).toEqual({ in: null, out: 5 });
    expect(playRange(48, { in: 10, out: null })).toEqual([10, 47]);
    expect(playRange(48, NO_RANGE)).toEqual([0, 47]);
  });

  it("loops inside the range, or stops at its end", () => {
    const opts = { frameCount: 48, range: { in: 10, out: 20 }, loop: true };
    expect(advance(19, 1, opts)).toEqual({ index: 20, stopped: false });
    expect(advance(20, 1, opts)).toEqual({ index: 10, stopped: false });
    expect(advance(10, -1, opts)).toEqual({ index: 20, stopped: false });
    expect(advance(20, 1, { ...opts, loop: false })).toEqual({ index: 20, stopped: true });
    expect(advance(47, 1, { frameCount: 48, range: NO_RANGE, loop: false })).toEqual({ index: 47, stopped: true });
  });

  it("starts playback from the start of the range when parked at its end", () => {
    expect(playStart(47, 1, 48, NO_RANGE)).toBe(0);
    expect(playStart(12, 1, 48, NO_RANGE)).toBe(12);
    expect(playStart(30, 1, 48, { in: 10, out: 20 })).toBe(10);
    expect(playStart(0, -1, 48, NO_RANGE)).toBe(47);
  });
});

describe("speed and shuttle", () => {
  it("steps through the speed presets", () => {
    expect(nextSpeed(1, 1)).toBe(1.5);
    expect(nextSpeed(2, 1)).toBe(2);
    expect(nextSpeed(0.25, -1)).toBe(0.25);
    expect(nextSpeed(1, -1)).toBe(0.5);
  });

  it("J/K/L: repeated presses speed up, the other direction resets, K stops", () => {
    let s = shuttle(STOPPED, "l");
    expect(s).toEqual({ direction: 1, rate: 1 });
    s = shuttle(s, "l");
    expect(s).toEqual({ direction: 1, rate: 2 });
    s = shuttle(shuttle(s, "l"), "l");
    expect(s).toEqual({ direction: 1, rate: 4 });
    expect(shuttle(s, "j")).toEqual({ direction: -1, rate: 1 });
    expect(shuttle(s, "k")).toEqual(STOPPED);
  });
});

describe("markers", () => {
  it("finds the previous and next comment", () => {
    const markers = [3, 12, 30];
    expect(nearestMarker(markers, 12, 1)).toBe(30);
    expect(nearestMarker(markers, 12, -1)).toBe(3);
    expect(nearestMarker(markers, 30, 1)).toBeNull();
  });
});
