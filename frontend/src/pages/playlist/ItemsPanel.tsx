/** A playlist's items: play one, and (producers, supervisors) reorder by drag or ↑/↓, note, remove, add shots in review. */
import { useState } from "react";

import type { Playlist } from "../../api/types";
import { ErrorMessage } from "../../components/feedback";
import { moveItem } from "../../lib/playlist";
import { useAddShots, useRemovePlaylistItem, useReorderPlaylist, useUpdatePlaylistItem } from "../../queries";
import { ItemBadges } from "./ItemBadges";

type Item = Playlist["items"][number];

export function ItemsPanel({
  projectId,
  playlist,
  current,
  canEdit,
  locked,
  onPlay,
}: {
  projectId: string;
  playlist: Playlist;
  current: number;
  canEdit: boolean;
  /** Following a presenter: the presenter chooses the item. */
  locked: boolean;
  onPlay: (index: number) => void;
}) {
  const reorder = useReorderPlaylist(projectId, playlist.id);
  const addInReview = useAddShots(projectId, playlist.id);
  const [dragging, setDragging] = useState<number | null>(null);
  const ids = playlist.items.map((i) => i.id);
  const move = (from: number, to: number) => {
    const next = moveItem(ids, from, to);
    if (next.join() !== ids.join()) reorder.mutate(next);
  };
  return (
    <section className="panel" aria-labelledby="items-title">
      <div className="panel-header">
        <h2 id="items-title">Items</h2>
        <span className="muted">{playlist.items.length}</span>
        <span className="grow" />
        {canEdit && (
          <button type="button" className="small ghost" disabled={addInReview.isPending} onClick={() => addInReview.mutate({ status: "review" })} title="Add the current version of every shot in review">
            + All in review
          </button>
        )}
      </div>
      {addInReview.data && (
        <p className="muted small panel-body" role="status">
          Added {addInReview.data.added}
          {addInReview.data.already_in > 0 && `, ${addInReview.data.already_in} already in`}
          {addInReview.data.without_version.length > 0 && `; no version yet: ${addInReview.data.without_version.join(", ")}`}.
        </p>
      )}
      <ErrorMessage error={addInReview.error ?? reorder.error} />
      <ol className="playlist-items" aria-label="Playlist items, in playing order">
        {playlist.items.map((item, index) => (
          <li
            key={item.id}
            className="playlist-item"
            data-testid="playlist-item"
            data-shot={item.shot.code}
            data-current={index === current || undefined}
            data-dragging={dragging === index || undefined}
            draggable={canEdit}
            onDragStart={(e) => {
              setDragging(index);
              e.dataTransfer.effectAllowed = "move";
            }}
            onDragEnd={() => setDragging(null)}
            onDragOver={(e) => {
              if (dragging !== null) e.preventDefault();
            }}
            onDrop={(e) => {
              e.preventDefault();
              if (dragging !== null) move(dragging, index);
              setDragging(null);
            }}
          >
            <ItemRow projectId={projectId} playlistId={playlist.id} item={item} index={index} count={playlist.items.length} canEdit={canEdit} locked={locked} current={index === current} onPlay={onPlay} onMove={move} />
          </li>
        ))}
      </ol>
    </section>
  );
}

function ItemRow({
  projectId,
  playlistId,
  item,
  index,
  count,
  canEdit,
  locked,
  current,
  onPlay,
  onMove,
}: {
  projectId: string;
  playlistId: string;
  item: Item;
  index: number;
  count: number;
  canEdit: boolean;
  locked: boolean;
  current: boolean;
  onPlay: (index: number) => void;
  onMove: (from: number, to: number) => void;
}) {
  const update = useUpdatePlaylistItem(projectId, playlistId);
  const remove = useRemovePlaylistItem(projectId, playlistId);
  const [note, setNote] = useState<string | null>(null);
  const label = `${item.shot.code} ${item.version.label}`;
  return (
    <div className="stack" style={{ gap: 4 }}>
      <div className="row tight" style={{ gap: 6 }}>
        <span className="mono muted">{index + 1}.</span>
        <button type="button" className="link strong-link" onClick={() => onPlay(index)} disabled={locked} aria-current={current || undefined} title={locked ? "The presenter chooses the item" : `Play ${label}`}>
          {label}
        </button>
        <span className="grow" />
        {canEdit && (
          <>
            <button type="button" className="icon small ghost" onClick={() => onMove(index, index - 1)} disabled={index === 0} aria-label={`Move ${label} up`} title="Move up">
              ↑
            </button>
            <button type="button" className="icon small ghost" onClick={() => onMove(index, index + 1)} disabled={index === count - 1} aria-label={`Move ${label} down`} title="Move down">
              ↓
            </button>
            <button type="button" className="icon small ghost" onClick={() => remove.mutate(item.id)} disabled={remove.isPending} aria-label={`Remove ${label}`} title="Remove from the playlist">
              ×
            </button>
          </>
        )}
      </div>
      <div className="row tight" style={{ gap: 4, flexWrap: "wrap" }} data-testid="item-badges">
        <ItemBadges item={item} />
      </div>
      {canEdit ? (
        <>
          <label className="visually-hidden" htmlFor={`note-${item.id}`}>
            Note on {label}
          </label>
          <input
            id={`note-${item.id}`}
            className="small"
            value={note ?? item.note}
            placeholder="Note for the session (what to look at)"
            onChange={(e) => setNote(e.target.value)}
            onBlur={() => {
              if (note !== null && note !== item.note) update.mutate({ item: item.id, note }, { onSuccess: () => setNote(null) });
            }}
            onKeyDown={(e) => {
              if (e.key === "Enter") e.currentTarget.blur();
            }}
          />
        </>
      ) : (
        item.note && <p className="small muted">{item.note}</p>
      )}
      <ErrorMessage error={update.error ?? remove.error} />
    </div>
  );
}
