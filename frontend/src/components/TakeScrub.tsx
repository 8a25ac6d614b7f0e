/**
 * A take card's poster with hover scrub: moving the pointer across it shows the frame under it (the
 * native clip, loaded on first hover and seeked to that frame; frame N of M in the corner). A click
 * plays the take. Versions scrub their sprite sheets instead (components/Thumb.tsx); both map the
 * pointer to a frame with lib/scrub.ts.
 */
import { useEffect, useRef, useState } from "react";

import type { Take } from "../api/types";
import { fpsValue, frameTime, pointerFraction, scrubIndex } from "../lib/scrub";

export function TakeScrubPoster({ take, label, onPlay }: { take: Take; label: string; onPlay: () => void }) {
  const [hover, setHover] = useState<number | null>(null);
  const [ready, setReady] = useState(false);
  const [shown, setShown] = useState(false);
  const video = useRef<HTMLVideoElement>(null);
  const frames = take.native.frames;
  const fps = fpsValue(take.native.fps);
  const frame = hover === null ? null : scrubIndex(hover, frames);
  useEffect(() => {
    const v = video.current;
    if (v && ready && frame !== null) v.currentTime = frameTime(frame, fps);
  }, [frame, ready, fps]);
  const leave = () => {
    setHover(null);
    setReady(false);
    setShown(false);
  };
  return (
    <button
      type="button"
      className="take-poster"
      onClick={onPlay}
      onPointerMove={(e) => {
        const r = e.currentTarget.getBoundingClientRect();
        setHover(pointerFraction(e.clientX, r.left, r.width));
      }}
      onPointerLeave={leave}
      aria-label={`Play the take, ${label}`}
      data-testid="take-scrub"
      data-frame={frame ?? undefined}
      style={{ padding: 0, width: "100%", height: "100%", border: 0, position: "relative" }}
    >
      {take.poster_url && <img src={take.poster_url} alt="" style={{ width: "100%", height: "100%", objectFit: "contain", imageRendering: "pixelated" }} />}
      {hover !== null && (
        <video
          ref={video}
          src={take.media_url}
          muted
          playsInline
          preload="auto"
          aria-hidden
          onLoadedMetadata={() => setReady(true)}
          onSeeked={() => setShown(true)}
          style={{ position: "absolute", inset: 0, width: "100%", height: "100%", objectFit: "contain", pointerEvents: "none", opacity: shown ? 1 : 0 }}
        />
      )}
      {frame !== null && (
        <span className="small mono" style={{ position: "absolute", right: 4, bottom: 4, background: "rgba(0,0,0,.6)", color: "#fff", padding: "0 4px", borderRadius: 3 }}>
          {frame + 1}/{frames}
        </span>
      )}
    </button>
  );
}
