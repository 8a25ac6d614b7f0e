/** Submissions to the client: the studio shows chosen versions (or a playlist) to its client reviewers. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { api, call } from "../api/client";
import { invalidate } from "./invalidation";
import { keys } from "./keys";

export function useSubmissions(projectId: string, { enabled = true }: { enabled?: boolean } = {}) {
  return useQuery({
    queryKey: keys.submissions(projectId),
    queryFn: () => call(api.GET("/api/v1/projects/{project_pk}/submissions/", { params: { path: { project_pk: projectId } } })),
    enabled,
  });
}

/** What a submission changes: the shot list, shots, versions (their `submission`), playlists, the submissions list. */
function submissionKeys(projectId: string) {
  return [keys.submissions(projectId), keys.shots.project(projectId), keys.shot.all, keys.version.all, keys.playlists(projectId)];
}

export function useSubmitToClient(projectId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: { versions?: string[]; playlist?: string; note?: string }) =>
      call(api.POST("/api/v1/projects/{project_pk}/submissions/", { params: { path: { project_pk: projectId } }, body })),
    onSuccess: () => invalidate(client, submissionKeys(projectId)),
  });
}

export function useWithdrawSubmission(projectId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (submissionId: string) => call(api.POST("/api/v1/submissions/{id}/withdraw/", { params: { path: { id: submissionId } } })),
    onSuccess: () => invalidate(client, submissionKeys(projectId)),
  });
}
