import { describe, expect, it } from "vitest";

import {
  arrowHead,
  boxOf,
  containRect,
  isDegenerate,
  lengthToNormalized,
  lengthToPixels,
  shapeFromDrag,
  shapeProblem,
  simplifyStroke,
  toNormalized,
  toPixels,
  validShapes,
  type Shape,
} from "./annotations";

const HD = { width: 1920, height: 1080 };

describe("containRect", () => {
  it("fills a box of the same aspect", () => {
    expect(containRect({ width: 1280, height: 720 }, HD)).toEqual({ x: 0, y: 0, width: 1280, height: 720 });
  });
  it("letterboxes a wide picture in a square box", () => {
    expect(containRect({ width: 1000, height: 1000 }, HD)).toEqual({ x: 0, y: 218.75, width: 1000, height: 562.5 });
  });
  it("pillarboxes a wide picture in a wider box", () => {
    const r = containRect({ width: 2000, height: 720 }, HD);
    expect(r).toEqual({ x: 360, y: 0, width: 1280, height: 720 });
  });
  it("copes with a box or media that has no size yet", () => {
    expect(containRect({ width: 640, height: 360 }, { width: 0, height: 0 })).toEqual({ x: 0, y: 0, width: 640, height: 360 });
  });
});

describe("normalisation is resolution independent", () => {
  const boxes = [
    { width: 1920, height: 1080 },
    { width: 1280, height: 720 },
    { width: 800, height: 800 },
    { width: 2560, height: 900 },
    { width: 333, height: 517 },
  ];

  it("maps the same picture pixel to the same normalised point at every display size", () => {
    // Picture pixels of a 1920×1080 frame.
    const pixels = [
      { x: 960, y: 540 },
      { x: 0, y: 0 },
      { x: 1920, y: 1080 },
      { x: 1234.5, y: 77.25 },
      { x: 12, y: 1000 },
    ];
    for (const px of pixels) {
      const expected = { x: px.x / 1920, y: px.y / 1080 };
      for (const box of boxes) {
        const content = containRect(box, HD);
        const onScreen = { x: content.x + (px.x / 1920) * content.width, y: content.y + (px.y / 1080) * content.height };
        const n = toNormalized(onScreen, content);
        expect(n.x).toBeCloseTo(expected.x, 4);
        expect(n.y).toBeCloseTo(expected.y, 4);
      }
    }
  });

  it("round-trips screen → normalised → screen within a tenth of a pixel on a 4K display", () => {
    const content = containRect({ width: 3840, height: 2160 }, HD);
    for (let i = 0; i <= 100; i++) {
      const p = { x: (i / 100) * 3840, y: ((100 - i) / 100) * 2160 };
      const back = toPixels(toNormalized(p, content), content);
      expect(Math.abs(back.x - p.x)).toBeLessThan(0.1);
      expect(Math.abs(back.y - p.y)).toBeLessThan(0.1);
    }
  });

  it("puts a note drawn on one screen at the same place of the picture on another", () => {
    const laptop = containRect({ width: 1000, height: 1000 }, HD); // letterboxed
    const monitor = containRect({ width: 3840, height: 2160 }, HD);
    const n = toNormalized({ x: 250, y: 218.75 + 562.5 * 0.75 }, laptop);
    expect(n).toEqual({ x: 0.25, y: 0.75 });
    expect(toPixels(n, monitor)).toEqual({ x: 960, y: 1620 });
  });

  it("clamps points in the letterbox bars to the picture's edge", () => {
    const content = containRect({ width: 1000, height: 1000 }, HD);
    expect(toNormalized({ x: -40, y: 10 }, content)).toEqual({ x: 0, y: 0 });
    expect(toNormalized({ x: 1200, y: 990 }, content)).toEqual({ x: 1, y: 1 });
  });

  it("scales stroke widths with the picture, not the screen", () => {
    const small = containRect({ width: 1280, height: 720 }, HD);
    const large = containRect({ width: 1920, height: 1080 }, HD);
    const width = lengthToNormalized(4, small);
    expect(width).toBeCloseTo(4 / 720, 5);
    expect(lengthToPixels(width, large)).toBeCloseTo(6, 2);
  });
});

describe("aspect-correct geometry", () => {
  it("keeps the arrow head symmetric about the shaft as seen on screen (16:9)", () => {
    const content = containRect({ width: 1920, height: 1080 }, HD);
    const from = { x: 0.1, y: 0.1 };
    const to = { x: 0.9, y: 0.9 };
    const [left, right] = arrowHead(from, to, content, 0.004);
    const tip = toPixels(to, content);
    const tail = toPixels(from, content);
    const shaft = Math.atan2(tail.y - tip.y, tail.x - tip.x);
    const a = Math.atan2(left.y - tip.y, left.x - tip.x) - shaft;
    const b = Math.atan2(right.y - tip.y, right.x - tip.x) - shaft;
    expect(Math.abs(a)).toBeCloseTo(Math.PI / 7, 6);
    expect(Math.abs(b)).toBeCloseTo(Math.PI / 7, 6);
    expect(Math.sign(a)).toBe(-Math.sign(b));
    // Barbs have equal on-screen length.
    expect(Math.hypot(left.x - tip.x, left.y - tip.y)).toBeCloseTo(Math.hypot(right.x - tip.x, right.y - tip.y), 6);
  });

  it("measures stroke simplification in on-screen distance, so x and y count the same", () => {
    // A horizontal wiggle of 0.01 of the width is 0.0178 of the height on a 16:9 picture.
    const wiggle = [
      { x: 0.5, y: 0.1 },
      { x: 0.51, y: 0.5 },
      { x: 0.5, y: 0.9 },
    ];
    expect(simplifyStroke(wiggle, 16 / 9, 0.015)).toHaveLength(3);
    expect(simplifyStroke(wiggle, 1, 0.015)).toHaveLength(2);
  });

  it("drops collinear points of a straight stroke and keeps both ends", () => {
    const line = Array.from({ length: 50 }, (_, i) => ({ x: i / 49, y: i / 49 }));
    expect(simplifyStroke(line, 16 / 9, 0.001)).toEqual([line[0], line[49]]);
  });

  it("normalises a box dragged in any direction", () => {
    expect(boxOf({ x: 0.8, y: 0.7 }, { x: 0.2, y: 0.1 })).toEqual({ x: 0.2, y: 0.1, width: 0.6, height: 0.6 });
  });
});

describe("shapes in the API's format", () => {
  const arrow: Shape = { type: "arrow", from: [0.2, 0.2], to: [0.5, 0.6], color: "#ff3b30", width: 0.004 };

  it("builds shapes from a drag in any direction", () => {
    const drag = [
      { x: 0.8, y: 0.7 },
      { x: 0.5, y: 0.5 },
      { x: 0.2, y: 0.1 },
    ];
    expect(shapeFromDrag("rect", drag, { color: "#00ff00" })).toEqual({ type: "rect", x: 0.2, y: 0.1, w: 0.6, h: 0.6, color: "#00ff00", width: 0.004 });
    expect(shapeFromDrag("ellipse", drag)).toMatchObject({ type: "ellipse", cx: 0.5, cy: 0.4, rx: 0.3, ry: 0.3 });
    expect(shapeFromDrag("arrow", drag)).toMatchObject({ type: "arrow", from: [0.8, 0.7], to: [0.2, 0.1] });
    expect(shapeFromDrag("pen", drag)).toMatchObject({ type: "pen", points: [[0.8, 0.7], [0.5, 0.5], [0.2, 0.1]] });
    expect(shapeFromDrag("pen", [])).toBeNull();
    for (const tool of ["pen", "line", "arrow", "rect", "ellipse"] as const) {
      expect(shapeProblem(shapeFromDrag(tool, drag))).toBeNull();
    }
  });

  it("accepts well-formed shapes", () => {
    expect(shapeProblem(arrow)).toBeNull();
    expect(shapeProblem({ type: "text", x: 0.5, y: 0.5, text: "soften", color: "#ffffff", size: 0.03 })).toBeNull();
    expect(shapeProblem({ type: "pen", points: [[0, 0], [1, 1]], color: "#00ff0080", width: 0.01 })).toBeNull();
    expect(shapeProblem({ type: "ellipse", cx: 0.5, cy: 0.5, rx: 0.1, ry: 0.2 })).toBeNull();
  });

  it("says what is wrong with a malformed shape", () => {
    expect(shapeProblem({ ...arrow, to: [1.2, 0.5] })).toMatch(/0\.\.1/);
    expect(shapeProblem({ ...arrow, color: "red" })).toMatch(/#rrggbb/);
    expect(shapeProblem({ ...arrow, width: 0 })).toMatch(/fraction/);
    expect(shapeProblem({ ...arrow, width: 0.5 })).toMatch(/fraction/);
    expect(shapeProblem({ ...arrow, type: "star" })).toMatch(/unknown shape type/);
    expect(shapeProblem({ type: "rect", x: 0.1, y: 0.1, w: 2, h: 0.1 })).toMatch(/within 0\.\.1/);
    expect(shapeProblem({ type: "text", x: 0.5, y: 0.5, text: "  " })).toMatch(/empty/);
    expect(shapeProblem(null)).toMatch(/object/);
    expect(validShapes([arrow, { type: "star" }, null])).toEqual([arrow]);
    expect(validShapes("nope")).toEqual([]);
  });

  it("treats a click without a drag as nothing drawn", () => {
    const content = containRect({ width: 1280, height: 720 }, HD);
    expect(isDegenerate({ ...arrow, to: [0.2005, 0.2] }, content)).toBe(true);
    expect(isDegenerate(arrow, content)).toBe(false);
    expect(isDegenerate({ type: "rect", x: 0.1, y: 0.1, w: 0.001, h: 0.001 }, content)).toBe(true);
  });
});
