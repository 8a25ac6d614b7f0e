/** Renders: the model catalogue, a shot's jobs, submitting and cancelling. */
import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { api, call } from "../api/client";
import type { GenerationSubmit } from "../api/types";
import { invalidate } from "./invalidation";
import { keys } from "./keys";

export const modelsQuery = () =>
  queryOptions({
    queryKey: keys.models,
    queryFn: () => call(api.GET("/api/v1/generation-models/")),
    staleTime: 5 * 60_000,
  });

export function useModels() {
  return useQuery(modelsQuery());
}

export const shotJobsQuery = (shotId: string) =>
  queryOptions({
    queryKey: keys.jobs.shot(shotId),
    queryFn: () => call(api.GET("/api/v1/shots/{shot_pk}/generations/", { params: { path: { shot_pk: shotId }, query: { page_size: 50 } } })),
  });

export function useShotJobs(shotId: string) {
  return useQuery(shotJobsQuery(shotId));
}

/** The studio's GPU concurrency limit, monthly quota and this month's use (docs/OPERATIONS.md). */
export function useGpuAllowance(organizationId: string) {
  return useQuery({
    queryKey: keys.jobs.gpuAllowance(organizationId),
    queryFn: () =>
      call(api.GET("/api/v1/organizations/{organization_pk}/gpu-allowance/", { params: { path: { organization_pk: organizationId } } })),
  });
}

export function useSubmitGeneration(shotId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: GenerationSubmit) => call(api.POST("/api/v1/shots/{shot_pk}/generations/", { params: { path: { shot_pk: shotId } }, body })),
    onSuccess: () => invalidate(client, [keys.jobs.shot(shotId)]),
  });
}

export function useCancelJob(jobId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => call(api.POST("/api/v1/generations/{id}/cancel/", { params: { path: { id: jobId } } })),
    onSuccess: () => invalidate(client, [keys.jobs.all]),
  });
}
