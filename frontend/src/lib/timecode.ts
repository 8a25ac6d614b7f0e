/**
 * Frames ↔ SMPTE timecode, with rational frame rates.
 *
 * Greenlight stores positions as integer frames of a version: the *frame index* (0 = the first
 * frame of the media). People see the *frame number*, which is the index offset by the project's
 * start frame (1001 by default), and its SMPTE timecode.
 *
 * Timecode is non-drop-frame: the timecode base is the nominal integer rate (23.976 → 24,
 * 29.97 → 30), so every frame number maps to exactly one label and back again, and frame 0 is
 * 00:00:00:00. (Drop-frame is a broadcast convention for 29.97/59.94; review in VFX and animation
 * counts frames, which non-drop does exactly.)
 */

export interface FrameRate {
  /** Numerator of the rational rate, e.g. 24000 for 23.976. */
  num: number;
  /** Denominator of the rational rate, e.g. 1001 for 23.976. */
  den: number;
}

export const DEFAULT_START_FRAME = 1001;

export function assertRate(rate: FrameRate): void {
  if (!Number.isInteger(rate.num) || !Number.isInteger(rate.den) || rate.num <= 0 || rate.den <= 0) {
    throw new RangeError(`Frame rate must be a positive rational num/den, got ${rate.num}/${rate.den}.`);
  }
}

/** Frames per second as a float (for display and media time only; never for frame arithmetic). */
export function fpsValue(rate: FrameRate): number {
  assertRate(rate);
  return rate.num / rate.den;
}

/** The integer timecode base: 24 for 24 and 23.976, 25 for 25, 30 for 29.97. */
export function timecodeBase(rate: FrameRate): number {
  return Math.max(1, Math.round(fpsValue(rate)));
}

/** "24", "25", "23.976", "29.97" — the way editors write rates. */
export function formatFps(rate: FrameRate): string {
  const value = fpsValue(rate);
  if (Number.isInteger(value)) return String(value);
  return String(Number(value.toFixed(3)));
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** SMPTE timecode (HH:MM:SS:FF, non-drop) of an absolute frame number. */
export function frameToTimecode(frameNumber: number, rate: FrameRate): string {
  if (!Number.isInteger(frameNumber)) throw new RangeError(`Frame number must be an integer, got ${frameNumber}.`);
  const base = timecodeBase(rate);
  const sign = frameNumber < 0 ? "-" : "";
  let rest = Math.abs(frameNumber);
  const ff = rest % base;
  rest = (rest - ff) / base;
  const ss = rest % 60;
  rest = (rest - ss) / 60;
  const mm = rest % 60;
  const hh = (rest - mm) / 60;
  return `${sign}${pad2(hh)}:${pad2(mm)}:${pad2(ss)}:${pad2(ff)}`;
}

const TIMECODE = /^(-?)(\d{1,3}):([0-5]\d):([0-5]\d)([:;])(\d{2})$/;

/**
 * Parses "HH:MM:SS:FF" back to an absolute frame number. Throws a RangeError that says what is
 * wrong (drop-frame separators, a frame field beyond the rate's base, malformed text).
 */
export function timecodeToFrame(timecode: string, rate: FrameRate): number {
  const match = TIMECODE.exec(timecode.trim());
  if (!match) throw new RangeError(`"${timecode}" is not a timecode; write HH:MM:SS:FF, e.g. 00:00:41:17.`);
  const [, sign, hh, mm, ss, sep, ff] = match;
  if (sep === ";") throw new RangeError("Drop-frame timecode (;) is not used here; write HH:MM:SS:FF with colons.");
  const base = timecodeBase(rate);
  const frames = Number(ff);
  if (frames >= base) throw new RangeError(`Frame field ${ff} is out of range at ${formatFps(rate)} fps (00–${pad2(base - 1)}).`);
  const total = ((Number(hh) * 60 + Number(mm)) * 60 + Number(ss)) * base + frames;
  return sign === "-" ? -total : total;
}

/** Frame number shown to people (start frame + index). */
export function indexToFrameNumber(index: number, startFrame: number = DEFAULT_START_FRAME): number {
  return startFrame + index;
}

/** Frame index within the media from a frame number people typed or read. */
export function frameNumberToIndex(frameNumber: number, startFrame: number = DEFAULT_START_FRAME): number {
  return frameNumber - startFrame;
}

/** Timecode of a frame index within a version (start frame applied). */
export function indexToTimecode(index: number, rate: FrameRate, startFrame: number = DEFAULT_START_FRAME): string {
  return frameToTimecode(indexToFrameNumber(index, startFrame), rate);
}

/**
 * The media time to seek to for a frame index: the middle of the frame, so that rounding in the
 * decoder can never land on the neighbour. time = (index + 0.5) / fps, computed from the rational.
 */
export function seekTimeForIndex(index: number, rate: FrameRate): number {
  assertRate(rate);
  return ((index + 0.5) * rate.den) / rate.num;
}

/** Start time of a frame index (its presentation timestamp when the media starts at 0). */
export function startTimeOfIndex(index: number, rate: FrameRate): number {
  assertRate(rate);
  return (index * rate.den) / rate.num;
}

/**
 * The frame index presented at a media time. A small tolerance absorbs float error in
 * presentation timestamps (e.g. 1001/24000 × 12 read back as 0.49999999).
 */
export function indexAtTime(seconds: number, rate: FrameRate): number {
  assertRate(rate);
  if (!Number.isFinite(seconds) || seconds <= 0) return 0;
  return Math.floor((seconds * rate.num) / rate.den + 1e-6);
}

/** Duration of a frame count as a timecode (00:00:02:00 for 48 frames at 24). */
export function durationTimecode(frameCount: number, rate: FrameRate): string {
  return frameToTimecode(Math.max(0, frameCount), rate);
}

/**
 * Parses what a person types into a "go to frame" box: a frame number ("1012"), a timecode
 * ("00:00:42:04"), or a relative step ("+5", "-12"). Returns the frame *index*.
 */
export function parseFrameInput(
  text: string,
  { rate, startFrame = DEFAULT_START_FRAME, currentIndex }: { rate: FrameRate; startFrame?: number; currentIndex: number },
): number {
  const value = text.trim();
  if (/^[+-]\d+$/.test(value)) return currentIndex + Number(value);
  if (/^\d+$/.test(value)) return frameNumberToIndex(Number(value), startFrame);
  if (value.includes(":") || value.includes(";")) return frameNumberToIndex(timecodeToFrame(value, rate), startFrame);
  throw new RangeError(`"${text}" is not a frame number, a timecode (HH:MM:SS:FF) or a step like +5.`);
}
