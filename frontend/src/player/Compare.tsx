import { useLayoutEffect, useRef, useState, type PointerEvent as ReactPointerEvent } from "react";

import { indexToFrameNumber } from "../lib/timecode";
import { ShortcutOverlay, Stage, Transport, toggleFullscreen, transportAction, usePlayerKeys, usePlayhead, usePlayheadState, type PlayerMedia } from "./controls";
import type { Playhead } from "./playhead";
import { Timeline, type Marker } from "./Timeline";

export type CompareMode = "side" | "wipe";

/** A second video laid over the stage and linked to the same playhead (the wipe's B side). */
function LinkedVideo({ media, playhead, clip }: { media: PlayerMedia; playhead: Playhead; clip: string }) {
  const ref = useRef<HTMLVideoElement>(null);
  useLayoutEffect(() => {
    if (!ref.current || !media.src) return;
    return playhead.attach(ref.current);
  }, [playhead, media.src]);
  if (!media.src) return null;
  return (
    <video
      ref={ref}
      className="linked"
      src={media.src}
      poster={media.poster ?? undefined}
      playsInline
      preload="auto"
      muted
      aria-label={`Video: ${media.label}`}
      style={{ clipPath: clip }}
    />
  );
}

/**
 * Two versions with linked playheads: side by side, or as a wipe over one picture. Frames are
 * matched by index (frame N of A beside frame N of B); the shorter one holds its last frame.
 */
export function ComparePlayer({ a, b, markers = [] }: { a: PlayerMedia; b: PlayerMedia; markers?: Marker[] }) {
  const [swapped, setSwapped] = useState(false);
  const [mode, setMode] = useState<CompareMode>("side");
  const [wipe, setWipe] = useState(0.5);
  const [showShortcuts, setShowShortcuts] = useState(false);
  const left = swapped ? b : a;
  const right = swapped ? a : b;
  const frameCount = Math.max(a.frameCount, b.frameCount);
  const playhead = usePlayhead({ rate: a.rate, frameCount });
  const state = usePlayheadState(playhead);
  const rootRef = useRef<HTMLDivElement>(null);
  const wipeRef = useRef<HTMLDivElement>(null);
  const dragging = useRef(false);

  usePlayerKeys((action) => {
    if (transportAction(playhead, action, rootRef.current)) return true;
    switch (action) {
      case "compare-flip":
        setSwapped((v) => !v);
        return true;
      case "compare-mode":
        setMode((m) => (m === "side" ? "wipe" : "side"));
        return true;
      case "show-shortcuts":
        setShowShortcuts((v) => !v);
        return true;
      case "escape":
        if (!showShortcuts) return false;
        setShowShortcuts(false);
        return true;
      default:
        return false;
    }
  });

  function moveWipe(e: ReactPointerEvent<HTMLDivElement>) {
    if (!dragging.current || !wipeRef.current) return;
    const r = wipeRef.current.getBoundingClientRect();
    setWipe(Math.min(1, Math.max(0, (e.clientX - r.left) / Math.max(1, r.width))));
  }

  const key = `${swapped}-${mode}`; // re-attach the videos in their new order
  return (
    <div
      ref={rootRef}
      className="player compare"
      data-testid="compare-player"
      data-mode={mode}
      data-frame={indexToFrameNumber(state.index, a.firstFrame)}
      data-ready={state.ready}
      aria-label={`Compare ${a.label} and ${b.label}`}
    >
      <div className="player-head">
        <strong>Compare</strong>
        <span className="muted">
          A {left.label} · B {right.label}
        </span>
        <span className="grow" />
        <div className="segmented" role="group" aria-label="Compare mode">
          <button type="button" className="small" aria-pressed={mode === "side"} onClick={() => setMode("side")}>
            Side by side
          </button>
          <button type="button" className="small" aria-pressed={mode === "wipe"} onClick={() => setMode("wipe")}>
            Wipe
          </button>
        </div>
        <button type="button" className="small" onClick={() => setSwapped((v) => !v)} title="Swap A and B (S)">
          Swap A/B
        </button>
      </div>
      {mode === "side" ? (
        <div className="compare-side" key={key}>
          <div className="compare-pane">
            <span className="compare-tag">A · {left.label}</span>
            <Stage media={left} playhead={playhead} testId="stage-a" />
          </div>
          <div className="compare-pane">
            <span className="compare-tag">B · {right.label}</span>
            <Stage media={right} playhead={playhead} testId="stage-b" lead={false} />
          </div>
        </div>
      ) : (
        <div className="compare-wipe" key={key}>
          <Stage media={left} playhead={playhead} testId="stage-wipe">
            {() => (
              <div
                ref={wipeRef}
                className="wipe-layer"
                onPointerDown={(e) => {
                  dragging.current = true;
                  e.currentTarget.setPointerCapture(e.pointerId);
                  moveWipe(e);
                }}
                onPointerMove={moveWipe}
                onPointerUp={(e) => {
                  dragging.current = false;
                  e.currentTarget.releasePointerCapture(e.pointerId);
                }}
              >
                <LinkedVideo media={right} playhead={playhead} clip={`inset(0 0 0 ${wipe * 100}%)`} />
                <div
                  className="wipe-handle"
                  style={{ left: `${wipe * 100}%` }}
                  role="slider"
                  tabIndex={0}
                  aria-label="Wipe position"
                  aria-valuemin={0}
                  aria-valuemax={100}
                  aria-valuenow={Math.round(wipe * 100)}
                  onKeyDown={(e) => {
                    if (e.key === "ArrowLeft" || e.key === "ArrowRight") {
                      e.preventDefault();
                      e.stopPropagation();
                      setWipe((w) => Math.min(1, Math.max(0, w + (e.key === "ArrowLeft" ? -0.05 : 0.05))));
                    }
                  }}
                />
                <span className="compare-tag left">A · {left.label}</span>
                <span className="compare-tag right">B · {right.label}</span>
              </div>
            )}
          </Stage>
        </div>
      )}
      <Timeline
        frameCount={state.frameCount}
        index={state.index}
        range={state.range}
        markers={markers}
        rate={a.timecodeRate ?? a.rate}
        firstFrame={a.firstFrame}
        onSeek={(i) => playhead.seek(i)}
        onMarker={(m) => playhead.seek(m.index)}
      />
      <Transport playhead={playhead} media={{ ...a, frameCount }} onShortcuts={() => setShowShortcuts(true)} onFullscreen={() => toggleFullscreen(rootRef.current)} />
      <ShortcutOverlay open={showShortcuts} onClose={() => setShowShortcuts(false)} compare />
    </div>
  );
}
