/**
 * One playlist item in the review player, and its part in a review session: as the presenter its
 * playhead, play state, speed and drawing go to the room; as a follower it follows the room's
 * (lib/playlist.ts `followPlan`); alone it just plays, and says when it reached its end (auto-advance).
 */
import { useEffect, useMemo, useRef } from "react";

import type { Project, Version } from "../../api/types";
import { ErrorMessage, Loading } from "../../components/feedback";
import { personName } from "../../components/format";
import { validShapes, type Shape } from "../../lib/annotations";
import { followPlan } from "../../lib/playlist";
import { indexToFrameNumber } from "../../lib/timecode";
import { usePlayhead, usePlayheadState } from "../../player/controls";
import type { Playhead } from "../../player/playhead";
import { ReviewPlayer, useDrawState, type DrawState } from "../../player/ReviewPlayer";
import type { Marker } from "../../player/Timeline";
import type { ReviewRoom, RoomSnapshot } from "../../realtime/ReviewRoom";
import { useComments, useReviewCopyReady, useVersion } from "../../queries";
import { Composer, versionMedia } from "../Review";

export type SessionRole = "solo" | "presenter" | "follower";

interface Props {
  project: Project;
  versionId: string;
  role: SessionRole;
  room: ReviewRoom;
  snapshot: RoomSnapshot;
  autoPlay: boolean;
  onEnded: () => void;
  onShown: (version: Version) => void;
  controls?: React.ReactNode;
}

export function ItemPlayer(props: Props) {
  const version = useVersion(props.versionId);
  if (version.isPending) return <Loading />;
  if (version.error) return <ErrorMessage error={version.error} title="This version cannot be played" />;
  return <LoadedItemPlayer {...props} version={version.data} />;
}

function LoadedItemPlayer({ project, version, role, room, snapshot, autoPlay, onEnded, onShown, controls }: Props & { version: Version }) {
  const media = versionMedia(version, project);
  const playhead = usePlayhead(media);
  const state = usePlayheadState(playhead);
  const copy = useReviewCopyReady(media.src);
  const draw = useDrawState();
  const comments = useComments(version.id);
  const composerRef = useRef<HTMLTextAreaElement>(null);

  useEffect(() => onShown(version), [onShown, version]);
  usePresenting(role === "presenter", room, playhead, version);
  usePresenterDrawing(role === "presenter", room, draw, version);
  useFollowing(role === "follower", snapshot, playhead, version, state.ready);
  useAutoPlay(autoPlay && role !== "follower", playhead, state.ready);
  useEndOfItem(role !== "follower", state, onEnded);

  const roots = useMemo(() => (comments.data ?? []).filter((c) => !c.deleted), [comments.data]);
  const markers: Marker[] = roots.map((c) => ({
    id: c.id,
    index: c.frame - version.first_frame,
    endIndex: c.frame_end !== null ? c.frame_end - version.first_frame : null,
    label: `${personName(c.author)}: ${c.body || "(drawing)"}`,
    tone: c.resolved ? "resolved" : "comment",
    hasDrawing: c.annotations.length > 0,
  }));
  const byFrame = useMemo(() => {
    const map = new Map<number, Shape[]>();
    for (const c of roots) {
      for (const a of c.annotations) {
        const index = (a.frame ?? c.frame) - version.first_frame;
        map.set(index, [...(map.get(index) ?? []), ...validShapes(a.shapes)]);
      }
    }
    return map;
  }, [roots, version.first_frame]);
  // The presenter's live drawing, shown to the others on its frame.
  const live = snapshot.state?.drawing;
  const liveIndex = role === "follower" && live && live.version === version.id ? live.frame - version.first_frame : null;
  const liveShapes = liveIndex !== null && live ? validShapes(live.shapes) : [];

  return (
    <div className="stack" style={{ gap: 8 }} data-testid="item-player" data-version={version.id} data-label={`${version.shot.code} ${version.label}`}>
      {copy.preparing && (
        <p className="muted" role="status">
          Your personal, watermarked review copy of this version is being prepared; it plays in a few moments.
        </p>
      )}
      <ReviewPlayer
        key={copy.ready ? "ready" : "preparing"}
        media={media}
        playhead={playhead}
        markers={markers}
        annotationsAt={(i) => [...(byFrame.get(i) ?? []), ...(i === liveIndex ? liveShapes : [])]}
        draw={draw}
        readOnly={role === "follower"}
        onFocusComment={() => composerRef.current?.focus()}
        extraControls={controls}
      />
      {liveShapes.length > 0 && (
        <span className="visually-hidden" data-testid="live-drawing" data-frame={live?.frame}>
          The presenter is drawing on frame {live?.frame}
        </span>
      )}
      <section className="panel panel-body" aria-label="Note on this version">
        <Composer project={project} version={version} media={media} playhead={playhead} draw={draw} textareaRef={composerRef} />
      </section>
    </div>
  );
}

/** The presenter sends the version on showing it, then play/pause, speed and (paused) every seek. */
function usePresenting(active: boolean, room: ReviewRoom, playhead: Playhead, version: Version) {
  useEffect(() => {
    if (!active) return;
    let last: { index: number; playing: boolean; speed: number } | null = null;
    let timer: number | null = null;
    const speedOf = () => {
      const s = playhead.getSnapshot();
      return s.playing ? s.speed * (s.shuttle.rate || 1) * (s.direction || 1) : s.speed;
    };
    const push = () => {
      timer = null;
      const s = playhead.getSnapshot();
      const frame = indexToFrameNumber(s.index, version.first_frame);
      const speed = speedOf();
      if (last === null) room.update({ version: version.id, frame, playing: s.playing, speed });
      else if (last.playing !== s.playing || last.speed !== speed) room.update({ frame, playing: s.playing, speed });
      else if (!s.playing && last.index !== s.index) room.update({ frame });
      else return;
      last = { index: s.index, playing: s.playing, speed };
    };
    push();
    // Coalesce a burst of seeks (scrubbing) into one message per 60 ms.
    const unsubscribe = playhead.subscribe(() => {
      if (timer === null) timer = window.setTimeout(push, 60);
    });
    return () => {
      unsubscribe();
      if (timer !== null) window.clearTimeout(timer);
    };
  }, [active, room, playhead, version.id, version.first_frame]);
}

function usePresenterDrawing(active: boolean, room: ReviewRoom, draw: DrawState, version: Version) {
  const { shapes, frame } = draw.drawing;
  const sent = useRef(false);
  useEffect(() => {
    if (!active) return;
    if (shapes.length === 0 && !sent.current) return;
    sent.current = shapes.length > 0;
    room.draw(indexToFrameNumber(frame ?? 0, version.first_frame), shapes);
  }, [active, room, shapes, frame, version.first_frame]);
}

function useFollowing(active: boolean, snapshot: RoomSnapshot, playhead: Playhead, version: Version, ready: boolean) {
  const { state, offset } = snapshot;
  useEffect(() => {
    if (!active || !state || state.version !== version.id) return;
    const apply = () => {
      const s = playhead.getSnapshot();
      const plan = followPlan(state, version.first_frame, { index: s.index, playing: s.playing }, Date.now() + offset);
      if (!plan) return;
      const speed = Math.abs(state.speed);
      if (s.speed !== speed && speed >= 0.25 && speed <= 2) playhead.setSpeed(speed);
      if (plan.seek || (!plan.playing && s.playing)) playhead.seek(plan.index);
      if (plan.playing && !playhead.getSnapshot().playing) playhead.play();
    };
    apply();
    if (!state.playing) return;
    const timer = window.setInterval(apply, 1000); // drift correction while playing
    return () => window.clearInterval(timer);
  }, [active, state, offset, playhead, version.id, version.first_frame, ready]);
}

function useAutoPlay(active: boolean, playhead: Playhead, ready: boolean) {
  const started = useRef(false);
  useEffect(() => {
    if (active && ready && !started.current) {
      started.current = true;
      playhead.play();
    }
  }, [active, ready, playhead]);
}

/** Calls `onEnded` when playback stops on the last frame (not when paused elsewhere). */
function useEndOfItem(active: boolean, state: { playing: boolean; index: number; frameCount: number }, onEnded: () => void) {
  const wasPlaying = useRef(false);
  useEffect(() => {
    const ended = wasPlaying.current && !state.playing && state.frameCount > 0 && state.index >= state.frameCount - 1;
    wasPlaying.current = state.playing;
    if (active && ended) onEnded();
  }, [active, state.playing, state.index, state.frameCount, onEnded]);
}
