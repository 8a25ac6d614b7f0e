/** Share links of a version for people without an account, and who viewed them. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { api, call } from "../api/client";
import { invalidate } from "./invalidation";
import { keys } from "./keys";

export function useShareLinks(versionId: string, { enabled = true }: { enabled?: boolean } = {}) {
  return useQuery({
    queryKey: keys.shareLinks.version(versionId),
    queryFn: () => call(api.GET("/api/v1/share-links/", { params: { query: { version: versionId } } })),
    enabled,
  });
}

export function useShareViews(linkId: string | null) {
  return useQuery({
    queryKey: keys.shareLinks.views(linkId ?? ""),
    queryFn: () => call(api.GET("/api/v1/share-links/{id}/views/", { params: { path: { id: linkId! } } })),
    enabled: linkId !== null,
  });
}

export interface NewShareLink {
  expires_at: string;
  passphrase?: string;
  allow_download: boolean;
  max_views?: number | null;
  label?: string;
}

export function useCreateShareLink(versionId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: NewShareLink) => call(api.POST("/api/v1/share-links/", { body: { version: versionId, ...body } })),
    onSuccess: () => invalidate(client, [keys.shareLinks.version(versionId)]),
  });
}

export function useRevokeShareLink() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (linkId: string) => call(api.POST("/api/v1/share-links/{id}/revoke/", { params: { path: { id: linkId } } })),
    onSuccess: () => invalidate(client, [keys.shareLinks.all]),
  });
}
