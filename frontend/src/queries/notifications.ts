/** The inbox: notifications, the unread count, marking read, and per-kind preferences. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { api, call } from "../api/client";
import type { NotificationKind, NotificationPreference } from "../api/types";
import { invalidate } from "./invalidation";
import { keys, type NotificationFilters } from "./keys";

export function useNotifications(filters: NotificationFilters = {}, pageSize = 50) {
  return useQuery({
    queryKey: keys.notifications.list({ ...filters }),
    queryFn: () =>
      call(
        api.GET("/api/v1/notifications/", {
          params: { query: { page_size: pageSize, ...(filters.unread ? { unread: true } : {}) } },
        }),
      ),
  });
}

export function useUnreadCount() {
  return useQuery({
    queryKey: keys.notifications.unread,
    queryFn: () => call(api.GET("/api/v1/notifications/unread-count/")),
    staleTime: 60_000,
  });
}

/** Mark one notification read or unread again. */
export function useMarkOne() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, read }: { id: string; read: boolean }) =>
      call(api.POST("/api/v1/notifications/{id}/read/", { params: { path: { id } }, body: { read } })),
    onSuccess: () => invalidate(client, [keys.notifications.all]),
  });
}

/** Mark every notification of mine read. */
export function useMarkAllRead() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => call(api.POST("/api/v1/notifications/mark-read/", { body: { all: true, read: true } })),
    onSuccess: () => invalidate(client, [keys.notifications.all]),
  });
}

export function usePreferences() {
  return useQuery({
    queryKey: keys.notificationPreferences,
    queryFn: () => call(api.GET("/api/v1/notification-preferences/")),
  });
}

type PreferenceChange = { kind: NotificationKind; in_app?: boolean; email?: boolean };

/** Change one kind's choice; the box shows the new choice at once and goes back if the server refuses. */
export function useSetPreference() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (change: PreferenceChange) => call(api.PATCH("/api/v1/notification-preferences/", { body: { preferences: [change] } })),
    onMutate: (change: PreferenceChange) => {
      const before = client.getQueryData<NotificationPreference[]>(keys.notificationPreferences);
      void client.cancelQueries({ queryKey: keys.notificationPreferences }, { revert: false });
      if (before) client.setQueryData(keys.notificationPreferences, before.map((p) => (p.kind === change.kind ? { ...p, ...change } : p)));
      return { before };
    },
    onError: (_error, _change, context) => {
      if (context?.before) client.setQueryData(keys.notificationPreferences, context.before);
    },
    onSuccess: (data) => client.setQueryData(keys.notificationPreferences, data),
  });
}
