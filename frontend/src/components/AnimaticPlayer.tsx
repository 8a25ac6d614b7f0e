import { useEffect, useRef } from "react";

import type { Animatic } from "../api/types";
import { frameToTimecode, type FrameRate } from "../lib/timecode";
import { usePlayhead, usePlayheadState, type PlayerMedia } from "../player/controls";
import { ReviewPlayer, useDrawState } from "../player/ReviewPlayer";
import type { Marker } from "../player/Timeline";
import { useAnimatic, useRequestAnimatic } from "../queries";
import { ErrorMessage } from "./feedback";

/**
 * A storyboard's animatic: built on the media queue, then played in the review player — frame
 * accurate at the project's rate, a marker per panel on the timeline and the panel under the
 * playhead named below it.
 */
export function AnimaticPlayer({ sequenceId, rate, size }: { sequenceId: string; rate: FrameRate; size?: { width: number; height: number } }) {
  const state = useAnimatic(sequenceId);
  const build = useRequestAnimatic(sequenceId);
  const animatic = state.data?.animatic ?? null;
  const latest = state.data?.latest ?? null;
  const shown = animatic?.status === "ready" ? animatic : null;
  const building = animatic?.status === "building";
  return (
    <section className="panel board-animatic" aria-label="Animatic">
      <div className="panel-header">
        <h2>Animatic</h2>
        <span className="grow" />
        {shown && (
          <>
            <a className="button small" href={`${shown.media}?download=1`} download>Download MP4</a>
            <a className="button small" href={shown.otio ?? undefined} download>Export OTIO</a>
          </>
        )}
        <button type="button" className="primary small" onClick={() => build.mutate()} disabled={build.isPending || building} data-testid="play-animatic">
          {building ? "Building animatic…" : shown ? "Play animatic" : latest ? "Rebuild animatic" : "Play animatic"}
        </button>
      </div>
      <div className="panel-body stack">
        <ErrorMessage error={build.error ?? state.error} title="The animatic could not be built" />
        {animatic?.status === "failed" && <p className="field-error">The animatic failed: {animatic.failure_reason}</p>}
        {!shown && latest && !building && <p className="muted small">The board changed since the last animatic; play it to build the new one.</p>}
        {shown ? (
          <AnimaticReview key={shown.id} animatic={shown} rate={rate} size={size} />
        ) : (
          !building && <p className="muted small">Plays the board at the project&apos;s rate, each panel held for its duration, with its number and notes burnt in.</p>
        )}
      </div>
    </section>
  );
}

interface BuiltPanel {
  number: number;
  frames: number;
  start: number;
}

function AnimaticReview({ animatic, rate, size }: { animatic: Animatic; rate: FrameRate; size?: { width: number; height: number } }) {
  const panels = (animatic.panels as unknown as BuiltPanel[]).map((p) => ({ number: Number(p.number), frames: Number(p.frames), start: Number(p.start) }));
  const media: PlayerMedia = {
    id: animatic.id,
    label: `Animatic · ${panels.length} panels`,
    src: animatic.media,
    width: size?.width ?? 0,
    height: size?.height ?? 0,
    frameCount: animatic.frame_count ?? 0,
    rate,
    timecodeRate: rate,
    firstFrame: 0,
  };
  const playhead = usePlayhead(media);
  const draw = useDrawState();
  const index = usePlayheadState(playhead).index;
  const box = useRef<HTMLDivElement>(null);
  const markers: Marker[] = panels.map((p) => ({ id: `panel-${p.number}`, index: p.start, label: `Panel ${p.number}` }));
  const at = panels.find((p) => index >= p.start && index < p.start + p.frames);
  useEffect(() => {
    // The review player's <video> is the animatic's: named for assistive technology and tests.
    box.current?.querySelector("video")?.setAttribute("data-testid", "animatic-video");
  });
  return (
    <div ref={box} className="stack" data-testid="animatic-player">
      <ReviewPlayer media={media} playhead={playhead} markers={markers} annotationsAt={() => []} draw={draw} readOnly />
      <div className="row small mono" data-testid="animatic-timecode">
        {frameToTimecode(index, rate)} · frame {index} of {animatic.frame_count}
        {at && <span data-testid="animatic-panel">&nbsp;· panel {at.number}</span>}
      </div>
    </div>
  );
}
