/**
 * /o/:org/consent-requests: for an agency, its queue (pages/agency/RequestsPage); for a studio,
 * the requests it sent, with the agency's answer (and the reason of a refusal), and withdraw.
 */
import { useState } from "react";

import type { ConsentRequest } from "../api/types";
import { ConfirmDialog, EmptyState, ErrorMessage, Field, Loading } from "../components/feedback";
import { RequestsPage, RequestTable } from "./agency/RequestsPage";
import { useConsentRequests, useConsentRequestStep } from "../queries";
import { useCurrentMembership } from "../session";
import { NotMember } from "./Members";

export function ConsentRequestsPage() {
  const { membership } = useCurrentMembership();
  if (!membership) return <NotMember />;
  return membership.organization.kind === "agency" ? <RequestsPage /> : <StudioRequests />;
}

function StudioRequests() {
  const requests = useConsentRequests({ side: "studio" });
  const [withdrawing, setWithdrawing] = useState<ConsentRequest | null>(null);
  const rows = requests.data?.results ?? [];
  return (
    <div className="page">
      <div className="page-header">
        <div>
          <h1>Consent requests</h1>
          <div className="sub">What your studio asked agencies for, and their answers. Send a request from a consent refusal in a shot's Generate panel.</div>
        </div>
      </div>
      {requests.isPending && <Loading />}
      <ErrorMessage error={requests.error} />
      {!requests.isPending && rows.length === 0 && !requests.error && <EmptyState title="No consent requests">None sent yet.</EmptyState>}
      {rows.length > 0 && <RequestTable rows={rows} side="studio" onAct={(r) => setWithdrawing(r)} />}
      {withdrawing && <WithdrawDialog request={withdrawing} onClose={() => setWithdrawing(null)} />}
    </div>
  );
}

function WithdrawDialog({ request, onClose }: { request: ConsentRequest; onClose: () => void }) {
  const run = useConsentRequestStep(request.id);
  const [note, setNote] = useState("");
  return (
    <ConfirmDialog
      open
      title={`Withdraw the request for ${request.talent.name}?`}
      confirmLabel="Withdraw"
      busy={run.isPending}
      error={run.error}
      onCancel={onClose}
      onConfirm={() => run.mutate({ action: "withdraw", note }, { onSuccess: onClose })}
    >
      <Field id="cr-note" label="Note (optional)">
        <textarea id="cr-note" rows={2} value={note} onChange={(e) => setNote(e.target.value)} />
      </Field>
    </ConfirmDialog>
  );
}
