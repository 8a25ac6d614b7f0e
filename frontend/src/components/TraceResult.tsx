/** The answer of "Trace a frame": the viewer and version a leaked still or clip was streamed to, or no mark. */
import { Link } from "react-router";

import type { TraceResult } from "../api/types";
import { formatDateTime } from "./format";

export function TraceResultPanel({ name, result }: { name: string; result: TraceResult }) {
  const mark = result.mark;
  return (
    <section className="panel" aria-label="Trace result" data-found={result.found ? "true" : "false"}>
      <div className="panel-header">
        <span className="chip" data-tone={result.found ? "danger" : "info"}>
          {result.found ? "mark found" : "no mark found"}
        </span>
        <strong>{name}</strong>
      </div>
      <div className="panel-body">
        {mark ? (
          <dl className="facts">
            <dt>Streamed to</dt>
            <dd data-testid="trace-viewer">
              {mark.viewer.name} <span className="muted">({mark.viewer.email}, {mark.audience})</span>
            </dd>
            <dt>Version</dt>
            <dd>
              <Link to={`/projects/${mark.version.project}/versions/${mark.version.id}`}>
                {mark.version.project_code} · {mark.version.shot_code} · {mark.version.label}
              </Link>
            </dd>
            <dt>Copy made</dt>
            <dd>{mark.ready_at ? formatDateTime(mark.ready_at) : "—"}</dd>
            <dt>Confidence</dt>
            <dd>
              {result.confidence.toFixed(2)} <span className="muted">({result.bit_errors} bit errors corrected, scale {result.scale})</span>
            </dd>
          </dl>
        ) : (
          <p>
            No watermark of your studio was found in this {result.kind} ({result.frames} frame{result.frames === 1 ? "" : "s"} read,
            confidence {result.confidence.toFixed(2)}).
          </p>
        )}
      </div>
    </section>
  );
}
