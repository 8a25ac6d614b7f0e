/**
 * Which queries a realtime message refreshes: one mapping for the project stream and one for the
 * personal notifications, both made of the key factory's keys (src/queries/keys.ts). Pure functions,
 * so the mapping is unit-tested; `invalidate` applies a list of keys to a QueryClient.
 */
import type { QueryClient } from "@tanstack/react-query";

import type { Envelope } from "../lib/stream";
import { keys, type QueryKey } from "./keys";

/** The queries a project event touches. An event type this build does not know refreshes everything of the project. */
export function keysForEvent(projectId: string, event: Envelope): QueryKey[] {
  switch (event.type) {
    case "shot.updated":
      return [keys.shots.project(projectId), keys.sequences(projectId), keys.shot.all];
    case "version.created":
      return [keys.shots.project(projectId), keys.shot.all, keys.version.one(event.data.id), keys.jobs.all, keys.takes.all];
    case "take.created":
    case "take.updated":
      return [keys.takes.all];
    case "version.updated":
      // Media ready or a new approval status changes what may be decided: the approvals too.
      return [keys.shots.project(projectId), keys.shot.all, keys.version.one(event.data.id), keys.approvals.version(event.data.id), keys.jobs.all];
    case "comment.created":
    case "comment.updated":
      return [keys.comments.version(event.data.version), keys.shots.project(projectId)];
    case "approval.decided":
      return [
        keys.approvals.version(event.data.version),
        keys.version.one(event.data.version),
        keys.shot.one(event.data.shot),
        keys.shots.project(projectId),
        keys.likenessUses.all,
      ];
    case "job.state_changed":
      // A still render (for a storyboard panel) has no shot: its panel's stills are under the takes.
      return event.data.shot ? [keys.jobs.all, keys.shot.one(event.data.shot)] : [keys.jobs.all, keys.takes.all];
    case "consent.changed":
      return [keys.consents.all, keys.likenessUses.all, keys.version.all, keys.approvals.all];
    case "consent_request.changed":
      return [keys.consentRequests.all, keys.consents.all];
    case "project.updated":
      return [keys.project(projectId), keys.projects.all];
    case "playlist.updated":
      return [keys.playlists(projectId)];
    case "submission.changed":
      // What a client sees changed: the shot list, shots, versions, shared playlists.
      return [keys.submissions(projectId), keys.shots.project(projectId), keys.shot.all, keys.version.all, keys.playlists(projectId)];
    case "storyboard.updated":
      // Panels, stills, notes, the animatic; shots made from the board arrive as shot.updated too.
      return event.data.change === "shots_made"
        ? [keys.storyboards.all, keys.shots.project(projectId), keys.shot.all]
        : [keys.storyboards.board(event.data.sequence), keys.storyboards.animatic(event.data.sequence), keys.storyboards.shotPlan(event.data.sequence),
           ...(event.data.panel ? [keys.storyboards.comments(event.data.panel)] : [])];
    case "job.progress":
    case "stream.ready":
    case "stream.reset":
    case "stream.pong":
    case "stream.error":
    case "presence.snapshot":
    case "presence.changed":
      return []; // held in the stream's own state, not in queries
    default:
      return [
        keys.project(projectId),
        keys.shots.project(projectId),
        keys.shot.all,
        keys.version.all,
        keys.comments.all,
        keys.approvals.all,
        keys.jobs.all,
        keys.takes.all,
      ];
  }
}

/** The queries a personal notification (/ws/me/) touches. */
export function keysForNotification(event: Envelope): QueryKey[] {
  switch (event.type) {
    case "notification.created":
      // An answer to a consent request arrives as a notification (agencies are not on project streams).
      return (event.data as { notification?: { kind?: string } }).notification?.kind === "consent_request_answered"
        ? [keys.notifications.all, keys.consentRequests.all, keys.consents.all]
        : [keys.notifications.all];
    case "notification.read":
      return [keys.notifications.all];
    case "comment.mentioned":
      return [keys.comments.version(event.data.version)];
    case "version.quarantined":
      return [keys.version.one(event.data.version), keys.approvals.version(event.data.version), keys.shot.all, keys.likenessUses.all];
    case "generation.cancelled":
      return [keys.jobs.all, keys.likenessUses.all, keys.consents.all];
    default:
      return [];
  }
}

export function invalidate(client: QueryClient, queryKeys: readonly QueryKey[]): Promise<unknown> {
  return Promise.all(queryKeys.map((queryKey) => client.invalidateQueries({ queryKey })));
}

/** Refreshes the queries a project event touched. */
export function invalidateFor(client: QueryClient, projectId: string, event: Envelope): void {
  void invalidate(client, keysForEvent(projectId, event));
}

/** After the server could not replay what was missed: everything is reloaded. */
export function invalidateAll(client: QueryClient): void {
  void client.invalidateQueries();
}
