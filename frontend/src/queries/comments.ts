/** Notes on a version: the thread list and every write to it (each refreshes that version's notes). */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { api, call } from "../api/client";
import type { components } from "../api/generated/schema";
import { invalidate } from "./invalidation";
import { keys } from "./keys";

export type NewComment = components["schemas"]["CommentCreateRequest"];

export function useComments(versionId: string | null) {
  return useQuery({
    queryKey: keys.comments.version(versionId),
    queryFn: () => call(api.GET("/api/v1/versions/{version_pk}/comments/", { params: { path: { version_pk: versionId! } } })),
    enabled: versionId !== null,
  });
}

/** A new note or a reply (`parent`) on `versionId`. */
export function usePostComment(versionId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: NewComment) => call(api.POST("/api/v1/versions/{version_pk}/comments/", { params: { path: { version_pk: versionId } }, body })),
    onSuccess: () => invalidate(client, [keys.comments.version(versionId)]),
  });
}

/** Edit, resolve/reopen or delete one note of `versionId`. */
export function useCommentChanges(versionId: string, commentId: string) {
  const client = useQueryClient();
  const refresh = () => invalidate(client, [keys.comments.version(versionId)]);
  const edit = useMutation({
    mutationFn: (body: string) => call(api.PATCH("/api/v1/comments/{id}/", { params: { path: { id: commentId } }, body: { body } })),
    onSuccess: refresh,
  });
  const resolve = useMutation({
    mutationFn: (resolved: boolean) => call(api.PATCH("/api/v1/comments/{id}/", { params: { path: { id: commentId } }, body: { resolved } })),
    onSuccess: refresh,
  });
  const remove = useMutation({
    mutationFn: () => call(api.DELETE("/api/v1/comments/{id}/", { params: { path: { id: commentId } } })),
    onSuccess: refresh,
  });
  return { edit, resolve, remove };
}

export type NewAgencyNote = components["schemas"]["AgencyNoteCreateRequest"];

/** The talent agency's frame notes on a version it reviews a likeness use of (its own threads and their replies). */
export function useAgencyNotes(versionId: string | null) {
  return useQuery({
    queryKey: keys.comments.agency(versionId),
    queryFn: () => call(api.GET("/api/v1/versions/{id}/agency-notes/", { params: { path: { id: versionId!, pk: versionId! } } })),
    enabled: versionId !== null,
  });
}

/** A new agency note (frame or range, with a drawing) or a reply in one of the agency's threads. */
export function usePostAgencyNote(versionId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: NewAgencyNote) => call(api.POST("/api/v1/versions/{id}/agency-notes/", { params: { path: { id: versionId, pk: versionId } }, body })),
    onSuccess: () => invalidate(client, [keys.comments.version(versionId)]),
  });
}
