/**
 * A shot's takes: the finished renders, before any is a version. Play, compare two side by side,
 * star, discard/restore, re-run (same seed, new seed, vary prompt) and publish (the take is
 * conformed to the shot and becomes its next version). Buttons follow the take's `allowed_actions`.
 */
import { useState } from "react";

import { asApiError } from "../api/errors";
import type { AllowedAction, Take } from "../api/types";
import { useMarkTake, usePublishTake, useRerunTake, useShotTakes, type ConformMethod, type Discarded } from "../queries";
import { ActionButton } from "./ActionButton";
import { Chip } from "./chips";
import { HeldNotice, ScanBadge } from "./LikenessScan";
import { ErrorMessage } from "./feedback";
import { formatRelative } from "./format";

type ConsentLook = { label: string; tone: "ok" | "warn" | "danger" | "muted" };
const NO_LIKENESS: ConsentLook = { label: "No likeness", tone: "muted" };
const CONSENT: Record<string, ConsentLook> = {
  none: { label: "No likeness", tone: "muted" },
  pending_review: { label: "Likeness: review pending", tone: "warn" },
  approved: { label: "Likeness approved", tone: "ok" },
  rejected: { label: "Likeness rejected", tone: "danger" },
  invalidated: { label: "Consent withdrawn", tone: "danger" },
};

function fpsText(ratio: string): string {
  const [n = 0, d = 1] = ratio.split("/").map(Number);
  if (d === 1) return String(n);
  return (n / d).toFixed(3).replace(/0+$/, "").replace(/\.$/, "");
}

function can(take: Take, action: string): AllowedAction | undefined {
  return take.allowed_actions.find((a) => a.action === action);
}

export function TakesGallery({ shotId }: { shotId: string }) {
  const [discarded, setDiscarded] = useState<Discarded>("false");
  const [compare, setCompare] = useState<string[]>([]);
  const takes = useShotTakes(shotId, discarded);
  if (takes.error && asApiError(takes.error).status === 403) return null; // client reviewers see versions only
  const rows = takes.data?.results ?? [];
  const compared = compare.map((id) => rows.find((t) => t.id === id)).filter((t): t is Take => t !== undefined);
  return (
    <section aria-labelledby="takes-title" className="stack takes-gallery" data-testid="takes-gallery">
      <div className="row">
        <h2 id="takes-title">Takes</h2>
        <span className="muted">{rows.length}</span>
        <span className="grow" />
        <label className="small muted row tight" style={{ gap: 4 }}>
          Show
          <select value={discarded} onChange={(e) => setDiscarded(e.target.value as Discarded)} aria-label="Which takes">
            <option value="false">the gallery</option>
            <option value="true">discarded takes</option>
            <option value="all">all takes</option>
          </select>
        </label>
      </div>
      <ErrorMessage error={takes.error} />
      {takes.data && rows.length === 0 && (
        <p className="muted small">No takes yet. Each render lands here first; publish the one you want as the next version.</p>
      )}
      {compared.length === 2 && (
        <div className="take-compare" data-testid="take-compare" style={{ display: "grid", gridTemplateColumns: "1fr 1fr", gap: 8 }}>
          {compared.map((t) => (
            <figure key={t.id} style={{ margin: 0 }}>
              <video src={t.media_url} controls loop muted autoPlay playsInline style={{ width: "100%" }} />
              <figcaption className="small mono">seed {t.seed}</figcaption>
            </figure>
          ))}
        </div>
      )}
      <ol className="take-grid" aria-label="Takes, newest first" style={{ listStyle: "none", padding: 0, display: "grid", gridTemplateColumns: "repeat(auto-fill, minmax(220px, 1fr))", gap: 10 }}>
        {rows.map((take) => (
          <TakeCard
            key={take.id}
            take={take}
            selected={compare.includes(take.id)}
            onSelect={(on) => setCompare((c) => (on ? [...c.filter((x) => x !== take.id), take.id].slice(-2) : c.filter((x) => x !== take.id)))}
          />
        ))}
      </ol>
    </section>
  );
}

function TakeCard({ take, selected, onSelect }: { take: Take; selected: boolean; onSelect: (on: boolean) => void }) {
  const [playing, setPlaying] = useState(false);
  const [method, setMethod] = useState<ConformMethod>("retime");
  const [variation, setVariation] = useState("");
  const mark = useMarkTake(take.id);
  const publish = usePublishTake(take.id);
  const rerun = useRerunTake(take.id);
  const consent = CONSENT[take.consent_state] ?? NO_LIKENESS;
  const native = take.native;
  const button = (action: string, label: string, onClick: () => void, tone?: string) => {
    const a = can(take, action);
    if (!a || (!a.allowed && a.code !== "blocked")) return null;
    return (
      <button type="button" className={`small ${tone ?? ""}`} onClick={onClick} disabled={!a.allowed || mark.isPending || publish.isPending} title={a.reason || undefined}>
        {label}
      </button>
    );
  };
  return (
    <li className="take-card panel" data-testid="take-card" data-take={take.id} data-seed={take.seed} data-starred={take.starred || undefined}>
      <div className="take-media" style={{ aspectRatio: `${native.width} / ${native.height}`, background: "#000" }}>
        {playing ? (
          <video src={take.media_url} controls autoPlay loop playsInline style={{ width: "100%", height: "100%" }} aria-label={`Take, seed ${take.seed}`} />
        ) : (
          <button type="button" className="take-poster" onClick={() => setPlaying(true)} aria-label={`Play the take with seed ${take.seed}`} style={{ padding: 0, width: "100%", height: "100%", border: 0 }}>
            {take.poster_url && <img src={take.poster_url} alt="" style={{ width: "100%", height: "100%", objectFit: "contain", imageRendering: "pixelated" }} />}
          </button>
        )}
      </div>
      <div className="stack" style={{ gap: 4, padding: 8 }}>
        <div className="row tight" style={{ gap: 6 }}>
          <span className="mono small">seed {take.seed}</span>
          {take.starred && <Chip label="★ Starred" tone="warn" />}
          {take.version && <Chip label={`Published ${take.version.label}`} tone="ok" testId="take-published" />}
          {take.discarded && <Chip label="Discarded" tone="muted" />}
          <span className="grow" />
          <label className="small muted row tight" style={{ gap: 4 }}>
            <input type="checkbox" checked={selected} onChange={(e) => onSelect(e.target.checked)} aria-label={`Select the take with seed ${take.seed} to compare`} />
            compare
          </label>
        </div>
        <div className="small prompt">“{take.prompt}”</div>
        <div className="muted small mono">
          {take.model} · native {fpsText(native.fps)} fps, {native.frames} frames, {native.width}×{native.height}
        </div>
        <div className="row tight muted small" style={{ gap: 6 }}>
          <Chip label={consent.label} tone={consent.tone} />
          <ScanBadge scan={take.likeness_scan} />
          <span>
            {take.created_by?.name ?? ""} · {formatRelative(take.created_at)}
          </span>
        </div>
        <div className="row tight" style={{ gap: 6, flexWrap: "wrap" }}>
          {button("star", "☆ Star", () => mark.mutate("star"))}
          {button("unstar", "★ Unstar", () => mark.mutate("unstar"))}
          {button("discard", "Discard", () => mark.mutate("discard"))}
          {button("restore", "Restore", () => mark.mutate("restore"))}
        </div>
        {can(take, "publish")?.code === "blocked" && (
          <div className="row tight wrap" style={{ gap: 6 }}>
            <ActionButton action={can(take, "publish")} className="small primary" onClick={() => undefined}>
              Publish
            </ActionButton>
          </div>
        )}
        {can(take, "publish")?.allowed && (
          <div className="row tight" style={{ gap: 6 }}>
            <select value={method} onChange={(e) => setMethod(e.target.value as ConformMethod)} aria-label="Frame-rate conform" className="small">
              <option value="retime">retime (nearest frame)</option>
              <option value="interpolate">interpolate (motion)</option>
            </select>
            <button type="button" className="small primary" onClick={() => publish.mutate(method)} disabled={publish.isPending}>
              {publish.isPending ? "Publishing…" : "Publish"}
            </button>
          </div>
        )}
        {can(take, "rerun")?.allowed && (
          <details className="small">
            <summary>Re-run</summary>
            <div className="row tight" style={{ gap: 6, flexWrap: "wrap", marginTop: 4 }}>
              <button type="button" className="small" onClick={() => rerun.mutate({ mode: "same_seed" })} disabled={rerun.isPending}>
                Same seed
              </button>
              <button type="button" className="small" onClick={() => rerun.mutate({ mode: "new_seed" })} disabled={rerun.isPending}>
                New seed
              </button>
            </div>
            <div className="row tight" style={{ gap: 6, marginTop: 4 }}>
              <input value={variation} onChange={(e) => setVariation(e.target.value)} placeholder="Vary the prompt…" aria-label="Varied prompt" />
              <button type="button" className="small" onClick={() => rerun.mutate({ mode: "vary_prompt", prompt: variation })} disabled={rerun.isPending || !variation.trim()}>
                Vary prompt
              </button>
            </div>
          </details>
        )}
        <HeldNotice scan={take.likeness_scan} actions={take.allowed_actions} />
        <ErrorMessage error={mark.error ?? publish.error ?? rerun.error} title="Not done" />
        {publish.data && <div className="small muted" data-testid="take-conform">{publish.data.conform.summary as string}</div>}
      </div>
    </li>
  );
}
