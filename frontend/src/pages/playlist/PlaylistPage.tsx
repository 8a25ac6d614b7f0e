/**
 * /projects/:projectId/playlists/:playlistId — play a playlist in order (next / previous, auto-advance,
 * a version per item, compare with the previous approved) and run a review session on it: the
 * presenter's item, version, playhead and drawings reach everyone following, through the room.
 */
import { useCallback, useState } from "react";
import { Link, useOutletContext, useParams } from "react-router";

import { asApiError } from "../../api/errors";
import type { Playlist, Project, Version } from "../../api/types";
import { EmptyState, ErrorMessage, Loading } from "../../components/feedback";
import { previousApproved, stepItem } from "../../lib/playlist";
import { useReviewRoom, type RoomSnapshot } from "../../realtime/ReviewRoom";
import { usePlaylist, useShot, useUpdatePlaylistItem } from "../../queries";
import { NoSuchThing } from "../ProjectLayout";
import { EDIT_SHOTS } from "../ShotList";
import { ItemPlayer, type SessionRole } from "./ItemPlayer";
import { ItemBadges } from "./ItemBadges";
import { ItemsPanel } from "./ItemsPanel";
import { SessionPanel } from "./SessionPanel";

type Item = Playlist["items"][number];

export function PlaylistPage() {
  const project = useOutletContext<Project>();
  const { playlistId = "" } = useParams();
  const playlist = usePlaylist(project.id, playlistId);
  if (playlist.isPending) return <Loading />;
  if (playlist.error) {
    if (asApiError(playlist.error).status === 404) return <NoSuchThing what="Playlist" />;
    return (
      <div className="page">
        <ErrorMessage error={playlist.error} />
      </div>
    );
  }
  return <PlaylistView key={playlist.data.id} project={project} playlist={playlist.data} />;
}

/** Which item and version are on screen, and the session role: a follower shows the presenter's. */
function usePlayback(playlist: Playlist, snapshot: RoomSnapshot) {
  const [index, setIndex] = useState(0);
  const [choice, setChoice] = useState<Record<string, string>>({});
  const [autoPlay, setAutoPlay] = useState(false);
  const items = playlist.items;
  const joined = snapshot.status === "open" && snapshot.you !== null;
  const role: SessionRole = joined && snapshot.you?.presenter ? "presenter" : joined && snapshot.you?.following && snapshot.state?.presenter ? "follower" : "solo";
  const current = Math.min(index, Math.max(0, items.length - 1));
  const item = items[current];
  const shownVersionId = role === "follower" ? (snapshot.state?.version ?? null) : item ? (choice[item.id] ?? item.version.id) : null;

  const go = useCallback((to: number | null, play = false) => {
    if (to === null) return;
    setAutoPlay(play);
    setIndex(to);
  }, []);
  const onEnded = useCallback(() => go(stepItem(current, items.length, 1), true), [go, current, items.length]);
  // Following: the item on screen is the presenter's; keep it as ours too, so control handed over
  // (or a detach) continues from there.
  const onShown = useCallback(
    (v: Version) => {
      if (role !== "follower") return;
      const at = items.findIndex((i) => i.shot.id === v.shot.id);
      const row = items[at];
      if (!row) return;
      setIndex(at);
      setChoice((c) => (row.version.id === v.id ? withoutKey(c, row.id) : c[row.id] === v.id ? c : { ...c, [row.id]: v.id }));
    },
    [role, items],
  );
  const choose = (row: Item, versionId: string) => setChoice((c) => (versionId === row.version.id ? withoutKey(c, row.id) : { ...c, [row.id]: versionId }));
  return { role, current, item, shownVersionId, autoPlay, go, onEnded, onShown, choose };
}

function PlaylistView({ project, playlist }: { project: Project; playlist: Playlist }) {
  const { room, snapshot } = useReviewRoom(playlist.id);
  const { role, current, item, shownVersionId, autoPlay, go, onEnded, onShown, choose } = usePlayback(playlist, snapshot);
  const items = playlist.items;
  const canEdit = EDIT_SHOTS.has(project.my_role ?? "");

  if (items.length === 0) {
    return (
      <div className="page">
        <PlaylistHeader project={project} playlist={playlist} />
        <EmptyState title="This playlist is empty">Tick shots in the shot list and choose “Add to playlist…”{canEdit ? ", or add every shot in review." : "."}</EmptyState>
        {canEdit && <ItemsPanel projectId={project.id} playlist={playlist} current={0} canEdit={canEdit} locked={false} onPlay={() => undefined} />}
      </div>
    );
  }
  const locked = role === "follower";
  return (
    <div className="review-layout playlist-page" data-testid="playlist-page" data-item={current} data-role={role}>
      <div className="review-main">
        <PlaylistHeader project={project} playlist={playlist} />
        {item && (
          <ItemBar
            project={project}
            playlistId={playlist.id}
            item={item}
            index={current}
            count={items.length}
            shownVersionId={shownVersionId}
            canEdit={canEdit}
            locked={locked}
            onStep={(delta) => go(stepItem(current, items.length, delta))}
            onChoose={(versionId) => choose(item, versionId)}
          />
        )}
        {shownVersionId ? (
          <ItemPlayer
            key={shownVersionId}
            project={project}
            versionId={shownVersionId}
            role={role}
            room={room}
            snapshot={snapshot}
            autoPlay={autoPlay}
            onEnded={onEnded}
            onShown={onShown}
          />
        ) : role === "follower" && snapshot.state?.hidden ? (
          <EmptyState title="Not shared with you">The presenter is showing a version that was not shared with you; follow on when they move on.</EmptyState>
        ) : (
          <EmptyState title="Waiting for the presenter">The session has no item on screen yet.</EmptyState>
        )}
      </div>
      <aside className="review-side" aria-label="Playlist">
        <SessionPanel room={room} snapshot={snapshot} />
        <ItemsPanel projectId={project.id} playlist={playlist} current={current} canEdit={canEdit} locked={locked} onPlay={(i) => go(i)} />
      </aside>
    </div>
  );
}

function withoutKey(record: Record<string, string>, key: string): Record<string, string> {
  if (!(key in record)) return record;
  const next = { ...record };
  delete next[key];
  return next;
}

function PlaylistHeader({ project, playlist }: { project: Project; playlist: Playlist }) {
  return (
    <div className="row tight" style={{ gap: 8 }}>
      <Link to={`/projects/${project.id}/playlists`} className="muted small">
        Playlists
      </Link>
      <span className="muted">/</span>
      <h1 style={{ margin: 0, fontSize: 18 }}>{playlist.name}</h1>
      <span className="muted small">{playlist.audience === "client" ? "shared with client reviewers" : "studio only"}</span>
    </div>
  );
}

function ItemBar({
  project,
  playlistId,
  item,
  index,
  count,
  shownVersionId,
  canEdit,
  locked,
  onStep,
  onChoose,
}: {
  project: Project;
  playlistId: string;
  item: Item;
  index: number;
  count: number;
  shownVersionId: string | null;
  canEdit: boolean;
  locked: boolean;
  onStep: (delta: 1 | -1) => void;
  onChoose: (versionId: string) => void;
}) {
  const shot = useShot(item.shot.id);
  const keep = useUpdatePlaylistItem(project.id, playlistId);
  const versions = shot.data && !shot.isPlaceholderData ? shot.data.versions : [];
  const shown = versions.find((v) => v.id === shownVersionId) ?? null;
  const approved = shown ? previousApproved(versions, shown) : null;
  const lockedTitle = locked ? "Following the presenter" : undefined;
  return (
    <div className="row tight playlist-bar" style={{ gap: 6, flexWrap: "wrap" }} data-testid="item-bar">
      <button type="button" className="small" onClick={() => onStep(-1)} disabled={locked || index === 0} title={lockedTitle ?? "Previous item"}>
        ← Previous
      </button>
      <span className="mono" data-testid="item-position">
        {index + 1} / {count}
      </span>
      <strong data-testid="item-shot">{item.shot.code}</strong>
      <button type="button" className="small" onClick={() => onStep(1)} disabled={locked || index === count - 1} title={lockedTitle ?? "Next item"}>
        Next →
      </button>
      <label className="visually-hidden" htmlFor="item-version">
        Version of {item.shot.code} to play
      </label>
      <select id="item-version" value={shownVersionId ?? ""} disabled={locked || versions.length === 0} onChange={(e) => onChoose(e.target.value)} title={lockedTitle ?? "Which version this item plays"}>
        {versions.length === 0 && <option value={shownVersionId ?? ""}>{item.version.label}</option>}
        {versions.map((v) => (
          <option key={v.id} value={v.id}>
            {v.label}
            {v.id === item.version.id ? " (in playlist)" : ""}
            {v.approval_status === "approved" ? " · approved" : ""}
          </option>
        ))}
      </select>
      {canEdit && !locked && shownVersionId && shownVersionId !== item.version.id && (
        <button type="button" className="small ghost" disabled={keep.isPending} onClick={() => keep.mutate({ item: item.id, version: shownVersionId })}>
          Keep {shown?.label ?? "this version"} for this item
        </button>
      )}
      {approved && shown && (
        <Link className="button small ghost" to={`/projects/${project.id}/compare?a=${shown.id}&b=${approved.id}`} title="Side by side with the approved version">
          Compare with approved {approved.label}
        </Link>
      )}
      {item.note && (
        <span className="small" data-testid="item-note">
          Note: {item.note}
        </span>
      )}
      <span className="grow" />
      <ItemBadges item={item} />
      <ErrorMessage error={keep.error} />
    </div>
  );
}
