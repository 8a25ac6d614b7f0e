/**
 * "Submit to client": the studio shows a version (or a whole playlist) to the project's client
 * reviewers, who see nothing else (docs/RIGHTS.md, "What a client sees"). On a version the buttons
 * follow the API's `allowed_actions` (`submit_to_client`, `withdraw_from_client`): disabled with the
 * API's reason when blocked (a held, quarantined or still-processing version), absent when not the
 * person's to do. Once submitted it says so, with the date and the note, and offers Withdraw.
 *
 * For a playlist pass `playlist` (and, when the screen has it, the `submit_to_client` action);
 * submitting it submits every version in it and shares the playlist with the client.
 */
import { useState, type FormEvent } from "react";

import type { AllowedAction, Version } from "../api/types";
import { findAction } from "../lib/actions";
import { useSubmitToClient, useWithdrawSubmission } from "../queries";
import { ActionButton } from "./ActionButton";
import { Chip } from "./chips";
import { ErrorMessage } from "./feedback";
import { formatDateTime } from "./format";

type VersionTarget = Pick<Version, "id" | "label" | "submission" | "allowed_actions">;
type PlaylistTarget = { id: string; name: string };

const OFFERED: AllowedAction = { action: "submit_to_client", lane: null, allowed: true, code: "", reason: "" };

export function SubmitToClient(
  props: { projectId: string; version: VersionTarget } | { projectId: string; playlist: PlaylistTarget; action?: AllowedAction },
) {
  if ("version" in props) return <VersionSubmission projectId={props.projectId} version={props.version} />;
  return <SubmitForm projectId={props.projectId} what={`playlist ${props.playlist.name}`} body={{ playlist: props.playlist.id }}
    action={props.action ?? OFFERED} label="Submit playlist to client" />;
}

function VersionSubmission({ projectId, version }: { projectId: string; version: VersionTarget }) {
  const withdraw = useWithdrawSubmission(projectId);
  const submission = version.submission;
  if (submission) {
    return (
      <div className="row tight small" style={{ gap: 8 }} data-testid="submitted-to-client">
        <Chip label={`Submitted to client ${formatDateTime(submission.submitted_at)}`} tone="ok" title={submission.note || undefined} />
        {submission.note && <span className="muted">“{submission.note}”</span>}
        <ActionButton action={findAction(version.allowed_actions, "withdraw_from_client")} busy={withdraw.isPending}
          className="small" onClick={() => withdraw.mutate(submission.id)}>
          Withdraw
        </ActionButton>
        <ErrorMessage error={withdraw.error} />
      </div>
    );
  }
  return <SubmitForm projectId={projectId} what={version.label} body={{ versions: [version.id] }}
    action={findAction(version.allowed_actions, "submit_to_client")} label="Submit to client" />;
}

function SubmitForm({ projectId, what, body, action, label }: {
  projectId: string; what: string; body: { versions?: string[]; playlist?: string }; action: AllowedAction | undefined; label: string;
}) {
  const submit = useSubmitToClient(projectId);
  const [open, setOpen] = useState(false);
  const [note, setNote] = useState("");
  const [done, setDone] = useState<string | null>(null);

  function go(e: FormEvent) {
    e.preventDefault();
    submit.mutate({ ...body, note }, {
      onSuccess: (result) => {
        setOpen(false);
        setNote("");
        const count = result.submitted.length;
        setDone(count === 0 ? "Already submitted to the client." : `Submitted ${count === 1 ? what : `${count} versions`} to the client.`);
      },
    });
  }

  if (!open) {
    return (
      <div className="row tight small" style={{ gap: 8 }} data-testid="submit-to-client">
        <ActionButton action={action} className="small" onClick={() => { setDone(null); setOpen(true); }}>
          {label}
        </ActionButton>
        {done && <span className="muted" role="status">{done}</span>}
      </div>
    );
  }
  return (
    <form className="row tight small" style={{ gap: 8 }} onSubmit={go} data-testid="submit-to-client-form">
      <input type="text" value={note} maxLength={5000} placeholder="A note for the client (optional)"
        aria-label={`Note for the client about ${what}`} onChange={(e) => setNote(e.target.value)} />
      <button type="submit" className="primary small" disabled={submit.isPending}>Submit {what}</button>
      <button type="button" className="small" onClick={() => setOpen(false)}>Cancel</button>
      <ErrorMessage error={submit.error} />
    </form>
  );
}
