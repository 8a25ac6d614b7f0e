/** Versions: one version, and uploading the next one of a shot. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { api, call } from "../api/client";
import { invalidate } from "./invalidation";
import { keys } from "./keys";

export function useVersion(versionId: string | null) {
  return useQuery({
    queryKey: keys.version.one(versionId),
    queryFn: () => call(api.GET("/api/v1/versions/{id}/", { params: { path: { id: versionId! } } })),
    enabled: versionId !== null,
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
