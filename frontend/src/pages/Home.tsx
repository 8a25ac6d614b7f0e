import { Link, Navigate } from "react-router";

import { EmptyState } from "../components/feedback";
import { orgHome, sortedMemberships, useMe } from "../session";

/** `/`: open the first organization (studios first). */
export function Home() {
  const { data: me } = useMe();
  const first = me ? sortedMemberships(me)[0] : undefined;
  if (first) return <Navigate to={orgHome(first)} replace />;
  return (
    <div className="page">
      <EmptyState title="You are not in any organization yet">
        Ask an owner or admin of your studio or agency to add {me?.email ?? "you"} as a member.
      </EmptyState>
    </div>
  );
}

export function NotFound() {
  return (
    <div className="page">
      <EmptyState title="Page not found">
        The address may be mistyped, or the page may have moved. <Link to="/">Go to your home page</Link>.
      </EmptyState>
    </div>
  );
}
