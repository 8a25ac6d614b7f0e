/** An organization's members and its audit log. */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { api, call } from "../api/client";
import type { Role } from "../api/types";
import { invalidate } from "./invalidation";
import { keys } from "./keys";

export function useMembers(organizationId: string) {
  return useQuery({
    queryKey: keys.members(organizationId),
    queryFn: () =>
      call(api.GET("/api/v1/organizations/{organization_pk}/members/", { params: { path: { organization_pk: organizationId }, query: { page_size: 1000 } } })),
  });
}

/** Add, re-role and remove members; a role change refreshes the caller's own memberships too. */
export function useMemberChanges(organizationId: string) {
  const client = useQueryClient();
  const members = keys.members(organizationId);
  const path = { organization_pk: organizationId };
  const add = useMutation({
    mutationFn: ({ email, role }: { email: string; role: Role }) =>
      call(api.POST("/api/v1/organizations/{organization_pk}/members/", { params: { path }, body: { email, role } })),
    onSuccess: () => invalidate(client, [members]),
  });
  const changeRole = useMutation({
    mutationFn: ({ id, role }: { id: string; role: Role }) =>
      call(api.PATCH("/api/v1/organizations/{organization_pk}/members/{id}/", { params: { path: { ...path, id } }, body: { role } })),
    onSuccess: () => invalidate(client, [members, keys.me]),
  });
  const remove = useMutation({
    mutationFn: (id: string) => call(api.DELETE("/api/v1/organizations/{organization_pk}/members/{id}/", { params: { path: { ...path, id } } })),
    onSuccess: () => invalidate(client, [members]),
  });
  return { add, changeRole, remove };
}

export function useAuditEvents(organizationId: string, { action, page, pageSize }: { action: string; page: number; pageSize: number }) {
  return useQuery({
    queryKey: keys.audit(organizationId, action, page),
    queryFn: () =>
      call(
        api.GET("/api/v1/audit-events/", {
          params: { query: { organization: organizationId, page, page_size: pageSize, ...(action ? { action } : {}) } },
        }),
      ),
    placeholderData: keepPreviousData,
  });
}
