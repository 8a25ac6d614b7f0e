import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it, vi } from "vitest";

import type { RoomMember, RoomState } from "../../lib/playlist";
import { ReviewRoom, type RoomSnapshot } from "../../realtime/ReviewRoom";
import { SessionPanel } from "./SessionPanel";

vi.hoisted(() => {
  (globalThis as { window?: unknown }).window ??= { location: { origin: "http://greenlight.test" } };
});

const room = new ReviewRoom("p1");
const presenterTab = "tab-presenter-0001";
const state = {
  version: "v1", frame: 1012, playing: false, speed: 1, at: 0, fps: [24, 1], first_frame: 1001, last_frame: 1048, rev: 4, drawing: null,
  presenter: { user: "u1", name: "Priya Natarajan", tab: presenterTab },
} as RoomState;
const member = (tab: string, name: string, presenter = false, following = true): RoomMember => ({ tab, user: tab, name, presenter, following });

/** The panel as this tab (Sam Okafor) sees it: presenting, following Priya, or detached. */
function render(you: { presenter: boolean; following?: boolean }): string {
  const presenter = you.presenter ? { user: "u2", name: "Sam Okafor", tab: room.tab } : state.presenter!;
  const members = [
    member(presenterTab, "Priya Natarajan", !you.presenter),
    member(room.tab, "Sam Okafor", you.presenter, you.following ?? true),
    member("tab-artist-000001", "Alex Moreau", false, false),
  ];
  const snapshot: RoomSnapshot = {
    status: "open", state: { ...state, presenter }, members, offset: 0, error: null,
    you: { tab: room.tab, presenter: you.presenter, following: you.following ?? true, may_take_over: true },
  };
  return renderToStaticMarkup(<SessionPanel room={room} snapshot={snapshot} />);
}

describe("SessionPanel", () => {
  it("offers to start or join before joining", () => {
    const html = renderToStaticMarkup(<SessionPanel room={room} snapshot={{ status: "idle", state: null, members: [], you: null, offset: 0, error: null }} />);
    expect(html).toContain("Start session");
    expect(html).toContain("Join session");
  });

  it("shows who watches and who has control, and lets the presenter hand over", () => {
    const html = render({ presenter: true });
    expect(html).toContain("You are presenting.");
    expect(html.match(/data-testid="session-member"/g)).toHaveLength(3);
    expect(html).toContain("Has control");
    expect(html).toContain('aria-label="Hand over control to Priya Natarajan"');
    expect(html).toContain('aria-label="Hand over control to Alex Moreau"');
    expect(html).not.toContain('aria-label="Hand over control to Sam Okafor"');
    expect(html).toContain("Detached");
    expect(html).toContain("Release control");
  });

  it("a follower sees whom they follow and cannot hand over", () => {
    const html = render({ presenter: false });
    expect(html).toContain("Following <strong>Priya Natarajan</strong>.");
    expect(html).not.toContain("Hand over control");
    expect(html).toContain("Take over");
    expect(html).toContain("Detach");
  });

  it("a detached member is offered to follow again", () => {
    expect(render({ presenter: false, following: false })).toContain("Follow Priya Natarajan");
  });
});
