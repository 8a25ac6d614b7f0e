/** Projects, sequences, shots and the people on a project: reads and the writes that refresh them. */
import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { api, call } from "../api/client";
import type { Shot, ShotDetail, ShotStatus } from "../api/types";
import { findShot } from "../lib/shotList";
import { invalidate } from "./invalidation";
import { keys, type ShotFilters } from "./keys";

export function useProjects(organization?: string) {
  return useQuery({
    queryKey: keys.projects.list(organization),
    queryFn: () => call(api.GET("/api/v1/projects/", { params: { query: { page_size: 1000 } } })),
    select: (page) => (organization ? page.results.filter((p) => p.organization === organization) : page.results),
  });
}

export function useProject(projectId: string) {
  return useQuery({
    queryKey: keys.project(projectId),
    queryFn: () => call(api.GET("/api/v1/projects/{id}/", { params: { path: { id: projectId } } })),
  });
}

export interface NewProject {
  organization: string;
  name: string;
  code: string;
  fps: string;
  width: number;
  height: number;
  start_frame: number;
}

export function useCreateProject() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: NewProject) => call(api.POST("/api/v1/projects/", { body })),
    onSuccess: () => invalidate(client, [keys.projects.all]),
  });
}

export function useSequences(projectId: string) {
  return useQuery({
    queryKey: keys.sequences(projectId),
    queryFn: () => call(api.GET("/api/v1/projects/{project_pk}/sequences/", { params: { path: { project_pk: projectId } } })),
  });
}

/** The shot list's filters as its page's URL holds them (`?status=…&sequence=…&q=…&ordering=…`). */
export function shotFiltersFrom(params: URLSearchParams): ShotFilters {
  return {
    status: params.get("status") ?? "",
    sequence: params.get("sequence") ?? "",
    assignee: params.get("assignee") ?? "",
    q: params.get("q") ?? "",
    ordering: params.get("ordering") ?? "",
  };
}

export const shotsQuery = (projectId: string, filters: ShotFilters) => {
  const query = Object.fromEntries(Object.entries(filters).filter(([, v]) => v)) as ShotFilters;
  return queryOptions({
    queryKey: keys.shots.list(projectId, query),
    queryFn: () =>
      call(api.GET("/api/v1/projects/{project_pk}/shots/", { params: { path: { project_pk: projectId }, query: { ...query, page_size: "all" } } })),
  });
};

export function useShots(projectId: string, filters: ShotFilters) {
  return useQuery({ ...shotsQuery(projectId, filters), placeholderData: (previous) => previous });
}

export const shotQuery = (shotId: string) =>
  queryOptions({
    queryKey: keys.shot.one(shotId),
    queryFn: () => call(api.GET("/api/v1/shots/{id}/", { params: { path: { id: shotId } } })),
  });

/**
 * One shot with its version stack. Until the detail arrives, the row a cached shot list holds
 * stands in (`isPlaceholderData`, with no versions yet), so the page opens at once from the list.
 */
export function useShot(shotId: string) {
  const client = useQueryClient();
  return useQuery({
    ...shotQuery(shotId),
    placeholderData: () => {
      const lists = client.getQueriesData<{ results: Shot[] }>({ queryKey: keys.shots.all });
      const row = findShot(lists.map(([, page]) => page?.results), shotId);
      return row ? ({ ...row, versions: [], panel: null } satisfies ShotDetail) : undefined;
    },
  });
}

export function useSetShotStatus(projectId: string, shotId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (status: ShotStatus) => call(api.PATCH("/api/v1/shots/{id}/", { params: { path: { id: shotId } }, body: { status } })),
    onSuccess: () => invalidate(client, [keys.shots.project(projectId)]),
  });
}

export type ImportKind = "csv" | "cut";

/** Import a shot list (CSV) or a cut (OTIO / EDL); a dry run only reports what would change. */
export function useImportShots(projectId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ kind, file, dryRun }: { kind: ImportKind; file: File | null; dryRun: boolean }) => {
      if (!file) throw new Error("Choose a file first.");
      const form = new FormData();
      form.append("file", file);
      form.append("dry_run", dryRun ? "true" : "false");
      const path = kind === "csv" ? "/api/v1/projects/{project_pk}/import/csv/" : "/api/v1/projects/{project_pk}/import/otio/";
      return call(
        api.POST(path, {
          params: { path: { project_pk: projectId } },
          body: form as never,
          bodySerializer: (b: unknown) => b as FormData,
        }),
      );
    },
    onSuccess: async (_summary, { dryRun }) => {
      if (!dryRun) await invalidate(client, [keys.shots.project(projectId), keys.sequences(projectId)]);
    },
  });
}

export function usePeople(projectId: string) {
  return useQuery({
    queryKey: keys.people(projectId),
    queryFn: () => call(api.GET("/api/v1/projects/{id}/people/", { params: { path: { id: projectId } } })),
    staleTime: 60_000,
  });
}

/** A sequence's delivery package (zip): saved by the browser; a refusal (409) lists each shot's reasons. */
export function useDeliveryPackage() {
  return useMutation({
    mutationFn: (sequenceId: string) =>
      call(api.POST("/api/v1/sequences/{id}/delivery-package/", { params: { path: { id: sequenceId } }, parseAs: "blob" })),
  });
}
