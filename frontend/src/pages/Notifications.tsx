/** The inbox page: every notification (all or unread), mark read, and what reaches me how. */
import { useState } from "react";
import { useNavigate } from "react-router";

import type { Notification } from "../api/types";
import { ErrorMessage, Loading } from "../components/feedback";
import { NotificationItem } from "../components/NotificationItem";
import { KIND_LABELS, linkFor } from "../lib/notifications";
import { useMarkAllRead, useMarkOne, useNotifications, usePreferences, useSetPreference, useUnreadCount } from "../queries/notifications";

function Preferences() {
  const prefs = usePreferences();
  const set = useSetPreference();
  if (prefs.isPending) return <Loading label="Loading preferences…" />;
  if (prefs.error) return <ErrorMessage error={prefs.error} />;
  return (
    <section aria-labelledby="prefs-title">
      <h2 id="prefs-title">Preferences</h2>
      <p className="muted">Email arrives as one digest every few minutes, with what you have not read yet.</p>
      {set.error && <ErrorMessage error={set.error} />}
      <table className="data preferences" aria-label="Notification preferences">
        <thead>
          <tr>
            <th scope="col">What</th>
            <th scope="col">In the app</th>
            <th scope="col">By email</th>
          </tr>
        </thead>
        <tbody>
          {prefs.data.map((p) => (
            <tr key={p.kind}>
              <th scope="row">{KIND_LABELS[p.kind]}</th>
              <td>
                <input
                  type="checkbox"
                  aria-label={`${KIND_LABELS[p.kind]} in the app`}
                  checked={p.in_app}
                  onChange={(e) => set.mutate({ kind: p.kind, in_app: e.target.checked })}
                />
              </td>
              <td>
                <input
                  type="checkbox"
                  aria-label={`${KIND_LABELS[p.kind]} by email`}
                  checked={p.email}
                  onChange={(e) => set.mutate({ kind: p.kind, email: e.target.checked })}
                />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

export function NotificationsPage() {
  const [unreadOnly, setUnreadOnly] = useState(false);
  const list = useNotifications({ unread: unreadOnly }, 100);
  const unread = useUnreadCount();
  const markOne = useMarkOne();
  const markAll = useMarkAllRead();
  const navigate = useNavigate();
  const count = unread.data?.unread ?? 0;
  const open = (n: Notification) => {
    if (!n.read) markOne.mutate({ id: n.id, read: true });
    const to = linkFor(n);
    if (to) void navigate(to);
  };
  return (
    <div className="page">
      <div className="page-header">
        <div>
          <h1>Notifications</h1>
          <div className="sub">{count ? `${count} unread` : "All read"}. Mentions, replies, decisions and renders that concern you.</div>
        </div>
        <span className="spacer" />
        <label className="inline">
          <input type="checkbox" checked={unreadOnly} onChange={(e) => setUnreadOnly(e.target.checked)} /> Unread only
        </label>
        <button type="button" className="small" disabled={count === 0 || markAll.isPending} onClick={() => markAll.mutate()}>
          Mark all read
        </button>
      </div>
      {list.isPending ? (
        <Loading />
      ) : list.error ? (
        <ErrorMessage error={list.error} />
      ) : list.data.results.length === 0 ? (
        <p className="muted">{unreadOnly ? "Nothing unread." : "Nothing yet."}</p>
      ) : (
        <ul className="notification-list">
          {list.data.results.map((n) => (
            <NotificationItem key={n.id} n={n} onOpen={open} onToggle={(x) => markOne.mutate({ id: x.id, read: !x.read })} />
          ))}
        </ul>
      )}
      <Preferences />
    </div>
  );
}
