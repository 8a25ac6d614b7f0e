/**
 * The agency's frame notes on a use's version (issue 13): a note at the frame the player shows, or on
 * its in/out range, with the drawing made on the player (it must lie inside the note's frames: the
 * button says so instead of a validation error after the click). The studio sees these notes marked
 * with the agency; client reviewers never. Below: the agency's own threads with the studio's replies.
 */
import { useState, type FormEvent } from "react";

import type { Comment } from "../../api/types";
import { EmptyState, ErrorMessage, Loading } from "../../components/feedback";
import { formatRelative, personName } from "../../components/format";
import { indexToFrameNumber } from "../../lib/timecode";
import { usePlayheadState } from "../../player/controls";
import type { Playhead } from "../../player/playhead";
import type { DrawState } from "../../player/ReviewPlayer";
import { useAgencyNotes, usePostAgencyNote } from "../../queries";

export function AgencyNotes({ versionId, firstFrame, playhead, draw }: { versionId: string; firstFrame: number; playhead: Playhead; draw: DrawState }) {
  const state = usePlayheadState(playhead);
  const notes = useAgencyNotes(versionId);
  const post = usePostAgencyNote(versionId);
  const [body, setBody] = useState("");
  const drawing = draw.drawing;
  const hasDrawing = drawing.shapes.length > 0 && drawing.frame !== null;
  const range = state.range.in !== null && state.range.out !== null ? { in: state.range.in, out: state.range.out } : null;
  const at = hasDrawing && !range ? drawing.frame! : state.index;
  const outside = range !== null && hasDrawing && (drawing.frame! < range.in || drawing.frame! > range.out);
  const frames = range ? `${indexToFrameNumber(range.in, firstFrame)}–${indexToFrameNumber(range.out, firstFrame)}` : String(indexToFrameNumber(at, firstFrame));
  const empty = body.trim() === "" && !hasDrawing;
  const hold = empty ? "Write a note or draw on the picture first." : outside ? `The drawing is on frame ${indexToFrameNumber(drawing.frame!, firstFrame)}, outside ${frames}: clear the range (X) or draw inside it.` : "";
  function submit(e: FormEvent) {
    e.preventDefault();
    if (hold) return;
    post.mutate(
      {
        body,
        frame: indexToFrameNumber(range ? range.in : at, firstFrame),
        frame_end: range ? indexToFrameNumber(range.out, firstFrame) : null,
        annotations: hasDrawing ? [{ frame: indexToFrameNumber(drawing.frame!, firstFrame), shapes: drawing.shapes }] : undefined,
      },
      {
        onSuccess: () => {
          setBody("");
          draw.dispatch({ type: "clear" });
          draw.setTool(null);
          if (range) playhead.clearRange();
        },
      },
    );
  }
  return (
    <section className="panel agency-notes" aria-labelledby="agency-notes-title" data-testid="agency-notes">
      <div className="panel-header">
        <h2 id="agency-notes-title">Notes to the studio</h2>
        <span className="muted small">the studio sees them; its clients do not</span>
      </div>
      <form className="panel-body stack" onSubmit={submit} aria-label="New note to the studio">
        <label htmlFor="agency-note-body" className="small">
          Note at frame{range ? "s" : ""} <span className="mono" data-testid="agency-note-frames">{frames}</span>
          {hasDrawing && " · with your drawing"}
        </label>
        <textarea id="agency-note-body" rows={2} value={body} onChange={(e) => setBody(e.target.value)} placeholder="What the studio must change about the likeness here" />
        <div className="row tight" style={{ gap: 8 }}>
          <button type="submit" className="primary small" disabled={post.isPending || Boolean(hold)} aria-describedby={hold ? "agency-note-hold" : undefined}>
            {post.isPending ? "Posting…" : "Post note"}
          </button>
          {hold && !empty && (
            <span id="agency-note-hold" className="field-hint small" data-testid="agency-note-hold">
              {hold}
            </span>
          )}
        </div>
        <ErrorMessage error={post.error} title="The note was not posted" />
      </form>
      <div className="panel-body stack">
        {notes.isPending && <Loading />}
        <ErrorMessage error={notes.error} />
        {notes.data && notes.data.length === 0 && <EmptyState title="No notes yet">Pause on a frame (or mark In and Out), draw if you like, and write to the studio.</EmptyState>}
        {notes.data?.map((n) => <NoteThread key={n.id} note={n} firstFrame={firstFrame} playhead={playhead} />)}
      </div>
    </section>
  );
}

function NoteThread({ note, firstFrame, playhead }: { note: Comment; firstFrame: number; playhead: Playhead }) {
  return (
    <article className="comment" data-testid="agency-note" data-frame={note.frame}>
      <header className="row tight" style={{ gap: 6 }}>
        <button type="button" className="frame-link mono" onClick={() => playhead.seek(note.frame - firstFrame)} aria-label={`Go to frame ${note.frame}`}>
          {note.frame}
          {note.frame_end !== null && `–${note.frame_end}`}
        </button>
        <strong>{personName(note.author)}</strong>
        <span className="muted small">{formatRelative(note.created_at)}</span>
      </header>
      {note.body && <p className="comment-body">{note.body}</p>}
      {note.replies.map((r) => (
        <div key={r.id} className="reply small" data-testid="agency-note-reply">
          <strong>{r.agency ? personName(r.author) : `${personName(r.author)} (studio)`}</strong> {r.body}
        </div>
      ))}
    </article>
  );
}
