import { Fragment, useState } from "react";
import { useSearchParams } from "react-router";

import type { MyMembership } from "../api/types";
import { EmptyState, ErrorMessage, Loading } from "../components/feedback";
import { AUDIT_READER_ROLES, formatDateTime } from "../components/format";
import { useAuditEvents } from "../queries";
import { useCurrentMembership } from "../session";
import { NotMember } from "./Members";

const PAGE_SIZE = 50;

export function AuditPage() {
  const { membership } = useCurrentMembership();
  if (!membership) return <NotMember />;
  if (!AUDIT_READER_ROLES.has(membership.role)) {
    return (
      <div className="page">
        <EmptyState title="The audit log is for owners, admins and legal">
          Ask an owner of {membership.organization.name} if you need an extract.
        </EmptyState>
      </div>
    );
  }
  return <AuditLog membership={membership} />;
}

function AuditLog({ membership }: { membership: MyMembership }) {
  const org = membership.organization;
  const [params, setParams] = useSearchParams();
  const page = Math.max(1, Number(params.get("page") ?? "1") || 1);
  const action = params.get("action") ?? "";
  const [actionDraft, setActionDraft] = useState(action);
  const [open, setOpen] = useState<number | null>(null);

  const events = useAuditEvents(org.id, { action, page, pageSize: PAGE_SIZE });
  const pages = events.data ? Math.max(1, Math.ceil(events.data.count / PAGE_SIZE)) : 1;

  function go(next: { page?: number; action?: string }) {
    const p = new URLSearchParams(params);
    if (next.page !== undefined) p.set("page", String(next.page));
    if (next.action !== undefined) {
      if (next.action) p.set("action", next.action);
      else p.delete("action");
      p.set("page", "1");
    }
    setParams(p);
  }

  return (
    <div className="page">
      <div className="page-header">
        <div>
          <h1>Audit log</h1>
          <div className="sub">
            Every change in {org.name}, newest first. Each entry is chained to the previous one by its hash, so the record cannot be edited
            unnoticed.
          </div>
        </div>
        <span className="spacer" />
        <form
          className="row"
          onSubmit={(e) => {
            e.preventDefault();
            go({ action: actionDraft.trim() });
          }}
        >
          <label className="visually-hidden" htmlFor="audit-action">
            Filter by action
          </label>
          <input id="audit-action" placeholder="Action, e.g. membership.created" value={actionDraft} onChange={(e) => setActionDraft(e.target.value)} />
          <button type="submit">Filter</button>
          {action && (
            <button
              type="button"
              className="ghost"
              onClick={() => {
                setActionDraft("");
                go({ action: "" });
              }}
            >
              Clear
            </button>
          )}
        </form>
      </div>
      {events.isPending && <Loading />}
      <ErrorMessage error={events.error} />
      {events.data && events.data.results.length === 0 && (
        <EmptyState title={action ? `No “${action}” events` : "Nothing recorded yet"}>
          {action ? "Try another action, or clear the filter." : "Changes to members, projects, versions and consents appear here."}
        </EmptyState>
      )}
      {events.data && events.data.results.length > 0 && (
        <>
          <div className="panel">
            <table className="data" aria-label="Audit events">
              <thead>
                <tr>
                  <th className="num">#</th>
                  <th>When</th>
                  <th>Who</th>
                  <th>Action</th>
                  <th>Target</th>
                  <th>Hash</th>
                  <th className="actions">Details</th>
                </tr>
              </thead>
              <tbody>
                {events.data.results.map((e) => (
                  <Fragment key={e.id}>
                    <tr data-testid="audit-row">
                      <td className="num mono">{e.seq}</td>
                      <td className="nowrap">{formatDateTime(e.occurred_at, true)}</td>
                      <td>{e.actor_label || <span className="muted">system</span>}</td>
                      <td>
                        <code>{e.action}</code>
                      </td>
                      <td className="muted">
                        {e.target_type}
                        {e.target_id ? <span className="hash"> {e.target_id.slice(0, 8)}</span> : null}
                      </td>
                      <td className="hash" title={`hash ${e.hash}\nprevious ${e.prev_hash}`}>
                        {e.hash.slice(0, 10)}…
                      </td>
                      <td className="actions">
                        <button
                          type="button"
                          className="small ghost"
                          aria-expanded={open === e.id}
                          aria-controls={`audit-${e.id}`}
                          onClick={() => setOpen(open === e.id ? null : e.id)}
                        >
                          {open === e.id ? "Hide" : "Show"}
                        </button>
                      </td>
                    </tr>
                    {open === e.id && (
                      <tr id={`audit-${e.id}`}>
                        <td />
                        <td colSpan={6}>
                          <pre className="json">{JSON.stringify(e.data, null, 2)}</pre>
                          <div className="hash">
                            previous {e.prev_hash} → {e.hash}
                          </div>
                        </td>
                      </tr>
                    )}
                  </Fragment>
                ))}
              </tbody>
            </table>
          </div>
          <nav className="pager" aria-label="Pages">
            <span>
              {events.data.count} events · page {page} of {pages}
            </span>
            <button type="button" className="small" disabled={page <= 1} onClick={() => go({ page: page - 1 })}>
              Newer
            </button>
            <button type="button" className="small" disabled={page >= pages} onClick={() => go({ page: page + 1 })}>
              Older
            </button>
          </nav>
        </>
      )}
    </div>
  );
}
