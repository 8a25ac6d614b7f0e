import { Navigate, Route, Routes, useParams } from "react-router";

import { ErrorMessage, Loading } from "./components/feedback";
import { Layout } from "./components/Layout";
import { ConsentsPage, TalentPage, UsesPage } from "./pages/agency";
import { ConsentRequestsPage } from "./pages/ConsentRequests";
import { AuditPage } from "./pages/Audit";
import { Home, NotFound } from "./pages/Home";
import { ComparePage } from "./pages/ComparePage";
import { MembersPage } from "./pages/Members";
import { NotificationsPage } from "./pages/Notifications";
import { ProjectLayout } from "./pages/ProjectLayout";
import { ProjectsPage } from "./pages/Projects";
import { ReviewPage } from "./pages/Review";
import { ShotListPage } from "./pages/ShotList";
import { ShotPage } from "./pages/ShotPage";
import { SignIn } from "./pages/SignIn";
import { TracePage } from "./pages/Trace";
import { VerifyPage } from "./pages/Verify";
import { orgHome, useCurrentMembership, useMe, useSessionExpiry } from "./session";

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
        <Route path="o/:org/projects" element={<ProjectsPage />} />
        <Route path="o/:org/members" element={<MembersPage />} />
        <Route path="o/:org/talent" element={<TalentPage />} />
        <Route path="o/:org/talent/:talentId" element={<TalentPage />} />
        <Route path="o/:org/consents" element={<ConsentsPage />} />
        <Route path="o/:org/uses" element={<UsesPage />} />
        <Route path="o/:org/consent-requests" element={<ConsentRequestsPage />} />
        <Route path="consent-requests" element={<ConsentRequestsPage />} />
        <Route path="o/:org/audit" element={<AuditPage />} />
        <Route path="verify" element={<VerifyPage />} />
        <Route path="trace" element={<TracePage />} />
        <Route path="notifications" element={<NotificationsPage />} />
        <Route path="projects/:projectId" element={<ProjectLayout />}>
          <Route index element={<ShotListPage />} />
          <Route path="shots/:shotId" element={<ShotPage />} />
          <Route path="versions/:versionId" element={<ReviewPage />} />
          <Route path="compare" element={<ComparePage />} />
        </Route>
        <Route path="*" element={<NotFound />} />
      </Route>
    </Routes>
  );
}
