/**
 * The bell in the header: the unread count (kept live by /ws/me/, see realtime/UserStream) and a
 * panel with the latest notifications, each opening what it is about and marked read on the way.
 */
import { useEffect, useRef, useState } from "react";
import { Link, useNavigate } from "react-router";

import type { Notification } from "../api/types";
import { badgeText, linkFor } from "../lib/notifications";
import { useMarkAllRead, useMarkOne, useNotifications, useUnreadCount } from "../queries/notifications";
import { ErrorMessage } from "./feedback";
import { Icon } from "./Icon";
import { NotificationItem } from "./NotificationItem";

export function NotificationBell() {
  const [open, setOpen] = useState(false);
  const unread = useUnreadCount();
  const list = useNotifications({}, 15);
  const markOne = useMarkOne();
  const markAll = useMarkAllRead();
  const navigate = useNavigate();
  const panel = useRef<HTMLDivElement>(null);
  const count = unread.data?.unread ?? 0;

  useEffect(() => {
    if (!open) return;
    const close = (e: MouseEvent | KeyboardEvent) => {
      if (e instanceof KeyboardEvent ? e.key === "Escape" : !panel.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener("mousedown", close);
    document.addEventListener("keydown", close);
    return () => {
      document.removeEventListener("mousedown", close);
      document.removeEventListener("keydown", close);
    };
  }, [open]);

  const openOne = (n: Notification) => {
    if (!n.read) markOne.mutate({ id: n.id, read: true });
    setOpen(false);
    const to = linkFor(n);
    if (to) void navigate(to);
  };

  return (
    <div className="bell" ref={panel}>
      <button
        type="button"
        className="bell-button small"
        aria-haspopup="true"
        aria-expanded={open}
        aria-label={count ? `Notifications, ${count} unread` : "Notifications"}
        onClick={() => setOpen((o) => !o)}
        data-testid="bell"
      >
        <Icon name="bell" />
        {count > 0 && (
          <span className="bell-count" data-testid="unread-count">
            {badgeText(count)}
          </span>
        )}
      </button>
      {open && (
        <div className="bell-panel" role="dialog" aria-label="Notifications">
          <div className="bell-head">
            <strong>Notifications</strong>
            <button type="button" className="small" disabled={count === 0 || markAll.isPending} onClick={() => markAll.mutate()}>
              Mark all read
            </button>
          </div>
          {list.error ? (
            <ErrorMessage error={list.error} />
          ) : list.data && list.data.results.length === 0 ? (
            <p className="muted">Nothing yet. Mentions, replies, decisions and renders will show up here.</p>
          ) : (
            <ul className="notification-list">
              {list.data?.results.map((n) => (
                <NotificationItem key={n.id} n={n} onOpen={openOne} onToggle={(x) => markOne.mutate({ id: x.id, read: !x.read })} />
              ))}
            </ul>
          )}
          <Link to="/notifications" onClick={() => setOpen(false)}>
            All notifications and preferences
          </Link>
        </div>
      )}
    </div>
  );
}
