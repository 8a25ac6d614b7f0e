/**
 * Share links of a version for people without an account (an executive, a festival, a vendor):
 * make one (expiry, passphrase, download, view limit), copy its address (shown once), revoke it,
 * and read who watched what. Offered from the version's `allowed_actions` ("share").
 */
import { useState, type FormEvent } from "react";

import type { AllowedAction, ShareLink, ShareLinkCreated } from "../api/types";
import { useCreateShareLink, useRevokeShareLink, useShareLinks, useShareViews } from "../queries";
import { ActionButton } from "./ActionButton";
import { ErrorMessage, Field, Loading } from "./feedback";
import { formatDateTime } from "./format";

const STATE_TONES: Record<string, string> = { active: "ok", expired: "muted", revoked: "danger", used_up: "warn" };
const STATE_LABELS: Record<string, string> = { active: "Active", expired: "Expired", revoked: "Revoked", used_up: "View limit reached" };

export function SharePanel({ versionId, action }: { versionId: string; action: AllowedAction | undefined }) {
  const [open, setOpen] = useState(false);
  const [created, setCreated] = useState<ShareLinkCreated | null>(null);
  if (action === undefined || (!action.allowed && action.code !== "blocked")) return null;
  return (
    <section className="panel share-panel" aria-labelledby="share-title" data-testid="share-panel">
      <div className="panel-header">
        <h2 id="share-title">Share links</h2>
        <ActionButton action={action} onClick={() => setOpen((o) => !o)} className="small">
          {open ? "Close" : "New share link"}
        </ActionButton>
      </div>
      <div className="panel-body stack">
        {open && action.allowed && <NewLinkForm versionId={versionId} onCreated={(link) => { setCreated(link); setOpen(false); }} />}
        {created && (
          <div className="share-created" data-testid="share-created">
            <label htmlFor="share-url">Send this address; it is shown only once.</label>
            <input id="share-url" readOnly value={created.url} onFocus={(e) => e.currentTarget.select()} />
          </div>
        )}
        <LinkList versionId={versionId} />
      </div>
    </section>
  );
}

function NewLinkForm({ versionId, onCreated }: { versionId: string; onCreated: (link: ShareLinkCreated) => void }) {
  const create = useCreateShareLink(versionId);
  const [label, setLabel] = useState("");
  const [days, setDays] = useState("7");
  const [passphrase, setPassphrase] = useState("");
  const [maxViews, setMaxViews] = useState("");
  const [download, setDownload] = useState(false);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const expires = new Date(Date.now() + Number(days) * 86_400_000).toISOString();
    create.mutate(
      { label, expires_at: expires, passphrase, allow_download: download, max_views: maxViews ? Number(maxViews) : null },
      { onSuccess: onCreated },
    );
  };
  return (
    <form onSubmit={submit} className="stack share-form" aria-label="New share link">
      <ErrorMessage error={create.error} />
      <Field id="share-label" label="For whom">
        <input id="share-label" value={label} onChange={(e) => setLabel(e.target.value)} maxLength={200} placeholder="e.g. Festival committee" />
      </Field>
      <Field id="share-days" label="Expires in (days)" hint="At most 90 days.">
        <input id="share-days" type="number" min={1} max={90} value={days} onChange={(e) => setDays(e.target.value)} required />
      </Field>
      <Field id="share-passphrase" label="Passphrase (optional)">
        <input id="share-passphrase" type="text" value={passphrase} onChange={(e) => setPassphrase(e.target.value)} autoComplete="off" />
      </Field>
      <Field id="share-max-views" label="View limit (optional)">
        <input id="share-max-views" type="number" min={1} value={maxViews} onChange={(e) => setMaxViews(e.target.value)} />
      </Field>
      <label className="checkbox">
        <input type="checkbox" checked={download} onChange={(e) => setDownload(e.target.checked)} /> Allow download (watermarked)
      </label>
      <button type="submit" className="primary small" disabled={create.isPending}>
        Create link
      </button>
    </form>
  );
}

function LinkList({ versionId }: { versionId: string }) {
  const links = useShareLinks(versionId);
  const revoke = useRevokeShareLink();
  const [shown, setShown] = useState<string | null>(null);
  if (links.isPending) return <Loading />;
  if (links.error) return <ErrorMessage error={links.error} />;
  if (links.data.length === 0) return <p className="muted small">No share links yet.</p>;
  return (
    <>
      <ErrorMessage error={revoke.error} />
      <ul className="share-links" aria-label="Share links">
        {links.data.map((link: ShareLink) => (
          <li key={link.id} data-testid="share-link" data-state={link.state}>
            <div>
              <strong>{link.label || "Share link"}</strong> <span className="chip" data-tone={STATE_TONES[link.state] ?? "muted"}>{STATE_LABELS[link.state] ?? link.state}</span>
            </div>
            <div className="muted small">
              until {formatDateTime(link.expires_at)} · {link.view_count}
              {link.max_views ? `/${link.max_views}` : ""} views{link.has_passphrase ? " · passphrase" : ""}
              {link.allow_download ? " · download allowed" : ""}
            </div>
            <div className="row tight">
              <button type="button" className="small" onClick={() => setShown(shown === link.id ? null : link.id)}>
                {shown === link.id ? "Hide views" : "Views"}
              </button>
              {link.state !== "revoked" && (
                <button type="button" className="danger small" disabled={revoke.isPending} onClick={() => revoke.mutate(link.id)}>
                  Revoke
                </button>
              )}
            </div>
            {shown === link.id && <ViewLog linkId={link.id} />}
          </li>
        ))}
      </ul>
    </>
  );
}

function ViewLog({ linkId }: { linkId: string }) {
  const views = useShareViews(linkId);
  if (views.isPending) return <Loading />;
  if (views.error) return <ErrorMessage error={views.error} />;
  if (views.data.length === 0) return <p className="muted small">Nobody has opened it yet.</p>;
  return (
    <ul className="share-views" data-testid="share-views" aria-label="Who viewed it">
      {views.data.map((v) => (
        <li key={v.id}>
          <div>
            <strong>{v.viewer_name}</strong> <span className="muted">&lt;{v.viewer_email}&gt;</span>
          </div>
          <div className="muted small" title={v.user_agent}>
            {formatDateTime(v.created_at)} · from {v.ip_address ?? "unknown"}
          </div>
          <div className="small">
            {v.items.map((i) => `${i.name}${i.streamed_at ? " watched" : " not watched yet"}${i.downloaded_at ? ", downloaded" : ""}`).join("; ")}
          </div>
        </li>
      ))}
    </ul>
  );
}
