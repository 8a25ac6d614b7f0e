import { lazy, Suspense, type ComponentType, type ReactNode } from "react";
import { Navigate, Route, Routes, useParams } from "react-router";

import { ErrorMessage, Loading } from "./components/feedback";
import { Layout } from "./components/Layout";
import { Home, NotFound } from "./pages/Home";
import { SignIn } from "./pages/SignIn";
import { orgHome, useCurrentMembership, useMe, useSessionExpiry } from "./session";

/**
 * Each page is its own chunk (docs/PERFORMANCE.md, "Bundle"): the first screen downloads the app
 * shell, the vendor chunks and that page only. `page(...)` loads a named export lazily.
 */
function page<K extends string>(load: () => Promise<Record<K, ComponentType>>, name: K) {
  return lazy(async () => ({ default: (await load())[name] }));
}

const load = {
  projectLayout: () => import("./pages/ProjectLayout"),
  shotList: () => import("./pages/ShotList"),
  shotPage: () => import("./pages/ShotPage"),
  review: () => import("./pages/Review"),
};

/**
 * The chunks of the page the app opens on, asked for while the session is checked (main.tsx), so a
 * project's page does not wait for /me, then its layout's chunk, then its own chunk in turn.
 */
export function preloadRoute(pathname: string): void {
  if (!pathname.startsWith("/projects/")) return;
  void load.projectLayout();
  if (/^\/projects\/[^/]+\/?$/.test(pathname)) void load.shotList();
  else if (pathname.includes("/shots/")) void load.shotPage();
  else if (pathname.includes("/versions/")) void load.review();
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
const ProjectLayout = page(load.projectLayout, "ProjectLayout");
const ShotListPage = page(load.shotList, "ShotListPage");
const ShotPage = page(load.shotPage, "ShotPage");
const ReviewPage = page(load.review, "ReviewPage");
const ComparePage = page(() => import("./pages/ComparePage"), "ComparePage");
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
  if (me.isPending) return <Loading label="Starting Greenlight…" />;
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
          <Route path="sequences/:sequenceId/board" element={lazyPage(StoryboardPage)} />
        </Route>
        <Route path="*" element={<NotFound />} />
      </Route>
    </Routes>
  );
}
