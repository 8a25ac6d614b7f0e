import { useRef, useState, type PointerEvent as ReactPointerEvent } from "react";

import { Icon } from "../components/Icon";
import { useElementSize } from "../components/useSize";
import { indexToFrameNumber, indexToTimecode, type FrameRate } from "../lib/timecode";
import type { InOut } from "../lib/transport";

export interface Marker {
  id: string;
  /** Frame index (0-based in the media). */
  index: number;
  /** Last frame index of a range comment. */
  endIndex?: number | null;
  label: string;
  tone?: "comment" | "resolved" | "selected";
  hasDrawing?: boolean;
}

export interface Sprite {
  url: string;
  columns: number;
  tileWidth: number;
  tileHeight: number;
  /** Frame index of each tile. */
  frames: number[];
}

/** The in/out range of a drag from `from` to `to`, whichever way it went. */
export function dragRange(from: number, to: number): [number, number] {
  return from <= to ? [from, to] : [to, from];
}

/** Index of the sprite tile to show for a frame: the last tile at or before it. */
export function spriteTileFor(frames: number[], index: number): number {
  let best = 0;
  for (let i = 0; i < frames.length; i++) {
    if ((frames[i] as number) <= index) best = i;
    else break;
  }
  return best;
}

export function Timeline({
  frameCount,
  index,
  range,
  markers,
  rate,
  firstFrame,
  sprite,
  onSeek,
  onRange,
  onMarker,
}: {
  frameCount: number;
  index: number;
  range: InOut;
  markers: Marker[];
  rate: FrameRate;
  firstFrame: number;
  sprite?: Sprite | null;
  onSeek: (index: number) => void;
  /** Shift+drag on the track marks an in/out range (from where the drag started to where it is). */
  onRange?: (inIndex: number, outIndex: number) => void;
  onMarker: (marker: Marker) => void;
}) {
  const trackRef = useRef<HTMLDivElement>(null);
  const { width } = useElementSize(trackRef);
  const [hover, setHover] = useState<{ index: number; x: number } | null>(null);
  const [scrubbing, setScrubbing] = useState(false);
  const [rangeFrom, setRangeFrom] = useState<number | null>(null);
  const count = Math.max(1, frameCount);
  const pct = (i: number) => `${((i + 0.5) / count) * 100}%`;
  const lastIndex = count - 1;

  function indexAt(clientX: number): { index: number; x: number } {
    const r = trackRef.current!.getBoundingClientRect();
    const x = Math.min(r.width, Math.max(0, clientX - r.left));
    return { index: Math.min(lastIndex, Math.max(0, Math.floor((x / Math.max(1, r.width)) * count))), x };
  }

  function down(e: ReactPointerEvent<HTMLDivElement>) {
    if (e.button !== 0) return;
    trackRef.current?.setPointerCapture(e.pointerId);
    const at = indexAt(e.clientX).index;
    if (e.shiftKey && onRange) {
      setRangeFrom(at);
      onRange(at, at);
    } else {
      setScrubbing(true);
    }
    onSeek(at);
  }
  function move(e: ReactPointerEvent<HTMLDivElement>) {
    const at = indexAt(e.clientX);
    setHover(at);
    if (rangeFrom !== null && onRange) onRange(...dragRange(rangeFrom, at.index));
    if ((scrubbing || rangeFrom !== null) && at.index !== index) onSeek(at.index);
  }
  function up(e: ReactPointerEvent<HTMLDivElement>) {
    trackRef.current?.releasePointerCapture(e.pointerId);
    setScrubbing(false);
    setRangeFrom(null);
  }

  const frameNumber = indexToFrameNumber(index, firstFrame);
  const inPct = range.in !== null ? (range.in / count) * 100 : 0;
  const outPct = range.out !== null ? ((range.out + 1) / count) * 100 : 100;
  const tile = hover && sprite && sprite.frames.length > 0 ? spriteTileFor(sprite.frames, hover.index) : null;

  // Frame ticks: every frame when they are wide enough, otherwise every second / ten seconds.
  const perSecond = Math.max(1, Math.round(rate.num / rate.den));
  const pxPerFrame = width / count;
  const tickEvery = width === 0 ? perSecond : pxPerFrame >= 6 ? 1 : pxPerFrame * perSecond >= 6 ? perSecond : perSecond * 10;
  const majorEvery = tickEvery === 1 ? perSecond : tickEvery * 10;
  const ticks: number[] = [];
  for (let i = 0; i < count; i += tickEvery) ticks.push(i);

  return (
    <div className="timeline">
      <div className="timeline-markers" aria-label="Comments on the timeline">
        {markers.map((m) => (
          <button
            key={m.id}
            type="button"
            className="marker"
            data-tone={m.tone ?? "comment"}
            data-testid="timeline-marker"
            data-frame={indexToFrameNumber(m.index, firstFrame)}
            style={{
              left: `${(m.index / count) * 100}%`,
              width: m.endIndex != null && m.endIndex > m.index ? `${((m.endIndex - m.index + 1) / count) * 100}%` : undefined,
            }}
            title={m.label}
            aria-label={`Go to frame ${indexToFrameNumber(m.index, firstFrame)}: ${m.label}`}
            onClick={() => onMarker(m)}
          >
            {m.hasDrawing ? <Icon name="pen" size={9} /> : null}
          </button>
        ))}
      </div>
      <div
        ref={trackRef}
        className="timeline-track"
        role="slider"
        tabIndex={0}
        aria-label="Timeline"
        title={onRange ? "Click or drag to move the playhead; Shift+drag to mark an in/out range" : undefined}
        aria-valuemin={firstFrame}
        aria-valuemax={firstFrame + lastIndex}
        aria-valuenow={frameNumber}
        aria-valuetext={`Frame ${frameNumber}, ${indexToTimecode(index, rate, firstFrame)}`}
        data-testid="timeline"
        onPointerDown={down}
        onPointerMove={move}
        onPointerUp={up}
        onPointerLeave={() => setHover(null)}
      >
        {ticks.map((t) => (
          <span key={t} className="tick" data-major={t % majorEvery === 0 || undefined} style={{ left: `${(t / count) * 100}%` }} />
        ))}
        {(range.in !== null || range.out !== null) && (
          <span className="range" data-testid="timeline-range" style={{ left: `${inPct}%`, width: `${Math.max(0, outPct - inPct)}%` }} />
        )}
        <span className="playhead" style={{ left: pct(index) }} />
        {hover && (
          <span className="hover-tip" style={{ left: hover.x }}>
            {sprite && tile !== null && (
              <span
                className="sprite"
                style={{
                  width: sprite.tileWidth,
                  height: sprite.tileHeight,
                  backgroundImage: `url(${sprite.url})`,
                  backgroundPosition: `-${(tile % sprite.columns) * sprite.tileWidth}px -${Math.floor(tile / sprite.columns) * sprite.tileHeight}px`,
                }}
              />
            )}
            <span className="mono">
              {indexToFrameNumber(hover.index, firstFrame)} · {indexToTimecode(hover.index, rate, firstFrame)}
            </span>
          </span>
        )}
      </div>
    </div>
  );
}
