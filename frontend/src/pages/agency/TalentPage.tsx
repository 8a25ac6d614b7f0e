/** The agency's roster (/o/:org/talent) and one talent's page: their grants and usage ledger. */
import { Link, useParams } from "react-router";

import type { Ledger, LikenessUse, MyMembership, Talent } from "../../api/types";
import { Chip } from "../../components/chips";
import { EmptyState, ErrorMessage, Loading } from "../../components/feedback";
import { useConsents, useLedger, useLikenessUses, useTalent, useTalentOne } from "../../queries";
import { NotAgency, USE_STATE, useAgency } from "./common";
import { GrantTable } from "./GrantTable";

export function TalentPage() {
  const agency = useAgency();
  const { talentId } = useParams();
  if (!agency) return <NotAgency />;
  return talentId ? <TalentDetail agency={agency} talentId={talentId} /> : <Roster agency={agency} />;
}

function Roster({ agency }: { agency: MyMembership }) {
  const org = agency.organization;
  const talent = useTalent({ agency: org.id });
  const grants = useConsents();
  const uses = useLikenessUses({ state: "pending_review" });
  const count = (list: { talent: { id: string } }[] | undefined, id: string) => (list ?? []).filter((x) => x.talent.id === id).length;
  return (
    <div className="page">
      <div className="page-header">
        <div>
          <h1>Talent</h1>
          <div className="sub">People {org.name} represents. Their likeness is used only under the grants below.</div>
        </div>
      </div>
      {talent.isPending && <Loading />}
      <ErrorMessage error={talent.error} />
      {talent.data && talent.data.results.length === 0 && <EmptyState title="No talent registered yet" />}
      {talent.data && talent.data.results.length > 0 && (
        <div className="panel">
          <table className="data" aria-label="Talent">
            <thead>
              <tr>
                <th>Name</th>
                <th>Also known as</th>
                <th>Status</th>
                <th className="num">Active grants</th>
                <th className="num">Uses to review</th>
                <th>Ledger</th>
              </tr>
            </thead>
            <tbody>
              {talent.data.results.map((t) => (
                <tr key={t.id} data-testid="talent-row">
                  <td>
                    <Link className="strong-link" to={`/o/${org.slug}/talent/${t.id}`}>
                      {t.name}
                    </Link>
                  </td>
                  <td className="muted">{t.aliases.join(", ") || "—"}</td>
                  <td>{t.life_status === "deceased" ? <Chip label={`Deceased${t.estate_name ? ` · ${t.estate_name}` : ""}`} tone="muted" /> : <Chip label="Living" tone="ok" />}</td>
                  <td className="num">{count(grants.data?.results.filter((g) => g.state === "active"), t.id)}</td>
                  <td className="num">
                    {count(uses.data?.results, t.id) > 0 ? (
                      <Link to={`/o/${org.slug}/uses?talent=${t.id}`}>
                        <Chip label={String(count(uses.data?.results, t.id))} tone="warn" />
                      </Link>
                    ) : (
                      <span className="muted">0</span>
                    )}
                  </td>
                  <td>
                    <Link to={`/o/${org.slug}/talent/${t.id}#ledger`}>Usage ledger</Link>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

function TalentDetail({ agency, talentId }: { agency: MyMembership; talentId: string }) {
  const org = agency.organization;
  const talent = useTalentOne(talentId);
  const grants = useConsents({ talent: talentId });
  const ledger = useLedger(talentId);
  if (talent.isPending) return <Loading />;
  if (talent.error) {
    return (
      <div className="page">
        <ErrorMessage error={talent.error} />
      </div>
    );
  }
  const t = talent.data;
  return (
    <div className="page">
      <div className="breadcrumbs">
        <Link to={`/o/${org.slug}/talent`}>Talent</Link>
      </div>
      <div className="page-header">
        <h1>{t.name}</h1>
        {t.aliases.length > 0 && <span className="muted">also {t.aliases.join(", ")}</span>}
      </div>
      <h2 className="section-title">Consent grants</h2>
      <GrantTable grants={grants.data?.results ?? []} loading={grants.isPending} error={grants.error} />
      <h2 className="section-title" id="ledger">
        Usage ledger
      </h2>
      <ErrorMessage error={ledger.error} />
      {ledger.data && typeof ledger.data === "object" && <LedgerView talent={t} ledger={ledger.data} />}
    </div>
  );
}

function LedgerView({ talent, ledger }: { talent: Talent; ledger: Ledger }) {
  return (
    <div className="stack">
      <div className="row">
        <span className="muted">
          Every use of {talent.name}'s likeness, by month, studio, project and state.
        </span>
        <span className="grow" />
        <a className="button" href={`/api/v1/talent/${talent.id}/ledger/?format=csv`} download>
          Download CSV
        </a>
      </div>
      {ledger.rows.length === 0 ? (
        <EmptyState title="No uses recorded" />
      ) : (
        <div className="panel">
          <table className="data" aria-label="Usage ledger">
            <thead>
              <tr>
                <th>Month</th>
                <th>Studio</th>
                <th>Project</th>
                <th>State</th>
                <th className="num">Uses</th>
              </tr>
            </thead>
            <tbody>
              {ledger.rows.map((r, i) => (
                <tr key={i}>
                  <td className="mono">{r.month}</td>
                  <td>{r.studio.name}</td>
                  <td>
                    {r.project.name} <span className="muted mono">{r.project.code}</span>
                  </td>
                  <td>{r.state in USE_STATE ? <Chip label={USE_STATE[r.state as LikenessUse["state"]].label} tone={USE_STATE[r.state as LikenessUse["state"]].tone} /> : r.state}</td>
                  <td className="num">{r.uses}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
