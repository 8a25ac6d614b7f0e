/**
 * The playhead: one frame-accurate clock driving one or more <video> elements (one, or two in the
 * compare view, whose playheads are linked).
 *
 * Paused, the frame index is the truth and every video is sought to the middle of that frame
 * (time = (index + 0.5) / fps), so decoders never land on a neighbour. Playing forward, the first
 * video plays natively and `requestVideoFrameCallback` reports the frame actually presented; the
 * others follow and are corrected when they drift by more than a frame. Reverse play steps frame by
 * frame on a timer (browsers cannot play backwards). In/out range, loop, speed and the J/K/L shuttle
 * follow the rules in lib/transport.ts.
 */
import { indexAtTime, seekTimeForIndex, type FrameRate } from "../lib/timecode";
import {
  NO_RANGE,
  STOPPED,
  advance,
  clampIndex,
  playRange,
  playStart,
  setIn as rangeSetIn,
  setOut as rangeSetOut,
  shuttle as nextShuttle,
  step as stepIndex,
  type InOut,
  type Shuttle,
} from "../lib/transport";

export interface PlayheadState {
  /** Current frame index (0 = the media's first frame). */
  index: number;
  /** The frame the videos actually show (after seeking / as presented while playing). */
  shown: number | null;
  playing: boolean;
  direction: 1 | -1;
  /** The chosen speed (×0.25 … ×2). */
  speed: number;
  /** The J/K/L multiplier on top of the speed. */
  shuttle: Shuttle;
  range: InOut;
  loop: boolean;
  muted: boolean;
  frameCount: number;
  /** All attached videos have their first frame decoded. */
  ready: boolean;
  /** Why the media cannot play, for the error overlay. */
  error: string | null;
}

type VideoFrameCallback = (now: number, metadata: { mediaTime: number; presentedFrames: number }) => void;
type VideoWithFrameCallback = HTMLVideoElement & {
  requestVideoFrameCallback?: (cb: VideoFrameCallback) => number;
  cancelVideoFrameCallback?: (handle: number) => void;
};

const MEDIA_ERRORS: Record<number, string> = {
  1: "Playback was aborted.",
  2: "The video could not be downloaded (network error).",
  3: "The video could not be decoded.",
  4: "This video format is not supported by your browser, or the file is missing.",
};

export class Playhead {
  private state: PlayheadState;
  private readonly listeners = new Set<() => void>();
  private videos: VideoWithFrameCallback[] = [];
  private rate: FrameRate;
  private frameHandle: number | null = null;
  private rafHandle: number | null = null;
  private reverseClock = 0;
  private readonly cleanups = new Map<HTMLVideoElement, () => void>();
  private readonly pendingSeeks = new Set<HTMLVideoElement>();

  constructor({ rate, frameCount, index = 0 }: { rate: FrameRate; frameCount: number; index?: number }) {
    this.rate = rate;
    this.state = {
      index: clampIndex(index, frameCount),
      shown: null,
      playing: false,
      direction: 1,
      speed: 1,
      shuttle: STOPPED,
      range: NO_RANGE,
      loop: false,
      muted: true,
      frameCount,
      ready: false,
      error: null,
    };
  }

  // ---------------------------------------------------------------- store protocol (React)
  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): PlayheadState => this.state;

  private set(patch: Partial<PlayheadState>) {
    let changed = false;
    for (const [key, value] of Object.entries(patch) as [keyof PlayheadState, unknown][]) {
      if (this.state[key] !== value) changed = true;
    }
    if (!changed) return;
    this.state = { ...this.state, ...patch };
    this.listeners.forEach((l) => l());
  }

  // ---------------------------------------------------------------- media
  setMedia({ rate, frameCount }: { rate: FrameRate; frameCount: number }) {
    this.rate = rate;
    const index = clampIndex(this.state.index, frameCount);
    this.set({ frameCount, index });
  }

  /**
   * Attaches a video. The lead (the first, unless another is attached with `lead`) drives the clock
   * and carries the sound; linked videos are muted and follow it. Returns the detach function.
   */
  attach(video: HTMLVideoElement, { lead = false }: { lead?: boolean } = {}): () => void {
    const v = video as VideoWithFrameCallback;
    if (lead) this.videos.unshift(v);
    else this.videos.push(v);
    this.videos.forEach((x, i) => (x.muted = i > 0 || this.state.muted));
    v.preload = "auto";
    const onLoaded = () => {
      if (this.state.frameCount <= 0 && Number.isFinite(v.duration) && v === this.videos[0]) {
        this.set({ frameCount: Math.max(1, Math.round((v.duration * this.rate.num) / this.rate.den)) });
      }
      this.seekVideo(v, this.state.index);
    };
    const onSeeked = () => {
      this.pendingSeeks.delete(v);
      if (!this.state.playing) this.confirmShown(v);
      this.updateReady();
    };
    const onError = () => {
      const code = v.error?.code ?? 0;
      this.set({ error: MEDIA_ERRORS[code] ?? "The video could not be played.", playing: false });
    };
    const onEnded = () => {
      if (v === this.videos[0] && this.state.playing && this.state.direction > 0) this.handleForwardEdge(this.state.frameCount);
    };
    const onData = () => this.updateReady();
    v.addEventListener("loadedmetadata", onLoaded);
    v.addEventListener("seeked", onSeeked);
    v.addEventListener("error", onError);
    v.addEventListener("ended", onEnded);
    v.addEventListener("loadeddata", onData);
    if (v.readyState >= 1) onLoaded();
    const cleanup = () => {
      v.removeEventListener("loadedmetadata", onLoaded);
      v.removeEventListener("seeked", onSeeked);
      v.removeEventListener("error", onError);
      v.removeEventListener("ended", onEnded);
      v.removeEventListener("loadeddata", onData);
    };
    this.cleanups.set(v, cleanup);
    this.set({ error: null });
    this.updateReady();
    return () => {
      cleanup();
      this.cleanups.delete(v);
      this.pendingSeeks.delete(v);
      if (v === this.videos[0]) this.stopClocks();
      this.videos = this.videos.filter((x) => x !== v);
      this.updateReady();
    };
  }

  private updateReady() {
    const ready = this.videos.length > 0 && this.videos.every((v) => v.readyState >= 2) && this.pendingSeeks.size === 0;
    this.set({ ready });
  }

  /** Reads the frame a paused video shows: from the presented frame when the browser reports it. */
  private confirmShown(v: VideoWithFrameCallback) {
    if (v !== this.videos[0]) return;
    const fallback = indexAtTime(v.currentTime, this.rate);
    this.set({ shown: fallback });
  }

  private seekVideo(v: HTMLVideoElement, index: number) {
    const target = seekTimeForIndex(index, this.rate);
    if (v.readyState < 1) return; // seeks again on loadedmetadata
    if (Math.abs(v.currentTime - target) < 1e-6 && !v.seeking) {
      if (v === this.videos[0]) this.set({ shown: index });
      return;
    }
    this.pendingSeeks.add(v);
    v.currentTime = target;
  }

  private seekAll(index: number) {
    if (this.videos[0]) this.set({ shown: null });
    for (const v of this.videos) this.seekVideo(v, index);
    this.updateReady();
  }

  // ---------------------------------------------------------------- transport
  /** Goes to a frame (pauses playback). */
  seek(index: number) {
    this.pause();
    const target = clampIndex(index, this.state.frameCount);
    this.set({ index: target });
    this.seekAll(target);
  }

  step(delta: number) {
    this.seek(stepIndex(this.state.index, delta, this.state.frameCount));
  }

  toggle() {
    if (this.state.playing) this.pause();
    else this.play(1);
  }

  play(direction: 1 | -1 = 1, shuttle: Shuttle = { direction, rate: 1 }) {
    if (this.videos.length === 0 || this.state.frameCount <= 0) return;
    this.stopClocks();
    const start = playStart(this.state.index, direction, this.state.frameCount, this.state.range);
    this.set({ playing: true, direction, shuttle, index: start });
    if (direction > 0) {
      const rate = this.state.speed * shuttle.rate;
      for (const v of this.videos) {
        v.playbackRate = rate;
        if (Math.abs(indexAtTime(v.currentTime, this.rate) - start) > 0) v.currentTime = seekTimeForIndex(start, this.rate);
        v.play().catch((err: unknown) => {
          if (err instanceof DOMException && err.name === "AbortError") return;
          this.set({ playing: false, error: err instanceof Error ? `Playback failed: ${err.message}` : "Playback failed." });
        });
      }
      this.watchForward();
    } else {
      for (const v of this.videos) v.pause();
      this.reverseClock = performance.now();
      this.rafHandle = requestAnimationFrame(this.reverseTick);
    }
  }

  pause() {
    if (!this.state.playing) return;
    this.stopClocks();
    for (const v of this.videos) v.pause();
    const index = this.state.index;
    this.set({ playing: false, shuttle: STOPPED });
    // Land exactly on the frame being shown.
    this.seekAll(index);
  }

  /** J, K or L pressed. */
  jkl(key: "j" | "k" | "l") {
    const next = nextShuttle(this.state.playing ? this.state.shuttle : STOPPED, key);
    if (next.direction === 0) this.pause();
    else this.play(next.direction, next);
  }

  setSpeed(speed: number) {
    this.set({ speed });
    if (this.state.playing && this.state.direction > 0) {
      for (const v of this.videos) v.playbackRate = speed * this.state.shuttle.rate;
    }
  }

  setMuted(muted: boolean) {
    this.set({ muted });
    const lead = this.videos[0];
    if (lead) lead.muted = muted;
  }

  markIn(index = this.state.index) {
    this.set({ range: rangeSetIn(this.state.range, index) });
  }

  markOut(index = this.state.index) {
    this.set({ range: rangeSetOut(this.state.range, index) });
  }

  setRange(range: InOut) {
    this.set({ range });
  }

  clearRange() {
    this.set({ range: NO_RANGE });
  }

  setLoop(loop: boolean) {
    this.set({ loop });
  }

  /** First / last frame of the in/out range (or the media). */
  goToEdge(edge: "start" | "end") {
    const [first, last] = playRange(this.state.frameCount, this.state.range);
    this.seek(edge === "start" ? first : last);
  }

  /** Stops playback clocks (the component using it unmounted; attached videos detach themselves). */
  destroy() {
    this.stopClocks();
    for (const v of this.videos) v.pause();
    this.set({ playing: false, shuttle: STOPPED });
  }

  // ---------------------------------------------------------------- clocks
  private stopClocks() {
    const lead = this.videos[0];
    if (this.frameHandle !== null && lead?.cancelVideoFrameCallback) lead.cancelVideoFrameCallback(this.frameHandle);
    this.frameHandle = null;
    if (this.rafHandle !== null) cancelAnimationFrame(this.rafHandle);
    this.rafHandle = null;
  }

  private watchForward() {
    const lead = this.videos[0];
    if (!lead) return;
    if (lead.requestVideoFrameCallback) {
      const onFrame: VideoFrameCallback = (_now, metadata) => {
        this.frameHandle = null;
        if (!this.state.playing || this.state.direction < 0) return;
        this.onForwardFrame(indexAtTime(metadata.mediaTime, this.rate));
        if (this.state.playing && this.state.direction > 0 && this.frameHandle === null) {
          this.frameHandle = lead.requestVideoFrameCallback(onFrame);
        }
      };
      this.frameHandle = lead.requestVideoFrameCallback(onFrame);
    } else {
      const tick = () => {
        this.rafHandle = null;
        if (!this.state.playing || this.state.direction < 0) return;
        this.onForwardFrame(indexAtTime(lead.currentTime, this.rate));
        if (this.state.playing) this.rafHandle = requestAnimationFrame(tick);
      };
      this.rafHandle = requestAnimationFrame(tick);
    }
  }

  private onForwardFrame(index: number) {
    const [, last] = playRange(this.state.frameCount, this.state.range);
    if (index > last || (index === last && !this.state.loop)) {
      this.handleForwardEdge(index);
      return;
    }
    this.set({ index, shown: index });
    // Linked videos follow the lead; correct them when they drift by more than a frame.
    for (const v of this.videos.slice(1)) {
      if (Math.abs(indexAtTime(v.currentTime, this.rate) - index) > 1) v.currentTime = seekTimeForIndex(index, this.rate);
      if (v.paused) void v.play().catch(() => undefined);
    }
  }

  private handleForwardEdge(index: number) {
    const [first, last] = playRange(this.state.frameCount, this.state.range);
    if (this.state.loop) {
      this.set({ index: first });
      for (const v of this.videos) {
        v.currentTime = seekTimeForIndex(first, this.rate);
        if (v.paused) void v.play().catch(() => undefined);
      }
      if (this.frameHandle === null && this.rafHandle === null) this.watchForward();
      return;
    }
    this.stopClocks();
    for (const v of this.videos) v.pause();
    const stop = Math.min(last, Math.max(first, index));
    this.set({ playing: false, shuttle: STOPPED, index: stop });
    this.seekAll(stop);
  }

  private readonly reverseTick = (now: number) => {
    this.rafHandle = null;
    if (!this.state.playing || this.state.direction > 0) return;
    const frameMs = (1000 * this.rate.den) / (this.rate.num * this.state.speed * this.state.shuttle.rate);
    if (now - this.reverseClock >= frameMs && this.pendingSeeks.size === 0) {
      // Drop frames rather than fall behind when seeking is slower than the frame rate.
      const frames = Math.max(1, Math.floor((now - this.reverseClock) / frameMs));
      this.reverseClock = now;
      let index = this.state.index;
      let stopped = false;
      for (let i = 0; i < frames && !stopped; i++) {
        const r = advance(index, -1, { frameCount: this.state.frameCount, range: this.state.range, loop: this.state.loop });
        index = r.index;
        stopped = r.stopped;
      }
      this.set({ index });
      this.seekAll(index);
      if (stopped) {
        this.set({ playing: false, shuttle: STOPPED });
        return;
      }
    }
    this.rafHandle = requestAnimationFrame(this.reverseTick);
  };
}
