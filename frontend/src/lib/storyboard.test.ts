import { describe, expect, it } from "vitest";

import { dropOn, moveBy, moveTo, panelTimings, planLines, planSummary, sameOrder, type PlanRow } from "./storyboard";

describe("reordering panels", () => {
  const ids = ["a", "b", "c", "d"];

  it("moves a panel to a position, keeping every id once", () => {
    expect(moveTo(ids, "a", 2)).toEqual(["b", "c", "a", "d"]);
    expect(moveTo(ids, "d", 0)).toEqual(["d", "a", "b", "c"]);
    expect(moveTo(ids, "b", 99)).toEqual(["a", "c", "d", "b"]);
    expect(moveTo(ids, "b", -5)).toEqual(["b", "a", "c", "d"]);
    expect(moveTo(ids, "zz", 1)).toEqual(ids);
  });

  it("steps with the keyboard and stops at the ends", () => {
    expect(moveBy(ids, "c", -1)).toEqual(["a", "c", "b", "d"]);
    expect(moveBy(ids, "a", -1)).toEqual(ids);
    expect(moveBy(ids, "d", 1)).toEqual(ids);
  });

  it("drops a dragged panel onto another's place", () => {
    expect(dropOn(ids, "a", "c")).toEqual(["b", "c", "a", "d"]);
    expect(dropOn(ids, "d", "b")).toEqual(["a", "d", "b", "c"]);
    expect(dropOn(ids, "b", "b")).toEqual(ids);
    expect(sameOrder(dropOn(ids, "b", "b"), ids)).toBe(true);
    expect(sameOrder(dropOn(ids, "a", "b"), ids)).toBe(false);
  });
});

describe("panel timings", () => {
  it("accumulates starts and writes timecode at the project's rate", () => {
    const t = panelTimings([24, 12, 36], { num: 24, den: 1 });
    expect(t.map((x) => x.start)).toEqual([0, 24, 36]);
    expect(t[2]!.startTimecode).toBe("00:00:01:12");
    expect(t[2]!.duration).toBe("00:00:01:12");
  });

  it("uses the nominal base for 23.976", () => {
    expect(panelTimings([48], { num: 24000, den: 1001 })[0]!.duration).toBe("00:00:02:00");
  });
});

describe("make shots preview", () => {
  const rows: PlanRow[] = [
    { number: 1, action: "create", code: "MR_010_0020", frame_in: 1001, frame_out: 1024, frames: 24, before: null },
    { number: 2, action: "update", code: "MR_010_0010", frame_in: 1001, frame_out: 1020, frames: 20, before: { frame_in: 1001, frame_out: 1048 } },
    { number: 3, action: "keep", code: "MR_010_0030", frame_in: 1045, frame_out: 1080, frames: 36, before: { frame_in: 1045, frame_out: 1080 } },
  ];

  it("describes each panel's change", () => {
    const lines = planLines(rows);
    expect(lines[0]).toEqual({ number: 1, code: "MR_010_0020", verb: "New shot", range: "1001–1024", change: "24 f" });
    expect(lines[1]!.range).toBe("1001–1048 → 1001–1020");
    expect(lines[1]!.change).toBe("48 → 20 f");
    expect(lines[2]!.verb).toBe("Unchanged");
  });

  it("sums the plan up", () => {
    expect(planSummary(rows)).toBe("1 new shot, 1 changed");
    expect(planSummary([rows[2]!])).toMatch(/^Nothing to change/);
  });
});
