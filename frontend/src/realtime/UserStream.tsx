/**
 * The personal stream, `ws /ws/me/`: notifications meant for the signed-in person (mentions,
 * decisions asked of them, likeness uses to review). Shown as toasts; the screens they concern are
 * refreshed. Personal notifications are not replayed by the server, so there is no `since` here.
 */
import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { Link } from "react-router";

import { linkFor, toastFor, unreadFrom } from "../lib/notifications";
import { parseEnvelope, reconnectDelay, type Envelope } from "../lib/stream";
import { invalidate, keysForNotification } from "../queries/invalidation";
import { keys } from "../queries/keys";

interface Toast {
  key: number;
  text: string;
  link: string | null;
}

function describe(event: Envelope): { text: string; link: string | null } | null {
  const project = event.project;
  switch (event.type) {
    case "comment.mentioned": {
      const d = event.data;
      return {
        text: `${d.by || "Someone"} mentioned you at frame ${d.frame}: ${d.body.slice(0, 120)}`,
        link: project ? `/projects/${project}/versions/${d.version}` : null,
      };
    }
    case "version.quarantined": {
      const d = event.data;
      return { text: `${d.shot} ${d.label} was quarantined: ${d.reason}`, link: project ? `/projects/${project}/versions/${d.version}` : null };
    }
    case "generation.cancelled": {
      const d = event.data;
      return { text: `A render was cancelled: ${d.reason}`, link: project ? `/projects/${project}/shots/${d.shot}` : null };
    }
    case "notification.created": {
      const text = toastFor(event);
      const n = event.data.notification;
      return text ? { text, link: n.target.version || n.target.shot ? linkFor(n) : null } : null;
    }
    case "notification.read":
      return null; // the bell's count is updated below
    default:
      if (event.type.startsWith("stream.") || event.type.startsWith("presence.")) return null;
      return { text: `Update: ${event.type.replace(".", " ")}`, link: null };
  }
}

export function UserStream() {
  const client = useQueryClient();
  const [toasts, setToasts] = useState<Toast[]>([]);

  useEffect(() => {
    let socket: WebSocket | null = null;
    let attempts = 0;
    let timer: number | null = null;
    let stopped = false;
    let counter = 0;
    const connect = () => {
      const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
      socket = new WebSocket(`${scheme}//${window.location.host}/ws/me/`);
      socket.onopen = () => {
        attempts = 0;
      };
      socket.onmessage = (m: MessageEvent<string>) => {
        const event = typeof m.data === "string" ? parseEnvelope(m.data) : null;
        if (!event) return;
        const unread = unreadFrom(event);
        if (unread !== null) client.setQueryData(keys.notifications.unread, { unread });
        void invalidate(client, keysForNotification(event));
        const toast = describe(event);
        if (!toast) return;
        const key = ++counter;
        setToasts((t) => [...t.slice(-3), { key, ...toast }]);
        window.setTimeout(() => setToasts((t) => t.filter((x) => x.key !== key)), 10_000);
      };
      socket.onclose = (e) => {
        socket = null;
        if (stopped || e.code === 4403) return;
        attempts += 1;
        timer = window.setTimeout(connect, reconnectDelay(attempts));
      };
    };
    connect();
    return () => {
      stopped = true;
      if (timer !== null) window.clearTimeout(timer);
      socket?.close(1000);
    };
  }, [client]);

  return (
    <div className="toast-region" role="status" aria-live="polite">
      {toasts.map((t) => (
        <div key={t.key} className="toast">
          {t.link ? <Link to={t.link}>{t.text}</Link> : t.text}
          <button type="button" className="chip-x" aria-label="Dismiss" onClick={() => setToasts((all) => all.filter((x) => x.key !== t.key))}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
