/**
 * The project event stream, as pure state transitions (the WebSocket wiring is in
 * `src/realtime/useProjectStream.ts`).
 *
 * Every message is one envelope `{id, type, project, job?, at, data}`. Durable events carry a
 * per-project increasing `id`; the client applies them in id order, exactly once, and remembers the
 * highest id it has applied. After a dropped connection it reconnects with `?since=<that id>`, the
 * server replays what was missed, and anything it had already seen (the overlap) is dropped here.
 * Ephemeral events (`job.progress`, presence) have no id: only the latest value per job is kept.
 */
import type { DataOf, RealtimeMessage } from "../api/generated/events";

/**
 * One message from the server, typed by its `type` from the registry of realtime message types
 * (studio/realtime/events.py and each app's events.py → src/api/generated/events.ts): narrowing on
 * `type` gives the payload's shape. The server sends only registered types; a type this build does
 * not know yet (a newer server) still parses and reaches the default branches.
 */
export type Envelope = RealtimeMessage;

export type ConnectionStatus = "idle" | "connecting" | "live" | "reconnecting" | "refused";

export interface JobLive {
  /** Latest step reported by the worker. */
  step?: number;
  total?: number;
  /** Seconds, when the worker reports them. */
  elapsed?: number;
  eta?: number;
  /** Last known job state from `job.state_changed`. */
  state?: string;
  /** Timestamp of the newest message applied for this job. */
  at: string;
}

/** One person looking at a version (several tabs of one person count once). */
export type Viewer = DataOf<"presence.changed">["viewers"][number];

export interface StreamState {
  projectId: string | null;
  status: ConnectionStatus;
  /** Highest durable event id applied: the `since` of the next connection. */
  lastId: number | null;
  /** Durable events applied, ascending by id (the most recent MAX_EVENTS). */
  events: Envelope[];
  /** Ids applied, for dropping duplicates (replay overlap, a message delivered twice). */
  seen: Set<number>;
  jobs: Record<string, JobLive>;
  /** Who is looking at which version (presence), by version id. */
  viewers: Record<string, Viewer[]>;
  /** Revision of the last presence change applied (changes may arrive out of order). */
  presenceRev: number;
  /** Versions no longer available to this person (a client reviewer's submitted version, quarantined or held since). */
  withdrawn: Record<string, true>;
  /** Consecutive connection attempts that failed (drives the back-off). */
  attempts: number;
  /** Why the server refused the subscription (close code 4401/4403). */
  refusal: string | null;
}

export const MAX_EVENTS = 500;
const MAX_SEEN = 5000;

export function initialStreamState(projectId: string | null = null): StreamState {
  return {
    projectId,
    status: "idle",
    lastId: null,
    events: [],
    seen: new Set(),
    jobs: {},
    viewers: {},
    presenceRev: 0,
    withdrawn: {},
    attempts: 0,
    refusal: null,
  };
}

/** Parses one WebSocket message. Returns null for anything that is not an envelope. */
export function parseEnvelope(raw: string): Envelope | null {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return null;
  }
  if (typeof value !== "object" || value === null) return null;
  const v = value as Record<string, unknown>;
  if (typeof v.type !== "string") return null;
  const id = typeof v.id === "number" && Number.isInteger(v.id) ? v.id : null;
  const envelope = {
    id,
    type: v.type,
    project: typeof v.project === "string" ? v.project : null,
    job: typeof v.job === "string" ? v.job : null,
    at: typeof v.at === "string" ? v.at : "",
    data: typeof v.data === "object" && v.data !== null ? v.data : {},
  };
  // The payload's shape is the server's declaration for this type (see Envelope).
  return envelope as unknown as Envelope;
}

function num(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

function applyEphemeral(jobs: Record<string, JobLive>, event: Envelope): Record<string, JobLive> {
  if (event.type !== "job.progress" || !event.job) return jobs;
  const current = jobs[event.job];
  // Coalesced progress can overtake itself; never move a bar backwards within one run.
  if (current && current.at && event.at && event.at < current.at) return jobs;
  return {
    ...jobs,
    [event.job]: {
      ...current,
      step: num(event.data.step),
      total: num(event.data.total),
      elapsed: num(event.data.elapsed),
      eta: num(event.data.eta),
      state: current?.state === undefined || current.state === "queued" ? "running" : current.state,
      at: event.at,
    },
  };
}

/** `version.updated` with change `withdrawn` (sent to client reviewers only) marks the version gone;
 * any other update of it means it is theirs to see again (e.g. released from quarantine). */
export function applyWithdrawn(withdrawn: Record<string, true>, event: Envelope): Record<string, true> {
  if (event.type !== "version.updated") return withdrawn;
  const id = event.data.id;
  if (event.data.change === "withdrawn") return withdrawn[id] ? withdrawn : { ...withdrawn, [id]: true };
  if (!withdrawn[id]) return withdrawn;
  const rest = { ...withdrawn };
  delete rest[id];
  return rest;
}

function applyJobState(jobs: Record<string, JobLive>, event: Envelope): Record<string, JobLive> {
  if (event.type !== "job.state_changed") return jobs;
  const jobId = event.job ?? (typeof event.data.id === "string" ? event.data.id : null);
  if (!jobId) return jobs;
  const state = typeof event.data.state === "string" ? event.data.state : undefined;
  const current = jobs[jobId];
  const next: JobLive = { ...current, state, at: event.at || current?.at || "" };
  if (state === "succeeded" && next.total !== undefined) next.step = next.total;
  if (state === "queued") {
    // A retry starts over.
    delete next.step;
    delete next.eta;
  }
  return { ...jobs, [jobId]: next };
}

/**
 * Applies received envelopes. Returns the new state and the durable events that were new (in id
 * order), so the caller can refresh exactly what they touch. Envelopes of another project are
 * ignored (a late message from the previous subscription).
 */
export function receive(state: StreamState, incoming: Envelope[]): { state: StreamState; fresh: Envelope[]; resync: string | null } {
  let jobs = state.jobs;
  let withdrawn = state.withdrawn;
  const control: Partial<StreamState> = {};
  let resync: string | null = null;
  const durable: Envelope[] = [];
  for (const event of incoming) {
    if (state.projectId && event.project && event.project !== state.projectId) continue;
    if (event.id === null) {
      switch (event.type) {
        case "stream.ready": {
          // The server's newest event id once the replay is done: what we resume from next time
          // (events up to it were sent, or are not meant for us).
          const head = "last_id" in event.data ? num(event.data.last_id) : undefined;
          const current = control.lastId ?? state.lastId;
          if (head !== undefined && (current === null || head > current)) control.lastId = head;
          break;
        }
        case "stream.reset":
          // The server cannot replay what we missed: reload everything, then apply what follows.
          resync = typeof event.data.detail === "string" ? event.data.detail : "The live stream was reset.";
          break;
        case "presence.snapshot": {
          const versions = event.data.versions;
          if (typeof versions === "object" && versions !== null) control.viewers = versions;
          break;
        }
        case "presence.changed": {
          const rev = num(event.data.rev) ?? 0;
          const base: Record<string, Viewer[]> = control.viewers ?? state.viewers;
          const presenceRev = control.presenceRev ?? state.presenceRev;
          if (typeof event.data.version === "string" && Array.isArray(event.data.viewers) && rev >= presenceRev) {
            control.presenceRev = rev;
            control.viewers = { ...base, [event.data.version]: event.data.viewers };
          }
          break;
        }
        default:
          jobs = applyEphemeral(jobs, event);
      }
      continue;
    }
    durable.push(event);
  }
  durable.sort((a, b) => (a.id as number) - (b.id as number));

  const seen = new Set(state.seen);
  const oldest = state.events.length >= MAX_EVENTS ? (state.events[0]?.id ?? null) : null;
  const fresh: Envelope[] = [];
  for (const event of durable) {
    const id = event.id as number;
    if (seen.has(id)) continue;
    // Older than anything we still remember, after the window was trimmed: already handled.
    if (oldest !== null && id < oldest) continue;
    seen.add(id);
    fresh.push(event);
    jobs = applyJobState(jobs, event);
    withdrawn = applyWithdrawn(withdrawn, event);
  }
  if (fresh.length === 0 && jobs === state.jobs && Object.keys(control).length === 0) return { state, fresh, resync };

  let events = state.events;
  if (fresh.length > 0) {
    events = mergeById(state.events, fresh);
    if (events.length > MAX_EVENTS) events = events.slice(events.length - MAX_EVENTS);
  }
  let trimmedSeen = seen;
  if (seen.size > MAX_SEEN) {
    const keep = [...seen].sort((a, b) => a - b).slice(seen.size - MAX_SEEN);
    trimmedSeen = new Set(keep);
  }
  let lastId = control.lastId ?? state.lastId;
  for (const event of fresh) {
    const id = event.id ?? 0;
    lastId = lastId === null ? id : Math.max(lastId, id);
  }
  return { state: { ...state, ...control, events, seen: trimmedSeen, jobs, withdrawn, lastId }, fresh, resync };
}

function mergeById(a: Envelope[], b: Envelope[]): Envelope[] {
  const out: Envelope[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const x = a[i];
    const y = b[j];
    if (y === undefined || (x !== undefined && (x.id as number) <= (y.id as number))) {
      out.push(x as Envelope);
      i++;
    } else {
      out.push(y);
      j++;
    }
  }
  return out;
}

/** A connection attempt starts. */
export function connecting(state: StreamState): StreamState {
  return { ...state, status: state.status === "reconnecting" ? "reconnecting" : "connecting", refusal: null };
}

/** The socket opened: the stream is live (the server replays from `since` first). */
export function opened(state: StreamState): StreamState {
  return { ...state, status: "live", attempts: 0, refusal: null };
}

/**
 * Close codes the server uses to refuse a subscription; reconnecting cannot help. (4403 also
 * covers a signed-out session: the server does not say which, by design.)
 */
export const REFUSAL_CODES: Record<number, string> = {
  4401: "Your session has ended. Sign in again to receive live updates.",
  4403: "Live updates are not available: you may have been signed out, or lost access to this project.",
  4404: "This live stream does not exist.",
};

/** The server refused the `since` we sent (malformed): start over without it. */
export const CLOSE_BAD_REQUEST = 4400;

/** The socket closed. Either schedule a reconnect or stop for good when the server refused us. */
export function closed(state: StreamState, code: number): StreamState {
  const refusal = REFUSAL_CODES[code];
  if (refusal) return { ...state, status: "refused", refusal };
  const next: StreamState = { ...state, status: "reconnecting", attempts: state.attempts + 1, viewers: {} };
  if (code === CLOSE_BAD_REQUEST) next.lastId = null;
  return next;
}

/** Milliseconds before the next attempt: exponential from 0.5 s, capped at 10 s, with jitter. */
export function reconnectDelay(attempts: number, random: number = Math.random()): number {
  const base = Math.min(10_000, 500 * 2 ** Math.max(0, attempts - 1));
  return Math.round(base * (0.5 + 0.5 * random));
}

/** The WebSocket URL for a project, resuming after `since` when we have seen events. */
export function streamUrl(location: { protocol: string; host: string }, projectId: string, since: number | null): string {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  const query = since !== null ? `?since=${since}` : "";
  return `${scheme}//${location.host}/ws/projects/${encodeURIComponent(projectId)}/${query}`;
}
