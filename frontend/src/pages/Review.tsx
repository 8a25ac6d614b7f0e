import { useMemo, useRef, useState, useSyncExternalStore, type FormEvent } from "react";
import { Link, useNavigate, useOutletContext, useParams } from "react-router";

import { asApiError } from "../api/errors";
import type { Comment, Project, Reply, Version } from "../api/types";
import { ApprovalsPanel } from "../components/Approvals";
import { SharePanel } from "../components/SharePanel";
import { ActionButton } from "../components/ActionButton";
import { Chip } from "../components/chips";
import { UseThisFrame } from "../components/UseThisFrame";
import { ConsentBadges } from "../components/ConsentBadges";
import { ConfirmDialog, EmptyState, ErrorMessage, Loading } from "../components/feedback";
import { Icon } from "../components/Icon";
import { formatDateTime, formatRelative, personName } from "../components/format";
import { findAction, reasonOf } from "../lib/actions";
import { validShapes, type Shape } from "../lib/annotations";
import { indexToFrameNumber, indexToTimecode, type FrameRate } from "../lib/timecode";
import { usePlayhead, type PlayerMedia } from "../player/controls";
import { ReviewPlayer, useDrawState, type DrawState } from "../player/ReviewPlayer";
import type { Playhead } from "../player/playhead";
import type { Marker } from "../player/Timeline";
import { usePresence, useStreamState } from "../realtime/context";
import { useCommentChanges, useComments, usePeople, usePostComment, useReviewCopyReady, useShot, useVersion } from "../queries";
import { useMe } from "../session";
import { NoSuchThing } from "./ProjectLayout";

export function versionMedia(version: Version, project: Project): PlayerMedia {
  const rate: FrameRate = version.fps_num && version.fps_den ? { num: version.fps_num, den: version.fps_den } : { num: project.fps_num, den: project.fps_den };
  const unavailable =
    version.processing_status === "processing"
      ? "Preparing the review proxy… it appears here when ready."
      : version.processing_status === "failed"
        ? `The media could not be processed: ${version.failure_reason || "unknown reason"}.`
        : null;
  return {
    id: version.id,
    label: `${version.shot.code} ${version.label}`,
    src: version.media.proxy,
    poster: version.media.poster,
    width: version.width ?? project.width,
    height: version.height ?? project.height,
    frameCount: version.frame_count ?? 0,
    rate,
    timecodeRate: { num: project.fps_num, den: project.fps_den },
    firstFrame: version.first_frame,
    sprite: version.sprite?.url
      ? {
          url: version.sprite.url,
          columns: version.sprite.columns,
          tileWidth: version.sprite.tile_width,
          tileHeight: version.sprite.tile_height,
          frames: version.sprite.frames.map((f) => f - version.first_frame),
        }
      : null,
    unavailable,
  };
}

export function ReviewPage() {
  const project = useOutletContext<Project>();
  const { versionId = "" } = useParams();
  const version = useVersion(versionId);
  // A client reviewer's version quarantined or held since they opened it (realtime: change `withdrawn`).
  const withdrawn = Boolean(useStreamState().withdrawn[versionId]);
  if (withdrawn) {
    return (
      <div className="page" data-testid="version-withdrawn">
        <EmptyState title="No longer available">This version was withdrawn from review and is no longer available to you.</EmptyState>
      </div>
    );
  }
  if (version.isPending) return <Loading />;
  if (version.error) {
    if (asApiError(version.error).status === 404) return <NoSuchThing what="Version" />;
    return (
      <div className="page">
        <ErrorMessage error={version.error} />
      </div>
    );
  }
  // Remount per version: a fresh playhead and drawing for each.
  return <Review key={version.data.id} project={project} version={version.data} />;
}

function Review({ project, version }: { project: Project; version: Version }) {
  const media = versionMedia(version, project);
  const playhead = usePlayhead(media);
  const copy = useReviewCopyReady(media.src);
  const draw = useDrawState();
  const comments = useComments(version.id);
  const composerRef = useRef<HTMLTextAreaElement>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const viewers = useStreamState().viewers[version.id] ?? [];
  const { data: me } = useMe();
  usePresence(version.id);

  const roots = useMemo(() => (comments.data ?? []).filter((c) => !c.deleted), [comments.data]);
  const markers: Marker[] = roots.map((c) => ({
    id: c.id,
    index: c.frame - version.first_frame,
    endIndex: c.frame_end !== null ? c.frame_end - version.first_frame : null,
    label: `${personName(c.author)}: ${c.body || "(drawing)"}`,
    tone: c.id === selected ? "selected" : c.resolved ? "resolved" : "comment",
    hasDrawing: c.annotations.length > 0,
  }));
  const byFrame = useMemo(() => {
    const map = new Map<number, Shape[]>();
    for (const c of roots) {
      for (const a of c.annotations) {
        const frame = a.frame ?? c.frame;
        const index = frame - version.first_frame;
        map.set(index, [...(map.get(index) ?? []), ...validShapes(a.shapes)]);
      }
    }
    return map;
  }, [roots, version.first_frame]);

  return (
    <div className="review-layout" data-testid="review">
      <div className="review-main">
        {copy.preparing && (
          <p className="muted" role="status" data-testid="review-copy-preparing">
            Your personal, watermarked review copy of this version is being prepared; it plays in a few moments.
          </p>
        )}
        <ReviewPlayer
          key={copy.ready ? "ready" : "preparing"}
          media={media}
          playhead={playhead}
          markers={markers}
          annotationsAt={(i) => byFrame.get(i) ?? []}
          draw={draw}
          viewers={viewers.filter((v) => v.user !== me?.id)}
          onMarker={(m) => setSelected(m.id)}
          onFocusComment={() => composerRef.current?.focus()}
          extraControls={
            <>
              <VersionSwitcher project={project} version={version} />
              <UseThisFrame projectId={project.id} version={version} playhead={playhead} />
            </>
          }
          headExtra={
            <ConsentBadges
              likeness={version.likeness}
              held={version.likeness_scan.state === "held"}
              quarantined={version.quarantined}
              heldReason={version.likeness_scan.held_reason}
              quarantineReason={version.quarantine_reason}
            />
          }
        />
      </div>
      <aside className="review-side" aria-label="Review">
        {version.conform && (
          <p className="small muted panel panel-body" data-testid="version-conform" title="How the published take was conformed to the shot">
            {version.conform}
          </p>
        )}
        <ApprovalsPanel versionId={version.id} />
        <SharePanel versionId={version.id} action={findAction(version.allowed_actions, "share")} />
        <section className="panel comments-panel" aria-labelledby="comments-title">
          <div className="panel-header">
            <h2 id="comments-title">Comments</h2>
            <span className="muted">{roots.length}</span>
          </div>
          <Composer project={project} version={version} media={media} playhead={playhead} draw={draw} textareaRef={composerRef} />
          <div className="comment-list">
            {comments.isPending && <Loading />}
            <ErrorMessage error={comments.error} />
            {comments.data && roots.length === 0 && <p className="muted small empty-line">No comments yet. Pause on a frame, draw if you like, and write the first note.</p>}
            {roots.map((c) => (
              <CommentThread
                key={c.id}
                comment={c}
                version={version}
                media={media}
                selected={c.id === selected}
                onSeek={() => {
                  playhead.seek(c.frame - version.first_frame);
                  setSelected(c.id);
                }}
              />
            ))}
          </div>
        </section>
      </aside>
    </div>
  );
}

function VersionSwitcher({ project, version }: { project: Project; version: Version }) {
  const shot = useShot(version.shot.id);
  const navigate = useNavigate();
  // Until the shot's detail arrives (a list row may stand in, without versions), list this version alone.
  const versions = shot.data && !shot.isPlaceholderData ? shot.data.versions : [version];
  const others = versions.filter((v) => v.id !== version.id);
  return (
    <>
      <label className="visually-hidden" htmlFor="version-switch">
        Version
      </label>
      <select id="version-switch" value={version.id} onChange={(e) => void navigate(`/projects/${project.id}/versions/${e.target.value}`)} title="Switch version">
        {versions.map((v) => (
          <option key={v.id} value={v.id}>
            {v.label}
          </option>
        ))}
      </select>
      {others.length > 0 && (
        <>
          <label className="visually-hidden" htmlFor="compare-with">
            Compare with
          </label>
          <select
            id="compare-with"
            value=""
            onChange={(e) => e.target.value && void navigate(`/projects/${project.id}/compare?a=${version.id}&b=${e.target.value}`)}
            title="Compare with another version"
          >
            <option value="">Compare with…</option>
            {others.map((v) => (
              <option key={v.id} value={v.id}>
                {v.label}
              </option>
            ))}
          </select>
        </>
      )}
      <Link className="button small ghost" to={`/projects/${project.id}/shots/${version.shot.id}`}>
        {version.shot.code}
      </Link>
      <DownloadLink version={version} />
    </>
  );
}

/** The signed download, from the version's `download` action: disabled with the reason while the
 * version is quarantined or held (the server refuses it then). */
function DownloadLink({ version }: { version: Version }) {
  const action = findAction(version.allowed_actions, "download");
  if (action && !action.allowed) {
    return (
      <ActionButton action={action} className="small ghost" onClick={() => undefined}>
        Download (signed)
      </ActionButton>
    );
  }
  return (
    <a
      className="button small ghost"
      href={`/api/v1/versions/${version.id}/download/`}
      download
      title="Download the original, signed with Content Credentials (C2PA): model, consent and approvals"
    >
      Download (signed)
    </a>
  );
}

// ---------------------------------------------------------------- composer

export function Composer({
  project,
  version,
  media,
  playhead,
  draw,
  textareaRef,
}: {
  project: Project;
  version: Version;
  media: PlayerMedia;
  playhead: Playhead;
  draw: DrawState;
  textareaRef: React.RefObject<HTMLTextAreaElement | null>;
}) {
  const state = useSyncExternalStore(playhead.subscribe, playhead.getSnapshot);
  const [body, setBody] = useState("");
  const [internal, setInternal] = useState(false);
  const [mentions, setMentions] = useState<string[]>([]);
  const people = usePeople(project.id);
  const mentionable = (people.data ?? []).filter((p) => (internal ? p.role !== "reviewer" : true));
  const commenting = findAction(version.allowed_actions, "comment");
  const internalNotes = findAction(version.allowed_actions, "comment_internal");
  const canInternal = internalNotes?.allowed ?? false;
  const hasRange = state.range.in !== null && state.range.out !== null;
  const drawing = draw.drawing;
  const frameIndex = drawing.shapes.length > 0 && drawing.frame !== null ? drawing.frame : state.index;
  const frame = indexToFrameNumber(frameIndex, version.first_frame);
  // With an in/out range marked, the note is on the range (In, Out, then C); X or "single frame"
  // clears it. A drawing belongs to the note's frame or range: one outside the range is caught here.
  const range = hasRange ? { in: state.range.in!, out: state.range.out! } : null;
  const drawingOutside = range !== null && drawing.shapes.length > 0 && drawing.frame !== null && (drawing.frame < range.in || drawing.frame > range.out);
  const post = usePostComment(version.id);
  const send = () => {
    post.mutate(
      {
        body,
        frame: range ? indexToFrameNumber(range.in, version.first_frame) : frame,
        frame_end: range ? indexToFrameNumber(range.out, version.first_frame) : null,
        internal,
        mentions: mentions.length > 0 ? mentions : undefined,
        annotations:
          drawing.shapes.length > 0 && drawing.frame !== null
            ? [{ frame: indexToFrameNumber(drawing.frame, version.first_frame), shapes: drawing.shapes }]
            : undefined,
      },
      {
        onSuccess: () => {
          setBody("");
          setMentions([]);
          draw.dispatch({ type: "clear" });
          draw.setTool(null);
          if (range) playhead.clearRange(); // the next note starts at a single frame again
        },
      },
    );
  };
  const error = post.error ? asApiError(post.error) : null;
  const empty = body.trim() === "" && drawing.shapes.length === 0;
  function submit(e: FormEvent) {
    e.preventDefault();
    if (!empty && !drawingOutside) send();
  }
  return (
    <form className="composer" onSubmit={submit} aria-label="New comment" data-testid="composer">
      <label htmlFor="comment-body" className="composer-label">
        {range ? (
          <>
            Note on frames{" "}
            <span className="mono" data-testid="composer-range">
              {indexToFrameNumber(range.in, version.first_frame)}–{indexToFrameNumber(range.out, version.first_frame)}
            </span>{" "}
            <button type="button" className="link small" onClick={() => playhead.clearRange()} title="Clear the in/out range (X)">
              single frame instead
            </button>
          </>
        ) : (
          <>
            Note at frame <span className="mono" data-testid="composer-frame">{frame}</span> <span className="mono muted">{indexToTimecode(frameIndex, media.timecodeRate ?? media.rate, version.first_frame)}</span>
          </>
        )}
        {drawing.shapes.length > 0 && <Chip label={`+ drawing (${drawing.shapes.length})`} tone="info" />}
      </label>
      <textarea
        id="comment-body"
        ref={textareaRef}
        rows={3}
        value={body}
        placeholder="Write a note… (C focuses here; Ctrl+Enter posts)"
        onFocus={() => playhead.pause()}
        onChange={(e) => setBody(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) submit(e);
          if (e.key === "Escape") e.currentTarget.blur();
        }}
        aria-invalid={error?.field("body") ? true : undefined}
      />
      <div className="row tight" style={{ gap: 10 }}>
        <label className="visually-hidden" htmlFor="mention-person">
          Mention someone
        </label>
        <select
          id="mention-person"
          className="small-select"
          value=""
          onChange={(e) => {
            const person = mentionable.find((p) => p.user.id === e.target.value);
            if (!person) return;
            setMentions((m) => (m.includes(person.user.id) ? m : [...m, person.user.id]));
            setBody((b) => `${b}${b && !b.endsWith(" ") ? " " : ""}@${personName(person.user)} `);
          }}
        >
          <option value="">@ Mention…</option>
          {mentionable.map((p) => (
            <option key={p.user.id} value={p.user.id}>
              {personName(p.user)} ({p.role})
            </option>
          ))}
        </select>
        {canInternal && (
          <label className="small row tight" style={{ gap: 4 }} title="Studio only: client reviewers never see it">
            <input type="checkbox" checked={internal} onChange={(e) => setInternal(e.target.checked)} /> internal
          </label>
        )}
        <span className="grow" />
        <button
          type="submit"
          className="primary small"
          disabled={post.isPending || empty || drawingOutside || commenting?.allowed === false}
          title={reasonOf(commenting) || (drawingOutside ? "The drawing is outside the range" : undefined)}
        >
          {post.isPending ? "Posting…" : "Post note"}
        </button>
      </div>
      {drawingOutside && range && drawing.frame !== null && (
        <p className="field-hint small" data-testid="drawing-outside-range">
          The drawing is on frame {indexToFrameNumber(drawing.frame, version.first_frame)}, outside frames{" "}
          {indexToFrameNumber(range.in, version.first_frame)}–{indexToFrameNumber(range.out, version.first_frame)}: mark a range that holds it, or{" "}
          <button type="button" className="link small" onClick={() => playhead.clearRange()}>
            note it on its own frame
          </button>
          .
        </p>
      )}
      {mentions.length > 0 && (
        <div className="people small" aria-label="Will be notified">
          {mentions.map((id) => {
            const person = mentionable.find((p) => p.user.id === id);
            return (
              <span key={id} className="chip plain">
                @{person ? personName(person.user) : id}
                <button type="button" className="chip-x" aria-label={`Do not notify ${person ? personName(person.user) : id}`} onClick={() => setMentions((m) => m.filter((x) => x !== id))}>
                  ×
                </button>
              </span>
            );
          })}
        </div>
      )}
      {error && <ErrorMessage error={error} title="The note was not posted" />}
    </form>
  );
}

// ---------------------------------------------------------------- threads

function CommentThread({
  comment,
  version,
  media,
  selected,
  onSeek,
}: {
  comment: Comment;
  version: Version;
  media: PlayerMedia;
  selected: boolean;
  onSeek: () => void;
}) {
  const { data: me } = useMe();
  const [replying, setReplying] = useState(false);
  const [reply, setReply] = useState("");
  const [editing, setEditing] = useState<string | null>(null);
  const [deleting, setDeleting] = useState(false);
  const mine = comment.author?.id === me?.id;
  const { edit, resolve, remove } = useCommentChanges(version.id, comment.id);
  const answer = usePostComment(version.id);
  const index = comment.frame - version.first_frame;
  return (
    <article className="comment" data-selected={selected || undefined} data-resolved={comment.resolved || undefined} data-testid="comment" data-frame={comment.frame}>
      <header className="row tight" style={{ gap: 6 }}>
        <button type="button" className="frame-link mono" onClick={onSeek} aria-label={`Go to frame ${comment.frame}`} title={indexToTimecode(index, media.timecodeRate ?? media.rate, version.first_frame)}>
          {comment.frame}
          {comment.frame_end !== null && `–${comment.frame_end}`}
        </button>
        <strong>{comment.author?.id === me?.id ? "You" : personName(comment.author)}</strong>
        {comment.agency ? (
          <Chip label={`from ${comment.agency.name}`} tone="warn" title="A note from the talent agency reviewing this version's likeness use (the studio only)" testId="from-agency" />
        ) : (
          comment.internal && <Chip label="internal" tone="muted" />
        )}
        {comment.annotations.length > 0 && <span title="Has a drawing" aria-label="Has a drawing" className="row tight">
            <Icon name="pen" size={12} />
          </span>}
        <span className="grow" />
        <time className="muted small" dateTime={comment.created_at} title={formatDateTime(comment.created_at)}>
          {formatRelative(comment.created_at)}
        </time>
      </header>
      {editing !== null ? (
        <form
          className="stack"
          style={{ gap: 4 }}
          onSubmit={(e) => {
            e.preventDefault();
            edit.mutate(editing ?? "", { onSuccess: () => setEditing(null) });
          }}
        >
          <label className="visually-hidden" htmlFor={`edit-${comment.id}`}>
            Edit the note
          </label>
          <textarea id={`edit-${comment.id}`} rows={3} value={editing} onChange={(e) => setEditing(e.target.value)} autoFocus />
          <div className="row tight" style={{ gap: 6 }}>
            <button type="submit" className="small primary" disabled={edit.isPending}>
              Save
            </button>
            <button type="button" className="small ghost" onClick={() => setEditing(null)}>
              Cancel
            </button>
          </div>
          <ErrorMessage error={edit.error} />
        </form>
      ) : (
        <div className="comment-body">{comment.body || <span className="muted">(drawing only)</span>}</div>
      )}
      {comment.edited_at && (
        <div className="muted small" title={comment.history.map((h) => `${formatDateTime(h.edited_at)}: ${h.body}`).join("\n")}>
          edited {formatRelative(comment.edited_at)}
        </div>
      )}
      {comment.replies.filter((r) => !r.deleted).map((r) => (
        <ReplyView key={r.id} reply={r} />
      ))}
      <div className="row tight" style={{ gap: 6 }}>
        <button type="button" className="small ghost" onClick={() => setReplying((v) => !v)}>
          Reply
        </button>
        <button type="button" className="small ghost" onClick={() => resolve.mutate(!comment.resolved)} disabled={resolve.isPending}>
          {comment.resolved ? "Reopen" : "Resolve"}
        </button>
        {comment.resolved && <Chip label={`resolved${comment.resolved_by ? ` by ${personName(comment.resolved_by)}` : ""}`} tone="ok" />}
        <span className="grow" />
        {mine && editing === null && (
          <button type="button" className="small ghost" onClick={() => setEditing(comment.body)}>
            Edit
          </button>
        )}
        {mine && (
          <button type="button" className="small ghost" onClick={() => setDeleting(true)}>
            Delete
          </button>
        )}
      </div>
      <ErrorMessage error={resolve.error} />
      <ConfirmDialog
        open={deleting}
        title="Delete this note?"
        confirmLabel="Delete note"
        danger
        busy={remove.isPending}
        error={remove.error}
        onCancel={() => {
          setDeleting(false);
          remove.reset();
        }}
        onConfirm={() => remove.mutate(undefined, { onSuccess: () => setDeleting(false) })}
      >
        <p>It disappears for everyone, with its drawing. The audit log keeps a record.</p>
      </ConfirmDialog>
      {replying && (
        <form
          className="stack"
          style={{ gap: 4 }}
          onSubmit={(e) => {
            e.preventDefault();
            if (reply.trim())
              answer.mutate(
                { body: reply, parent: comment.id, internal: comment.internal },
                {
                  onSuccess: () => {
                    setReply("");
                    setReplying(false);
                  },
                },
              );
          }}
        >
          <label className="visually-hidden" htmlFor={`reply-${comment.id}`}>
            Reply
          </label>
          <textarea id={`reply-${comment.id}`} rows={2} value={reply} onChange={(e) => setReply(e.target.value)} autoFocus />
          <div className="row tight">
            <button type="submit" className="small primary" disabled={answer.isPending || !reply.trim()}>
              Reply
            </button>
          </div>
          <ErrorMessage error={answer.error} />
        </form>
      )}
    </article>
  );
}

function ReplyView({ reply }: { reply: Reply }) {
  return (
    <div className="reply">
      <strong>{personName(reply.author)}</strong> <span className="muted small">{formatRelative(reply.created_at)}</span>
      <div>{reply.body}</div>
    </div>
  );
}
