import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";

import type { Notification } from "../api/types";
import { NotificationItem } from "./NotificationItem";

const base: Notification = {
  id: "n1", kind: "render_failed", title: "Your render on SH010 failed", body: "CUDA out of memory", actor_name: "", project: "p1",
  target: { project: "p1", shot: "s1", job: "j1" }, created_at: "2026-12-02T12:00:00Z", read: false,
};

describe("NotificationItem", () => {
  it("shows an unread notification with its title, body and a mark-read button", () => {
    const html = renderToStaticMarkup(<NotificationItem n={base} onOpen={() => undefined} onToggle={() => undefined} />);
    expect(html).toContain('class="notification unread"');
    expect(html).toContain("Your render on SH010 failed");
    expect(html).toContain("CUDA out of memory");
    expect(html).toContain('aria-label="Mark read: Your render on SH010 failed"');
  });

  it("offers to mark a read one unread again", () => {
    const html = renderToStaticMarkup(<NotificationItem n={{ ...base, read: true, body: "" }} onOpen={() => undefined} onToggle={() => undefined} />);
    expect(html).toContain('class="notification read"');
    expect(html).toContain(">Mark unread<");
    expect(html).not.toContain("notification-body");
  });
});
