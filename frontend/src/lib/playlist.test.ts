import { describe, expect, it } from "vitest";

import { approvalBadge, clockOffset, followPlan, isNewer, moveItem, newTabId, previousApproved, roomFrameAt, stepItem, type RoomState } from "./playlist";

function state(partial: Partial<RoomState>): RoomState {
  return {
    version: "v1", frame: 1001, playing: false, speed: 1, at: 10_000, fps: [24, 1], first_frame: 1001, last_frame: 1048,
    presenter: null, rev: 1, drawing: null, ...partial,
  };
}

describe("moveItem (reorder)", () => {
  it("moves down, up and to the ends", () => {
    expect(moveItem(["a", "b", "c", "d"], 0, 2)).toEqual(["b", "c", "a", "d"]);
    expect(moveItem(["a", "b", "c", "d"], 3, 0)).toEqual(["d", "a", "b", "c"]);
    expect(moveItem(["a", "b", "c"], 1, 1)).toEqual(["a", "b", "c"]);
  });
  it("clamps targets beyond either end", () => {
    expect(moveItem(["a", "b", "c"], 0, 99)).toEqual(["b", "c", "a"]);
    expect(moveItem(["a", "b", "c"], 2, -5)).toEqual(["c", "a", "b"]);
  });
  it("does not change the input", () => {
    const ids = ["a", "b"];
    moveItem(ids, 0, 1);
    expect(ids).toEqual(["a", "b"]);
  });
});

describe("stepItem (next / previous)", () => {
  it("stops at both ends", () => {
    expect(stepItem(0, 3, 1)).toBe(1);
    expect(stepItem(2, 3, 1)).toBeNull();
    expect(stepItem(0, 3, -1)).toBeNull();
    expect(stepItem(1, 3, -1)).toBe(0);
  });
});

describe("roomFrameAt (follower time placement)", () => {
  it("is the reported frame while paused", () => {
    expect(roomFrameAt(state({ frame: 1010 }), 99_999)).toBe(1010);
  });
  it("moves on by elapsed time × fps × speed while playing, in whole frames", () => {
    expect(roomFrameAt(state({ frame: 1010, playing: true, at: 10_000 }), 11_000)).toBe(1034);
    expect(roomFrameAt(state({ frame: 1010, playing: true, at: 10_000, speed: 0.5 }), 11_000)).toBe(1022);
    expect(roomFrameAt(state({ frame: 1010, playing: true, at: 10_000, fps: [24000, 1001] }), 10_500)).toBe(1021);
  });
  it("stays inside the version's frames", () => {
    expect(roomFrameAt(state({ frame: 1040, playing: true, at: 0 }), 60_000)).toBe(1048);
    expect(roomFrameAt(state({ frame: 1003, playing: true, at: 10_000, speed: -2 }), 12_000)).toBe(1001);
  });
  it("uses the server clock through the offset", () => {
    const offset = clockOffset(50_000, 20_000);
    expect(offset).toBe(30_000);
    expect(roomFrameAt(state({ frame: 1001, playing: true, at: 50_000 }), 20_500 + offset)).toBe(1013);
  });
});

describe("followPlan", () => {
  it("seeks a paused follower onto the presenter's frame", () => {
    expect(followPlan(state({ frame: 1012 }), 1001, { index: 0, playing: false }, 0)).toEqual({ index: 11, playing: false, seek: true });
    expect(followPlan(state({ frame: 1012 }), 1001, { index: 11, playing: false }, 0)).toEqual({ index: 11, playing: false, seek: false });
  });
  it("while both play, seeks only beyond the tolerance", () => {
    const playing = state({ frame: 1010, playing: true, at: 0 });
    expect(followPlan(playing, 1001, { index: 10, playing: true }, 0)?.seek).toBe(false);
    expect(followPlan(playing, 1001, { index: 20, playing: true }, 0)?.seek).toBe(true);
    expect(followPlan(playing, 1001, { index: 9, playing: false }, 0)?.seek).toBe(true);
  });
  it("has nothing to do in an empty room", () => {
    expect(followPlan(state({ frame: null, version: null }), 1001, { index: 0, playing: false }, 0)).toBeNull();
  });
});

describe("isNewer", () => {
  it("applies only newer revisions", () => {
    expect(isNewer({ rev: 3 }, null)).toBe(true);
    expect(isNewer({ rev: 3 }, { rev: 2 })).toBe(true);
    expect(isNewer({ rev: 2 }, { rev: 2 })).toBe(false);
    expect(isNewer({ rev: 1 }, { rev: 2 })).toBe(false);
  });
});

describe("approvalBadge", () => {
  it("names the approval state of an item in the one vocabulary", () => {
    expect(approvalBadge("approved")?.label).toBe("Approved");
    expect(approvalBadge("pending")?.label).toBe("In review");
    expect(approvalBadge("changes_requested")?.tone).toBe("warn");
    expect(approvalBadge("nonsense")).toBeNull();
  });
});

describe("previousApproved", () => {
  const v = (id: string, number: number, approval_status: string) => ({ id, number, approval_status });
  it("prefers the latest approved version older than the one shown", () => {
    const versions = [v("a", 1, "approved"), v("b", 2, "approved"), v("c", 3, "pending"), v("d", 4, "approved")];
    expect(previousApproved(versions, { id: "c", number: 3 })?.id).toBe("b");
    expect(previousApproved(versions, { id: "a", number: 1 })?.id).toBe("d");
    expect(previousApproved([v("a", 1, "pending")], { id: "a", number: 1 })).toBeNull();
  });
});

describe("newTabId", () => {
  it("matches what the room accepts", () => {
    expect(newTabId()).toMatch(/^[A-Za-z0-9_-]{8,64}$/);
    expect(newTabId(() => 0)).toBe("tab-aaaaaaaaaaaaaaaa");
  });
});
