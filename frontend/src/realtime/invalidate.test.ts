import type { QueryClient } from "@tanstack/react-query";
import { describe, expect, it } from "vitest";

import type { Envelope } from "../lib/stream";
import { invalidateFor } from "./context";

function keysFor(event: Partial<Envelope>): unknown[][] {
  const keys: unknown[][] = [];
  const client = { invalidateQueries: ({ queryKey }: { queryKey: unknown[] }) => (keys.push(queryKey), Promise.resolve()) } as unknown as QueryClient;
  invalidateFor(client, "p1", { id: 1, project: "p1", at: "t", data: {}, type: "x", ...event });
  return keys;
}

describe("what an event refreshes", () => {
  it("a new comment refreshes that version's comments and the shot list's note counts", () => {
    expect(keysFor({ type: "comment.created", data: { id: "c", version: "v9" } })).toEqual([["comments", "v9"], ["shots", "p1"]]);
  });

  it("a new version refreshes the shots, the version and the job cards", () => {
    expect(keysFor({ type: "version.created", data: { id: "v2", shot: "s1" } })).toEqual([["shots", "p1"], ["shot"], ["version", "v2"], ["jobs"]]);
  });

  it("a decision refreshes the approvals of that version", () => {
    expect(keysFor({ type: "approval.decided", data: { version: "v2", shot: "s1" } })).toContainEqual(["approvals", "v2"]);
  });

  it("an unknown event refreshes everything of the project", () => {
    expect(keysFor({ type: "something.new" }).length).toBeGreaterThan(5);
  });
});
