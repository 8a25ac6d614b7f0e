import { useEffect, useLayoutEffect, useRef, useState, useSyncExternalStore, type ReactNode, type RefObject } from "react";

import { containRect } from "../lib/annotations";
import { formatFps, indexToFrameNumber, indexToTimecode, parseFrameInput, type FrameRate } from "../lib/timecode";
import { SPEEDS, nextSpeed } from "../lib/transport";
import { Icon } from "../components/Icon";
import { useElementSize } from "../components/useSize";
import { Playhead, type PlayheadState } from "./playhead";
import { SHORTCUTS, actionFor, isTyping, type PlayerAction } from "./shortcuts";
import type { Sprite } from "./Timeline";

/** What the player needs to know about one version's media. */
export interface PlayerMedia {
  id: string;
  /** e.g. "MR_010_0040 v003" */
  label: string;
  /** The review proxy; null while it is being made. */
  src: string | null;
  poster?: string | null;
  /** Picture size: the stage keeps this aspect before the video loads (no layout shift). */
  width: number;
  height: number;
  frameCount: number;
  /** The media's own frame rate: what seeking uses to land inside each frame. */
  rate: FrameRate;
  /**
   * The rate timecode is shown in: the project's. A 16 fps render in a 24 fps project is conformed
   * frame for frame, so frame N keeps its number and reads as the project's timecode.
   */
  timecodeRate?: FrameRate;
  /** Frame number of the media's first frame (e.g. 1001). */
  firstFrame: number;
  sprite?: Sprite | null;
  /** Why there is no playable media (processing, failed). */
  unavailable?: string | null;
}

/** One playhead per player, kept for the component's life; media changes update it. */
export function usePlayhead(media: Pick<PlayerMedia, "rate" | "frameCount">, initialIndex = 0): Playhead {
  const [playhead] = useState(() => new Playhead({ rate: media.rate, frameCount: media.frameCount, index: initialIndex }));
  const { num, den } = media.rate;
  useEffect(() => {
    playhead.setMedia({ rate: { num, den }, frameCount: media.frameCount });
  }, [playhead, num, den, media.frameCount]);
  useEffect(() => () => playhead.destroy(), [playhead]);
  return playhead;
}

export function usePlayheadState(playhead: Playhead): PlayheadState {
  return useSyncExternalStore(playhead.subscribe, playhead.getSnapshot);
}

/**
 * The picture area: a box of the media's aspect ratio fitted into the space available, so nothing
 * moves when the video loads. Children (annotation layer, wipe handle) are laid over the picture.
 */
export function Stage({
  media,
  playhead,
  children,
  className,
  clip,
  testId = "stage",
  videoRef: externalRef,
  lead = true,
}: {
  media: PlayerMedia;
  playhead: Playhead;
  children?: (size: { width: number; height: number }) => ReactNode;
  className?: string;
  /** CSS clip-path for the video (wipe). */
  clip?: string;
  testId?: string;
  videoRef?: RefObject<HTMLVideoElement | null>;
  /** This stage's video drives the clock (the other side of a compare does not). */
  lead?: boolean;
}) {
  const boxRef = useRef<HTMLDivElement>(null);
  const ownRef = useRef<HTMLVideoElement>(null);
  const videoRef = externalRef ?? ownRef;
  const box = useElementSize(boxRef);
  // The picture's size comes from the API; when it does not say, from the video once it loads.
  const [natural, setNatural] = useState<{ width: number; height: number } | null>(null);
  const width = media.width || natural?.width || 16;
  const height = media.height || natural?.height || 9;
  const picture = containRect(box, { width, height });
  const state = usePlayheadState(playhead);

  useLayoutEffect(() => {
    const video = videoRef.current;
    if (!video || !media.src) return;
    return playhead.attach(video, { lead });
  }, [playhead, media.src, videoRef, lead]);

  return (
    <div ref={boxRef} className={`stage-box ${className ?? ""}`}>
      <div
        className="stage"
        data-testid={testId}
        style={{ left: picture.x, top: picture.y, width: picture.width, height: picture.height }}
      >
        {media.src ? (
          <video
            ref={videoRef}
            src={media.src}
            poster={media.poster ?? undefined}
            playsInline
            preload="auto"
            muted
            aria-label={`Video: ${media.label}`}
            style={clip ? { clipPath: clip } : undefined}
            onLoadedMetadata={(e) => {
              const v = e.currentTarget;
              if (!media.width || !media.height) setNatural({ width: v.videoWidth, height: v.videoHeight });
            }}
          />
        ) : (
          media.poster && <img src={media.poster} alt="" aria-hidden="true" />
        )}
        {children?.({ width: picture.width, height: picture.height })}
        {media.unavailable && <div className="stage-status">{media.unavailable}</div>}
        {!media.unavailable && media.src && !state.ready && !state.error && <div className="stage-status subtle">Loading…</div>}
        {state.error && (
          <div className="stage-status error" role="alert">
            {state.error}
          </div>
        )}
      </div>
    </div>
  );
}

/** Frame number and timecode of the playhead; type a frame, a timecode or ±N to jump. */
export function FrameCounter({ playhead, media }: { playhead: Playhead; media: PlayerMedia }) {
  const state = usePlayheadState(playhead);
  const [editing, setEditing] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const frame = indexToFrameNumber(state.index, media.firstFrame);
  const last = indexToFrameNumber(Math.max(0, state.frameCount - 1), media.firstFrame);
  function go() {
    if (editing === null) return;
    try {
      const index = parseFrameInput(editing, { rate: media.timecodeRate ?? media.rate, startFrame: media.firstFrame, currentIndex: state.index });
      if (index < 0 || index >= state.frameCount) {
        setProblem(`Frames run from ${media.firstFrame} to ${last}.`);
        return;
      }
      playhead.seek(index);
      setEditing(null);
      setProblem(null);
    } catch (e) {
      setProblem(e instanceof Error ? e.message : String(e));
    }
  }
  return (
    <div className="frame-counter" data-testid="frame-counter">
      <label className="visually-hidden" htmlFor={`goto-${media.id}`}>
        Go to frame or timecode
      </label>
      <input
        id={`goto-${media.id}`}
        className="mono frame-input"
        data-testid="frame-number"
        value={editing ?? String(frame)}
        size={7}
        aria-invalid={problem ? true : undefined}
        aria-describedby={problem ? `goto-${media.id}-problem` : undefined}
        onFocus={(e) => {
          playhead.pause();
          setEditing(String(frame));
          e.target.select();
        }}
        onChange={(e) => setEditing(e.target.value)}
        onBlur={() => {
          setEditing(null);
          setProblem(null);
        }}
        onKeyDown={(e) => {
          if (e.key === "Enter") {
            go();
            (e.target as HTMLInputElement).blur();
          }
          if (e.key === "Escape") (e.target as HTMLInputElement).blur();
        }}
      />
      <span className="mono timecode" data-testid="timecode" title={`SMPTE timecode (non-drop) at the project's ${formatFps(media.timecodeRate ?? media.rate)} fps`}>
        {indexToTimecode(state.index, media.timecodeRate ?? media.rate, media.firstFrame)}
      </span>
      <span className="mono muted small">
        {state.index + 1}/{state.frameCount} · {formatFps(media.rate)} fps
        {media.timecodeRate && formatFps(media.timecodeRate) !== formatFps(media.rate) ? ` media, TC at ${formatFps(media.timecodeRate)}` : ""}
      </span>
      {problem && (
        <span className="field-error small" id={`goto-${media.id}-problem`} role="alert">
          {problem}
        </span>
      )}
    </div>
  );
}

/** Play, step, range, loop, speed, mute, full screen. */
export function Transport({
  playhead,
  media,
  onShortcuts,
  onFullscreen,
  extra,
}: {
  playhead: Playhead;
  media: PlayerMedia;
  onShortcuts: () => void;
  onFullscreen: () => void;
  extra?: ReactNode;
}) {
  const s = usePlayheadState(playhead);
  const disabled = !media.src || s.frameCount <= 0;
  const rangeText =
    s.range.in !== null || s.range.out !== null
      ? `${s.range.in !== null ? indexToFrameNumber(s.range.in, media.firstFrame) : "start"}–${
          s.range.out !== null ? indexToFrameNumber(s.range.out, media.firstFrame) : "end"
        }`
      : null;
  return (
    <div className="transport" role="toolbar" aria-label="Playback">
      <div className="row tight">
        <button type="button" className="icon ghost" onClick={() => playhead.goToEdge("start")} disabled={disabled} aria-label="First frame" title="First frame (Home)">
          <Icon name="first" />
        </button>
        <button type="button" className="icon ghost" onClick={() => playhead.step(-1)} disabled={disabled} aria-label="Back one frame" title="Back one frame (←)">
          <Icon name="step-back" />
        </button>
        <button
          type="button"
          className="icon play"
          onClick={() => playhead.toggle()}
          disabled={disabled}
          aria-label={s.playing ? "Pause" : "Play"}
          title="Play / pause (Space)"
          data-testid="play-toggle"
        >
          <Icon name={s.playing ? "pause" : "play"} />
        </button>
        <button type="button" className="icon ghost" onClick={() => playhead.step(1)} disabled={disabled} aria-label="Forward one frame" title="Forward one frame (→)">
          <Icon name="step-forward" />
        </button>
        <button type="button" className="icon ghost" onClick={() => playhead.goToEdge("end")} disabled={disabled} aria-label="Last frame" title="Last frame (End)">
          <Icon name="last" />
        </button>
        {s.playing && s.shuttle.rate > 1 && <span className="chip plain">{s.direction < 0 ? "reverse" : "forward"} ×{s.shuttle.rate}</span>}
        {s.playing && s.direction < 0 && s.shuttle.rate === 1 && <span className="chip plain">reverse</span>}
      </div>
      <FrameCounter playhead={playhead} media={media} />
      <div className="row tight">
        <button type="button" className="small ghost" onClick={() => playhead.markIn()} disabled={disabled} title="Set in point (I)">
          In
        </button>
        <button type="button" className="small ghost" onClick={() => playhead.markOut()} disabled={disabled} title="Set out point (O)">
          Out
        </button>
        {rangeText && (
          <span className="chip plain mono" data-testid="range">
            {rangeText}
            <button type="button" className="chip-x" onClick={() => playhead.clearRange()} aria-label="Clear in and out points" title="Clear (X)">
              ×
            </button>
          </span>
        )}
        <button type="button" className="small ghost" aria-pressed={s.loop} onClick={() => playhead.setLoop(!s.loop)} title="Loop (R)">
          Loop
        </button>
        <label className="visually-hidden" htmlFor={`speed-${media.id}`}>
          Speed
        </label>
        <select id={`speed-${media.id}`} className="speed" value={s.speed} onChange={(e) => playhead.setSpeed(Number(e.target.value))} title="Speed (− / +)">
          {SPEEDS.map((v) => (
            <option key={v} value={v}>
              ×{v}
            </option>
          ))}
        </select>
        <button type="button" className="icon ghost" aria-pressed={!s.muted} onClick={() => playhead.setMuted(!s.muted)} aria-label={s.muted ? "Unmute" : "Mute"} title="Mute (M)">
          <Icon name={s.muted ? "muted" : "volume"} />
        </button>
        {extra}
        <button type="button" className="icon ghost" onClick={onFullscreen} aria-label="Full screen" title="Full screen (F)">
          <Icon name="fullscreen" />
        </button>
        <button type="button" className="icon ghost" onClick={onShortcuts} aria-label="Keyboard shortcuts" title="Keyboard shortcuts (?)">
          <Icon name="keyboard" />
        </button>
      </div>
    </div>
  );
}

/** Routes key presses to player actions while the player is on screen. */
export function usePlayerKeys(handle: (action: PlayerAction, event: KeyboardEvent) => boolean) {
  const handler = useRef(handle);
  useEffect(() => {
    handler.current = handle;
  });
  useEffect(() => {
    function onKey(e: KeyboardEvent) {
      if (e.defaultPrevented) return;
      if (isTyping(e.target) && e.key !== "Escape") return;
      // Space and Enter on a focused button press that button, as everywhere else.
      if ((e.key === " " || e.key === "Enter") && e.target instanceof HTMLElement && e.target.closest("button, a")) return;
      if (document.querySelector("dialog[open]:not(.shortcuts)") && e.key !== "Escape") return;
      const action = actionFor(e);
      if (action && handler.current(action, e)) e.preventDefault();
    }
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);
}

/** The transport actions every player shares. Returns true when the action was handled. */
export function transportAction(playhead: Playhead, action: PlayerAction, fullscreenTarget: HTMLElement | null): boolean {
  const s = playhead.getSnapshot();
  switch (action) {
    case "toggle-play":
      playhead.toggle();
      return true;
    case "step-back":
      playhead.step(-1);
      return true;
    case "step-forward":
      playhead.step(1);
      return true;
    case "step-back-10":
      playhead.step(-10);
      return true;
    case "step-forward-10":
      playhead.step(10);
      return true;
    case "shuttle-j":
      playhead.jkl("j");
      return true;
    case "shuttle-k":
      playhead.jkl("k");
      return true;
    case "shuttle-l":
      playhead.jkl("l");
      return true;
    case "go-start":
      playhead.goToEdge("start");
      return true;
    case "go-end":
      playhead.goToEdge("end");
      return true;
    case "mark-in":
      playhead.markIn();
      return true;
    case "mark-out":
      playhead.markOut();
      return true;
    case "clear-range":
      playhead.clearRange();
      return true;
    case "toggle-loop":
      playhead.setLoop(!s.loop);
      return true;
    case "speed-down":
      playhead.setSpeed(nextSpeed(s.speed, -1));
      return true;
    case "speed-up":
      playhead.setSpeed(nextSpeed(s.speed, 1));
      return true;
    case "toggle-mute":
      playhead.setMuted(!s.muted);
      return true;
    case "toggle-fullscreen":
      toggleFullscreen(fullscreenTarget);
      return true;
    default:
      return false;
  }
}

export function toggleFullscreen(target: HTMLElement | null) {
  if (document.fullscreenElement) void document.exitFullscreen();
  else void target?.requestFullscreen?.().catch(() => undefined);
}

/** The keyboard shortcut overlay. */
export function ShortcutOverlay({ open, onClose, compare = false }: { open: boolean; onClose: () => void; compare?: boolean }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  const groups = ["Playback", "Range", "Comments & drawing", "View"] as const;
  return (
    <dialog ref={ref} className="modal shortcuts" aria-labelledby="shortcuts-title" onClose={onClose} onClick={(e) => e.target === ref.current && onClose()}>
      <div className="modal-body">
        <div className="row">
          <h2 id="shortcuts-title">Keyboard shortcuts</h2>
          <span className="grow" />
          <button type="button" className="small" onClick={onClose}>
            Close
          </button>
        </div>
        <div className="shortcut-grid">
          {groups.map((g) => (
            <section key={g}>
              <h3>{g}</h3>
              <dl>
                {SHORTCUTS.filter((s) => s.group === g && (compare || !s.action.startsWith("compare"))).map((s) => (
                  <div key={s.action} className="shortcut">
                    <dt>
                      {s.keys.map((k) => (
                        <kbd key={k}>{k}</kbd>
                      ))}
                    </dt>
                    <dd>{s.label}</dd>
                  </div>
                ))}
              </dl>
            </section>
          ))}
        </div>
      </div>
    </dialog>
  );
}
