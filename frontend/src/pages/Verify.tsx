/**
 * Verify a file: drop any file and see whether it carries Content Credentials (C2PA), whether they
 * are valid or the file was tampered with, who signed it, and — when you may see it — the
 * project, shot and version of Greenlight it came from.
 */
import { useState, type DragEvent } from "react";
import { Link } from "react-router";

import type { Verification } from "../api/types";
import { ErrorMessage } from "../components/feedback";
import { formatDateTime } from "../components/format";
import { describeActions, verdict } from "../lib/provenance";
import { useVerifyFile } from "../queries";

export function VerifyPage() {
  const verify = useVerifyFile();
  const [name, setName] = useState<string | null>(null);
  const [over, setOver] = useState(false);

  function check(file: File | undefined) {
    if (!file) return;
    setName(file.name);
    verify.mutate(file);
  }
  function onDrop(event: DragEvent<HTMLLabelElement>) {
    event.preventDefault();
    setOver(false);
    check(event.dataTransfer.files[0]);
  }

  return (
    <div className="page">
      <div className="page-header">
        <h1>Verify a file</h1>
        <span className="sub muted">Content Credentials (C2PA) on anything that left Greenlight — or anywhere else.</span>
      </div>
      <label
        className="dropzone panel"
        data-over={over ? "true" : undefined}
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={onDrop}
      >
        <input type="file" aria-label="File to verify" onChange={(e) => check(e.target.files?.[0])} />
        <span>Drop a video or image here, or choose one.</span>
        <span className="muted small">MP4, MOV, JPEG, PNG … The file is checked and not kept.</span>
      </label>
      {verify.isPending && <p className="muted">Checking {name}…</p>}
      <ErrorMessage error={verify.error} title="Could not verify the file" />
      {verify.data && <Result name={name ?? "the file"} result={verify.data} />}
    </div>
  );
}

function Result({ name, result }: { name: string; result: Verification }) {
  const { tone, title } = verdict(result);
  const actions = describeActions(result.actions);
  return (
    <section className="panel verify-result" aria-label="Verification result" data-state={result.state}>
      <div className="panel-header">
        <span className="chip" data-tone={tone === "ok" ? "ok" : tone === "danger" ? "danger" : tone === "warn" ? "warn" : "info"}>
          {result.state}
        </span>
        <strong>{title}</strong>
      </div>
      <div className="panel-body">
        <p>{result.summary}</p>
        <dl className="facts">
          <dt>File</dt>
          <dd>{name}</dd>
          <dt>SHA-256</dt>
          <dd className="mono small">{result.sha256}</dd>
          {result.has_credentials && result.signer && (
            <>
              <dt>Signed by</dt>
              <dd>
                {result.signer.name || "—"} <span className="muted">(issuer {result.signer.issuer || "unknown"})</span>
              </dd>
              <dt>Issued by Greenlight</dt>
              <dd>{result.issued_by_greenlight ? "Yes" : "No"}</dd>
            </>
          )}
          {result.origin && (
            <>
              <dt>Came from</dt>
              <dd>
                <Link to={`/projects/${result.origin.project.id}/versions/${result.origin.version.id}`}>
                  {result.origin.project.code} · {result.origin.shot.code} · {result.origin.version.label}
                </Link>{" "}
                <span className="muted">
                  ({result.origin.kind}, signed {formatDateTime(result.origin.signed_at)}
                  {result.origin.identical_to_signed_copy ? ", byte for byte the signed copy" : ""})
                </span>
              </dd>
            </>
          )}
        </dl>
        {actions.length > 0 && (
          <>
            <h2 className="section-title">History</h2>
            <ol>
              {actions.map((line, i) => (
                <li key={i}>{line}</li>
              ))}
            </ol>
          </>
        )}
        {result.failures.length > 0 && (
          <>
            <h2 className="section-title">What did not check out</h2>
            <ul>
              {result.failures.map((f, i) => (
                <li key={i}>
                  <code>{f.code}</code> {f.explanation}
                </li>
              ))}
            </ul>
          </>
        )}
      </div>
    </section>
  );
}
