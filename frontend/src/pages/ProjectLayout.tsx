import { useEffect } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { Link, NavLink, Outlet, useMatch, useParams, useSearchParams } from "react-router";

import type { Project } from "../api/types";
import { EmptyState, ErrorMessage, Loading } from "../components/feedback";
import { ROLE_LABELS } from "../components/format";
import { LiveIndicator, ProjectStreamProvider } from "../realtime/context";
import { formatFps } from "../lib/timecode";
import { shotFiltersFrom, shotsQuery, useProject } from "../queries";
import { setActiveOrganization, useMe } from "../session";

export function useProjectId(): string {
  return useParams().projectId ?? "";
}

/** Everything under /projects/:projectId shares one live event stream and the project header. */
export function ProjectLayout() {
  const projectId = useProjectId();
  const project = useProject(projectId);
  // On the shot list, ask for the shots along with the project, not after it (one round trip).
  const client = useQueryClient();
  const onShotList = useMatch("/projects/:projectId") !== null;
  const [params] = useSearchParams();
  const search = params.toString();
  useEffect(() => {
    if (onShotList) void client.prefetchQuery(shotsQuery(projectId, shotFiltersFrom(new URLSearchParams(search))));
  }, [client, onShotList, projectId, search]);
  const { data: me } = useMe();
  const orgId = project.data?.organization ?? null;
  useEffect(() => {
    setActiveOrganization(orgId);
    return () => setActiveOrganization(null);
  }, [orgId]);
  if (project.isPending) return <Loading />;
  if (project.error) {
    return (
      <div className="page">
        <ErrorMessage error={project.error} title="This project cannot be opened" />
      </div>
    );
  }
  const p = project.data;
  const org = me?.memberships.find((m) => m.organization.id === p.organization)?.organization;
  return (
    <ProjectStreamProvider projectId={projectId}>
      <div className="project-shell">
        <div className="project-bar">
          <nav className="crumbs" aria-label="Breadcrumbs">
            {org && (
              <>
                <Link to={`/o/${org.slug}/projects`}>{org.name}</Link>
                <span className="sep">/</span>
              </>
            )}
            <Link to={`/projects/${p.id}`} className="strong-link">
              {p.name}
            </Link>
            <span className="mono muted">{p.code}</span>
          </nav>
          <nav className="row tight project-nav" aria-label="Project" style={{ gap: 4 }}>
            <NavLink to={`/projects/${p.id}`} end className="button small ghost">
              Shots
            </NavLink>
            <NavLink to={`/projects/${p.id}/playlists`} className="button small ghost">
              Playlists
            </NavLink>
          </nav>
          <span className="meta">
            {formatFps({ num: p.fps_num, den: p.fps_den })} fps · {p.width}×{p.height} · starts at {p.start_frame}
            {p.my_role && ` · you: ${ROLE_LABELS[p.my_role as keyof typeof ROLE_LABELS] ?? p.my_role}`}
          </span>
          <span className="grow" />
          <LiveIndicator />
        </div>
        <div className="project-body">
          <Outlet context={p satisfies Project} />
        </div>
      </div>
    </ProjectStreamProvider>
  );
}

export function NoSuchThing({ what }: { what: string }) {
  return (
    <div className="page">
      <EmptyState title={`${what} not found`}>It may have been deleted, or you may not have access to it.</EmptyState>
    </div>
  );
}
