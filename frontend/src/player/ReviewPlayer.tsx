import { useReducer, useRef, useState } from "react";

import { Icon, type IconName } from "../components/Icon";
import { DEFAULT_COLOR, DEFAULT_WIDTH, type Shape } from "../lib/annotations";
import { EMPTY_DRAWING, canDrawOn, drawingReducer, type Drawing, type DrawingAction } from "../lib/drawing";
import { indexToFrameNumber } from "../lib/timecode";
import { nearestMarker } from "../lib/transport";
import type { Viewer } from "../lib/stream";
import { AnnotationLayer, type Tool } from "./AnnotationLayer";
import { ShortcutOverlay, Stage, Transport, toggleFullscreen, transportAction, usePlayerKeys, usePlayheadState, type PlayerMedia } from "./controls";
import type { Playhead } from "./playhead";
import { Timeline, type Marker } from "./Timeline";

export const PALETTE = ["#ff3b30", "#ffcc00", "#34c759", "#0a84ff", "#bf5af2", "#ffffff"];
const WIDTHS: { label: string; value: number }[] = [
  { label: "Thin", value: 0.0025 },
  { label: "Medium", value: DEFAULT_WIDTH },
  { label: "Thick", value: 0.008 },
];

/** The drawing being prepared for a comment, with its tools. Lives in the page (the composer posts it). */
export interface DrawState {
  drawing: Drawing;
  dispatch: (action: DrawingAction) => void;
  tool: Tool | null;
  setTool: (tool: Tool | null) => void;
  color: string;
  setColor: (color: string) => void;
  width: number;
  setWidth: (width: number) => void;
}

export function useDrawState(): DrawState {
  const [drawing, dispatch] = useReducer(drawingReducer, EMPTY_DRAWING);
  const [tool, setTool] = useState<Tool | null>(null);
  const [color, setColor] = useState(DEFAULT_COLOR);
  const [width, setWidth] = useState(DEFAULT_WIDTH);
  return { drawing, dispatch, tool, setTool, color, setColor, width, setWidth };
}

const TOOLS: { tool: Tool; label: string; key?: string; icon: IconName }[] = [
  { tool: "pen", label: "Pen", key: "P", icon: "pen" },
  { tool: "line", label: "Line", icon: "line" },
  { tool: "arrow", label: "Arrow", key: "A", icon: "arrow" },
  { tool: "rect", label: "Rectangle", key: "B", icon: "rect" },
  { tool: "ellipse", label: "Ellipse", key: "E", icon: "ellipse" },
  { tool: "text", label: "Text", key: "T", icon: "text" },
];

export function DrawToolbar({ draw, frameNumber, canDraw }: { draw: DrawState; frameNumber: number | null; canDraw: boolean }) {
  const { drawing } = draw;
  return (
    <div className="draw-toolbar" role="toolbar" aria-label="Drawing tools">
      {TOOLS.map((t) => (
        <button
          key={t.tool}
          type="button"
          className="icon"
          aria-pressed={draw.tool === t.tool}
          aria-label={t.key ? `${t.label} (${t.key})` : t.label}
          title={t.key ? `${t.label} (${t.key})` : t.label}
          onClick={() => draw.setTool(draw.tool === t.tool ? null : t.tool)}
        >
          <Icon name={t.icon} />
        </button>
      ))}
      <span className="sep" />
      {PALETTE.map((c) => (
        <button
          key={c}
          type="button"
          className="swatch"
          style={{ background: c }}
          aria-pressed={draw.color === c}
          aria-label={`Colour ${c}`}
          title={`Colour ${c}`}
          onClick={() => draw.setColor(c)}
        />
      ))}
      <label className="visually-hidden" htmlFor="draw-color">
        Custom colour
      </label>
      <input id="draw-color" type="color" value={draw.color} onChange={(e) => draw.setColor(e.target.value)} title="Custom colour" />
      <label className="visually-hidden" htmlFor="draw-width">
        Line width
      </label>
      <select id="draw-width" value={draw.width} onChange={(e) => draw.setWidth(Number(e.target.value))} title="Line width">
        {WIDTHS.map((w) => (
          <option key={w.value} value={w.value}>
            {w.label}
          </option>
        ))}
      </select>
      <span className="sep" />
      <button type="button" className="icon" onClick={() => draw.dispatch({ type: "undo" })} disabled={drawing.shapes.length === 0} aria-label="Undo drawing" title="Undo (Ctrl+Z)">
        <Icon name="undo" />
      </button>
      <button type="button" className="icon" onClick={() => draw.dispatch({ type: "redo" })} disabled={drawing.undone.length === 0} aria-label="Redo drawing" title="Redo (Ctrl+Shift+Z)">
        <Icon name="redo" />
      </button>
      <button type="button" className="small ghost" onClick={() => draw.dispatch({ type: "clear" })} disabled={drawing.shapes.length === 0 && drawing.undone.length === 0}>
        Clear
      </button>
      <span className="muted small" role="status" aria-live="polite">
        {drawing.shapes.length > 0
          ? `${drawing.shapes.length} shape${drawing.shapes.length > 1 ? "s" : ""} on frame ${frameNumber ?? "?"}${canDraw ? "" : " — go back there to draw more"}`
          : draw.tool
            ? "Draw on the picture; it will be attached to your comment."
            : ""}
      </span>
    </div>
  );
}

/**
 * The review player for one version: stage with drawings, timeline with comment markers,
 * transport, drawing tools, shortcuts. Keyboard-first; see player/shortcuts.ts.
 */
export function ReviewPlayer({
  media,
  playhead,
  markers,
  annotationsAt,
  draw,
  viewers = [],
  onMarker,
  onFocusComment,
  readOnly = false,
  extraControls,
  headExtra,
}: {
  media: PlayerMedia;
  playhead: Playhead;
  markers: Marker[];
  /** Saved annotations on a frame index. */
  annotationsAt: (index: number) => Shape[];
  draw: DrawState;
  viewers?: Viewer[];
  onMarker?: (marker: Marker) => void;
  onFocusComment?: () => void;
  /** No drawing (e.g. the agency's view). */
  readOnly?: boolean;
  extraControls?: React.ReactNode;
  /** Beside the title: e.g. the version's consent badges. */
  headExtra?: React.ReactNode;
}) {
  const rootRef = useRef<HTMLDivElement>(null);
  const state = usePlayheadState(playhead);
  const [showShortcuts, setShowShortcuts] = useState(false);
  const [showDrawings, setShowDrawings] = useState(true);
  const canDraw = canDrawOn(draw.drawing, state.index);
  const drawingFrame = draw.drawing.frame;
  const draftHere = drawingFrame === state.index ? draw.drawing.shapes : [];
  const saved = showDrawings ? annotationsAt(state.index) : [];

  function selectMarker(marker: Marker) {
    playhead.seek(marker.index);
    onMarker?.(marker);
  }

  usePlayerKeys((action) => {
    if (transportAction(playhead, action, rootRef.current)) return true;
    const tools: Partial<Record<typeof action, Tool | null>> = {
      "tool-pen": "pen",
      "tool-arrow": "arrow",
      "tool-rect": "rect",
      "tool-ellipse": "ellipse",
      "tool-text": "text",
      "tool-none": null,
    };
    if (action in tools) {
      if (readOnly) return false;
      playhead.pause();
      draw.setTool(tools[action] ?? null);
      return true;
    }
    switch (action) {
      case "undo":
        draw.dispatch({ type: "undo" });
        return true;
      case "redo":
        draw.dispatch({ type: "redo" });
        return true;
      case "prev-comment":
      case "next-comment": {
        const target = nearestMarker(
          markers.map((m) => m.index),
          state.index,
          action === "next-comment" ? 1 : -1,
        );
        const marker = markers.find((m) => m.index === target);
        if (marker) selectMarker(marker);
        return true;
      }
      case "toggle-annotations":
        setShowDrawings((v) => !v);
        return true;
      case "focus-comment":
        playhead.pause();
        onFocusComment?.();
        return true;
      case "show-shortcuts":
        setShowShortcuts((v) => !v);
        return true;
      case "escape":
        if (showShortcuts) setShowShortcuts(false);
        else if (draw.tool) draw.setTool(null);
        else return false;
        return true;
      default:
        return false;
    }
  });

  return (
    <div
      ref={rootRef}
      className="player"
      data-testid="player"
      data-frame={indexToFrameNumber(state.index, media.firstFrame)}
      data-index={state.index}
      data-shown-frame={state.shown !== null ? indexToFrameNumber(state.shown, media.firstFrame) : undefined}
      data-playing={state.playing}
      data-ready={state.ready}
      aria-label={`Review player: ${media.label}`}
    >
      <div className="player-head">
        <strong>{media.label}</strong>
        {headExtra}
        {viewers.length > 0 && (
          <span className="viewers" aria-label={`Watching now: ${viewers.map((v) => v.name).join(", ")}`}>
            {viewers.map((v) => (
              <span key={v.user} className="avatar" title={v.name}>
                {initials(v.name)}
              </span>
            ))}
          </span>
        )}
      </div>
      <Stage media={media} playhead={playhead}>
        {(size) => (
          <AnnotationLayer
            width={size.width}
            height={size.height}
            shapes={saved}
            draft={draftHere}
            tool={readOnly || !canDraw ? null : draw.tool}
            color={draw.color}
            strokeWidth={draw.width}
            label={`Drawings on frame ${indexToFrameNumber(state.index, media.firstFrame)}`}
            onAdd={(shape) => {
              playhead.pause();
              draw.dispatch({ type: "add", frame: state.index, shape });
            }}
          />
        )}
      </Stage>
      <Timeline
        frameCount={state.frameCount}
        index={state.index}
        range={state.range}
        markers={markers}
        rate={media.timecodeRate ?? media.rate}
        firstFrame={media.firstFrame}
        sprite={media.sprite ?? null}
        onSeek={(i) => playhead.seek(i)}
        onRange={(inIndex, outIndex) => playhead.setRange({ in: inIndex, out: outIndex })}
        onMarker={selectMarker}
      />
      <Transport
        playhead={playhead}
        media={media}
        onShortcuts={() => setShowShortcuts(true)}
        onFullscreen={() => toggleFullscreen(rootRef.current)}
        extra={
          <>
            {!readOnly && (
              <button type="button" className="small ghost" aria-pressed={!showDrawings} onClick={() => setShowDrawings((v) => !v)} title="Hide drawings (H)">
                {showDrawings ? "Hide drawings" : "Show drawings"}
              </button>
            )}
            {extraControls}
          </>
        }
      />
      {!readOnly && (
        <DrawToolbar draw={draw} frameNumber={drawingFrame !== null ? indexToFrameNumber(drawingFrame, media.firstFrame) : null} canDraw={canDraw} />
      )}
      <ShortcutOverlay open={showShortcuts} onClose={() => setShowShortcuts(false)} />
    </div>
  );
}

export function initials(name: string): string {
  const parts = name.trim().split(/\s+/);
  return ((parts[0]?.[0] ?? "") + (parts.length > 1 ? (parts[parts.length - 1]?.[0] ?? "") : "")).toUpperCase() || "?";
}
