/**
 * The agency's queue of consent requests (/o/:org/consent-requests): what studios asked for, from
 * a refusal or directly. Grant (the grant is made from the request's terms, which can be changed
 * here) or refuse with a reason the studio sees. Which buttons appear: each request's `allowed_actions`.
 */
import { useState } from "react";
import { useSearchParams } from "react-router";

import type { ConsentRequest, GrantAction as GrantTerms } from "../../api/types";
import { ActionButton } from "../../components/ActionButton";
import { Chip } from "../../components/chips";
import { ConfirmDialog, EmptyState, ErrorMessage, Field, Loading } from "../../components/feedback";
import { formatDateTime } from "../../components/format";
import { findAction } from "../../lib/actions";
import { useConsentRequests, useConsentRequestStep, type ConsentRequestFilters } from "../../queries";
import { NotAgency, USE_TYPE_LABELS, useAgency, type Tone } from "./common";

export const useTypeLabel = (u: string): string => (USE_TYPE_LABELS as Record<string, string>)[u] ?? u;

export const REQUEST_STATE: Record<ConsentRequest["state"], { label: string; tone: Tone }> = {
  open: { label: "Awaiting answer", tone: "warn" },
  granted: { label: "Granted", tone: "ok" },
  refused: { label: "Refused", tone: "danger" },
  withdrawn: { label: "Withdrawn", tone: "muted" },
};

export function RequestsPage() {
  const agency = useAgency();
  const [params, setParams] = useSearchParams();
  const state = (params.get("state") ?? "open") as NonNullable<ConsentRequestFilters["state"]> | "all";
  const requests = useConsentRequests({ side: "agency", ...(state === "all" ? {} : { state }) });
  const [acting, setActing] = useState<{ request: ConsentRequest; action: "grant" | "refuse" } | null>(null);
  if (!agency) return <NotAgency />;
  const rows = requests.data?.results ?? [];
  return (
    <div className="page">
      <div className="page-header">
        <div>
          <h1>Consent requests</h1>
          <div className="sub">Studios that were refused, or that need a performer you represent, ask here. Granting makes an active consent grant from the request.</div>
        </div>
        <span className="spacer" />
        <label className="visually-hidden" htmlFor="request-state">
          State
        </label>
        <select id="request-state" value={state} onChange={(e) => setParams({ state: e.target.value })}>
          <option value="all">All</option>
          {(Object.keys(REQUEST_STATE) as ConsentRequest["state"][]).map((s) => (
            <option key={s} value={s}>
              {REQUEST_STATE[s].label}
            </option>
          ))}
        </select>
      </div>
      {requests.isPending && <Loading />}
      <ErrorMessage error={requests.error} />
      {!requests.isPending && rows.length === 0 && !requests.error && <EmptyState title="No consent requests">Nothing waits for your answer.</EmptyState>}
      {rows.length > 0 && (
        <RequestTable rows={rows} side="agency" onAct={(request, action) => setActing({ request, action: action as "grant" | "refuse" })} />
      )}
      {acting && <AnswerDialog request={acting.request} action={acting.action} onClose={() => setActing(null)} />}
    </div>
  );
}

/** Requests as a table; `side` picks the buttons' actions (agency: grant, refuse; studio: withdraw). */
export function RequestTable({ rows, side, onAct }: { rows: ConsentRequest[]; side: "agency" | "studio"; onAct: (r: ConsentRequest, action: string) => void }) {
  const steps = side === "agency" ? ["grant", "refuse"] : ["withdraw"];
  return (
    <div className="panel">
      <table className="data" aria-label="Consent requests">
        <thead>
          <tr>
            <th>Talent</th>
            <th>{side === "agency" ? "Studio · project" : "Agency · project"}</th>
            <th>Use · term</th>
            <th>Intended use</th>
            <th>State</th>
            <th className="actions">Actions</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.id} data-testid="consent-request-row" data-state={r.state}>
              <td className="strong-link">{r.talent.name}</td>
              <td>
                {side === "agency" ? r.studio.name : r.talent.agency.name}
                <div className="muted small">
                  {r.project.name} ({r.project.code})
                </div>
              </td>
              <td className="small">
                {r.use_types.map(useTypeLabel).join(", ")}
                <div className="muted nowrap">
                  {formatDateTime(r.valid_from)} → {formatDateTime(r.valid_until)}
                </div>
              </td>
              <td className="small">{r.description}</td>
              <td>
                <Chip label={REQUEST_STATE[r.state].label} tone={REQUEST_STATE[r.state].tone} />
                {r.answer_reason && <div className="muted small">{r.answer_reason}</div>}
              </td>
              <td className="actions">
                {steps.map((step) => (
                  <ActionButton key={step} action={findAction(r.allowed_actions, step)} className={step === "grant" ? "small primary" : "small"} onClick={() => onAct(r, step)}>
                    {step === "grant" ? "Grant…" : step === "refuse" ? "Refuse…" : "Withdraw…"}
                  </ActionButton>
                ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function AnswerDialog({ request, action, onClose }: { request: ConsentRequest; action: "grant" | "refuse"; onClose: () => void }) {
  const run = useConsentRequestStep(request.id);
  const [reason, setReason] = useState("");
  const [sha, setSha] = useState("");
  const [signedBy, setSignedBy] = useState(request.talent.name);
  const [capacity, setCapacity] = useState<GrantTerms["signer_capacity"]>("self");
  const [media, setMedia] = useState(request.media.join(" ") || "streaming");
  const [territories, setTerritories] = useState(request.territories.join(" ") || "WORLD");
  const list = (text: string) => text.split(/[\s,]+/).filter(Boolean);
  const confirm = () =>
    run.mutate(
      action === "grant"
        ? {
            action,
            terms: {
              document_sha256: sha.trim().toLowerCase(),
              signed_by: signedBy,
              signed_at: new Date().toISOString(),
              signer_capacity: capacity,
              survives_death: false,
              media: list(media),
              territories: list(territories),
            },
          }
        : { action, reason },
      { onSuccess: onClose },
    );
  return (
    <ConfirmDialog
      open
      title={action === "grant" ? `Grant ${request.studio.name} consent for ${request.talent.name}` : `Refuse ${request.studio.name}'s request?`}
      confirmLabel={action === "grant" ? "Grant consent" : "Refuse request"}
      danger={action === "refuse"}
      busy={run.isPending}
      error={run.error}
      onCancel={onClose}
      onConfirm={confirm}
    >
      <p className="muted small">
        {request.project.name}: {request.use_types.map(useTypeLabel).join(", ")} — {request.description}
      </p>
      {action === "grant" ? (
        <div className="stack">
          <Field id="cr-sha" label="SHA-256 of the signed document" hint="64 hex characters">
            <input id="cr-sha" value={sha} onChange={(e) => setSha(e.target.value)} className="mono" />
          </Field>
          <div className="row">
            <Field id="cr-by" label="Signed by">
              <input id="cr-by" value={signedBy} onChange={(e) => setSignedBy(e.target.value)} />
            </Field>
            <Field id="cr-cap" label="Signer">
              <select id="cr-cap" value={capacity} onChange={(e) => setCapacity(e.target.value as typeof capacity)}>
                <option value="self">The talent</option>
                <option value="authorized_representative">Authorised representative</option>
                <option value="estate">The estate</option>
                <option value="union">The union</option>
              </select>
            </Field>
          </div>
          <div className="row">
            <Field id="cr-media" label="Media" hint="e.g. streaming theatrical">
              <input id="cr-media" value={media} onChange={(e) => setMedia(e.target.value)} />
            </Field>
            <Field id="cr-territories" label="Territories" hint="ISO codes, or WORLD">
              <input id="cr-territories" value={territories} onChange={(e) => setTerritories(e.target.value)} />
            </Field>
          </div>
        </div>
      ) : (
        <Field id="cr-reason" label="Reason (the studio sees it)">
          <textarea id="cr-reason" rows={3} value={reason} onChange={(e) => setReason(e.target.value)} />
        </Field>
      )}
    </ConfirmDialog>
  );
}
