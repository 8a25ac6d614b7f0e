import type { QueryClient } from "@tanstack/react-query";
import { describe, expect, it } from "vitest";

import type { MessageOf, RealtimeType } from "../api/generated/events";
import type { Envelope } from "../lib/stream";
import { invalidateFor, keysForEvent, keysForNotification } from "../queries/invalidation";
import { keys } from "../queries/keys";

/** A message of a registered type with only the payload fields a test needs. */
function message<T extends RealtimeType>(type: T, data: Partial<MessageOf<T>["data"]>, id: number | null = 1): Envelope {
  return { id, type, project: "p1", at: "t", data } as unknown as Envelope;
}

function refreshed(event: Envelope): unknown[][] {
  const seen: unknown[][] = [];
  const client = { invalidateQueries: ({ queryKey }: { queryKey: unknown[] }) => (seen.push(queryKey), Promise.resolve()) } as unknown as QueryClient;
  invalidateFor(client, "p1", event);
  return seen;
}

describe("the key factory", () => {
  it("builds every key from the kind of thing first, so a family can be refreshed at once", () => {
    expect(keys.comments.version("v9")).toEqual(["comments", "v9"]);
    expect(keys.shots.list("p1", { status: "review" })).toEqual(["shots", "p1", { status: "review" }]);
    expect(keys.shots.list("p1", {}).slice(0, 2)).toEqual(keys.shots.project("p1"));
    expect(keys.jobs.shot("s1").slice(0, 1)).toEqual(keys.jobs.all);
    expect(keys.likenessUses.list({ version: "v1" })[0]).toBe(keys.likenessUses.all[0]);
    expect(keys.talent.one("t1")).toEqual(["talent", "one", "t1"]);
  });
});

describe("what an event refreshes", () => {
  it("a storyboard change refreshes that board, its animatic and shot plan (and the panel's notes)", () => {
    const keysOf = keysForEvent("p1", message("storyboard.updated", { sequence: "q1", storyboard: "b1", change: "comment_created", panel: "x1" }));
    expect(keysOf).toEqual([
      keys.storyboards.board("q1"), keys.storyboards.animatic("q1"), keys.storyboards.shotPlan("q1"), keys.storyboards.comments("x1"),
    ]);
    expect(keysForEvent("p1", message("storyboard.updated", { sequence: "q1", storyboard: "b1", change: "shots_made" }))).toContainEqual(
      keys.shots.project("p1"),
    );
  });

  it("a new comment refreshes that version's comments and the shot list's note counts", () => {
    expect(refreshed(message("comment.created", { id: "c", version: "v9" }))).toEqual([keys.comments.version("v9"), keys.shots.project("p1")]);
  });

  it("a new version refreshes the shots, the version, the job cards and the takes (one was published)", () => {
    expect(refreshed(message("version.created", { id: "v2", shot: "s1" }))).toEqual([["shots", "p1"], ["shot"], ["version", "v2"], ["jobs"], ["takes"]]);
  });

  it("a take created or changed refreshes the takes galleries", () => {
    expect(keysForEvent("p1", message("take.created", { id: "t", shot: "s1", job: "j" }))).toEqual([keys.takes.all]);
    expect(keysForEvent("p1", message("take.updated", { id: "t", shot: "s1", starred: true }))).toEqual([keys.takes.all]);
    expect(keys.takes.shot("s1", "false").slice(0, 1)).toEqual(keys.takes.all);
  });

  it("a version whose media became ready refreshes its approvals (what may be decided changed)", () => {
    expect(keysForEvent("p1", message("version.updated", { id: "v2", change: "media_ready" }))).toContainEqual(keys.approvals.version("v2"));
  });

  it("a decision refreshes the approvals of that version, the version, its shot and the likeness uses", () => {
    const keysOf = keysForEvent("p1", message("approval.decided", { version: "v2", shot: "s1" }));
    expect(keysOf).toEqual([keys.approvals.version("v2"), keys.version.one("v2"), keys.shot.one("s1"), keys.shots.project("p1"), keys.likenessUses.all]);
  });

  it("a job's new state refreshes the job cards and its shot", () => {
    expect(keysForEvent("p1", message("job.state_changed", { id: "j", shot: "s1", state: "running" }))).toEqual([keys.jobs.all, keys.shot.one("s1")]);
    // A still render for a storyboard panel has no shot: the panel's stills (under the takes) refresh.
    expect(keysForEvent("p1", message("job.state_changed", { id: "j", shot: null, panel: "pa", state: "succeeded" }))).toEqual([
      keys.jobs.all,
      keys.takes.all,
    ]);
  });

  it("stream control and progress refresh no query (the stream holds them)", () => {
    expect(keysForEvent("p1", message("job.progress", { step: 3 }, null))).toEqual([]);
    expect(keysForEvent("p1", message("presence.changed", { version: "v", viewers: [], rev: 2 }, null))).toEqual([]);
  });

  it("an event type this build does not know refreshes everything of the project", () => {
    const unknown = { id: 5, type: "something.new", project: "p1", at: "t", data: {} } as unknown as Envelope;
    expect(refreshed(unknown).length).toBeGreaterThan(5);
  });
});

describe("what a personal notification refreshes", () => {
  it("a mention refreshes that version's notes; a quarantine its version and approvals; a cancelled render the job cards", () => {
    expect(keysForNotification(message("comment.mentioned", { version: "v3" }, null))).toEqual([keys.comments.version("v3")]);
    expect(keysForNotification(message("version.quarantined", { version: "v4" }, null))).toEqual(
      expect.arrayContaining([keys.version.one("v4"), keys.approvals.version("v4")]),
    );
    expect(keysForNotification(message("generation.cancelled", { job: "j" }, null))).toContainEqual(keys.jobs.all);
  });
});

describe("the inbox's live messages", () => {
  it("refresh the notifications (list and unread count) and nothing else", () => {
    const created = message("notification.created", { unread: 2 }, null);
    const read = message("notification.read", { ids: [], all: true, unread: 0 }, null);
    expect(keysForNotification(created)).toEqual([keys.notifications.all]);
    expect(keysForNotification(read)).toEqual([keys.notifications.all]);
    expect(keys.notifications.unread.slice(0, 1)).toEqual(keys.notifications.all);
    expect(keys.notifications.list({ unread: true })).toEqual(["notifications", "list", { unread: true }]);
  });

  it("an answer to a consent request refreshes the requests and grants too", () => {
    const answered = message("notification.created", { unread: 1, notification: { kind: "consent_request_answered" } as never }, null);
    expect(keysForNotification(answered)).toEqual([keys.notifications.all, keys.consentRequests.all, keys.consents.all]);
  });
});
