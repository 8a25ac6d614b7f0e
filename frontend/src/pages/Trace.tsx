/**
 * Trace a frame: a producer drops a leaked still (PNG/JPEG) or clip (MP4) and learns which viewer the
 * watermarked review copy was made for, and of which version — or that no mark of their studio is in it.
 */
import { useState } from "react";
import { Link } from "react-router";

import type { TraceResult } from "../api/types";
import { ErrorMessage } from "../components/feedback";
import { formatDateTime } from "../components/format";
import { useTraceFrame } from "../queries";

export function TracePage() {
  const trace = useTraceFrame();
  const [name, setName] = useState<string | null>(null);

  function submit(file: File | undefined) {
    if (!file) return;
    setName(file.name);
    trace.mutate(file);
  }

  return (
    <div className="page">
      <div className="page-header">
        <h1>Trace a frame</h1>
        <span className="sub muted">Find who a leaked review copy was streamed to, from its invisible watermark.</span>
      </div>
      <form className="panel panel-body" onSubmit={(e) => e.preventDefault()}>
        <label>
          Leaked still or clip{" "}
          <input
            type="file"
            accept="image/png,image/jpeg,video/mp4"
            aria-label="Leaked still or clip"
            onChange={(e) => submit(e.target.files?.[0])}
          />
        </label>
        <p className="muted small">PNG or JPEG up to 20 MB, MP4 up to 200 MB. The file is read and not kept.</p>
      </form>
      {trace.isPending && <p className="muted">Reading {name}…</p>}
      <ErrorMessage error={trace.error} title="Could not trace the file" />
      {trace.data && <Result name={name ?? "the file"} result={trace.data} />}
    </div>
  );
}

function Result({ name, result }: { name: string; result: TraceResult }) {
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
