import { describe, expect, it } from "vitest";

import {
  durationTimecode,
  formatFps,
  frameToTimecode,
  indexAtTime,
  indexToFrameNumber,
  indexToTimecode,
  parseFrameInput,
  seekTimeForIndex,
  startTimeOfIndex,
  timecodeBase,
  timecodeToFrame,
  type FrameRate,
} from "./timecode";

const FPS24: FrameRate = { num: 24, den: 1 };
const FPS25: FrameRate = { num: 25, den: 1 };
const FPS23976: FrameRate = { num: 24000, den: 1001 };
const FPS2997: FrameRate = { num: 30000, den: 1001 };

describe("frameToTimecode", () => {
  it.each([
    [FPS24, 0, "00:00:00:00"],
    [FPS24, 23, "00:00:00:23"],
    [FPS24, 24, "00:00:01:00"],
    [FPS24, 1001, "00:00:41:17"],
    [FPS24, 86400, "01:00:00:00"],
    [FPS24, 86399, "00:59:59:23"],
    [FPS25, 1001, "00:00:40:01"],
    [FPS25, 90000, "01:00:00:00"],
    [FPS25, 24, "00:00:00:24"],
    // 23.976 is displayed non-drop on a 24-frame base: the label is the same as at 24 fps.
    [FPS23976, 1001, "00:00:41:17"],
    [FPS23976, 86400, "01:00:00:00"],
    [FPS2997, 1800, "00:01:00:00"],
  ])("%o frame %i → %s", (rate, frame, expected) => {
    expect(frameToTimecode(frame, rate)).toBe(expected);
  });

  it("writes negative frame numbers with a sign", () => {
    expect(frameToTimecode(-25, FPS24)).toBe("-00:00:01:01");
  });

  it("refuses fractional frames and impossible rates", () => {
    expect(() => frameToTimecode(1.5, FPS24)).toThrow(/integer/);
    expect(() => frameToTimecode(1, { num: 0, den: 1 })).toThrow(/positive rational/);
    expect(() => frameToTimecode(1, { num: 24, den: 0 })).toThrow(/positive rational/);
  });
});

describe("timecodeToFrame", () => {
  it("round-trips frame numbers over two hours at 24, 25, 23.976 and 29.97", () => {
    const wrong: string[] = [];
    for (const rate of [FPS24, FPS25, FPS23976, FPS2997]) {
      for (let frame = -500; frame < 2 * 3600 * 30; frame += 7) {
        const back = timecodeToFrame(frameToTimecode(frame, rate), rate);
        if (back !== frame) wrong.push(`${formatFps(rate)}: ${frame} → ${back}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it("parses the start frame's timecode", () => {
    expect(timecodeToFrame("00:00:41:17", FPS24)).toBe(1001);
    expect(timecodeToFrame("00:00:40:01", FPS25)).toBe(1001);
    expect(timecodeToFrame("00:00:41:17", FPS23976)).toBe(1001);
  });

  it("explains what is wrong with bad input", () => {
    expect(() => timecodeToFrame("00:00:41:24", FPS24)).toThrow(/out of range at 24 fps \(00–23\)/);
    expect(() => timecodeToFrame("00:00:41:24", FPS25)).not.toThrow();
    expect(() => timecodeToFrame("00:00:41;17", FPS2997)).toThrow(/Drop-frame/);
    expect(() => timecodeToFrame("41:17", FPS24)).toThrow(/HH:MM:SS:FF/);
    expect(() => timecodeToFrame("00:61:00:00", FPS24)).toThrow(/HH:MM:SS:FF/);
  });
});

describe("rates", () => {
  it("uses the nominal integer base for timecode and writes rates like editors do", () => {
    expect(timecodeBase(FPS23976)).toBe(24);
    expect(timecodeBase(FPS2997)).toBe(30);
    expect(formatFps(FPS23976)).toBe("23.976");
    expect(formatFps(FPS2997)).toBe("29.97");
    expect(formatFps(FPS24)).toBe("24");
    expect(formatFps(FPS25)).toBe("25");
  });
});

describe("start frame 1001", () => {
  it("maps index 0 to frame 1001 and index 12 to frame 1013", () => {
    expect(indexToFrameNumber(0)).toBe(1001);
    expect(indexToFrameNumber(12)).toBe(1013);
    expect(indexToTimecode(0, FPS24)).toBe("00:00:41:17");
    expect(indexToTimecode(12, FPS24)).toBe("00:00:42:05");
    expect(indexToTimecode(12, FPS25)).toBe("00:00:40:13");
    expect(indexToTimecode(12, FPS24, 0)).toBe("00:00:00:12");
  });
});

describe("seeking by frame", () => {
  it("seeks to the middle of the frame: (index + 0.5) / fps", () => {
    expect(seekTimeForIndex(0, FPS24)).toBeCloseTo(0.5 / 24, 12);
    expect(seekTimeForIndex(12, FPS24)).toBeCloseTo(12.5 / 24, 12);
    expect(seekTimeForIndex(12, FPS23976)).toBeCloseTo((12.5 * 1001) / 24000, 12);
    expect(seekTimeForIndex(12, FPS25)).toBeCloseTo(0.5, 12);
  });

  it("reads back the same frame from the seek time and from the frame's own start time (two hours of frames)", () => {
    const wrong: string[] = [];
    for (const rate of [FPS24, FPS25, FPS23976, FPS2997]) {
      for (let index = 0; index < 200_000; index++) {
        const fromMiddle = indexAtTime(seekTimeForIndex(index, rate), rate);
        const fromStart = indexAtTime(startTimeOfIndex(index, rate), rate);
        if (fromMiddle !== index || fromStart !== index) wrong.push(`${formatFps(rate)}: ${index} → ${fromMiddle}/${fromStart}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it("treats times just before a frame boundary as the previous frame", () => {
    const boundary = startTimeOfIndex(13, FPS23976);
    expect(indexAtTime(boundary - 0.001, FPS23976)).toBe(12);
    expect(indexAtTime(-1, FPS24)).toBe(0);
    expect(indexAtTime(Number.NaN, FPS24)).toBe(0);
  });

  it("gives the duration of a clip as a timecode", () => {
    expect(durationTimecode(48, FPS24)).toBe("00:00:02:00");
    expect(durationTimecode(49, FPS25)).toBe("00:00:01:24");
  });
});

describe("parseFrameInput", () => {
  const ctx = { rate: FPS24, startFrame: 1001, currentIndex: 10 };
  it("accepts frame numbers, timecodes and relative steps", () => {
    expect(parseFrameInput("1013", ctx)).toBe(12);
    expect(parseFrameInput("00:00:42:05", ctx)).toBe(12);
    expect(parseFrameInput("+5", ctx)).toBe(15);
    expect(parseFrameInput("-3", ctx)).toBe(7);
  });
  it("explains bad input", () => {
    expect(() => parseFrameInput("twelve", ctx)).toThrow(/not a frame number/);
    expect(() => parseFrameInput("00:00:42:30", ctx)).toThrow(/out of range/);
  });
});
