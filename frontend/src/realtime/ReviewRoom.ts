/**
 * A review session: one WebSocket to the playlist's room (`/ws/playlists/{id}/room/?tab=<id>`).
 * The server holds the state (presenter, version, frame, playing, speed, drawing) and the members;
 * this class keeps the latest of each (by `rev`, lib/playlist.ts `isNewer`), sends the presenter's
 * changes and the control requests (take, hand over, release, follow, detach), and reconnects with
 * the same tab id after a drop (the server's snapshot brings it up to date at once).
 */
import { useEffect, useMemo, useState, useSyncExternalStore } from "react";

import type { DataOf } from "../api/generated/events";
import { clockOffset, isNewer, newTabId, type RoomMember, type RoomState, type RoomYou } from "../lib/playlist";

export type RoomStatus = "idle" | "connecting" | "open" | "closed";

export interface RoomSnapshot {
  status: RoomStatus;
  state: RoomState | null;
  members: RoomMember[];
  you: RoomYou | null;
  /** Server clock minus this browser's (ms). */
  offset: number;
  error: string | null;
}

const IDLE: RoomSnapshot = { status: "idle", state: null, members: [], you: null, offset: 0, error: null };
const PING_MS = 20_000;
const FINAL_CLOSES: Record<number, string> = {
  4403: "You cannot join this session (no access to the playlist any more).",
  4409: "This tab joined the session again on another connection; this one left.",
};

interface Envelope {
  type: string;
  data: Record<string, unknown>;
}

export class ReviewRoom {
  readonly tab = newTabId();
  private snapshot: RoomSnapshot = IDLE;
  private socket: WebSocket | null = null;
  private readonly listeners = new Set<() => void>();
  private pingTimer: number | null = null;
  private retryTimer: number | null = null;
  private wanted = false;
  private takeOnOpen = false;

  constructor(readonly playlistId: string) {}

  subscribe = (listener: () => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = () => this.snapshot;

  private set(patch: Partial<RoomSnapshot>) {
    this.snapshot = { ...this.snapshot, ...patch };
    this.listeners.forEach((l) => l());
  }

  /** Join the session; `present` also asks to lead it ("Start session"). */
  join({ present = false }: { present?: boolean } = {}) {
    this.wanted = true;
    this.takeOnOpen = present;
    if (this.socket) {
      if (present) this.send({ type: "room.take" });
      return;
    }
    this.connect();
  }

  leave() {
    this.wanted = false;
    this.stopTimers();
    const socket = this.socket;
    this.socket = null;
    socket?.close(1000, "left the session");
    this.set(IDLE);
  }

  send(message: Record<string, unknown>) {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
  }

  take = () => this.send({ type: "room.take" });
  release = () => this.send({ type: "room.release" });
  handover = (tab: string) => this.send({ type: "room.handover", to: tab });
  follow = () => this.send({ type: "room.follow" });
  detach = () => this.send({ type: "room.detach" });
  /** The presenter's playback (frame numbers, never seconds). */
  update = (changes: { version?: string; frame?: number; playing?: boolean; speed?: number }) => this.send({ type: "room.state", ...changes });
  /** The presenter's live drawing on a frame; [] clears it. */
  draw = (frame: number, shapes: unknown[]) => this.send({ type: "room.draw", frame, shapes });

  private connect() {
    const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
    const url = `${scheme}//${window.location.host}/ws/playlists/${this.playlistId}/room/?tab=${this.tab}`;
    const socket = new WebSocket(url);
    this.socket = socket;
    this.set({ status: "connecting", error: null });
    socket.onmessage = (e) => this.receive(JSON.parse(String(e.data)) as Envelope);
    socket.onclose = (e) => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.stopTimers();
      // 4403 (no access) and 4409 (this tab opened elsewhere) are final; other drops reconnect.
      const final = FINAL_CLOSES[e.code];
      if (final) {
        this.wanted = false;
        this.set({ ...IDLE, error: final });
        return;
      }
      this.set({ status: "closed" });
      if (this.wanted) this.retryTimer = window.setTimeout(() => this.connect(), 1500);
    };
    this.pingTimer = window.setInterval(() => this.send({ type: "ping" }), PING_MS);
  }

  private receive(message: Envelope) {
    const held = this.snapshot.state;
    switch (message.type) {
      case "room.snapshot": {
        const data = message.data as DataOf<"room.snapshot">;
        this.set({
          status: "open", state: data.state, members: data.members, you: data.you,
          offset: clockOffset(data.server_time, Date.now()), error: null,
        });
        if (this.takeOnOpen) {
          this.takeOnOpen = false;
          if (!data.you.presenter) this.take();
        }
        return;
      }
      case "room.state": {
        const data = message.data as DataOf<"room.state">;
        if (isNewer(data.state, held)) this.set({ state: data.state, you: this.youFrom(data.state) });
        return;
      }
      case "room.ack": {
        const data = message.data as DataOf<"room.ack">;
        const patch: Partial<RoomSnapshot> = { members: data.members, error: null };
        if (isNewer(data.state, held) || data.state.rev === held?.rev) Object.assign(patch, { state: data.state, you: this.youFrom(data.state) });
        this.set(patch);
        return;
      }
      case "room.members": {
        const data = message.data as DataOf<"room.members">;
        const me = data.members.find((m) => m.tab === this.tab);
        this.set({ members: data.members, you: this.snapshot.you && me ? { ...this.snapshot.you, following: me.following, presenter: me.presenter } : this.snapshot.you });
        return;
      }
      case "room.error": {
        const data = message.data as DataOf<"room.error">;
        this.set({ error: data.detail });
        return;
      }
      default:
        return;
    }
  }

  private youFrom(state: RoomState): RoomYou | null {
    const you = this.snapshot.you;
    if (!you) return you;
    const presenter = state.presenter?.tab === this.tab;
    return { ...you, presenter, following: presenter ? true : you.following };
  }

  private stopTimers() {
    if (this.pingTimer !== null) window.clearInterval(this.pingTimer);
    if (this.retryTimer !== null) window.clearTimeout(this.retryTimer);
    this.pingTimer = null;
    this.retryTimer = null;
  }
}

/** The review room of a playlist for this page (not joined until `room.join()`), left on unmount. */
export function useReviewRoom(playlistId: string): { room: ReviewRoom; snapshot: RoomSnapshot } {
  const [room] = useState(() => new ReviewRoom(playlistId));
  useEffect(() => () => room.leave(), [room]);
  const snapshot = useSyncExternalStore(room.subscribe, room.getSnapshot);
  return useMemo(() => ({ room, snapshot }), [room, snapshot]);
}
