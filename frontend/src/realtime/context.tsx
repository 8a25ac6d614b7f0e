import { useQueryClient } from "@tanstack/react-query";
import { createContext, useContext, useEffect, useMemo, useSyncExternalStore, type ReactNode } from "react";

import { initialStreamState, type StreamState } from "../lib/stream";
import { invalidateAll, invalidateFor } from "../queries/invalidation";
import { ProjectStream } from "./ProjectStream";

const StreamContext = createContext<ProjectStream | null>(null);

/** Opens the project's event stream for everything inside it. */
export function ProjectStreamProvider({ projectId, children }: { projectId: string; children: ReactNode }) {
  const client = useQueryClient();
  const stream = useMemo(
    () =>
      new ProjectStream(projectId, {
        onEvents: (events) => events.forEach((e) => invalidateFor(client, projectId, e)),
        onResync: () => invalidateAll(client),
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
