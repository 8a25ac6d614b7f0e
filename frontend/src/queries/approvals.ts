/** A version's approval lanes and decisions, with what the caller may decide (`allowed_actions`). */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef } from "react";

import { api, call } from "../api/client";
import type { ApprovalSummary } from "../api/types";
import { invalidate } from "./invalidation";
import { keys } from "./keys";

/**
 * `freshWith`: a value that changes when the summary may have changed without an event reaching
 * this page (the agency is not on the studio's project stream): the summary is read again then.
 */
export function useApprovals(versionId: string | null, { freshWith }: { freshWith?: unknown } = {}) {
  const client = useQueryClient();
  const previous = useRef(freshWith);
  useEffect(() => {
    if (previous.current === freshWith) return;
    previous.current = freshWith;
    void invalidate(client, [keys.approvals.version(versionId)]);
  }, [client, versionId, freshWith]);
  return useQuery({
    queryKey: keys.approvals.version(versionId),
    // The schema lists the version id twice (`id` and `pk`, see projects/api/views.py); both are the version.
    queryFn: () => call(api.GET("/api/v1/versions/{id}/approvals/", { params: { path: { id: versionId!, pk: versionId! } } })),
    enabled: versionId !== null,
  });
}

export type Decision = "approved" | "changes_requested";

/**
 * Record the caller's decision in one lane; the version, its shot and likeness uses are refreshed.
 * `onDecided` runs as soon as the decision is stored, before the refresh: refreshing the uses can
 * take the screen that asked (the agency's review of a use) away.
 */
export function useDecideApproval(versionId: string, { onDecided }: { onDecided?: (summary: ApprovalSummary) => void } = {}) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ lane, decision, note }: { lane: string; decision: Decision; note: string }) =>
      call(
        api.POST("/api/v1/versions/{id}/approvals/", {
          params: { path: { id: versionId, pk: versionId } },
          body: { lane, decision, note },
        }),
      ),
    onSuccess: async (summary) => {
      client.setQueryData(keys.approvals.version(versionId), summary);
      onDecided?.(summary);
      await invalidate(client, [keys.version.one(versionId), keys.shot.all, keys.likenessUses.all]);
    },
  });
}
