import { describe, expect, it } from "vitest";

import type { Shape } from "./annotations";
import { EMPTY_DRAWING, canDrawOn, drawingReducer } from "./drawing";

const arrow: Shape = { type: "arrow", from: [0.1, 0.1], to: [0.4, 0.4], color: "#ff3b30", width: 0.004 };
const box: Shape = { type: "rect", x: 0.5, y: 0.5, w: 0.2, h: 0.1, color: "#ff3b30", width: 0.004 };

describe("drawing undo/redo", () => {
  it("adds, undoes and redoes in order", () => {
    let s = drawingReducer(EMPTY_DRAWING, { type: "add", frame: 12, shape: arrow });
    s = drawingReducer(s, { type: "add", frame: 12, shape: box });
    expect(s).toEqual({ frame: 12, shapes: [arrow, box], undone: [] });
    s = drawingReducer(s, { type: "undo" });
    expect(s.shapes).toEqual([arrow]);
    s = drawingReducer(s, { type: "undo" });
    expect(s.shapes).toEqual([]);
    expect(drawingReducer(s, { type: "undo" })).toBe(s);
    s = drawingReducer(s, { type: "redo" });
    s = drawingReducer(s, { type: "redo" });
    expect(s.shapes).toEqual([arrow, box]);
    expect(drawingReducer(s, { type: "redo" })).toBe(s);
  });

  it("forgets the redo history when something new is drawn", () => {
    let s = drawingReducer(EMPTY_DRAWING, { type: "add", frame: 3, shape: arrow });
    s = drawingReducer(s, { type: "undo" });
    s = drawingReducer(s, { type: "add", frame: 3, shape: box });
    expect(s).toEqual({ frame: 3, shapes: [box], undone: [] });
  });

  it("keeps a drawing on its frame", () => {
    let s = drawingReducer(EMPTY_DRAWING, { type: "add", frame: 12, shape: arrow });
    expect(canDrawOn(s, 12)).toBe(true);
    expect(canDrawOn(s, 13)).toBe(false);
    expect(drawingReducer(s, { type: "add", frame: 13, shape: box })).toBe(s);
    // Once everything is undone, drawing may start on another frame.
    s = drawingReducer(s, { type: "undo" });
    expect(canDrawOn(s, 13)).toBe(true);
    s = drawingReducer(s, { type: "add", frame: 13, shape: box });
    expect(s).toEqual({ frame: 13, shapes: [box], undone: [] });
    expect(drawingReducer(s, { type: "clear" })).toEqual(EMPTY_DRAWING);
  });
});
