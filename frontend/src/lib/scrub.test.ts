import { describe, expect, it } from "vitest";

import { fpsValue, frameTime, pointerFraction, scrubIndex } from "./scrub";

describe("hover scrub", () => {
  it("maps the pointer across the picture to a fraction, clamped to the picture", () => {
    expect(pointerFraction(100, 100, 200)).toBe(0);
    expect(pointerFraction(200, 100, 200)).toBe(0.5);
    expect(pointerFraction(300, 100, 200)).toBe(0.999); // the right edge still names the last frame
    expect(pointerFraction(50, 100, 200)).toBe(0);
    expect(pointerFraction(500, 100, 200)).toBe(0.999);
    expect(pointerFraction(150, 100, 0)).toBe(0);
  });

  it("gives each frame an equal slice of the width", () => {
    const frames = 33;
    const seen = Array.from({ length: 220 }, (_, x) => scrubIndex(pointerFraction(x, 0, 220), frames));
    expect(seen[0]).toBe(0);
    expect(seen[219]).toBe(32);
    expect(new Set(seen).size).toBe(33); // every frame is reachable
    for (let i = 1; i < seen.length; i++) expect(seen[i]! - seen[i - 1]!).toBeGreaterThanOrEqual(0); // left to right, never back
    expect(scrubIndex(0.5, 33)).toBe(16);
    expect(scrubIndex(0.999, 1)).toBe(0);
    expect(scrubIndex(0.5, 0)).toBe(0);
  });

  it("seeks to the middle of the frame, at the clip's exact rate", () => {
    expect(fpsValue("16/1")).toBe(16);
    expect(fpsValue("24000/1001")).toBeCloseTo(23.976, 3);
    expect(fpsValue("garbage")).toBe(0);
    expect(frameTime(0, 16)).toBeCloseTo(0.03125);
    expect(frameTime(32, 16)).toBeCloseTo(2.03125);
    const ntsc = fpsValue("24000/1001");
    expect(Math.floor(frameTime(47, ntsc) * ntsc)).toBe(47); // lands inside frame 47, not 46 or 48
    expect(frameTime(5, 0)).toBe(0);
  });
});
