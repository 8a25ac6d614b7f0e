/**
 * The agency portal: the roster of talent the agency represents, their consent grants (grant,
 * suspend, resume, revoke — with confirmation), the queue of likeness uses awaiting review with the
 * version's player, and the usage ledger.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useParams, useSearchParams } from "react-router";

import { api, call } from "../api/client";
import type { ConsentGrant, GrantAction as GrantActionBody, Ledger, LikenessUse, MyMembership, Talent } from "../api/types";
import { ApprovalsPanel } from "../components/Approvals";
import { Chip } from "../components/chips";
import { ConfirmDialog, EmptyState, ErrorMessage, Field, Loading } from "../components/feedback";
import { formatDateTime, formatRelative } from "../components/format";
import { AGENCY_DECIDER_ROLES } from "../lib/consent";
import { usePlayhead, type PlayerMedia } from "../player/controls";
import { ReviewPlayer, useDrawState } from "../player/ReviewPlayer";
import { useConsents, useLikenessUses, useTalent } from "../queries";
import { useCurrentMembership } from "../session";
import { NotMember } from "./Members";

type Tone = "ok" | "warn" | "danger" | "info" | "muted";

const GRANT_STATE: Record<ConsentGrant["state"], { label: string; tone: Tone }> = {
  pending: { label: "Requested", tone: "warn" },
  active: { label: "Active", tone: "ok" },
  suspended: { label: "Suspended", tone: "danger" },
  revoked: { label: "Revoked", tone: "muted" },
  expired: { label: "Expired", tone: "muted" },
};

const USE_TYPE_LABELS: Record<LikenessUse["use_type"], string> = {
  digital_replica: "digital replica",
  digital_alteration: "digital alteration",
  name_or_likeness_in_prompt: "name or likeness in the prompt",
};

const USE_STATE: Record<LikenessUse["state"], { label: string; tone: Tone }> = {
  pending_review: { label: "Awaiting your review", tone: "warn" },
  approved: { label: "Approved", tone: "ok" },
  rejected: { label: "Rejected", tone: "danger" },
  invalidated: { label: "Invalidated", tone: "muted" },
};

function useAgency(): MyMembership | null {
  const { membership } = useCurrentMembership();
  return membership && membership.organization.kind === "agency" ? membership : null;
}

function NotAgency() {
  const { membership } = useCurrentMembership();
  if (!membership) return <NotMember />;
  return (
    <div className="page">
      <EmptyState title="This is the agency portal">{membership.organization.name} is a studio; talent and consents are managed by agencies.</EmptyState>
    </div>
  );
}

// ---------------------------------------------------------------- roster

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
  const talent = useQuery({
    queryKey: ["talent", "one", talentId],
    queryFn: () => call(api.GET("/api/v1/talent/{id}/", { params: { path: { id: talentId } } })),
  });
  const grants = useConsents({ talent: talentId });
  const ledger = useQuery({
    queryKey: ["ledger", talentId],
    queryFn: () => call(api.GET("/api/v1/talent/{id}/ledger/", { params: { path: { id: talentId }, query: { format: "json" } } })),
  });
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
      <GrantTable grants={grants.data?.results ?? []} loading={grants.isPending} error={grants.error} canAct={t.can_edit} />
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

// ---------------------------------------------------------------- consents

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
      <GrantTable grants={grants.data?.results ?? []} loading={grants.isPending} error={grants.error} canAct />
    </div>
  );
}

type GrantAction = "grant" | "suspend" | "resume" | "revoke";

function GrantTable({ grants, loading, error, canAct }: { grants: ConsentGrant[]; loading: boolean; error: unknown; canAct: boolean }) {
  const [acting, setActing] = useState<{ grant: ConsentGrant; action: GrantAction } | null>(null);
  if (loading) return <Loading />;
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
                        {g.state === "pending" && (
                          <button type="button" className="small primary" onClick={() => setActing({ grant: g, action: "grant" })}>
                            Grant…
                          </button>
                        )}
                        {g.state === "active" && (
                          <button type="button" className="small" onClick={() => setActing({ grant: g, action: "suspend" })}>
                            Suspend…
                          </button>
                        )}
                        {g.state === "suspended" && (
                          <button type="button" className="small" onClick={() => setActing({ grant: g, action: "resume" })}>
                            Resume…
                          </button>
                        )}
                        {(g.state === "pending" || g.state === "active" || g.state === "suspended") && (
                          <button type="button" className="small danger" onClick={() => setActing({ grant: g, action: "revoke" })}>
                            Revoke…
                          </button>
                        )}
                      </td>
                    )}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {acting && <GrantActionDialog grant={acting.grant} action={acting.action} onClose={() => setActing(null)} />}
    </>
  );
}

function GrantActionDialog({ grant, action, onClose }: { grant: ConsentGrant; action: GrantAction; onClose: () => void }) {
  const client = useQueryClient();
  const [reason, setReason] = useState("");
  const [sha, setSha] = useState("");
  const [signedBy, setSignedBy] = useState("");
  const [signedAt, setSignedAt] = useState(() => new Date().toISOString().slice(0, 16));
  const [capacity, setCapacity] = useState<GrantActionBody["signer_capacity"]>("self");
  const run = useMutation({
    mutationFn: () => {
      const path = { params: { path: { id: grant.id } } };
      switch (action) {
        case "grant":
          return call(
            api.POST("/api/v1/consents/{id}/grant/", {
              ...path,
              body: { document_sha256: sha.trim().toLowerCase(), signed_by: signedBy, signed_at: new Date(signedAt).toISOString(), signer_capacity: capacity, survives_death: false },
            }),
          );
        case "suspend":
          return call(api.POST("/api/v1/consents/{id}/suspend/", { ...path, body: { reason } }));
        case "resume":
          return call(api.POST("/api/v1/consents/{id}/resume/", { ...path, body: { note: reason } }));
        case "revoke":
          return call(api.POST("/api/v1/consents/{id}/revoke/", { ...path, body: { reason } }));
      }
    },
    onSuccess: async () => {
      await Promise.all([client.invalidateQueries({ queryKey: ["consents"] }), client.invalidateQueries({ queryKey: ["likeness-uses"] })]);
      onClose();
    },
  });
  const who = grant.talent.name;
  const titles: Record<GrantAction, string> = {
    grant: `Grant ${grant.studio.name}'s request for ${who}`,
    suspend: `Suspend ${who}'s grant to ${grant.studio.name}?`,
    resume: `Resume ${who}'s grant to ${grant.studio.name}?`,
    revoke: `Revoke ${who}'s grant to ${grant.studio.name}?`,
  };
  const consequences: Record<GrantAction, string> = {
    grant: "The studio may then render and use the likeness within these terms.",
    suspend: "Queued and running renders that depend on it are cancelled at once, and versions made under it cannot be approved until you resume it.",
    resume: "The studio may use the likeness again within the grant's terms.",
    revoke: "This cannot be undone. Renders that depend on it are cancelled and every version made under it is quarantined.",
  };
  return (
    <ConfirmDialog
      open
      title={titles[action]}
      confirmLabel={action === "grant" ? "Grant consent" : action === "resume" ? "Resume grant" : action === "suspend" ? "Suspend grant" : "Revoke grant"}
      danger={action === "revoke" || action === "suspend"}
      busy={run.isPending}
      error={run.error}
      onCancel={onClose}
      onConfirm={() => run.mutate()}
    >
      <p>{consequences[action]}</p>
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

// ---------------------------------------------------------------- likeness uses

export function UsesPage() {
  const agency = useAgency();
  const [params, setParams] = useSearchParams();
  const state = (params.get("state") ?? "pending_review") as LikenessUse["state"] | "all";
  const talent = params.get("talent") ?? undefined;
  const uses = useLikenessUses({ ...(state !== "all" ? { state } : {}), ...(talent ? { talent } : {}) });
  const [open, setOpen] = useState<string | null>(null);
  if (!agency) return <NotAgency />;
  const rows = uses.data?.results ?? [];
  const selected = rows.find((u) => u.id === open) ?? null;
  return (
    <div className="page wide">
      <div className="page-header">
        <div>
          <h1>Likeness uses</h1>
          <div className="sub">Every render that used your talent's likeness, across all studios. Review the ones that await you.</div>
        </div>
        <span className="spacer" />
        <label className="visually-hidden" htmlFor="use-state">
          State
        </label>
        <select id="use-state" value={state} onChange={(e) => setParams({ state: e.target.value, ...(talent ? { talent } : {}) })}>
          <option value="pending_review">Awaiting review</option>
          <option value="approved">Approved</option>
          <option value="rejected">Rejected</option>
          <option value="invalidated">Invalidated</option>
          <option value="all">All</option>
        </select>
      </div>
      {uses.isPending && <Loading />}
      <ErrorMessage error={uses.error} />
      {uses.data && rows.length === 0 && (
        <EmptyState title={state === "pending_review" ? "Nothing awaits your review" : "No uses"}>
          {state === "pending_review" ? "New uses of your talent's likeness appear here as studios render them." : "Try another state."}
        </EmptyState>
      )}
      <div className={selected ? "uses-split" : undefined}>
        {rows.length > 0 && (
          <div className="panel">
            <table className="data" aria-label="Likeness uses">
              <thead>
                <tr>
                  <th>Talent</th>
                  <th>Studio · project · shot</th>
                  <th>Prompt</th>
                  <th>State</th>
                  <th>When</th>
                  <th className="actions">
                    <span className="visually-hidden">Open</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {rows.map((u) => (
                  <tr key={u.id} data-testid="use-row" data-state={u.state} aria-selected={u.id === open}>
                    <td className="strong-link">{u.talent.name}</td>
                    <td>
                      {u.studio.name}
                      <div className="muted small">
                        {u.project.name} · <span className="mono">{u.shot_code ?? "—"}</span> {versionLabel(u)}
                      </div>
                    </td>
                    <td className="small truncate" style={{ maxWidth: 320 }} title={u.prompt}>
                      {u.prompt}
                    </td>
                    <td>
                      <Chip label={USE_STATE[u.state].label} tone={USE_STATE[u.state].tone} />
                    </td>
                    <td className="muted small nowrap">{formatRelative(u.created_at)}</td>
                    <td className="actions">
                      <button type="button" className="small" onClick={() => setOpen(u.id === open ? null : u.id)} aria-expanded={u.id === open}>
                        {u.id === open ? "Close" : u.state === "pending_review" ? "Review" : "Open"}
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {selected && <UseReview key={selected.id} use={selected} agency={agency} onDone={() => setOpen(null)} />}
      </div>
    </div>
  );
}

function versionLabel(u: LikenessUse): string {
  return u.version?.label ?? "";
}

/** What the player can know about a use's version: the agency sees its frames, rate and size, and
 * plays the proxy through the use (it never sees the studio's version record). */
function mediaOfUse(u: LikenessUse): PlayerMedia {
  const v = u.version;
  const rate = v?.fps_num && v.fps_den ? { num: v.fps_num, den: v.fps_den } : null;
  const playable = v !== null && v.has_proxy && rate !== null && v.frame_count !== null;
  return {
    id: u.id,
    label: `${u.shot_code ?? ""} ${versionLabel(u)}`.trim() || "Likeness use",
    src: playable ? `/api/v1/likeness-uses/${u.id}/proxy/` : null,
    poster: null,
    width: v?.width ?? 16,
    height: v?.height ?? 9,
    frameCount: v?.frame_count ?? 0,
    // Until the media is processed there is no rate and nothing to play; 24 only keeps the clock valid.
    rate: rate ?? { num: 24, den: 1 },
    // Timecode at the project's rate, as the studio reads it (frame numbers are the same either way).
    timecodeRate: v ? { num: v.timecode_fps_num, den: v.timecode_fps_den } : undefined,
    firstFrame: v?.first_frame ?? 1001,
    unavailable: playable
      ? null
      : u.state === "invalidated"
        ? "This use was invalidated; its render may never have finished."
        : "No playable version yet: the render is still running or being processed (or it failed).",
  };
}

function UseReview({ use, agency, onDone }: { use: LikenessUse; agency: MyMembership; onDone: () => void }) {
  const client = useQueryClient();
  const media = mediaOfUse(use);
  const playhead = usePlayhead(media);
  const draw = useDrawState();
  const [note, setNote] = useState("");
  const decide = useMutation({
    mutationFn: (decision: "approve" | "reject") =>
      call(api.POST("/api/v1/likeness-uses/{id}/decide/", { params: { path: { id: use.id } }, body: { decision, note } })),
    onSuccess: async () => {
      await client.invalidateQueries({ queryKey: ["likeness-uses"] });
      onDone();
    },
  });
  const decider = agency.organization.id === use.talent.agency_id && AGENCY_DECIDER_ROLES.has(agency.role);
  return (
    <section className="panel use-review" aria-label={`Review the use of ${use.talent.name}`} data-testid="use-review">
      <div className="use-player">
        <ReviewPlayer media={media} playhead={playhead} markers={[]} annotationsAt={() => []} draw={draw} readOnly />
      </div>
      <div className="panel-body stack">
        <div className="row tight" style={{ gap: 8 }}>
          <strong>{use.talent.name}</strong>
          <span>· {USE_TYPE_LABELS[use.use_type]} · via {use.via === "cast" ? "casting" : "the prompt"}</span>
          <span className="grow" />
          <Chip label={USE_STATE[use.state].label} tone={USE_STATE[use.state].tone} />
        </div>
        <div className="small">
          <span className="muted">Prompt:</span> {use.prompt}
        </div>
        {use.negative_prompt && (
          <div className="small">
            <span className="muted">Negative:</span> {use.negative_prompt}
          </div>
        )}
        <div className="muted small">
          {use.studio.name} · {use.project.name} · <span className="mono">{use.shot_code}</span> {versionLabel(use)} · rendered {formatDateTime(use.created_at)}
          {use.version?.frame_count ? ` · ${use.version.frame_count} frames (${use.version.first_frame}–${use.version.first_frame + use.version.frame_count - 1})` : ""}
        </div>
        {!use.requires_review && use.state !== "invalidated" && (
          <div className="muted small">The grant does not require your approval of each use; this one was approved when it was rendered.</div>
        )}
        {use.state === "invalidated" && (
          <div className="alert" role="note" data-testid="use-invalidated">
            <div>
              <strong>Invalidated {use.invalidated_at ? formatRelative(use.invalidated_at) : ""}</strong>
              <div>{use.invalidated_reason || "The grant stopped covering this use."}</div>
            </div>
          </div>
        )}
        {use.version === null && use.state === "pending_review" && decider && (
          <>
            <div className="muted small">No version yet: you can decide now, or wait to watch the render.</div>
            <Field id="use-note" label="Note to the studio (required to reject)">
              <textarea id="use-note" rows={2} value={note} onChange={(e) => setNote(e.target.value)} />
            </Field>
            <div className="row">
              <button type="button" className="primary" disabled={decide.isPending} onClick={() => decide.mutate("approve")}>
                Approve use
              </button>
              <button type="button" className="danger" disabled={decide.isPending || !note.trim()} onClick={() => decide.mutate("reject")}>
                Reject use
              </button>
            </div>
            <ErrorMessage error={decide.error} title="Decision not recorded" />
          </>
        )}
      </div>
      {use.version !== null && use.requires_review && (
        <ApprovalsPanel
          versionId={use.version.id}
          title={`Approval of ${use.version.label}`}
          mediaReady={use.version.has_proxy}
          mayDecide={(lane) => lane === "agency" && decider}
          onDecided={() => {
            // Decided: the use leaves the review queue (it stays under its new state's filter).
            onDone();
          }}
        />
      )}
    </section>
  );
}
