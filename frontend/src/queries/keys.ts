/**
 * The query-key factory: every React Query key the app uses is made here, so a mutation or a
 * realtime event refreshes exactly the queries it touches. Keys start with the kind of thing they
 * hold; a shorter key (`keys.comments.all`) refreshes a whole family.
 */

export interface ShotFilters {
  status?: string;
  sequence?: string;
  assignee?: string;
  q?: string;
  ordering?: string;
}

export type GrantState = "pending" | "active" | "suspended" | "revoked" | "expired";
export type UseState = "pending_review" | "approved" | "rejected" | "invalidated";
export interface ConsentRequestFilters {
  side?: "studio" | "agency";
  state?: "open" | "granted" | "refused" | "withdrawn";
  project?: string;
}

export interface GrantFilters {
  state?: GrantState;
  talent?: string;
  studio?: string;
}
export interface TalentFilters {
  agency?: string;
  q?: string;
}
export interface UseFilters {
  state?: UseState;
  talent?: string;
  version?: string;
}

export interface NotificationFilters {
  unread?: boolean;
}

export const keys = {
  me: ["me"] as const,
  projects: {
    all: ["projects"] as const,
    list: (organization?: string) => ["projects", organization ?? "all"] as const,
  },
  project: (projectId: string) => ["project", projectId] as const,
  sequences: (projectId: string) => ["sequences", projectId] as const,
  storyboards: {
    all: ["storyboard"] as const,
    board: (sequenceId: string) => ["storyboard", sequenceId, "board"] as const,
    animatic: (sequenceId: string) => ["storyboard", sequenceId, "animatic"] as const,
    shotPlan: (sequenceId: string) => ["storyboard", sequenceId, "shots"] as const,
    comments: (panelId: string) => ["storyboard", "comments", panelId] as const,
  },
  shots: {
    all: ["shots"] as const,
    project: (projectId: string) => ["shots", projectId] as const,
    list: (projectId: string, filters: ShotFilters) => ["shots", projectId, filters] as const,
  },
  shot: {
    all: ["shot"] as const,
    one: (shotId: string) => ["shot", shotId] as const,
  },
  version: {
    all: ["version"] as const,
    one: (versionId: string | null) => ["version", versionId] as const,
  },
  comments: {
    all: ["comments"] as const,
    version: (versionId: string | null) => ["comments", versionId] as const,
    /** The agency's own threads on a version (under the version's notes: refreshing those refreshes these). */
    agency: (versionId: string | null) => ["comments", versionId, "agency"] as const,
  },
  approvals: {
    all: ["approvals"] as const,
    version: (versionId: string | null) => ["approvals", versionId] as const,
  },
  shareLinks: {
    all: ["share-links"] as const,
    version: (versionId: string) => ["share-links", "version", versionId] as const,
    views: (linkId: string) => ["share-links", "views", linkId] as const,
  },
  people: (projectId: string) => ["people", projectId] as const,
  playlists: (projectId: string) => ["playlists", projectId] as const,
  submissions: (projectId: string) => ["submissions", projectId] as const,
  // Under the project's playlists: `playlist.updated` refreshes the list and every open playlist.
  playlist: (projectId: string, playlistId: string) => ["playlists", projectId, "one", playlistId] as const,
  jobs: {
    all: ["jobs"] as const,
    shot: (shotId: string) => ["jobs", "shot", shotId] as const,
    // A storyboard's still renders (queued or running) of its project.
    board: (projectId: string) => ["jobs", "board", projectId] as const,
    // Under "jobs": every job.state_changed refreshes the studio's GPU use too.
    gpuAllowance: (organizationId: string) => ["jobs", "gpu-allowance", organizationId] as const,
  },
  takes: {
    all: ["takes"] as const,
    shot: (shotId: string, discarded: "false" | "true" | "all") => ["takes", "shot", shotId, discarded] as const,
    // A panel's still takes and its still renders on the way (refreshed by take.* and job.* events).
    panel: (panelId: string) => ["takes", "panel", panelId] as const,
  },
  models: ["generation-models"] as const,
  consents: {
    all: ["consents"] as const,
    list: (filters: GrantFilters) => ["consents", filters] as const,
  },
  consentRequests: {
    all: ["consent-requests"] as const,
    list: (filters: ConsentRequestFilters) => ["consent-requests", filters] as const,
  },
  talent: {
    all: ["talent"] as const,
    list: (filters: TalentFilters) => ["talent", filters] as const,
    one: (talentId: string) => ["talent", "one", talentId] as const,
  },
  ledger: (talentId: string) => ["ledger", talentId] as const,
  likenessUses: {
    all: ["likeness-uses"] as const,
    list: (filters: UseFilters) => ["likeness-uses", filters] as const,
  },
  members: (organizationId: string) => ["members", organizationId] as const,
  audit: (organizationId: string, action: string, page: number) => ["audit", organizationId, action, page] as const,
  notifications: {
    all: ["notifications"] as const,
    list: (filters: NotificationFilters) => ["notifications", "list", filters] as const,
    unread: ["notifications", "unread"] as const,
  },
  notificationPreferences: ["notification-preferences"] as const,
};

export type QueryKey = readonly unknown[];
