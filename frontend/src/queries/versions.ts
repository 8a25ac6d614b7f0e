/** Versions: one version, and uploading the next one of a shot. */
import { queryOptions, useMutation, useQuery, useQueryClient, type QueryClient } from "@tanstack/react-query";

import { api, call } from "../api/client";
import type { ShotDetail, Version } from "../api/types";
import { invalidate } from "./invalidation";
import { keys } from "./keys";

export const versionQuery = (versionId: string | null) =>
  queryOptions({
    queryKey: keys.version.one(versionId),
    queryFn: () => call(api.GET("/api/v1/versions/{id}/", { params: { path: { id: versionId! } } })),
    enabled: versionId !== null,
  });

/** The version as a cached shot detail holds it (the same shape as its own endpoint), and when that was fetched. */
function fromShots(client: QueryClient, versionId: string | null): { version: Version; at: number } | undefined {
  if (versionId === null) return undefined;
  for (const query of client.getQueryCache().findAll({ queryKey: keys.shot.all })) {
    const shot = query.state.data as ShotDetail | undefined;
    const version = shot?.versions?.find((v) => v.id === versionId);
    if (version) return { version, at: query.state.dataUpdatedAt };
  }
  return undefined;
}

/**
 * One version. Opened from its shot's page, the shot's detail already holds it: the review page
 * starts from that (as fresh as the shot's data; refetched when that is stale), so the player's
 * <video> is in the page at once.
 */
export function useVersion(versionId: string | null) {
  const client = useQueryClient();
  return useQuery({
    ...versionQuery(versionId),
    initialData: () => fromShots(client, versionId)?.version,
    initialDataUpdatedAt: () => fromShots(client, versionId)?.at,
  });
}

export function useUploadVersion(shotId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (file: File) => {
      const form = new FormData();
      form.append("file", file);
      return call(
        api.POST("/api/v1/shots/{shot_pk}/versions/", {
          params: { path: { shot_pk: shotId } },
          body: form as never,
          bodySerializer: (b: unknown) => b as FormData,
        }),
      );
    },
    onSuccess: () => invalidate(client, [keys.shot.one(shotId)]),
  });
}

/** Verify any file's Content Credentials (C2PA). Nothing is cached: every drop is a new answer. */
export function useVerifyFile() {
  return useMutation({
    mutationFn: (file: File) => {
      const form = new FormData();
      form.append("file", file);
      return call(
        api.POST("/api/v1/provenance/verify/", {
          body: form as never,
          bodySerializer: (b: unknown) => b as FormData,
        }),
      );
    },
  });
}
