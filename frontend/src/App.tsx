import { Suspense, useEffect, useState, type ComponentType, type ReactNode } from "react";
import { Navigate, Route, Routes, useParams } from "react-router";

import { ErrorMessage, Loading } from "./components/feedback";
import { Layout } from "./components/Layout";
import { lazyExport, trackedChunk } from "./lib/chunks";
import { Home, NotFound } from "./pages/Home";
import { SignIn } from "./pages/SignIn";
import { orgHome, useCurrentMembership, useMe, useSessionExpiry } from "./session";

/**
 * Each page is its own chunk (docs/PERFORMANCE.md, "Bundle"): the first screen downloads the app
 * shell, the vendor chunks and that page only. `page(...)` loads a named export lazily.
 */
function page<K extends string>(load: () => Promise<Record<K, ComponentType>>, name: K) {
  return lazyExport(trackedChunk(load), name);
}

const load = {
  projectLayout: trackedChunk(() => import("./pages/ProjectLayout")),
  shotList: trackedChunk(() => import("./pages/ShotList")),
  shotPage: trackedChunk(() => import("./pages/ShotPage")),
  review: trackedChunk(() => import("./pages/Review")),
};

let openingChunks: Promise<unknown> = Promise.resolve();

/**
 * The chunks of the page the app opens on, asked for while the session is checked (main.tsx), so a
 * project's page does not wait for /me, then its layout's chunk, then its own chunk in turn. The app
 * shows "Starting Greenlight…" until they have arrived, so the pages render without suspending
 * (lib/chunks.ts: no Suspense fallback, none of React's 300 ms reveal throttling).
 */
export function preloadRoute(pathname: string): void {
  if (!pathname.startsWith("/projects/")) return;
  const wanted: Promise<unknown>[] = [load.projectLayout()];
  if (/^\/projects\/[^/]+\/?$/.test(pathname)) wanted.push(load.shotList());
  else if (pathname.includes("/shots/")) wanted.push(load.shotPage());
  else if (pathname.includes("/versions/")) wanted.push(load.review());
  openingChunks = Promise.allSettled(wanted);
}

function useOpeningChunks(): boolean {
  const [ready, setReady] = useState(false);
  useEffect(() => {
    let live = true;
    void openingChunks.then(() => live && setReady(true));
    return () => {
      live = false;
    };
  }, []);
  return ready;
}

const ProjectsPage = page(() => import("./pages/Projects"), "ProjectsPage");
const MembersPage = page(() => import("./pages/Members"), "MembersPage");
const TalentPage = page(() => import("./pages/agency/TalentPage"), "TalentPage");
const ConsentsPage = page(() => import("./pages/agency/ConsentsPage"), "ConsentsPage");
const UsesPage = page(() => import("./pages/agency/UsesPage"), "UsesPage");
const ConsentRequestsPage = page(() => import("./pages/ConsentRequests"), "ConsentRequestsPage");
const AuditPage = page(() => import("./pages/Audit"), "AuditPage");
const VerifyPage = page(() => import("./pages/Verify"), "VerifyPage");
const TracePage = page(() => import("./pages/Trace"), "TracePage");
const NotificationsPage = page(() => import("./pages/Notifications"), "NotificationsPage");
const ProjectLayout = lazyExport(load.projectLayout, "ProjectLayout");
const ShotListPage = lazyExport(load.shotList, "ShotListPage");
const ShotPage = lazyExport(load.shotPage, "ShotPage");
const ReviewPage = lazyExport(load.review, "ReviewPage");
const ComparePage = page(() => import("./pages/ComparePage"), "ComparePage");
const PlaylistsPage = page(() => import("./pages/Playlists"), "PlaylistsPage");
const PlaylistPage = page(() => import("./pages/playlist/PlaylistPage"), "PlaylistPage");
const StoryboardPage = page(() => import("./pages/Storyboard"), "StoryboardPage");

/** A lazily loaded page, with a loading line while its chunk arrives (the layout stays put). */
function lazyPage(Page: ComponentType): ReactNode {
  return (
    <Suspense fallback={<Loading />}>
      <Page />
    </Suspense>
  );
}

function OrgIndex() {
  const { membership } = useCurrentMembership();
  const { org } = useParams();
  if (!membership) return <Navigate to="/" replace state={{ missing: org }} />;
  return <Navigate to={orgHome(membership)} replace />;
}

export function App() {
  useSessionExpiry();
  const me = useMe();
  const chunksReady = useOpeningChunks();
  if (me.isPending || !chunksReady) return <Loading label="Starting Greenlight…" />;
  if (me.error) {
    return (
      <div className="page">
        <ErrorMessage error={me.error} title="Greenlight could not start" />
      </div>
    );
  }
  if (!me.data) return <SignIn />;
  return (
    <Routes>
      <Route element={<Layout />}>
        <Route index element={<Home />} />
        <Route path="o/:org" element={<OrgIndex />} />
        <Route path="o/:org/projects" element={lazyPage(ProjectsPage)} />
        <Route path="o/:org/members" element={lazyPage(MembersPage)} />
        <Route path="o/:org/talent" element={lazyPage(TalentPage)} />
        <Route path="o/:org/talent/:talentId" element={lazyPage(TalentPage)} />
        <Route path="o/:org/consents" element={lazyPage(ConsentsPage)} />
        <Route path="o/:org/uses" element={lazyPage(UsesPage)} />
        <Route path="o/:org/consent-requests" element={lazyPage(ConsentRequestsPage)} />
        <Route path="consent-requests" element={lazyPage(ConsentRequestsPage)} />
        <Route path="o/:org/audit" element={lazyPage(AuditPage)} />
        <Route path="verify" element={lazyPage(VerifyPage)} />
        <Route path="trace" element={lazyPage(TracePage)} />
        <Route path="notifications" element={lazyPage(NotificationsPage)} />
        <Route path="projects/:projectId" element={lazyPage(ProjectLayout)}>
          <Route index element={lazyPage(ShotListPage)} />
          <Route path="shots/:shotId" element={lazyPage(ShotPage)} />
          <Route path="versions/:versionId" element={lazyPage(ReviewPage)} />
          <Route path="compare" element={lazyPage(ComparePage)} />
          <Route path="playlists" element={lazyPage(PlaylistsPage)} />
          <Route path="playlists/:playlistId" element={lazyPage(PlaylistPage)} />
          <Route path="sequences/:sequenceId/board" element={lazyPage(StoryboardPage)} />
        </Route>
        <Route path="*" element={<NotFound />} />
      </Route>
    </Routes>
  );
}
