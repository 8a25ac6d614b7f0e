/**
 * One WebSocket per open project: `ws /ws/projects/{id}/?since=<last id>`. Applies messages with the
 * pure reducer in lib/stream.ts, reconnects with back-off and `since` after a drop, pings to notice
 * a dead connection, and reports every new durable event so the screens refresh what it touched.
 */
import {
  closed,
  connecting,
  initialStreamState,
  opened,
  parseEnvelope,
  receive,
  reconnectDelay,
  streamUrl,
  type Envelope,
  type StreamState,
} from "../lib/stream";

const PING_MS = 25_000;

export interface StreamHandlers {
  /** New durable events, in id order. */
  onEvents: (events: Envelope[]) => void;
  /** The server could not replay what was missed: reload everything. */
  onResync: (reason: string) => void;
}

export class ProjectStream {
  private state: StreamState;
  private socket: WebSocket | null = null;
  private readonly listeners = new Set<() => void>();
  private retryTimer: number | null = null;
  private pingTimer: number | null = null;
  private stopped = false;
  private viewing: string | null = null;

  constructor(
    readonly projectId: string,
    private readonly handlers: StreamHandlers,
  ) {
    this.state = initialStreamState(projectId);
  }

  subscribe = (listener: () => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = () => this.state;

  private setState(next: StreamState) {
    if (next === this.state) return;
    this.state = next;
    this.listeners.forEach((l) => l());
  }

  start() {
    this.stopped = false;
    this.connect();
    window.addEventListener("online", this.onOnline);
  }

  stop() {
    this.stopped = true;
    window.removeEventListener("online", this.onOnline);
    if (this.retryTimer !== null) window.clearTimeout(this.retryTimer);
    if (this.pingTimer !== null) window.clearInterval(this.pingTimer);
    this.retryTimer = null;
    this.pingTimer = null;
    const socket = this.socket;
    this.socket = null;
    socket?.close(1000, "left the project");
  }

  /** Tells the others which version this tab is looking at (presence). */
  view(versionId: string | null) {
    this.viewing = versionId;
    this.send({ type: "presence.view", version: versionId });
  }

  /** Drops the connection as a network failure would (used by tests and the "reconnect" button). */
  reconnectNow() {
    if (this.retryTimer !== null) window.clearTimeout(this.retryTimer);
    this.retryTimer = null;
    if (this.socket) this.socket.close(4000, "reconnect");
    else this.connect();
  }

  private readonly onOnline = () => {
    if (this.state.status === "reconnecting") this.reconnectNow();
  };

  private send(message: Record<string, unknown>) {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
  }

  private connect() {
    if (this.stopped) return;
    this.setState(connecting(this.state));
    const socket = new WebSocket(streamUrl(window.location, this.projectId, this.state.lastId));
    this.socket = socket;
    socket.onopen = () => {
      if (this.socket !== socket) return;
      this.setState(opened(this.state));
      if (this.viewing) this.send({ type: "presence.view", version: this.viewing });
      if (this.pingTimer !== null) window.clearInterval(this.pingTimer);
      this.pingTimer = window.setInterval(() => this.send({ type: "ping" }), PING_MS);
    };
    socket.onmessage = (message: MessageEvent<string>) => {
      if (this.socket !== socket || typeof message.data !== "string") return;
      const envelope = parseEnvelope(message.data);
      if (!envelope) return;
      const { state, fresh, resync } = receive(this.state, [envelope]);
      this.setState(state);
      if (resync) this.handlers.onResync(resync);
      if (fresh.length > 0) this.handlers.onEvents(fresh);
    };
    socket.onclose = (event) => {
      if (this.socket !== socket) return;
      this.socket = null;
      if (this.pingTimer !== null) window.clearInterval(this.pingTimer);
      this.pingTimer = null;
      if (this.stopped) return;
      const next = closed(this.state, event.code);
      this.setState(next);
      if (next.status === "refused") return;
      this.retryTimer = window.setTimeout(() => {
        this.retryTimer = null;
        this.connect();
      }, event.code === 4000 ? 0 : reconnectDelay(next.attempts));
    };
  }
}
