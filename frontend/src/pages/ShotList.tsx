import { memo, useCallback, useMemo, useRef, useState } from "react";
import { Link, useNavigate, useOutletContext, useSearchParams } from "react-router";

import type { ImportSummary, Project, Shot, ShotStatus } from "../api/types";
import { useVirtualRows } from "../components/useVirtualRows";
import { GROUP_ROW_HEIGHT, nextShotIndex, SHOT_ROW_HEIGHT, shotListItems, type ShotListItem } from "../lib/shotList";
import { ApprovalChip, SHOT_STATUS, ShotStatusChip } from "../components/chips";
import { ConsentBadges } from "../components/ConsentBadges";
import { asApiError } from "../api/errors";
import { ConfirmDialog, EmptyState, ErrorMessage, Loading } from "../components/feedback";
import { formatRelative, personName } from "../components/format";
import { HoverScrubThumb } from "../components/Thumb";
import { useDeliveryPackage, useImportShots, shotFiltersFrom, usePrefetchShot, usePrefetchVersion, useSequences, useSetShotStatus, useShots, type ImportKind, type ShotFilters } from "../queries";
import { useMe } from "../session";

export const EDIT_SHOTS = new Set(["owner", "admin", "producer", "supervisor"]);
const STATUSES = Object.keys(SHOT_STATUS) as ShotStatus[];

const SORTABLE: { key: string; label: string }[] = [
  { key: "code", label: "Shot" },
  { key: "status", label: "Status" },
  { key: "frame_in", label: "Frames" },
  { key: "retake_count", label: "Retakes" },
  { key: "updated_at", label: "Updated" },
];

export function ShotListPage() {
  const project = useOutletContext<Project>();
  const [params, setParams] = useSearchParams();
  const filters = shotFiltersFrom(params);
  const shots = useShots(project.id, filters);
  const sequences = useSequences(project.id);
  const canEdit = EDIT_SHOTS.has(project.my_role ?? "");
  const grouped = !filters.ordering;
  const [importing, setImporting] = useState(false);
  const selection = useShotSelection();

  function setFilter(key: keyof ShotFilters, value: string) {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    setParams(next, { replace: true });
  }

  function sortBy(key: string) {
    const current = filters.ordering;
    setFilter("ordering", current === key ? `-${key}` : current === `-${key}` ? "" : key);
  }

  const rows = useMemo(() => shots.data?.results ?? [], [shots.data]);
  const items = useMemo(() => shotListItems(rows, grouped), [rows, grouped]);
  const filtered = Boolean(filters.status || filters.sequence || filters.assignee || filters.q);

  return (
    <div className="page wide">
      <div className="page-header">
        <div>
          <h1>Shot list</h1>
          <div className="sub">{shots.data ? `${shots.data.count} shot${shots.data.count === 1 ? "" : "s"}${filtered ? " match" : ""}` : " "}</div>
        </div>
        <span className="spacer" />
        <ExportMenu projectId={project.id} />
        {canEdit && (
          <button type="button" onClick={() => setImporting(true)}>
            Import…
          </button>
        )}
      </div>
      <div className="toolbar" role="search" aria-label="Filter shots">
        <label className="visually-hidden" htmlFor="shot-q">
          Search shots
        </label>
        <input id="shot-q" type="search" placeholder="Search code or description" defaultValue={filters.q} onChange={(e) => setFilter("q", e.target.value)} style={{ width: 240 }} />
        <label className="visually-hidden" htmlFor="shot-status">
          Status
        </label>
        <select id="shot-status" value={filters.status} onChange={(e) => setFilter("status", e.target.value)}>
          <option value="">All statuses</option>
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {SHOT_STATUS[s].label}
            </option>
          ))}
        </select>
        <label className="visually-hidden" htmlFor="shot-seq">
          Sequence
        </label>
        <select id="shot-seq" value={filters.sequence} onChange={(e) => setFilter("sequence", e.target.value)}>
          <option value="">All sequences</option>
          {sequences.data?.map((s) => (
            <option key={s.id} value={s.id}>
              {s.code} {s.name && `— ${s.name}`} ({s.shot_count})
            </option>
          ))}
          <option value="none">No sequence</option>
        </select>
        <label className="visually-hidden" htmlFor="shot-assignee">
          Assignee
        </label>
        <select id="shot-assignee" value={filters.assignee} onChange={(e) => setFilter("assignee", e.target.value)}>
          <option value="">Anyone</option>
          <option value="me">Assigned to me</option>
        </select>
        {filtered && (
          <button type="button" className="ghost small" onClick={() => setParams(new URLSearchParams(filters.ordering ? { ordering: filters.ordering } : {}))}>
            Clear filters
          </button>
        )}
        {project.my_role !== "reviewer" && filters.sequence && filters.sequence !== "none" && (
          <Link className="button small" to={`/projects/${project.id}/sequences/${filters.sequence}/board`} data-testid="sequence-storyboard">
            Storyboard
          </Link>
        )}
        {canEdit && filters.sequence && filters.sequence !== "none" && (
          <DeliveryPackageButton sequenceId={filters.sequence} code={sequences.data?.find((s) => s.id === filters.sequence)?.code ?? "sequence"} />
        )}
        {canEdit && <SelectionBar projectId={project.id} selection={selection} />}
        <span className="spacer" />
        <span className="muted small">{grouped ? "Grouped by sequence" : "Sorted — click the sorted header again to go back to sequence order"}</span>
      </div>
      {shots.isPending && <Loading />}
      <ErrorMessage error={shots.error} />
      {shots.data && rows.length === 0 && (
        <EmptyState title={filtered ? "No shot matches these filters" : "No shots yet"}>
          {filtered ? "Clear the filters to see every shot." : canEdit ? "Import a shot list (CSV) or a cut (OTIO / EDL) to create shots." : "Shots appear here when a producer adds them."}
        </EmptyState>
      )}
      {rows.length > 0 && (
        <div className="panel">
          <table className="data shots" aria-label="Shots">
            <thead>
              <tr>
                <th>
                  <span className="visually-hidden">Thumbnail</span>
                </th>
                {SORTABLE.slice(0, 2).map((c) => (
                  <SortHeader key={c.key} column={c} ordering={filters.ordering ?? ""} onSort={sortBy} />
                ))}
                <th>Current version</th>
                <SortHeader column={SORTABLE[2]!} ordering={filters.ordering ?? ""} onSort={sortBy} />
                <th>Assignees</th>
                <th className="num">Notes</th>
                <SortHeader column={SORTABLE[3]!} ordering={filters.ordering ?? ""} onSort={sortBy} />
                <SortHeader column={SORTABLE[4]!} ordering={filters.ordering ?? ""} onSort={sortBy} />
              </tr>
            </thead>
            <ShotRows items={items} project={project} canEdit={canEdit} selection={canEdit ? selection : undefined} />
          </table>
        </div>
      )}
      {importing && <ImportDialog projectId={project.id} onClose={() => setImporting(false)} />}
    </div>
  );
}

type RowKind = ShotListItem["kind"];

/**
 * The table body, windowed (components/useVirtualRows.ts): a 2,000-shot list renders the rows near
 * the viewport and spacers for the rest. The row holding focus stays rendered; ↑/↓ on a shot's code
 * moves to the previous/next shot, scrolling it into view.
 */
/** Shots ticked in the list (for "Add to playlist"); `toggle` is stable, so memoised rows keep their memo. */
function useShotSelection(): ShotSelection {
  const [selected, setSelected] = useState<ReadonlySet<string>>(() => new Set());
  const toggle = useCallback((id: string) => setSelected((prev) => {
    const next = new Set(prev);
    if (!next.delete(id)) next.add(id);
    return next;
  }), []);
  const clear = useCallback(() => setSelected(new Set()), []);
  return useMemo(() => ({ selected, toggle, clear }), [selected, toggle, clear]);
}

interface ShotSelection {
  selected: ReadonlySet<string>;
  toggle: (id: string) => void;
  clear: () => void;
}

/** "N selected · Add to playlist… · Clear selection": the playlists page takes the selection from there. */
function SelectionBar({ projectId, selection }: { projectId: string; selection: ShotSelection }) {
  const navigate = useNavigate();
  if (selection.selected.size === 0) return null;
  return (
    <span className="row tight selection-bar" role="group" aria-label="Selected shots" data-testid="shot-selection">
      <strong>{selection.selected.size} selected</strong>
      <button type="button" className="small primary" onClick={() => void navigate(`/projects/${projectId}/playlists?add=${[...selection.selected].join(",")}`)}>
        Add to playlist…
      </button>
      <button type="button" className="small ghost" onClick={selection.clear}>
        Clear selection
      </button>
    </span>
  );
}

export function ShotRows({ items, project, canEdit, selection }: { items: ShotListItem[]; project: Project; canEdit: boolean; selection?: ShotSelection }) {
  // Every shot row has one height, and every header another (styles.css fixes them): one row of each
  // kind is measured once, rather than each row as it mounts (each measure forces a layout).
  const [heights, setHeights] = useState<Record<RowKind, number>>({ shot: SHOT_ROW_HEIGHT, group: GROUP_ROW_HEIGHT });
  const learned = useRef(new Set<RowKind>());
  const measure = useCallback((kind: RowKind, el: HTMLElement | null) => {
    if (!el || learned.current.has(kind)) return;
    learned.current.add(kind);
    const h = el.getBoundingClientRect().height;
    if (h > 0) setHeights((prev) => (Math.abs(prev[kind] - h) < 0.25 ? prev : { ...prev, [kind]: h }));
  }, []);
  const estimate = useCallback((i: number) => heights[items[i]?.kind ?? "shot"], [items, heights]);
  const { slots, containerRef, pin, reveal, scrolling } = useVirtualRows({ count: items.length, estimate });
  const body = useRef<HTMLTableSectionElement | null>(null);
  const prefetchShot = usePrefetchShot(project);
  const prefetchVersion = usePrefetchVersion();

  // Stable while the list is unchanged, so a scroll re-renders only the rows that come and go.
  const actions = useMemo<RowActions>(() => {
    const prefetch = (shot: Shot) => {
      void import("./ShotPage"); // the page's chunk, with its data
      prefetchShot(shot);
    };
    return {
      measure,
      hover: prefetch,
      review: (versionId) => {
        void import("./Review");
        prefetchVersion(versionId);
      },
      focus: (index, shot) => {
        pin(index);
        prefetch(shot);
      },
      move: (from, step) => {
        const to = nextShotIndex(items, from, step);
        if (to === from) return;
        pin(to);
        reveal(to);
        const focus = (tries: number) => {
          const link = body.current?.querySelector<HTMLAnchorElement>(`tr[data-index="${to}"] a.shot-code`);
          if (link) link.focus();
          else if (tries > 0) requestAnimationFrame(() => focus(tries - 1));
        };
        focus(3);
      },
    };
  }, [items, measure, pin, reveal, prefetchShot, prefetchVersion]);

  return (
    <tbody
      ref={(el) => {
        body.current = el;
        containerRef(el);
      }}
      onBlur={(e) => {
        if (!e.currentTarget.contains(e.relatedTarget)) pin(null);
      }}
    >
      {slots.map((slot) => {
        if (slot.kind === "gap") {
          return (
            <tr key={slot.key} className="gap" aria-hidden="true" style={{ height: slot.size }}>
              <td colSpan={9} />
            </tr>
          );
        }
        const item = items[slot.index]!;
        if (item.kind === "group") {
          return (
            <GroupRow
              key={item.key}
              title={item.title}
              count={item.count}
              measure={measure}
              board={item.sequenceId && project.my_role !== "reviewer" ? `/projects/${project.id}/sequences/${item.sequenceId}/board` : null}
            />
          );
        }
        return (
          <ShotRow key={item.key} index={slot.index} shot={item.shot} project={project} canEdit={canEdit} actions={actions}
            selected={selection?.selected.has(item.shot.id)} onSelect={selection?.toggle} scrolling={scrolling} />
        );
      })}
    </tbody>
  );
}

interface RowActions {
  measure: (kind: RowKind, el: HTMLElement | null) => void;
  hover: (shot: Shot) => void;
  focus: (index: number, shot: Shot) => void;
  review: (versionId: string) => void;
  move: (from: number, step: 1 | -1) => void;
}

const GroupRow = memo(function GroupRow({
  title,
  count,
  measure,
  board,
}: {
  title: string;
  count: number;
  measure: RowActions["measure"];
  board: string | null;
}) {
  return (
    <tr className="group" ref={(el) => measure("group", el)}>
      <th colSpan={9} scope="colgroup">
        {title} <span className="muted">· {count}</span>
        {board && (
          <>
            {" "}
            <Link className="small group-board-link" to={board} data-testid="storyboard-link" title={`The storyboard of ${title}`}>
              Storyboard
            </Link>
          </>
        )}
      </th>
    </tr>
  );
});

function SortHeader({ column, ordering, onSort }: { column: { key: string; label: string }; ordering: string; onSort: (key: string) => void }) {
  const dir = ordering === column.key ? "ascending" : ordering === `-${column.key}` ? "descending" : "none";
  return (
    <th aria-sort={dir} className={column.key === "retake_count" ? "num" : undefined}>
      <button type="button" className="sort" onClick={() => onSort(column.key)}>
        {column.label} {dir === "ascending" ? "▲" : dir === "descending" ? "▼" : ""}
      </button>
    </th>
  );
}

const ShotRow = memo(function ShotRow({
  shot,
  project,
  canEdit,
  index,
  actions,
  selected,
  onSelect,
  scrolling = false,
}: {
  shot: Shot;
  project: Project;
  canEdit: boolean;
  index: number;
  actions: RowActions;
  selected?: boolean;
  onSelect?: (shotId: string) => void;
  /** The list is being scrolled: a picture not loaded yet waits until it settles (components/Thumb.tsx). */
  scrolling?: boolean;
}) {
  const { data: me } = useMe();
  const change = useSetShotStatus(project.id, shot.id);
  const v = shot.current_version;
  return (
    <tr
      data-testid="shot-row"
      data-shot={shot.code}
      data-index={index}
      ref={(el) => actions.measure("shot", el)}
      onFocus={() => actions.focus(index, shot)}
      onPointerEnter={() => actions.hover(shot)}
    >
      <td>
        <div className="row tight" style={{ gap: 6 }}>
          {onSelect && (
            <input type="checkbox" checked={selected ?? false} onChange={() => onSelect(shot.id)} aria-label={`Select ${shot.code}`} data-testid="shot-select" />
          )}
          <HoverScrubThumb versionId={v?.id ?? null} poster={shot.thumbnail} label={`${shot.code} ${v?.label ?? ""}`} defer={scrolling} />
        </div>
      </td>
      <td>
        <Link
          to={`/projects/${project.id}/shots/${shot.id}`}
          className="shot-code"
          onKeyDown={(e) => {
            if (e.key === "ArrowDown" || e.key === "ArrowUp") {
              e.preventDefault();
              actions.move(index, e.key === "ArrowDown" ? 1 : -1);
            }
          }}
        >
          {shot.code}
        </Link>
        {shot.description && (
          <div className="muted small truncate" style={{ maxWidth: 360 }} title={shot.description}>
            {shot.description}
          </div>
        )}
      </td>
      <td>
        {canEdit ? (
          <>
            <label className="visually-hidden" htmlFor={`status-${shot.id}`}>
              Status of {shot.code}
            </label>
            <select
              id={`status-${shot.id}`}
              className="status-select"
              value={shot.status}
              disabled={change.isPending}
              data-tone={SHOT_STATUS[shot.status].tone}
              onChange={(e) => change.mutate(e.target.value as ShotStatus)}
            >
              {STATUSES.map((s) => (
                <option key={s} value={s} disabled={s === "approved" && shot.status !== "approved"}>
                  {SHOT_STATUS[s].label}
                </option>
              ))}
            </select>
            {change.error && <ErrorMessage error={change.error} title="Status not changed" />}
          </>
        ) : (
          <ShotStatusChip status={shot.status} />
        )}
      </td>
      <td>
        {v ? (
          <>
          <div className="row tight" style={{ gap: 6 }}>
            <Link to={`/projects/${project.id}/versions/${v.id}`} className="mono" onPointerEnter={() => actions.review(v.id)} onFocus={() => actions.review(v.id)}>
              {v.label}
            </Link>
            <ApprovalChip status={v.approval_status} />
            <span className="muted small">
              {shot.version_count} version{shot.version_count === 1 ? "" : "s"}
            </span>
          </div>
          <ConsentBadges likeness={v.likeness} held={v.held} quarantined={v.quarantined} />
          </>
        ) : (
          <span className="muted">No version yet</span>
        )}
      </td>
      <td className="mono nowrap">
        {shot.frame_in !== null && shot.frame_out !== null ? (
          <>
            {shot.frame_in}–{shot.frame_out} <span className="muted">({shot.duration}f)</span>
          </>
        ) : (
          <span className="muted">—</span>
        )}
      </td>
      <td>
        <div className="people">
          {shot.assignees.length === 0 && <span className="muted">—</span>}
          {shot.assignees.map((a) => (
            <span key={a.id} className="chip plain" title={a.email}>
              {a.id === me?.id ? "You" : personName(a)}
            </span>
          ))}
        </div>
      </td>
      <td className="num">{shot.open_notes > 0 ? <span className="chip plain" data-tone="warn">{shot.open_notes}</span> : <span className="muted">0</span>}</td>
      <td className="num">{shot.retake_count}</td>
      <td className="muted nowrap">{formatRelative(shot.updated_at)}</td>
    </tr>
  );
});

function ExportMenu({ projectId }: { projectId: string }) {
  return (
    <div className="row tight" role="group" aria-label="Export">
      <a className="button" href={`/api/v1/projects/${projectId}/export/csv/`} download>
        Export CSV
      </a>
      <a className="button" href={`/api/v1/projects/${projectId}/export/otio/?format=otio`} download>
        OTIO
      </a>
      <a className="button" href={`/api/v1/projects/${projectId}/export/otio/?format=edl`} download>
        EDL
      </a>
    </div>
  );
}

interface RefusedShot {
  shot: string;
  version: string | null;
  reasons: { code: string; message: string }[];
}

/** The selected sequence's approved cut as a delivery package: signed media, OTIO/EDL, consent summary, hashes. */
function DeliveryPackageButton({ sequenceId, code }: { sequenceId: string; code: string }) {
  const make = useDeliveryPackage();
  const refused = make.error ? ((asApiError(make.error).body.shots as RefusedShot[] | undefined) ?? []) : [];
  function save(blob: Blob) {
    const url = URL.createObjectURL(blob);
    const link = document.createElement("a");
    link.href = url;
    link.download = `${code}_delivery.zip`;
    link.click();
    URL.revokeObjectURL(url);
  }
  return (
    <>
      <button
        type="button"
        className="small"
        disabled={make.isPending}
        title="A zip of the sequence's approved cut: media signed with Content Credentials, OTIO/EDL, consent summary, SHA-256 manifest"
        onClick={() => make.mutate(sequenceId, { onSuccess: save })}
      >
        {make.isPending ? "Packaging…" : "Delivery package"}
      </button>
      {make.error !== null && (
        <div className="delivery-refusal">
          <ErrorMessage error={make.error} title="The package was refused" />
          {refused.length > 0 && (
            <ul aria-label="Shots not cleared">
              {refused.map((s) => (
                <li key={s.shot}>
                  <strong>{s.shot}</strong> {s.version ?? "(no approved version)"}: {s.reasons.map((r) => r.message).join(" ")}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </>
  );
}

/** Import a shot list (CSV) or a cut (OTIO / EDL): a dry run shows what would change, then apply. */
function ImportDialog({ projectId, onClose }: { projectId: string; onClose: () => void }) {
  const fileRef = useRef<HTMLInputElement>(null);
  const [kind, setKind] = useState<ImportKind>("csv");
  const [file, setFile] = useState<File | null>(null);
  const [preview, setPreview] = useState<ImportSummary | null>(null);
  const run = useImportShots(projectId);
  const send = (dryRun: boolean) => {
    run.mutate({ kind, file, dryRun }, { onSuccess: (summary) => (dryRun ? setPreview(summary) : onClose()) });
  };
  return (
    <ConfirmDialog
      open
      title="Import shots"
      confirmLabel={preview ? "Apply import" : "Check file"}
      busy={run.isPending}
      error={run.error}
      onCancel={onClose}
      onConfirm={() => send(!preview)}
    >
      <div className="stack">
        <div className="segmented" role="group" aria-label="What to import">
          <button type="button" className="small" aria-pressed={kind === "csv"} onClick={() => (setKind("csv"), setPreview(null))}>
            Shot list (CSV)
          </button>
          <button type="button" className="small" aria-pressed={kind === "cut"} onClick={() => (setKind("cut"), setPreview(null))}>
            Cut (OTIO / EDL)
          </button>
        </div>
        <label className="field">
          <span>File</span>
          <input
            ref={fileRef}
            type="file"
            accept={kind === "csv" ? ".csv,text/csv" : ".otio,.edl"}
            onChange={(e) => {
              setFile(e.target.files?.[0] ?? null);
              setPreview(null);
            }}
          />
        </label>
        {preview && <ImportPreview summary={preview} />}
        {!preview && <p className="muted small">Nothing is written until you have seen what would change.</p>}
      </div>
    </ConfirmDialog>
  );
}

function ImportPreview({ summary }: { summary: ImportSummary }) {
  const part = (label: string, items: string[] | undefined) =>
    items && items.length > 0 ? (
      <li>
        {label}: {items.length} <span className="muted small">({items.slice(0, 8).join(", ")}{items.length > 8 ? "…" : ""})</span>
      </li>
    ) : null;
  return (
    <div className="alert" data-tone="info" role="status">
      <div>
        <strong>Dry run — nothing written yet</strong>
        <ul>
          {part("New shots", summary.created)}
          {part("Updated shots", summary.updated)}
          {part("Unchanged", summary.unchanged)}
          {part("New sequences", summary.sequences_created)}
          {part("Shots not in the file (left alone)", summary.not_in_file)}
          {part("Ignored columns", summary.ignored_columns)}
          {part("Skipped", summary.skipped)}
        </ul>
      </div>
    </div>
  );
}
