/** Stills on the board: generate a panel's still or every missing one, the panel's still takes, picking one. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { api, call } from "../api/client";
import { invalidate } from "./invalidation";
import { keys } from "./keys";

// The model's defaults for everything else; one still per panel, the usual likeness use.
const STILL_DEFAULTS = { count: 1, use_type: "digital_replica" } as const;

/** The project's still renders queued or running (the board's live job cards pick its panels' ones). */
export function useBoardStillJobs(projectId: string) {
  return useQuery({
    queryKey: keys.jobs.board(projectId),
    queryFn: () =>
      call(
        api.GET("/api/v1/projects/{project_pk}/generations/", {
          params: { path: { project_pk: projectId }, query: { state: "queued,running", page_size: 100 } },
        }),
      ),
    select: (page) => page.results.filter((job) => job.panel),
  });
}

/** A panel's still takes and its still renders on the way. */
export function usePanelStills(panelId: string, enabled = true) {
  return useQuery({
    queryKey: keys.takes.panel(panelId),
    queryFn: () => call(api.GET("/api/v1/panels/{id}/stills/", { params: { path: { id: panelId } } })),
    enabled,
  });
}

export function useGenerateStill(projectId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ panelId, seed }: { panelId: string; seed?: number }) =>
      call(api.POST("/api/v1/panels/{id}/stills/", { params: { path: { id: panelId } }, body: { ...STILL_DEFAULTS, ...(seed === undefined ? {} : { seed }) } })),
    onSuccess: (_batch, vars) => invalidate(client, [keys.jobs.board(projectId), keys.takes.panel(vars.panelId)]),
  });
}

export function useGenerateMissingStills(sequenceId: string, projectId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => call(api.POST("/api/v1/sequences/{sequence_pk}/storyboard/stills/", { params: { path: { sequence_pk: sequenceId } }, body: STILL_DEFAULTS })),
    onSuccess: () => invalidate(client, [keys.jobs.board(projectId), keys.takes.all]),
  });
}

export function useChooseStill(sequenceId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ panelId, takeId }: { panelId: string; takeId: string }) =>
      call(api.POST("/api/v1/panels/{id}/stills/use/", { params: { path: { id: panelId } }, body: { take: takeId } })),
    onSuccess: (_state, vars) =>
      invalidate(client, [keys.storyboards.board(sequenceId), keys.storyboards.animatic(sequenceId), keys.takes.panel(vars.panelId)]),
  });
}
