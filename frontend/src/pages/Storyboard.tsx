import { useRef, useState, type FormEvent } from "react";
import { Link, useOutletContext, useParams } from "react-router";

import { asApiError } from "../api/errors";
import type { Panel, Project, Storyboard } from "../api/types";
import { AnimaticPlayer } from "../components/AnimaticPlayer";
import { AnimatePanelButton } from "../components/AnimateDialog";
import { ConfirmDialog, EmptyState, ErrorMessage, Loading } from "../components/feedback";
import { BoardStillJobs, GenerateMissingStills, PanelStillActions } from "../components/PanelStills";
import { personName } from "../components/format";
import { dropOn, moveBy, panelTimings, planLines, planSummary, sameOrder, type PlanRow } from "../lib/storyboard";
import { durationTimecode, formatFps, type FrameRate } from "../lib/timecode";
import {
  useAddPanel,
  useAddPanelComment,
  useClearStill,
  useDeletePanel,
  useDuplicatePanel,
  useMakeShots,
  usePanelComments,
  useReorderPanels,
  useShotPlan,
  useStoryboard,
  useUpdatePanel,
  useUploadStill,
  type PanelFields,
} from "../queries";
import { NoSuchThing } from "./ProjectLayout";

/** A sequence's storyboard: panel cards in order, the animatic, and "Make shots". */
export function StoryboardPage() {
  const project = useOutletContext<Project>();
  const { sequenceId = "" } = useParams();
  const board = useStoryboard(sequenceId);
  if (board.isPending) return <Loading />;
  if (board.error) {
    if (asApiError(board.error).status === 404) return <NoSuchThing what="Storyboard" />;
    return (
      <div className="page">
        <ErrorMessage error={board.error} />
      </div>
    );
  }
  return <Board project={project} board={board.data} sequenceId={sequenceId} />;
}

function Board({ project, board, sequenceId }: { project: Project; board: Storyboard; sequenceId: string }) {
  const rate: FrameRate = { num: board.project.fps_num as number, den: board.project.fps_den as number };
  const [adding, setAdding] = useState(false);
  const [planning, setPlanning] = useState(false);
  const reorder = useReorderPanels(sequenceId);
  const ids = board.panels.map((p) => p.id);
  const timings = panelTimings(board.panels.map((p) => p.duration_frames), rate);
  const move = (next: string[]) => {
    if (!sameOrder(next, ids)) reorder.mutate(next);
  };
  return (
    <div className="page wide storyboard-page">
      <div className="page-header">
        <div>
          <div className="breadcrumbs">
            <Link to={`/projects/${project.id}`}>Shot list</Link>
            <span>/ {board.sequence.code as string}</span>
          </div>
          <h1>Storyboard · <span className="mono">{board.sequence.code as string}</span></h1>
          <div className="sub" data-testid="board-total">
            {board.panels.length} panel{board.panels.length === 1 ? "" : "s"} · {board.total_frames} frames · {durationTimecode(board.total_frames, rate)} at {formatFps(rate)} fps
          </div>
        </div>
        <span className="spacer" />
        {board.can_edit && (
          <button type="button" onClick={() => setAdding(true)} data-testid="add-panel">
            Add panel
          </button>
        )}
        {board.can_edit && board.panels.length > 0 && <GenerateMissingStills sequenceId={sequenceId} projectId={project.id} panels={board.panels} />}
        {board.can_make_shots && board.panels.length > 0 && (
          <button type="button" className="primary" onClick={() => setPlanning(true)} data-testid="make-shots">
            Make shots…
          </button>
        )}
      </div>
      <ErrorMessage error={reorder.error} title="The panels could not be reordered" />
      <BoardStillJobs projectId={project.id} panels={board.panels} />
      {board.panels.length > 0 && <AnimaticPlayer sequenceId={sequenceId} rate={rate} />}
      {board.panels.length === 0 && !adding ? (
        <EmptyState title="No panels yet" action={board.can_edit ? <button onClick={() => setAdding(true)}>Add the first panel</button> : undefined}>
          A storyboard is a row of panels: a still, a duration in frames and notes for camera and action.
        </EmptyState>
      ) : (
        <ol className="board-grid" aria-label="Panels in order">
          {board.panels.map((panel, index) => (
            <PanelCard
              key={panel.id}
              panel={panel}
              rate={rate}
              start={timings[index]!.startTimecode}
              canEdit={board.can_edit}
              sequenceId={sequenceId}
              projectId={project.id}
              first={index === 0}
              last={index === board.panels.length - 1}
              onMove={(step) => move(moveBy(ids, panel.id, step))}
              onDrop={(dragged) => move(dropOn(ids, dragged, panel.id))}
            />
          ))}
          {adding && (
            <li className="panel board-card">
              <NewPanel sequenceId={sequenceId} onDone={() => setAdding(false)} />
            </li>
          )}
        </ol>
      )}
      {planning && <MakeShotsDialog sequenceId={sequenceId} projectId={project.id} onClose={() => setPlanning(false)} />}
    </div>
  );
}

interface CardProps {
  panel: Panel;
  rate: FrameRate;
  start: string;
  canEdit: boolean;
  sequenceId: string;
  projectId: string;
  first: boolean;
  last: boolean;
  onMove: (step: -1 | 1) => void;
  onDrop: (draggedId: string) => void;
}

function PanelCard({ panel, rate, start, canEdit, sequenceId, projectId, first, last, onMove, onDrop }: CardProps) {
  const [editing, setEditing] = useState(false);
  const [notes, setNotes] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [over, setOver] = useState(false);
  const duplicate = useDuplicatePanel(sequenceId);
  const remove = useDeletePanel(sequenceId);
  return (
    <li
      className="panel board-card"
      data-testid="panel-card"
      data-panel={panel.id}
      data-over={over || undefined}
      draggable={canEdit && !editing}
      onDragStart={(e) => e.dataTransfer.setData("text/x-panel", panel.id)}
      onDragOver={(e) => {
        if (canEdit && e.dataTransfer.types.includes("text/x-panel")) {
          e.preventDefault();
          setOver(true);
        }
      }}
      onDragLeave={() => setOver(false)}
      onDrop={(e) => {
        e.preventDefault();
        setOver(false);
        const dragged = e.dataTransfer.getData("text/x-panel");
        if (dragged) onDrop(dragged);
      }}
    >
      <div className="board-still">
        {panel.still ? (
          <img src={panel.still} alt={`Panel ${panel.number}: ${panel.prompt || "still"}`} draggable={false} />
        ) : (
          <div className="board-slate" aria-label="No still yet">
            <span>{panel.prompt || "No still yet"}</span>
          </div>
        )}
        <span className="board-number" data-testid="panel-number">
          {panel.number}
        </span>
      </div>
      <div className="panel-body stack board-body">
        {editing ? (
          <PanelEditor
            sequenceId={sequenceId}
            panel={panel}
            onDone={() => setEditing(false)}
          />
        ) : (
          <>
            <div className="row small">
              <strong data-testid="panel-duration">{panel.duration_frames} f</strong>
              <span className="mono muted">{durationTimecode(panel.duration_frames, rate)}</span>
              <span className="grow" />
              <span className="mono muted" title="Start in the animatic">@ {start}</span>
            </div>
            {panel.prompt && <p className="board-prompt" data-testid="panel-prompt">{panel.prompt}</p>}
            {panel.camera_notes && <p className="small"><strong>Camera:</strong> {panel.camera_notes}</p>}
            {panel.action_notes && <p className="small"><strong>Action:</strong> {panel.action_notes}</p>}
            {panel.shot && (
              <p className="small">
                Shot <Link className="mono" to={`/projects/${projectId}/shots/${panel.shot.id}`}>{panel.shot.code}</Link>
                {panel.shot.frame_in != null && ` · ${panel.shot.frame_in}–${panel.shot.frame_out}`}
              </p>
            )}
            <p className="muted small">{panel.updated_by ? `Edited by ${personName(panel.updated_by)}` : ""}</p>
          </>
        )}
        {canEdit && !editing && (
          <div className="row tight">
            <button type="button" className="small icon" aria-label={`Move panel ${panel.number} left`} disabled={first} onClick={() => onMove(-1)}>
              ◀
            </button>
            <button type="button" className="small icon" aria-label={`Move panel ${panel.number} right`} disabled={last} onClick={() => onMove(1)}>
              ▶
            </button>
            <button type="button" className="small" onClick={() => setEditing(true)}>Edit</button>
            <StillUpload sequenceId={sequenceId} panel={panel} />
            <AnimatePanelButton projectId={projectId} panel={panel} />
            <button type="button" className="small" onClick={() => duplicate.mutate(panel.id)} disabled={duplicate.isPending}>Duplicate</button>
            <button type="button" className="small danger" onClick={() => setConfirmDelete(true)}>Delete</button>
          </div>
        )}
        {canEdit && !editing && <PanelStillActions panel={panel} sequenceId={sequenceId} projectId={projectId} />}
        <ErrorMessage error={duplicate.error} />
        <button type="button" className="ghost small" onClick={() => setNotes((v) => !v)} aria-expanded={notes}>
          Notes ({panel.comment_count})
        </button>
        {notes && <PanelNotes sequenceId={sequenceId} panelId={panel.id} />}
      </div>
      <ConfirmDialog
        open={confirmDelete}
        title={`Delete panel ${panel.number}?`}
        confirmLabel="Delete panel"
        danger
        busy={remove.isPending}
        error={remove.error}
        onConfirm={() => remove.mutate(panel.id, { onSuccess: () => setConfirmDelete(false) })}
        onCancel={() => setConfirmDelete(false)}
      >
        <p>The panel, its still and its notes are removed{panel.shot ? `; shot ${panel.shot.code} stays` : ""}.</p>
      </ConfirmDialog>
    </li>
  );
}

function StillUpload({ sequenceId, panel }: { sequenceId: string; panel: Panel }) {
  const upload = useUploadStill(sequenceId);
  const clear = useClearStill(sequenceId);
  const input = useRef<HTMLInputElement>(null);
  return (
    <>
      <label className="button small" data-testid="upload-still">
        {upload.isPending ? "Uploading…" : panel.still ? "Replace still" : "Upload still"}
        <input
          ref={input}
          type="file"
          accept="image/png,image/jpeg,image/webp"
          hidden
          onChange={(e) => {
            const file = e.target.files?.[0];
            if (file) upload.mutate({ id: panel.id, file }, { onSettled: () => input.current && (input.current.value = "") });
          }}
        />
      </label>
      {panel.still && (
        <button type="button" className="small ghost" onClick={() => clear.mutate(panel.id)}>Remove still</button>
      )}
      <ErrorMessage error={upload.error ?? clear.error} title="The still was not saved" />
    </>
  );
}

function fieldsOf(form: HTMLFormElement): PanelFields {
  const data = new FormData(form);
  const text = (name: string) => {
    const value = data.get(name);
    return typeof value === "string" ? value : "";
  };
  return {
    prompt: text("prompt"),
    duration_frames: Number(text("duration_frames")),
    camera_notes: text("camera_notes"),
    action_notes: text("action_notes"),
  };
}

/** The API's messages by field, or none when the error is not about a field (shown whole instead). */
function fieldErrors(error: unknown): Record<string, string[]> | undefined {
  if (!error) return undefined;
  const fields = asApiError(error).fields as Record<string, string[]>;
  return Object.keys(fields).length ? fields : undefined;
}

function PanelFieldsInputs({ panel, errors }: { panel?: Panel; errors: Record<string, string[]> | undefined }) {
  const error = (name: string) => errors?.[name]?.join(" ");
  return (
    <>
      <label className="stack tight">
        Prompt
        <textarea name="prompt" rows={2} defaultValue={panel?.prompt ?? ""} maxLength={4000} />
      </label>
      {error("prompt") && <span className="field-error">{error("prompt")}</span>}
      <label className="stack tight">
        Duration (frames)
        <input name="duration_frames" type="number" min={1} max={14400} defaultValue={panel?.duration_frames ?? 24} required />
      </label>
      {error("duration_frames") && <span className="field-error">{error("duration_frames")}</span>}
      <label className="stack tight">
        Camera notes
        <input name="camera_notes" defaultValue={panel?.camera_notes ?? ""} maxLength={4000} />
      </label>
      <label className="stack tight">
        Action notes
        <input name="action_notes" defaultValue={panel?.action_notes ?? ""} maxLength={4000} />
      </label>
    </>
  );
}

function PanelEditor({ sequenceId, panel, onDone }: { sequenceId: string; panel: Panel; onDone: () => void }) {
  const update = useUpdatePanel(sequenceId);
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    update.mutate({ id: panel.id, ...fieldsOf(e.currentTarget) }, { onSuccess: onDone });
  };
  return (
    <form className="stack" onSubmit={submit} aria-label={`Edit panel ${panel.number}`}>
      <PanelFieldsInputs panel={panel} errors={fieldErrors(update.error)} />
      <div className="row">
        <button type="submit" className="primary small" disabled={update.isPending}>Save</button>
        <button type="button" className="small" onClick={onDone}>Cancel</button>
      </div>
      {update.error && !fieldErrors(update.error) && <ErrorMessage error={update.error} />}
    </form>
  );
}

function NewPanel({ sequenceId, onDone }: { sequenceId: string; onDone: () => void }) {
  const add = useAddPanel(sequenceId);
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    add.mutate(fieldsOf(e.currentTarget), { onSuccess: onDone });
  };
  return (
    <form className="stack panel-body" onSubmit={submit} aria-label="New panel" data-testid="new-panel">
      <h3>New panel</h3>
      <PanelFieldsInputs errors={fieldErrors(add.error)} />
      <div className="row">
        <button type="submit" className="primary small" disabled={add.isPending}>Add</button>
        <button type="button" className="small" onClick={onDone}>Cancel</button>
      </div>
      {add.error && !fieldErrors(add.error) && <ErrorMessage error={add.error} />}
    </form>
  );
}

function PanelNotes({ sequenceId, panelId }: { sequenceId: string; panelId: string }) {
  const notes = usePanelComments(panelId);
  const add = useAddPanelComment(sequenceId, panelId);
  const [body, setBody] = useState("");
  return (
    <div className="stack tight board-notes">
      {notes.data?.map((n) => (
        <p key={n.id} className="small">
          <strong>{n.author ? personName(n.author) : "Someone"}:</strong> {n.body}
        </p>
      ))}
      <form
        className="row tight"
        onSubmit={(e) => {
          e.preventDefault();
          add.mutate(body, { onSuccess: () => setBody("") });
        }}
      >
        <input aria-label="Add a note" value={body} onChange={(e) => setBody(e.target.value)} placeholder="Add a note" maxLength={10000} />
        <button type="submit" className="small" disabled={!body.trim() || add.isPending}>Post</button>
      </form>
      <ErrorMessage error={add.error} />
    </div>
  );
}

function MakeShotsDialog({ sequenceId, projectId, onClose }: { sequenceId: string; projectId: string; onClose: () => void }) {
  const plan = useShotPlan(sequenceId, true);
  const make = useMakeShots(sequenceId, projectId);
  const rows = (plan.data?.panels ?? []) as PlanRow[];
  const stale = make.error && asApiError(make.error).status === 409;
  return (
    <ConfirmDialog
      open
      title="Make shots from the panels"
      confirmLabel={stale ? "Preview again" : "Apply"}
      busy={make.isPending || plan.isFetching}
      error={make.error ?? plan.error}
      onCancel={onClose}
      onConfirm={() => {
        if (stale) {
          make.reset();
          void plan.refetch();
        } else if (plan.data) make.mutate(plan.data.token, { onSuccess: onClose });
      }}
    >
      {plan.isPending ? (
        <Loading label="Planning…" />
      ) : (
        <>
          <p data-testid="plan-summary">{planSummary(rows)} (cut ranges from frame {plan.data?.start_frame})</p>
          <table className="data" data-testid="shot-plan">
            <thead>
              <tr>
                <th>Panel</th>
                <th>Shot</th>
                <th>What happens</th>
                <th>Frames</th>
                <th>Length</th>
              </tr>
            </thead>
            <tbody>
              {planLines(rows).map((line) => (
                <tr key={line.number}>
                  <td>{line.number}</td>
                  <td className="mono">{line.code}</td>
                  <td>{line.verb}</td>
                  <td className="mono">{line.range}</td>
                  <td>{line.change}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </ConfirmDialog>
  );
}
