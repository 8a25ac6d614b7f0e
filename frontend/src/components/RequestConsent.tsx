/**
 * "Request consent" on a consent refusal: the policy's 403 carries `request_consent` (the project
 * and, per talent a grant would cure, the talent id and the use types to ask for); each becomes a
 * button that opens a pre-filled request to the talent's agency (POST /api/v1/consent-requests/).
 * A take or version held by the likeness scan offers the same, from its `likeness_scan.request_consent`.
 */
import { useState } from "react";

import type { ApiError } from "../api/errors";
import { consentPrefill, type ConsentPrefill } from "../lib/consentRequest";
import { useTypeLabel } from "../pages/agency/RequestsPage";
import { useCreateConsentRequest } from "../queries";
import { ConfirmDialog, Field } from "./feedback";

const DAY = 86_400_000;

export function RequestConsentButtons({ error, offer }: { error: ApiError | null; offer?: ConsentPrefill | null }) {
  const prefill = offer ?? consentPrefill(error);
  const [open, setOpen] = useState<ConsentPrefill["talent"][number] | null>(null);
  const [sent, setSent] = useState<string[]>([]);
  if (!prefill) return null;
  return (
    <div className="row" data-testid="request-consent">
      {prefill.talent.map((t) =>
        sent.includes(t.talent_id) ? (
          <span key={t.talent_id} className="muted small" role="status">
            Consent request for {t.talent} sent to {t.agency}.
          </span>
        ) : (
          <button key={t.talent_id} type="button" className="small" onClick={() => setOpen(t)}>
            Request consent for {t.talent}…
          </button>
        ),
      )}
      {open && (
        <RequestDialog
          prefill={prefill}
          talent={open}
          onClose={() => setOpen(null)}
          onSent={() => {
            setSent((s) => [...s, open.talent_id]);
            setOpen(null);
          }}
        />
      )}
    </div>
  );
}

function RequestDialog({ prefill, talent, onClose, onSent }: { prefill: ConsentPrefill; talent: ConsentPrefill["talent"][number]; onClose: () => void; onSent: () => void }) {
  const create = useCreateConsentRequest();
  const [description, setDescription] = useState("");
  const [until, setUntil] = useState(() => new Date(Date.now() + 90 * DAY).toISOString().slice(0, 10));
  const [territories, setTerritories] = useState("");
  const send = () =>
    create.mutate(
      {
        talent: talent.talent_id,
        project: prefill.project,
        use_types: talent.use_types,
        description,
        valid_until: new Date(`${until}T23:59:59Z`).toISOString(),
        territories: territories.split(/[\s,]+/).filter(Boolean),
        origin: prefill.origin,
        origin_reason: talent.reason_code,
      },
      { onSuccess: onSent },
    );
  return (
    <ConfirmDialog open title={`Request consent for ${talent.talent}`} confirmLabel="Send request" busy={create.isPending} error={create.error} onCancel={onClose} onConfirm={send}>
      <p>
        {talent.agency} represents {talent.talent}. They will see this request in their queue and grant or refuse it; you are notified either way.
      </p>
      <p className="muted small">Use: {talent.use_types.map(useTypeLabel).join(", ")}</p>
      <Field id="cr-description" label="Intended use" hint="Which character, scenes or shots, and what the replica does (at least 8 words).">
        <textarea id="cr-description" rows={4} value={description} onChange={(e) => setDescription(e.target.value)} />
      </Field>
      <div className="row">
        <Field id="cr-until" label="Until">
          <input id="cr-until" type="date" value={until} onChange={(e) => setUntil(e.target.value)} />
        </Field>
        <Field id="cr-territories" label="Territories (optional)" hint="ISO codes such as US FR, or WORLD">
          <input id="cr-territories" value={territories} onChange={(e) => setTerritories(e.target.value)} />
        </Field>
      </div>
    </ConfirmDialog>
  );
}
