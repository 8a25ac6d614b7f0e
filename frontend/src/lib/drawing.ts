/**
 * The unsaved drawing of a comment being written: shapes anchored to one frame, with undo/redo.
 * Starting to draw on another frame moves the anchor only when nothing is drawn yet; otherwise the
 * drawing stays on its frame (and is shown only there), as it is saved with that frame.
 */
import { MAX_SHAPES, type Shape } from "./annotations";

export interface Drawing {
  /** Frame index the shapes belong to, or null when nothing is drawn. */
  frame: number | null;
  shapes: Shape[];
  /** Shapes undone, most recent last (redo takes from the end). */
  undone: Shape[];
}

export const EMPTY_DRAWING: Drawing = { frame: null, shapes: [], undone: [] };

export type DrawingAction =
  | { type: "add"; frame: number; shape: Shape }
  | { type: "undo" }
  | { type: "redo" }
  | { type: "clear" };

export function drawingReducer(state: Drawing, action: DrawingAction): Drawing {
  switch (action.type) {
    case "add": {
      if (state.shapes.length >= MAX_SHAPES) return state;
      if (state.frame !== null && state.shapes.length > 0 && state.frame !== action.frame) return state;
      return { frame: action.frame, shapes: [...state.shapes, action.shape], undone: [] };
    }
    case "undo": {
      const last = state.shapes[state.shapes.length - 1];
      if (!last) return state;
      const shapes = state.shapes.slice(0, -1);
      // The frame stays, so redo puts the shape back where it was drawn.
      return { frame: state.frame, shapes, undone: [...state.undone, last] };
    }
    case "redo": {
      const next = state.undone[state.undone.length - 1];
      if (!next) return state;
      return { ...state, shapes: [...state.shapes, next], undone: state.undone.slice(0, -1) };
    }
    case "clear":
      return EMPTY_DRAWING;
  }
}

/** Whether a shape may be drawn on `frame` now (the drawing belongs to one frame). */
export function canDrawOn(state: Drawing, frame: number): boolean {
  return state.shapes.length === 0 || state.frame === frame;
}
