/**
 * Consent grants as a table, with the steps of each grant's state machine the signed-in person may
 * take (grant, suspend, resume, revoke — each with confirmation). Which steps appear comes from the
 * grant's `allowed_actions` (rights/transitions.py on the server), never from rules copied here.
 */
import { useState } from "react";

import type { ConsentGrant, GrantAction as GrantTerms } from "../../api/types";
import { ActionButton } from "../../components/ActionButton";
import { Chip } from "../../components/chips";
import { ConfirmDialog, EmptyState, ErrorMessage, Field, Loading } from "../../components/feedback";
import { formatDateTime } from "../../components/format";
import { findAction, isOffered } from "../../lib/actions";
import { useGrantStep, type GrantStep } from "../../queries";
import { GRANT_STATE } from "./common";

type Step = GrantStep["action"];

const STEPS: { action: Step; label: string; className: string }[] = [
  { action: "grant", label: "Grant…", className: "small primary" },
  { action: "suspend", label: "Suspend…", className: "small" },
  { action: "resume", label: "Resume…", className: "small" },
  { action: "revoke", label: "Revoke…", className: "small danger" },
];

export function GrantTable({ grants, loading, error }: { grants: ConsentGrant[]; loading: boolean; error: unknown }) {
  const [acting, setActing] = useState<{ grant: ConsentGrant; action: Step } | null>(null);
  if (loading) return <Loading />;
  const canAct = grants.some((g) => STEPS.some((s) => isOffered(findAction(g.allowed_actions, s.action))));
  return (
    <>
      <ErrorMessage error={error} />
      {grants.length === 0 && !error && <EmptyState title="No consent grants">Studios request grants; they appear here for you to grant or refuse.</EmptyState>}
      {grants.length > 0 && (
        <div className="panel">
          <table className="data" aria-label="Consent grants">
            <thead>
              <tr>
                <th>Talent</th>
                <th>Studio · project</th>
                <th>Uses · media · territories</th>
                <th>Term</th>
                <th>State</th>
                {canAct && <th className="actions">Actions</th>}
              </tr>
            </thead>
            <tbody>
              {grants.map((g) => {
                const st = GRANT_STATE[g.state];
                return (
                  <tr key={g.id} data-testid="grant-row" data-state={g.state}>
                    <td className="strong-link">{g.talent.name}</td>
                    <td>
                      {g.studio.name}
                      <div className="muted small">{g.project ? `${g.project.name} (${g.project.code})` : "every project"}</div>
                    </td>
                    <td className="small">
                      {g.use_types.join(", ")}
                      <div className="muted">
                        {g.media.join(", ")} · {g.territories.join(", ")}
                      </div>
                      {g.requires_per_use_approval && <div className="muted">each use needs your approval</div>}
                    </td>
                    <td className="small nowrap">
                      {formatDateTime(g.valid_from)} →<br />
                      {formatDateTime(g.valid_until)}
                    </td>
                    <td>
                      <Chip label={st.label} tone={st.tone} title={g.state_reason || undefined} />
                      {g.state_reason && <div className="muted small">{g.state_reason}</div>}
                    </td>
                    {canAct && (
                      <td className="actions">
                        {STEPS.map((step) => (
                          <ActionButton key={step.action} action={findAction(g.allowed_actions, step.action)} className={step.className} onClick={() => setActing({ grant: g, action: step.action })}>
                            {step.label}
                          </ActionButton>
                        ))}
                      </td>
                    )}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {acting && <GrantStepDialog grant={acting.grant} action={acting.action} onClose={() => setActing(null)} />}
    </>
  );
}

const TITLES: Record<Step, (who: string, studio: string) => string> = {
  grant: (who, studio) => `Grant ${studio}'s request for ${who}`,
  suspend: (who, studio) => `Suspend ${who}'s grant to ${studio}?`,
  resume: (who, studio) => `Resume ${who}'s grant to ${studio}?`,
  revoke: (who, studio) => `Revoke ${who}'s grant to ${studio}?`,
};

const CONSEQUENCES: Record<Step, string> = {
  grant: "The studio may then render and use the likeness within these terms.",
  suspend: "Queued and running renders that depend on it are cancelled at once, and versions made under it cannot be approved until you resume it.",
  resume: "The studio may use the likeness again within the grant's terms.",
  revoke: "This cannot be undone. Renders that depend on it are cancelled and every version made under it is quarantined.",
};

const CONFIRM: Record<Step, string> = { grant: "Grant consent", suspend: "Suspend grant", resume: "Resume grant", revoke: "Revoke grant" };

function GrantStepDialog({ grant, action, onClose }: { grant: ConsentGrant; action: Step; onClose: () => void }) {
  const [reason, setReason] = useState("");
  const [sha, setSha] = useState("");
  const [signedBy, setSignedBy] = useState("");
  const [signedAt, setSignedAt] = useState(() => new Date().toISOString().slice(0, 16));
  const [capacity, setCapacity] = useState<GrantTerms["signer_capacity"]>("self");
  const run = useGrantStep(grant.id);
  const step = (): GrantStep => {
    switch (action) {
      case "grant":
        return {
          action,
          terms: { document_sha256: sha.trim().toLowerCase(), signed_by: signedBy, signed_at: new Date(signedAt).toISOString(), signer_capacity: capacity, survives_death: false },
        };
      case "resume":
        return { action, note: reason };
      default:
        return { action, reason };
    }
  };
  return (
    <ConfirmDialog
      open
      title={TITLES[action](grant.talent.name, grant.studio.name)}
      confirmLabel={CONFIRM[action]}
      danger={action === "revoke" || action === "suspend"}
      busy={run.isPending}
      error={run.error}
      onCancel={onClose}
      onConfirm={() => run.mutate(step(), { onSuccess: onClose })}
    >
      <p>{CONSEQUENCES[action]}</p>
      {action === "grant" ? (
        <div className="stack">
          <p className="muted small">Intended use: {grant.intended_use}</p>
          <Field id="g-sha" label="SHA-256 of the signed document" hint="64 hex characters">
            <input id="g-sha" value={sha} onChange={(e) => setSha(e.target.value)} className="mono" />
          </Field>
          <Field id="g-by" label="Signed by">
            <input id="g-by" value={signedBy} onChange={(e) => setSignedBy(e.target.value)} />
          </Field>
          <div className="row">
            <Field id="g-at" label="Signed at">
              <input id="g-at" type="datetime-local" value={signedAt} onChange={(e) => setSignedAt(e.target.value)} />
            </Field>
            <Field id="g-cap" label="Signer">
              <select id="g-cap" value={capacity} onChange={(e) => setCapacity(e.target.value as typeof capacity)}>
                <option value="self">The talent</option>
                <option value="authorized_representative">Authorised representative</option>
                <option value="estate">The estate</option>
                <option value="union">The union</option>
              </select>
            </Field>
          </div>
        </div>
      ) : (
        <Field id="g-reason" label={action === "resume" ? "Note (optional)" : "Reason (the studio sees it)"}>
          <textarea id="g-reason" rows={3} value={reason} onChange={(e) => setReason(e.target.value)} />
        </Field>
      )}
    </ConfirmDialog>
  );
}
