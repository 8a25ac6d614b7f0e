/**
 * Reads and writes of the API as React Query hooks, by resource. Every key comes from the key
 * factory (`keys.ts`); every write refreshes what it changed itself (pages never call
 * `invalidateQueries`), and realtime messages refresh through the same keys (`invalidation.ts`).
 */
export * from "./animate";
export * from "./approvals";
export * from "./comments";
export * from "./generation";
export * from "./invalidation";
export * from "./keys";
export * from "./organizations";
export * from "./playlists";
export * from "./prefetch";
export * from "./projects";
export * from "./rights";
export * from "./sharing";
export * from "./stills";
export * from "./submissions";
export * from "./storyboards";
export * from "./takes";
export * from "./versions";
export * from "./watermarks";
