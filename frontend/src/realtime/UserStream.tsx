/**
 * The personal stream, `ws /ws/me/`: notifications meant for the signed-in person (mentions,
 * decisions asked of them, likeness uses to review). Shown as toasts; the screens they concern are
 * refreshed. Personal notifications are not replayed by the server, so there is no `since` here.
 */
import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { Link } from "react-router";

import { parseEnvelope, reconnectDelay, type Envelope } from "../lib/stream";

interface Toast {
  key: number;
  text: string;
  link: string | null;
}

function describe(event: Envelope): { text: string; link: string | null } | null {
  const d = event.data;
  const str = (v: unknown) => (typeof v === "string" ? v : "");
  switch (event.type) {
    case "comment.mentioned":
      return {
        text: `${str(d.by) || "Someone"} mentioned you${typeof d.frame === "number" ? ` at frame ${d.frame}` : ""}: ${str(d.body).slice(0, 120)}`,
        link: event.project && str(d.version) ? `/projects/${event.project}/versions/${str(d.version)}` : null,
      };
    default:
      if (event.type.startsWith("stream.") || event.type.startsWith("presence.")) return null;
      return { text: str(d.detail) || str(d.message) || `Update: ${event.type.replace(".", " ")}`, link: null };
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
        if (event.type.startsWith("likeness") || event.type.startsWith("consent")) {
          void client.invalidateQueries({ queryKey: ["likeness-uses"] });
          void client.invalidateQueries({ queryKey: ["consents"] });
        }
        if (typeof event.data.version === "string") void client.invalidateQueries({ queryKey: ["comments", event.data.version] });
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
