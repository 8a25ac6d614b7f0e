/** Takes: a shot's gallery of finished renders, the artist's marks, re-runs and publishing. */
import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { api, call } from "../api/client";
import { invalidate } from "./invalidation";
import { keys } from "./keys";

export type Discarded = "false" | "true" | "all";
export type TakeMark = "star" | "unstar" | "discard" | "restore";
export type RerunMode = "same_seed" | "new_seed" | "vary_prompt";
export type ConformMethod = "retime" | "interpolate";

export const shotTakesQuery = (shotId: string, discarded: Discarded = "false") =>
  queryOptions({
    queryKey: keys.takes.shot(shotId, discarded),
    queryFn: () =>
      call(api.GET("/api/v1/shots/{shot_pk}/takes/", { params: { path: { shot_pk: shotId }, query: { discarded, page_size: 50 } } })),
    retry: false,
  });

export function useShotTakes(shotId: string, discarded: Discarded = "false", enabled = true) {
  return useQuery({ ...shotTakesQuery(shotId, discarded), enabled });
}

export function useMarkTake(takeId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (mark: TakeMark) => {
      const path = { params: { path: { id: takeId } } };
      switch (mark) {
        case "star":
          return call(api.POST("/api/v1/takes/{id}/star/", { ...path, body: { starred: true } }));
        case "unstar":
          return call(api.POST("/api/v1/takes/{id}/unstar/", path));
        case "discard":
          return call(api.POST("/api/v1/takes/{id}/discard/", path));
        case "restore":
          return call(api.POST("/api/v1/takes/{id}/restore/", path));
      }
    },
    onSuccess: () => invalidate(client, [keys.takes.all]),
  });
}

export function usePublishTake(takeId: string) {
  const client = useQueryClient();
  return useMutation({
    // 202: the take, `publish.state` "conforming"; the media worker conforms it and makes the version (take.updated follows).
    mutationFn: (method: ConformMethod) => call(api.POST("/api/v1/takes/{id}/publish/", { params: { path: { id: takeId } }, body: { method } })),
    onSuccess: () => invalidate(client, [keys.takes.all, keys.shot.all, keys.jobs.all]),
  });
}

export function useRerunTake(takeId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: { mode: RerunMode; prompt?: string }) => call(api.POST("/api/v1/takes/{id}/rerun/", { params: { path: { id: takeId } }, body })),
    onSuccess: () => invalidate(client, [keys.jobs.all]),
  });
}

export type TakeImport = { file: File; source: string; prompt?: string; seed?: string; notes?: string };

/** Import a clip rendered in another tool (ComfyUI, a vendor) as a take: scanned and published like a rendered one. */
export function useImportTake(shotId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ file, source, prompt, seed, notes }: TakeImport) => {
      const form = new FormData();
      form.append("file", file);
      form.append("source", source);
      if (prompt) form.append("prompt", prompt);
      if (seed) form.append("seed", seed);
      if (notes) form.append("notes", notes);
      return call(
        api.POST("/api/v1/shots/{shot_pk}/takes/import/", {
          params: { path: { shot_pk: shotId } },
          body: form as never,
          bodySerializer: (b: unknown) => b as FormData,
        }),
      );
    },
    onSuccess: () => invalidate(client, [keys.takes.all]),
  });
}
