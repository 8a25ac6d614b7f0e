/**
 * Reads, as React Query hooks. Keys start with the kind of thing they hold, so a realtime event can
 * refresh a whole family (see realtime/context.tsx `invalidateFor`).
 */
import { useQuery } from "@tanstack/react-query";

import { api, call } from "./api/client";

export function useProjects(organization?: string) {
  return useQuery({
    queryKey: ["projects", organization ?? "all"],
    queryFn: () => call(api.GET("/api/v1/projects/", { params: { query: { page_size: 1000 } } })),
    select: (page) => (organization ? page.results.filter((p) => p.organization === organization) : page.results),
  });
}

export function useProject(projectId: string) {
  return useQuery({
    queryKey: ["project", projectId],
    queryFn: () => call(api.GET("/api/v1/projects/{id}/", { params: { path: { id: projectId } } })),
  });
}

export function useSequences(projectId: string) {
  return useQuery({
    queryKey: ["sequences", projectId],
    queryFn: () => call(api.GET("/api/v1/projects/{project_pk}/sequences/", { params: { path: { project_pk: projectId } } })),
  });
}

export interface ShotFilters {
  status?: string;
  sequence?: string;
  assignee?: string;
  q?: string;
  ordering?: string;
}

export function useShots(projectId: string, filters: ShotFilters) {
  const query = Object.fromEntries(Object.entries(filters).filter(([, v]) => v)) as ShotFilters;
  return useQuery({
    queryKey: ["shots", projectId, query],
    queryFn: () =>
      call(api.GET("/api/v1/projects/{project_pk}/shots/", { params: { path: { project_pk: projectId }, query: { ...query, page_size: "all" } } })),
    placeholderData: (previous) => previous,
  });
}

export function useShot(shotId: string) {
  return useQuery({
    queryKey: ["shot", shotId],
    queryFn: () => call(api.GET("/api/v1/shots/{id}/", { params: { path: { id: shotId } } })),
  });
}

export function useVersion(versionId: string | null) {
  return useQuery({
    queryKey: ["version", versionId],
    queryFn: () => call(api.GET("/api/v1/versions/{id}/", { params: { path: { id: versionId! } } })),
    enabled: versionId !== null,
  });
}

export function useComments(versionId: string | null) {
  return useQuery({
    queryKey: ["comments", versionId],
    queryFn: () => call(api.GET("/api/v1/versions/{version_pk}/comments/", { params: { path: { version_pk: versionId! } } })),
    enabled: versionId !== null,
  });
}

export function useApprovals(versionId: string | null) {
  return useQuery({
    queryKey: ["approvals", versionId],
    // The schema lists the version id twice (`id` and `pk`, see projects/api/views.py); both are the version.
    queryFn: () => call(api.GET("/api/v1/versions/{id}/approvals/", { params: { path: { id: versionId!, pk: versionId! } } })),
    enabled: versionId !== null,
  });
}

export function usePeople(projectId: string) {
  return useQuery({
    queryKey: ["people", projectId],
    queryFn: () => call(api.GET("/api/v1/projects/{id}/people/", { params: { path: { id: projectId } } })),
    staleTime: 60_000,
  });
}

export function useShotJobs(shotId: string) {
  return useQuery({
    queryKey: ["jobs", "shot", shotId],
    queryFn: () => call(api.GET("/api/v1/shots/{shot_pk}/generations/", { params: { path: { shot_pk: shotId }, query: { page_size: 50 } } })),
  });
}

export function useModels() {
  return useQuery({
    queryKey: ["generation-models"],
    queryFn: () => call(api.GET("/api/v1/generation-models/")),
    staleTime: 5 * 60_000,
  });
}

export function useConsents(filters: { state?: "pending" | "active" | "suspended" | "revoked" | "expired"; talent?: string; studio?: string } = {}) {
  return useQuery({
    queryKey: ["consents", filters],
    queryFn: () => call(api.GET("/api/v1/consents/", { params: { query: { ...filters, page_size: 1000 } } })),
  });
}

export function useTalent(filters: { agency?: string; q?: string } = {}) {
  return useQuery({
    queryKey: ["talent", filters],
    queryFn: () => call(api.GET("/api/v1/talent/", { params: { query: { ...filters, page_size: 1000 } } })),
  });
}

export function useLikenessUses(filters: { state?: "pending_review" | "approved" | "rejected" | "invalidated"; talent?: string; version?: string } = {}) {
  return useQuery({
    queryKey: ["likeness-uses", filters],
    queryFn: () => call(api.GET("/api/v1/likeness-uses/", { params: { query: { ...filters, page_size: 500 } } })),
    // Agencies are not members of the studios' projects, so no project stream tells them about new
    // uses; /ws/me/ notifications refresh this at once when sent, and this poll covers the rest.
    refetchInterval: 20_000,
  });
}

/** The likeness uses behind one version (the studio's own, or the agency's talent's): no polling, the
 * project stream refreshes them on `approval.decided` and `consent.changed`. */
export function useVersionUses(versionId: string, enabled = true) {
  return useQuery({
    queryKey: ["likeness-uses", { version: versionId }],
    queryFn: () => call(api.GET("/api/v1/likeness-uses/", { params: { query: { version: versionId, page_size: 100 } } })),
    enabled,
  });
}
