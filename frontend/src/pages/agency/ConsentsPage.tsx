/** The agency's consent grants (/o/:org/consents), filtered by state. */
import { useSearchParams } from "react-router";

import type { ConsentGrant } from "../../api/types";
import { useConsents } from "../../queries";
import { GRANT_STATE, NotAgency, useAgency } from "./common";
import { GrantTable } from "./GrantTable";

export function ConsentsPage() {
  const agency = useAgency();
  const [params, setParams] = useSearchParams();
  const state = (params.get("state") ?? "") as ConsentGrant["state"] | "";
  const grants = useConsents(state ? { state } : {});
  if (!agency) return <NotAgency />;
  return (
    <div className="page">
      <div className="page-header">
        <div>
          <h1>Consent grants</h1>
          <div className="sub">What each studio may do with your talent's likeness. Suspending or revoking takes effect at once: renders stop and affected versions are quarantined.</div>
        </div>
        <span className="spacer" />
        <label className="visually-hidden" htmlFor="grant-state">
          State
        </label>
        <select id="grant-state" value={state} onChange={(e) => setParams(e.target.value ? { state: e.target.value } : {})}>
          <option value="">All states</option>
          {(Object.keys(GRANT_STATE) as ConsentGrant["state"][]).map((s) => (
            <option key={s} value={s}>
              {GRANT_STATE[s].label}
            </option>
          ))}
        </select>
      </div>
      <GrantTable grants={grants.data?.results ?? []} loading={grants.isPending} error={grants.error} />
    </div>
  );
}
