/** Playlists of a project: the list, one playlist, and its edits (items, order, notes, versions). */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { api, call } from "../api/client";
import { invalidate } from "./invalidation";
import { keys } from "./keys";

export function usePlaylists(projectId: string) {
  return useQuery({
    queryKey: keys.playlists(projectId),
    queryFn: () => call(api.GET("/api/v1/projects/{project_pk}/playlists/", { params: { path: { project_pk: projectId }, query: { page_size: 200 } } })),
  });
}

export function usePlaylist(projectId: string, playlistId: string) {
  return useQuery({
    queryKey: keys.playlist(projectId, playlistId),
    queryFn: () => call(api.GET("/api/v1/playlists/{id}/", { params: { path: { id: playlistId } } })),
  });
}

export interface NewPlaylist {
  name: string;
  audience?: "internal" | "client";
  description?: string;
}

/** Create a playlist, then (optionally) fill it from a selection of shots or every shot with a status. */
export function useCreatePlaylist(projectId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async ({ playlist, shots, status }: { playlist: NewPlaylist; shots?: string[]; status?: string }) => {
      const created = await call(api.POST("/api/v1/projects/{project_pk}/playlists/", { params: { path: { project_pk: projectId } }, body: { audience: "internal", ...playlist } }));
      if (shots || status) await call(api.POST("/api/v1/playlists/{id}/add-shots/", { params: { path: { id: created.id } }, body: shots ? { shots } : { status } }));
      return created;
    },
    onSuccess: () => invalidate(client, [keys.playlists(projectId)]),
  });
}

function usePlaylistMutation<A, R>(projectId: string, playlistId: string, fn: (args: A) => Promise<R>) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: (data) => {
      // The API answers with the playlist as it is now (add-shots: inside `playlist`).
      const fresh = data && typeof data === "object" ? ("items" in data ? data : "playlist" in data ? data.playlist : null) : null;
      if (fresh) client.setQueryData(keys.playlist(projectId, playlistId), fresh);
      return invalidate(client, [keys.playlists(projectId)]);
    },
  });
}

export function useAddShots(projectId: string, playlistId: string) {
  return usePlaylistMutation(projectId, playlistId, (body: { shots?: string[]; status?: string }) =>
    call(api.POST("/api/v1/playlists/{id}/add-shots/", { params: { path: { id: playlistId } }, body })),
  );
}

export function useReorderPlaylist(projectId: string, playlistId: string) {
  return usePlaylistMutation(projectId, playlistId, (items: string[]) =>
    call(api.POST("/api/v1/playlists/{id}/reorder/", { params: { path: { id: playlistId } }, body: { items } })),
  );
}

export function useUpdatePlaylistItem(projectId: string, playlistId: string) {
  return usePlaylistMutation(projectId, playlistId, ({ item, ...body }: { item: string; note?: string; version?: string }) =>
    call(api.PATCH("/api/v1/playlists/{id}/items/{item_pk}/", { params: { path: { id: playlistId, item_pk: item } }, body })),
  );
}

export function useRemovePlaylistItem(projectId: string, playlistId: string) {
  return usePlaylistMutation(projectId, playlistId, (item: string) =>
    call(api.DELETE("/api/v1/playlists/{id}/items/{item_pk}/", { params: { path: { id: playlistId, item_pk: item } } })),
  );
}
