/** Talent, consent grants, likeness uses and the usage ledger: reads, and the agency's decisions. */
import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { api, call } from "../api/client";
import type { ConsentRequestCreate, GrantAction as GrantTerms } from "../api/types";
import { invalidate } from "./invalidation";
import { keys, type ConsentRequestFilters, type GrantFilters, type TalentFilters, type UseFilters } from "./keys";

export const consentsQuery = (filters: GrantFilters = {}) =>
  queryOptions({
    queryKey: keys.consents.list(filters),
    queryFn: () => call(api.GET("/api/v1/consents/", { params: { query: { ...filters, page_size: 1000 } } })),
  });

export function useConsents(filters: GrantFilters = {}) {
  return useQuery(consentsQuery(filters));
}

export const talentQuery = (filters: TalentFilters = {}) =>
  queryOptions({
    queryKey: keys.talent.list(filters),
    queryFn: () => call(api.GET("/api/v1/talent/", { params: { query: { ...filters, page_size: 1000 } } })),
  });

export function useTalent(filters: TalentFilters = {}) {
  return useQuery(talentQuery(filters));
}

export function useTalentOne(talentId: string) {
  return useQuery({
    queryKey: keys.talent.one(talentId),
    queryFn: () => call(api.GET("/api/v1/talent/{id}/", { params: { path: { id: talentId } } })),
  });
}

export function useLedger(talentId: string) {
  return useQuery({
    queryKey: keys.ledger(talentId),
    queryFn: () => call(api.GET("/api/v1/talent/{id}/ledger/", { params: { path: { id: talentId }, query: { format: "json" } } })),
  });
}

export function useLikenessUses(filters: UseFilters = {}) {
  return useQuery({
    queryKey: keys.likenessUses.list(filters),
    queryFn: () => call(api.GET("/api/v1/likeness-uses/", { params: { query: { ...filters, page_size: 500 } } })),
    // Agencies are not members of the studios' projects, so no project stream tells them about new
    // uses; /ws/me/ notifications refresh this at once when sent, and this poll covers the rest.
    refetchInterval: 20_000,
  });
}

/** The steps of a grant's state machine the agency can take (which ones apply: the grant's `allowed_actions`). */
export type GrantStep =
  | { action: "grant"; terms: GrantTerms }
  | { action: "suspend"; reason: string }
  | { action: "resume"; note: string }
  | { action: "revoke"; reason: string };

export function useGrantStep(grantId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (step: GrantStep) => {
      const path = { params: { path: { id: grantId } } };
      switch (step.action) {
        case "grant":
          return call(api.POST("/api/v1/consents/{id}/grant/", { ...path, body: step.terms }));
        case "suspend":
          return call(api.POST("/api/v1/consents/{id}/suspend/", { ...path, body: { reason: step.reason } }));
        case "resume":
          return call(api.POST("/api/v1/consents/{id}/resume/", { ...path, body: { note: step.note } }));
        case "revoke":
          return call(api.POST("/api/v1/consents/{id}/revoke/", { ...path, body: { reason: step.reason } }));
      }
    },
    onSuccess: () => invalidate(client, [keys.consents.all, keys.likenessUses.all]),
  });
}

/** The agency decides a use. `onDecided` runs before the uses are refreshed (the use then leaves the review queue). */
export function useDecideUse(useId: string, { onDecided }: { onDecided?: () => void } = {}) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ decision, note }: { decision: "approve" | "reject"; note: string }) =>
      call(api.POST("/api/v1/likeness-uses/{id}/decide/", { params: { path: { id: useId } }, body: { decision, note } })),
    onSuccess: () => {
      onDecided?.();
      return invalidate(client, [keys.likenessUses.all]);
    },
  });
}

/** Consent requests: the studio's own (`side: "studio"`) or the agency's queue (`side: "agency"`). */
export function useConsentRequests(filters: ConsentRequestFilters = {}) {
  return useQuery({
    queryKey: keys.consentRequests.list(filters),
    queryFn: () => call(api.GET("/api/v1/consent-requests/", { params: { query: { ...filters, page_size: 500 } } })),
    // Agencies are not on the studios' project streams: a new request reaches the queue by this poll.
    refetchInterval: 20_000,
  });
}

export function useCreateConsentRequest() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: ConsentRequestCreate) => call(api.POST("/api/v1/consent-requests/", { body })),
    onSuccess: () => invalidate(client, [keys.consentRequests.all]),
  });
}

/** The agency's answer (grant, refuse) or the studio's withdrawal; which apply: the request's `allowed_actions`. */
export type ConsentRequestStep =
  | { action: "grant"; terms: GrantTerms }
  | { action: "refuse"; reason: string }
  | { action: "withdraw"; note: string };

export function useConsentRequestStep(requestId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (step: ConsentRequestStep) => {
      const path = { params: { path: { id: requestId } } };
      switch (step.action) {
        case "grant":
          return call(api.POST("/api/v1/consent-requests/{id}/grant/", { ...path, body: step.terms }));
        case "refuse":
          return call(api.POST("/api/v1/consent-requests/{id}/refuse/", { ...path, body: { reason: step.reason } }));
        case "withdraw":
          return call(api.POST("/api/v1/consent-requests/{id}/withdraw/", { ...path, body: { note: step.note } }));
      }
    },
    onSuccess: () => invalidate(client, [keys.consentRequests.all, keys.consents.all]),
  });
}
