import { Link, useOutletContext, useSearchParams } from "react-router";

import type { Project } from "../api/types";
import { ErrorMessage, Loading } from "../components/feedback";
import { ComparePlayer } from "../player/Compare";
import { useVersion } from "../queries";
import { versionMedia } from "./Review";

/** Two versions with linked playheads: /projects/:id/compare?a=<version>&b=<version>. */
export function ComparePage() {
  const project = useOutletContext<Project>();
  const [params] = useSearchParams();
  const a = useVersion(params.get("a"));
  const b = useVersion(params.get("b"));
  if (!params.get("a") || !params.get("b")) {
    return (
      <div className="page">
        <ErrorMessage error={new Error("Pick two versions to compare (from a shot's version stack, or “Compare with…” in the player).")} title="Nothing to compare" />
      </div>
    );
  }
  if (a.isPending || b.isPending) return <Loading />;
  if (a.error || b.error) {
    return (
      <div className="page">
        <ErrorMessage error={a.error ?? b.error} />
      </div>
    );
  }
  return (
    <div className="review-layout single" data-testid="compare">
      <div className="review-main">
        <div className="row" style={{ marginBottom: 6 }}>
          <Link to={`/projects/${project.id}/versions/${a.data.id}`}>← Back to {a.data.label}</Link>
        </div>
        <ComparePlayer a={versionMedia(a.data, project)} b={versionMedia(b.data, project)} />
      </div>
    </div>
  );
}
