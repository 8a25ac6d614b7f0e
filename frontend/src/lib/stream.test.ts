import { describe, expect, it } from "vitest";

import {
  MAX_EVENTS,
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
} from "./stream";

const PROJECT = "6f1c3d2e-0000-4000-8000-000000000001";

/** A message carrying only what the reducer reads (real payloads are typed from the server's registry). */
function ev(id: number | null, type = "comment.created", extra: { project?: string; job?: string; at?: string; data?: object } = {}): Envelope {
  return { id, type, project: PROJECT, at: `2026-01-01T00:00:${String(id ?? 0).padStart(2, "0")}Z`, data: {}, ...extra } as unknown as Envelope;
}

function ids(state: StreamState): number[] {
  return state.events.map((e) => e.id as number);
}

describe("receive", () => {
  it("applies durable events in id order and reports them as fresh", () => {
    const { state, fresh } = receive(initialStreamState(PROJECT), [ev(3), ev(1), ev(2)]);
    expect(ids(state)).toEqual([1, 2, 3]);
    expect(fresh.map((e) => e.id)).toEqual([1, 2, 3]);
    expect(state.lastId).toBe(3);
  });

  it("drops duplicates, whether in one batch or across messages", () => {
    let s = receive(initialStreamState(PROJECT), [ev(1), ev(1), ev(2)]).state;
    const again = receive(s, [ev(2), ev(1)]);
    expect(again.fresh).toEqual([]);
    expect(again.state).toBe(s);
    s = receive(s, [ev(3)]).state;
    expect(ids(s)).toEqual([1, 2, 3]);
  });

  it("places an event that arrives late at its id and still applies it once", () => {
    let s = receive(initialStreamState(PROJECT), [ev(1), ev(2), ev(4)]).state;
    const late = receive(s, [ev(3)]);
    expect(late.fresh.map((e) => e.id)).toEqual([3]);
    s = late.state;
    expect(ids(s)).toEqual([1, 2, 3, 4]);
    expect(s.lastId).toBe(4);
  });

  it("ignores a message for another project (left over from the previous subscription)", () => {
    const { state, fresh } = receive(initialStreamState(PROJECT), [ev(1, "version.created", { project: "other" })]);
    expect(fresh).toEqual([]);
    expect(state.lastId).toBeNull();
  });

  it("keeps only the latest progress per job and never moves it back in time", () => {
    let s = initialStreamState(PROJECT);
    const progress = (step: number, at: string) =>
      ev(null, "job.progress", { job: "job-1", at, data: { step, total: 20, elapsed: step * 0.5, eta: (20 - step) * 0.5 } });
    s = receive(s, [progress(3, "2026-01-01T00:00:03Z")]).state;
    s = receive(s, [progress(5, "2026-01-01T00:00:05Z")]).state;
    s = receive(s, [progress(4, "2026-01-01T00:00:04Z")]).state; // overtaken
    expect(s.jobs["job-1"]).toMatchObject({ step: 5, total: 20, eta: 7.5, state: "running" });
    expect(s.lastId).toBeNull(); // progress is not durable: it never moves `since`
    expect(s.events).toEqual([]);
  });

  it("tracks job state changes and fills the bar when a job succeeds", () => {
    let s = initialStreamState(PROJECT);
    s = receive(s, [ev(null, "job.progress", { job: "j", at: "2026-01-01T00:00:01Z", data: { step: 19, total: 20 } })]).state;
    const done = receive(s, [ev(7, "job.state_changed", { job: "j", at: "2026-01-01T00:00:02Z", data: { state: "succeeded" } })]);
    expect(done.state.jobs.j).toMatchObject({ state: "succeeded", step: 20, total: 20 });
    expect(done.fresh).toHaveLength(1);
  });

  it("keeps a bounded window of events and treats anything older as already handled", () => {
    let s = initialStreamState(PROJECT);
    s = receive(s, Array.from({ length: MAX_EVENTS + 50 }, (_, i) => ev(i + 1))).state;
    expect(s.events).toHaveLength(MAX_EVENTS);
    expect(s.events[0]?.id).toBe(51);
    expect(receive(s, [ev(10)]).fresh).toEqual([]);
    expect(s.lastId).toBe(MAX_EVENTS + 50);
  });

  it("marks a version withdrawn from a client, and available again on its next update", () => {
    let s = receive(initialStreamState(PROJECT), [ev(1, "version.updated", { data: { id: "v1", change: "withdrawn" } })]).state;
    expect(s.withdrawn).toEqual({ v1: true });
    const again = receive(s, [ev(1, "version.updated", { data: { id: "v1", change: "withdrawn" } })]);
    expect(again.state).toBe(s); // a duplicate changes nothing
    s = receive(s, [ev(2, "version.updated", { data: { id: "v2", change: "note" } })]).state;
    expect(s.withdrawn).toEqual({ v1: true });
    s = receive(s, [ev(3, "version.updated", { data: { id: "v1", shot: "s1", change: "released" } })]).state;
    expect(s.withdrawn).toEqual({});
  });
});

describe("reconnect and catch up", () => {
  it("resumes with since = the last applied id and ends with every event exactly once, in order", () => {
    // The server's log for the project.
    const server = Array.from({ length: 8 }, (_, i) => ev(i + 1, i % 2 ? "version.created" : "comment.created"));
    let s = connecting(initialStreamState(PROJECT));
    s = opened(s);
    s = receive(s, server.slice(0, 3)).state;

    // The connection drops; five events happen meanwhile.
    s = closed(s, 1006);
    expect(s.status).toBe("reconnecting");
    expect(s.attempts).toBe(1);

    const url = streamUrl({ protocol: "https:", host: "greenlight.example" }, PROJECT, s.lastId);
    expect(url).toBe(`wss://greenlight.example/ws/projects/${PROJECT}/?since=3`);
    const since = Number(new URL(url).searchParams.get("since"));

    s = opened(connecting(s));
    expect(s.attempts).toBe(0);
    // Replay of what was missed, with an overlapping duplicate and a live event racing the replay.
    const replay = server.filter((e) => (e.id as number) > since);
    const first = receive(s, [server[2]!, ...replay.slice(0, 2)]);
    const second = receive(first.state, [server[7]!, ...replay.slice(2)]);
    s = second.state;

    expect(ids(s)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect([...first.fresh, ...second.fresh].map((e) => e.id).sort((a, b) => (a as number) - (b as number))).toEqual([4, 5, 6, 7, 8]);
    expect(s.lastId).toBe(8);
  });

  it("connects without since when nothing has been seen yet", () => {
    expect(streamUrl({ protocol: "http:", host: "127.0.0.1:8000" }, PROJECT, null)).toBe(`ws://127.0.0.1:8000/ws/projects/${PROJECT}/`);
  });

  it("stops reconnecting when the server refuses the subscription, and says why", () => {
    const s = closed(opened(initialStreamState(PROJECT)), 4403);
    expect(s.status).toBe("refused");
    expect(s.refusal).toMatch(/lost access to this project/);
    expect(closed(initialStreamState(PROJECT), 4401).refusal).toMatch(/Sign in again/);
  });

  it("backs off exponentially with jitter, capped at ten seconds", () => {
    expect(reconnectDelay(1, 1)).toBe(500);
    expect(reconnectDelay(1, 0)).toBe(250);
    expect(reconnectDelay(2, 1)).toBe(1000);
    expect(reconnectDelay(4, 1)).toBe(4000);
    expect(reconnectDelay(20, 1)).toBe(10_000);
    expect(reconnectDelay(20, 0)).toBe(5000);
  });
});

describe("control messages", () => {
  const control = (type: string, data: Record<string, unknown>): Envelope => ({ id: null, type, project: PROJECT, at: "t", data }) as unknown as Envelope;

  it("resumes from the server's head after a first connection without since", () => {
    let s = opened(connecting(initialStreamState(PROJECT)));
    s = receive(s, [control("stream.ready", { last_id: 41, replayed: 0 })]).state;
    expect(s.lastId).toBe(41);
    expect(streamUrl({ protocol: "http:", host: "h" }, PROJECT, s.lastId)).toMatch(/\?since=41$/);
    // A later event moves it on; an older ready never moves it back.
    s = receive(s, [ev(42)]).state;
    s = receive(s, [control("stream.ready", { last_id: 40 })]).state;
    expect(s.lastId).toBe(42);
  });

  it("asks for a full reload when the server cannot replay", () => {
    const r = receive(initialStreamState(PROJECT), [control("stream.reset", { reason: "history_pruned", detail: "Events before 9 were pruned." })]);
    expect(r.resync).toMatch(/pruned/);
    expect(receive(initialStreamState(PROJECT), [ev(1)]).resync).toBeNull();
  });

  it("tracks who is viewing which version, ignoring stale presence changes", () => {
    let s = initialStreamState(PROJECT);
    const alex = { user: "u1", name: "Alex", tabs: 1 };
    const priya = { user: "u2", name: "Priya", tabs: 2 };
    s = receive(s, [control("presence.snapshot", { versions: { v1: [alex] } })]).state;
    s = receive(s, [control("presence.changed", { version: "v1", viewers: [alex, priya], rev: 5 })]).state;
    s = receive(s, [control("presence.changed", { version: "v1", viewers: [], rev: 4 })]).state;
    expect(s.viewers.v1).toEqual([alex, priya]);
    expect(closed(s, 1006).viewers).toEqual({});
  });

  it("drops a malformed since and reconnects from scratch", () => {
    const s = closed({ ...initialStreamState(PROJECT), lastId: 7 }, 4400);
    expect(s.status).toBe("reconnecting");
    expect(s.lastId).toBeNull();
  });
});

describe("parseEnvelope", () => {
  it("reads a durable and an ephemeral envelope", () => {
    expect(parseEnvelope(JSON.stringify({ id: 12, type: "version.created", project: PROJECT, at: "t", data: { id: "v" } }))).toEqual({
      id: 12,
      type: "version.created",
      project: PROJECT,
      job: null,
      at: "t",
      data: { id: "v" },
    });
    expect(parseEnvelope(JSON.stringify({ id: null, type: "job.progress", project: PROJECT, job: "j", at: "t", data: { step: 1 } }))?.job).toBe("j");
  });

  it("refuses what is not an envelope", () => {
    expect(parseEnvelope("not json")).toBeNull();
    expect(parseEnvelope("[1,2]")).toBeNull();
    expect(parseEnvelope(JSON.stringify({ id: 1 }))).toBeNull();
  });
});
