/**
 * Prefetching what the next page will ask for, while the pointer is still on the link: hovering or
 * focusing a row of the shot list loads that shot's page queries (the same options, so the same
 * keys, as the hooks the page uses). A query that is fresh is not fetched again.
 */
import { useQueryClient } from "@tanstack/react-query";
import { useCallback } from "react";

import type { Project, Shot } from "../api/types";
import { modelsQuery, shotJobsQuery } from "./generation";
import { shotQuery } from "./projects";
import { consentsQuery, talentQuery } from "./rights";
import { shotTakesQuery } from "./takes";
import { versionQuery } from "./versions";

/** Roles that render takes (the shot page's generate panel), as in pages/ShotPage.tsx. */
const RENDER_ROLES = new Set(["owner", "admin", "producer", "supervisor", "artist"]);

export function usePrefetchShot(project: Pick<Project, "my_role">) {
  const client = useQueryClient();
  const role = project.my_role ?? "";
  return useCallback(
    (shot: Pick<Shot, "id">) => {
      void client.prefetchQuery(shotQuery(shot.id));
      void client.prefetchQuery(shotJobsQuery(shot.id));
      // Client reviewers get no takes (the API answers 403): the page does not ask, nor do we.
      if (role !== "reviewer") void client.prefetchQuery(shotTakesQuery(shot.id));
      if (RENDER_ROLES.has(role)) {
        void client.prefetchQuery(modelsQuery());
        void client.prefetchQuery(consentsQuery({ state: "active" }));
        void client.prefetchQuery(talentQuery());
      }
    },
    [client, role],
  );
}

/** Hovering a link to a version's review: its data (the page's chunk is the caller's to load). */
export function usePrefetchVersion() {
  const client = useQueryClient();
  return useCallback((versionId: string) => void client.prefetchQuery(versionQuery(versionId)), [client]);
}
