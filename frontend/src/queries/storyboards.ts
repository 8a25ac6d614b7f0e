/** A sequence's storyboard: panels, stills, notes, the animatic and "Make shots". */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { api, call } from "../api/client";
import { invalidate } from "./invalidation";
import { keys } from "./keys";

export interface PanelFields {
  prompt?: string;
  duration_frames?: number;
  camera_notes?: string;
  action_notes?: string;
}

export function useStoryboard(sequenceId: string) {
  return useQuery({
    queryKey: keys.storyboards.board(sequenceId),
    queryFn: () => call(api.GET("/api/v1/sequences/{sequence_pk}/storyboard/", { params: { path: { sequence_pk: sequenceId } } })),
  });
}

function useBoardWrite<T>(sequenceId: string, write: (vars: T) => Promise<unknown>) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: write,
    onSuccess: () => invalidate(client, [keys.storyboards.board(sequenceId), keys.storyboards.animatic(sequenceId), keys.storyboards.shotPlan(sequenceId)]),
  });
}

export function useAddPanel(sequenceId: string) {
  return useBoardWrite(sequenceId, (body: PanelFields & { position?: number }) =>
    call(api.POST("/api/v1/sequences/{sequence_pk}/storyboard/panels/", { params: { path: { sequence_pk: sequenceId } }, body })),
  );
}

export function useUpdatePanel(sequenceId: string) {
  return useBoardWrite(sequenceId, ({ id, ...body }: PanelFields & { id: string }) =>
    call(api.PATCH("/api/v1/panels/{id}/", { params: { path: { id: id } }, body })),
  );
}

export function useDuplicatePanel(sequenceId: string) {
  return useBoardWrite(sequenceId, (id: string) => call(api.POST("/api/v1/panels/{id}/duplicate/", { params: { path: { id: id } } })));
}

export function useDeletePanel(sequenceId: string) {
  return useBoardWrite(sequenceId, (id: string) => call(api.DELETE("/api/v1/panels/{id}/", { params: { path: { id: id } } })));
}

export function useReorderPanels(sequenceId: string) {
  const client = useQueryClient();
  const key = keys.storyboards.board(sequenceId);
  return useMutation({
    mutationFn: (panels: string[]) =>
      call(api.POST("/api/v1/sequences/{sequence_pk}/storyboard/reorder/", { params: { path: { sequence_pk: sequenceId } }, body: { panels } })),
    onSuccess: (board) => {
      client.setQueryData(key, board);
      return invalidate(client, [keys.storyboards.animatic(sequenceId), keys.storyboards.shotPlan(sequenceId)]);
    },
    onError: () => invalidate(client, [key]),
  });
}

export function useUploadStill(sequenceId: string) {
  return useBoardWrite(sequenceId, ({ id, file }: { id: string; file: File }) => {
    const form = new FormData();
    form.append("file", file);
    return call(
      api.POST("/api/v1/panels/{id}/still/", { params: { path: { id: id } }, body: form as never, bodySerializer: (b: unknown) => b as FormData }),
    );
  });
}

export function useClearStill(sequenceId: string) {
  return useBoardWrite(sequenceId, (id: string) => call(api.DELETE("/api/v1/panels/{id}/still/", { params: { path: { id: id } } })));
}

export function usePanelComments(panelId: string | null) {
  return useQuery({
    queryKey: keys.storyboards.comments(panelId ?? ""),
    queryFn: () => call(api.GET("/api/v1/panels/{id}/comments/", { params: { path: { id: panelId! } } })),
    enabled: panelId !== null,
  });
}

export function useAddPanelComment(sequenceId: string, panelId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: string) => call(api.POST("/api/v1/panels/{id}/comments/", { params: { path: { id: panelId } }, body: { body } })),
    onSuccess: () => invalidate(client, [keys.storyboards.comments(panelId), keys.storyboards.board(sequenceId)]),
  });
}

/** The animatic state; polls while one is being built (the realtime event usually arrives first). */
export function useAnimatic(sequenceId: string) {
  return useQuery({
    queryKey: keys.storyboards.animatic(sequenceId),
    queryFn: () => call(api.GET("/api/v1/sequences/{sequence_pk}/storyboard/animatic/", { params: { path: { sequence_pk: sequenceId } } })),
    refetchInterval: (query) => (query.state.data?.animatic?.status === "building" ? 3000 : false),
  });
}

export function useRequestAnimatic(sequenceId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => call(api.POST("/api/v1/sequences/{sequence_pk}/storyboard/animatic/", { params: { path: { sequence_pk: sequenceId } } })),
    onSuccess: (state) => client.setQueryData(keys.storyboards.animatic(sequenceId), state),
  });
}

export function useShotPlan(sequenceId: string, enabled: boolean) {
  return useQuery({
    queryKey: keys.storyboards.shotPlan(sequenceId),
    queryFn: () => call(api.GET("/api/v1/sequences/{sequence_pk}/storyboard/shots/", { params: { path: { sequence_pk: sequenceId } } })),
    enabled,
    staleTime: 0,
  });
}

export function useMakeShots(sequenceId: string, projectId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (token: string) =>
      call(api.POST("/api/v1/sequences/{sequence_pk}/storyboard/shots/", { params: { path: { sequence_pk: sequenceId } }, body: { token } })),
    onSettled: () => invalidate(client, [keys.storyboards.all, keys.shots.project(projectId), keys.sequences(projectId), keys.shot.all]),
  });
}
