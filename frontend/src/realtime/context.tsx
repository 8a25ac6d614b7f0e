import { useQueryClient, type QueryClient } from "@tanstack/react-query";
import { createContext, useContext, useEffect, useMemo, useSyncExternalStore, type ReactNode } from "react";

import { initialStreamState, type Envelope, type StreamState } from "../lib/stream";
import { ProjectStream } from "./ProjectStream";

const StreamContext = createContext<ProjectStream | null>(null);

/** Refreshes the queries an event touched. Keys: see the queries in src/queries.ts. */
export function invalidateFor(client: QueryClient, projectId: string, event: Envelope) {
  const d = event.data;
  const id = typeof d.id === "string" ? d.id : undefined;
  const version = typeof d.version === "string" ? d.version : undefined;
  const shot = typeof d.shot === "string" ? d.shot : undefined;
  const keys: unknown[][] = [];
  switch (event.type) {
    case "shot.updated":
      keys.push(["shots", projectId], ["sequences", projectId], ["shot"]);
      break;
    case "version.created":
    case "version.updated":
      keys.push(["shots", projectId], ["shot"], ["version", id], ["jobs"]);
      break;
    case "comment.created":
    case "comment.updated":
      keys.push(["comments", version], ["shots", projectId]);
      break;
    case "approval.decided":
      keys.push(["approvals", version], ["version", version], ["shot", shot], ["shots", projectId], ["likeness-uses"]);
      break;
    case "job.state_changed":
      keys.push(["jobs"], ["shot", shot]);
      break;
    case "consent.changed":
      keys.push(["consents"], ["likeness-uses"], ["version"], ["approvals"]);
      break;
    case "project.updated":
      keys.push(["project", projectId], ["projects"]);
      break;
    case "playlist.updated":
      keys.push(["playlists", projectId]);
      break;
    default:
      keys.push(["project", projectId], ["shots", projectId], ["shot"], ["version"], ["comments"], ["approvals"], ["jobs"]);
  }
  for (const key of keys) {
    const queryKey = key.filter((k) => k !== undefined);
    void client.invalidateQueries({ queryKey });
  }
}

/** Opens the project's event stream for everything inside it. */
export function ProjectStreamProvider({ projectId, children }: { projectId: string; children: ReactNode }) {
  const client = useQueryClient();
  const stream = useMemo(
    () =>
      new ProjectStream(projectId, {
        onEvents: (events) => events.forEach((e) => invalidateFor(client, projectId, e)),
        onResync: () => void client.invalidateQueries(),
      }),
    [projectId, client],
  );
  useEffect(() => {
    stream.start();
    return () => stream.stop();
  }, [stream]);
  return <StreamContext.Provider value={stream}>{children}</StreamContext.Provider>;
}

const IDLE = initialStreamState(null);
const noop = () => () => undefined;

export function useStream(): ProjectStream | null {
  return useContext(StreamContext);
}

export function useStreamState(): StreamState {
  const stream = useStream();
  return useSyncExternalStore(stream ? stream.subscribe : noop, stream ? stream.getSnapshot : () => IDLE);
}

/** Announces which version this page shows, for the others' presence avatars. */
export function usePresence(versionId: string | null) {
  const stream = useStream();
  useEffect(() => {
    if (!stream) return;
    stream.view(versionId);
    return () => stream.view(null);
  }, [stream, versionId]);
}

export function LiveIndicator() {
  const state = useStreamState();
  const label =
    state.status === "live"
      ? "Live"
      : state.status === "reconnecting"
        ? `Reconnecting${state.attempts > 1 ? ` (attempt ${state.attempts})` : ""}…`
        : state.status === "refused"
          ? "Not live"
          : "Connecting…";
  return (
    <span className="live-dot" data-status={state.status} data-testid="live-status" title={state.refusal ?? `Live updates: ${label}`} role="status">
      {label}
    </span>
  );
}
