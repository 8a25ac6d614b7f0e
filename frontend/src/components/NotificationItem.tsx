/** One notification in a list: opens what it is about; marks it read or unread again. */
import type { Notification } from "../api/types";

export function NotificationItem({ n, onOpen, onToggle }: { n: Notification; onOpen: (n: Notification) => void; onToggle: (n: Notification) => void }) {
  return (
    <li className={n.read ? "notification read" : "notification unread"} data-testid="notification">
      <button type="button" className="notification-open" onClick={() => onOpen(n)}>
        <span className="notification-title">{n.title}</span>
        {n.body && <span className="notification-body">{n.body}</span>}
        <time className="muted" dateTime={n.created_at}>
          {new Date(n.created_at).toLocaleString()}
        </time>
      </button>
      <button type="button" className="small ghost" onClick={() => onToggle(n)} aria-label={n.read ? `Mark unread: ${n.title}` : `Mark read: ${n.title}`}>
        {n.read ? "Mark unread" : "Mark read"}
      </button>
    </li>
  );
}
