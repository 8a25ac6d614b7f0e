import { describe, expect, it } from "vitest";

import type { Shot } from "../api/types";
import { findShot, nextShotIndex, shotListItems } from "./shotList";

function shot(id: string, sequence: string | null): Shot {
  return { id, code: id, sequence: sequence ? { id: sequence, code: sequence.toUpperCase() } : null } as unknown as Shot;
}

describe("shotListItems", () => {
  const shots = [shot("a", "s1"), shot("b", "s1"), shot("c", "s2"), shot("d", null), shot("e", "s1")];

  it("groups by sequence in the order the sequences first appear, with counts", () => {
    const items = shotListItems(shots, true);
    expect(items.map((i) => (i.kind === "group" ? `[${i.title} ${i.count}]` : i.shot.id))).toEqual([
      "[S1 3]", "a", "b", "e", "[S2 1]", "c", "[No sequence 1]", "d",
    ]);
    expect(new Set(items.map((i) => i.key)).size).toBe(items.length); // keys are unique
  });

  it("lists the shots alone, in the API's order, when sorted", () => {
    expect(shotListItems(shots, false).map((i) => i.key)).toEqual(["a", "b", "c", "d", "e"]);
  });

  it("groups 2,000 shots in 20 sequences", () => {
    const many = Array.from({ length: 2000 }, (_, i) => shot(`shot-${i}`, `seq-${Math.floor(i / 100)}`));
    const items = shotListItems(many, true);
    expect(items).toHaveLength(2020);
    expect(items.filter((i) => i.kind === "group")).toHaveLength(20);
  });
});

describe("nextShotIndex", () => {
  const items = shotListItems([shot("a", "s1"), shot("b", "s2"), shot("c", "s2")], true);
  // [S1] a [S2] b c

  it("skips sequence headers and stays put at the ends", () => {
    expect(nextShotIndex(items, 1, 1)).toBe(3);
    expect(nextShotIndex(items, 3, -1)).toBe(1);
    expect(nextShotIndex(items, 1, -1)).toBe(1);
    expect(nextShotIndex(items, 4, 1)).toBe(4);
  });
});

describe("findShot", () => {
  it("finds a shot in any cached list page", () => {
    const found = findShot([undefined, [shot("a", null)], [shot("b", null)]], "b");
    expect(found?.id).toBe("b");
    expect(findShot([[shot("a", null)]], "z")).toBeUndefined();
  });
});
