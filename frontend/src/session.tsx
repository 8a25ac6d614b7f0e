/** Who is signed in, and the organization the URL points at. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useSyncExternalStore } from "react";
import { useParams } from "react-router";

import { api, call, onUnauthenticated } from "./api/client";
import { ApiError } from "./api/errors";
import type { Me, MyMembership } from "./api/types";
import { keys } from "./queries/keys";

export const ME_KEY = keys.me;

async function fetchMe(): Promise<Me | null> {
  try {
    return await call(api.GET("/api/v1/me/"));
  } catch (error) {
    if (error instanceof ApiError && (error.status === 401 || error.status === 403)) return null;
    throw error;
  }
}

/** The signed-in user with their memberships; `null` when signed out. */
export function useMe() {
  return useQuery({ queryKey: ME_KEY, queryFn: fetchMe, staleTime: 60_000, retry: 1 });
}

/** Sign in with email and password; whatever a previous session loaded is forgotten. */
export function useSignIn() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (credentials: { email: string; password: string }) => call(api.POST("/api/v1/auth/login/", { body: credentials })),
    onSuccess: (me) => {
      // Forget whatever a previous session loaded, but keep the `me` query its observers watch.
      client.removeQueries({ predicate: (q) => q.queryKey[0] !== ME_KEY[0] });
      client.setQueryData(ME_KEY, me);
    },
  });
}

/** When any request answers 401, forget everything and show sign-in. */
export function useSessionExpiry() {
  const client = useQueryClient();
  useEffect(
    () =>
      onUnauthenticated(() => {
        client.setQueryData(ME_KEY, null);
        client.removeQueries({ predicate: (q) => q.queryKey[0] !== ME_KEY[0] });
      }),
    [client],
  );
}

export async function signOut(client: ReturnType<typeof useQueryClient>) {
  try {
    await call(api.POST("/api/v1/auth/logout/"));
  } finally {
    client.setQueryData(ME_KEY, null);
    client.removeQueries({ predicate: (q) => q.queryKey[0] !== ME_KEY[0] });
  }
}

// The organization of the page when the URL does not name one (a project page names its project).
let activeOrgId: string | null = null;
const activeOrgListeners = new Set<() => void>();
export function setActiveOrganization(id: string | null) {
  if (activeOrgId === id) return;
  activeOrgId = id;
  activeOrgListeners.forEach((l) => l());
}
function useActiveOrganization(): string | null {
  return useSyncExternalStore(
    (l) => {
      activeOrgListeners.add(l);
      return () => activeOrgListeners.delete(l);
    },
    () => activeOrgId,
  );
}

/**
 * The membership for the organization in the URL (`/o/:org/...`) — or, on pages under a project,
 * the project's organization. Null when the caller is not a member.
 */
export function useCurrentMembership(): { me: Me | null | undefined; membership: MyMembership | null; slug: string | undefined } {
  const { org } = useParams();
  const { data: me } = useMe();
  const active = useActiveOrganization();
  const membership =
    (org ? me?.memberships.find((m) => m.organization.slug === org) : me?.memberships.find((m) => m.organization.id === active)) ?? null;
  return { me, membership, slug: org ?? membership?.organization.slug };
}

/** The memberships, studios first then agencies, each by name. */
export function sortedMemberships(me: Me): MyMembership[] {
  return [...me.memberships].sort(
    (a, b) => a.organization.kind.localeCompare(b.organization.kind) * -1 || a.organization.name.localeCompare(b.organization.name),
  );
}

/** Where an organization's home is: projects for a studio, the talent roster for an agency. */
export function orgHome(m: MyMembership): string {
  return m.organization.kind === "agency" ? `/o/${m.organization.slug}/talent` : `/o/${m.organization.slug}/projects`;
}
