/**
 * Trace a frame: a producer drops a leaked still (PNG/JPEG) or clip (MP4) and learns which viewer the
 * watermarked review copy was made for, and of which version — or that no mark of their studio is in it.
 */
import { useState } from "react";

import { ErrorMessage } from "../components/feedback";
import { TraceResultPanel } from "../components/TraceResult";
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
      {trace.data && <TraceResultPanel name={name ?? "the file"} result={trace.data} />}
    </div>
  );
}
