import { describe, expect, it } from "vitest";

import type { Notification } from "../api/types";
import { badgeText, KIND_LABELS, linkFor, toastFor, unreadFrom } from "./notifications";
import type { Envelope } from "./stream";

function notification(extra: Partial<Notification> = {}): Notification {
  return {
    id: "n1", kind: "reply", title: "Kim replied to your note on SH010 v002", body: "Fixed", actor_name: "Kim", project: "p1",
    target: {}, created_at: "2026-12-02T12:00:00Z", read: false, ...extra,
  };
}

function message(type: string, data: unknown): Envelope {
  return { id: null, type, project: "p1", at: "t", data } as unknown as Envelope;
}

describe("where a notification leads", () => {
  it("opens the version at the note's frame, else the shot, else the project", () => {
    expect(linkFor(notification({ target: { project: "p1", version: "v1", frame: 1012 } }))).toBe("/projects/p1/versions/v1?frame=1012");
    expect(linkFor(notification({ target: { version: "v1" } }))).toBe("/projects/p1/versions/v1");
    expect(linkFor(notification({ target: { shot: "s1", job: "j1" } }))).toBe("/projects/p1/shots/s1");
    expect(linkFor(notification({ target: { sequence: "q1", panel: "pa", job: "j1" } }))).toBe("/projects/p1/sequences/q1/board");
    expect(linkFor(notification({ target: {} }))).toBe("/projects/p1");
    expect(linkFor(notification({ project: null, target: {} }))).toBeNull();
  });
});

describe("the bell", () => {
  it("shows nothing at zero and caps the count", () => {
    expect([0, 1, 99, 100, 2500].map(badgeText)).toEqual(["", "1", "99", "99+", "99+"]);
  });

  it("takes the unread count from live inbox messages only", () => {
    expect(unreadFrom(message("notification.created", { notification: notification(), unread: 4 }))).toBe(4);
    expect(unreadFrom(message("notification.read", { ids: ["n1"], all: false, unread: 0 }))).toBe(0);
    expect(unreadFrom(message("comment.mentioned", { comment: "c", version: "v", frame: 1, by: "K", body: "", internal: false }))).toBeNull();
  });

  it("toasts a new notification by its title, except mentions (they have their own toast)", () => {
    expect(toastFor(message("notification.created", { notification: notification(), unread: 1 }))).toBe("Kim replied to your note on SH010 v002");
    expect(toastFor(message("notification.created", { notification: notification({ kind: "mention" }), unread: 1 }))).toBeNull();
    expect(toastFor(message("notification.read", { ids: [], all: true, unread: 0 }))).toBeNull();
  });

  it("names every kind the server declares", () => {
    expect(Object.keys(KIND_LABELS).sort()).toEqual(
      ["consent_request_answered", "likeness_decision", "mention", "render_failed", "render_finished", "reply", "submission", "version_decision"],
    );
  });
});
