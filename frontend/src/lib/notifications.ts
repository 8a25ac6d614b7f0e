/**
 * The inbox's pure rules: where a notification leads, what the bell shows, and the unread count a
 * live `/ws/me/` message carries (the server sends it with every change, so tabs never count).
 */
import type { Notification, NotificationKind } from "../api/types";
import type { Envelope } from "./stream";

export const KIND_LABELS: Record<NotificationKind, string> = {
  mention: "Mentions",
  reply: "Replies to my notes",
  version_decision: "Decisions on my versions",
  likeness_decision: "Agency decisions on my renders",
  consent_request_answered: "Answers to my consent requests",
  render_finished: "Renders finished",
  render_failed: "Renders failed",
  submission: "Work submitted to me",
};

/** The page a notification opens: the version (at its frame) when there is one, else the shot. */
export function linkFor(n: Pick<Notification, "project" | "target">): string | null {
  const t = n.target;
  const project = t.project ?? n.project;
  if (!project) return null;
  if (t.consent_request) return "/consent-requests";
  if (t.version) return `/projects/${project}/versions/${t.version}` + (t.frame !== undefined ? `?frame=${t.frame}` : "");
  if (t.shot) return `/projects/${project}/shots/${t.shot}`;
  if (t.sequence) return `/projects/${project}/sequences/${t.sequence}/board`; // a still rendered for a storyboard panel
  return `/projects/${project}`;
}

/** What the bell's badge reads: nothing at 0, the count up to 99, then "99+". */
export function badgeText(unread: number): string {
  if (unread <= 0) return "";
  return unread > 99 ? "99+" : String(unread);
}

/** The unread count a live inbox message carries, or null for any other message. */
export function unreadFrom(event: Envelope): number | null {
  if (event.type === "notification.created" || event.type === "notification.read") return event.data.unread;
  return null;
}

/** The toast for a new notification; mentions already have their own toast (comment.mentioned). */
export function toastFor(event: Envelope): string | null {
  if (event.type !== "notification.created") return null;
  const n = event.data.notification;
  return n.kind === "mention" ? null : n.title;
}
