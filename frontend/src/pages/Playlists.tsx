import { useState, type FormEvent } from "react";
import { Link, useNavigate, useOutletContext, useSearchParams } from "react-router";

import { asApiError } from "../api/errors";
import type { Playlist, Project } from "../api/types";
import { Chip } from "../components/chips";
import { EmptyState, ErrorMessage, Field, Loading } from "../components/feedback";
import { formatRelative, personName } from "../components/format";
import { useAddShots, useCreatePlaylist, usePlaylists } from "../queries";
import { EDIT_SHOTS } from "./ShotList";

/** /projects/:projectId/playlists — the project's playlists; new ones from the shot list's selection or "all in review". */
export function PlaylistsPage() {
  const project = useOutletContext<Project>();
  const playlists = usePlaylists(project.id);
  const [params, setParams] = useSearchParams();
  const adding = (params.get("add") ?? "").split(",").filter(Boolean);
  const canEdit = EDIT_SHOTS.has(project.my_role ?? "");
  const list = playlists.data?.results ?? [];
  const doneAdding = () => setParams(new URLSearchParams(), { replace: true });
  return (
    <div className="page" data-testid="playlists-page">
      <div className="page-header">
        <div>
          <h1>Playlists</h1>
          <div className="sub">Dailies and client sessions: play them in order, or present them live to everyone in a review session.</div>
        </div>
      </div>
      {canEdit && adding.length > 0 && <AddSelection project={project} shots={adding} playlists={list} onDone={doneAdding} />}
      {canEdit && <NewPlaylist project={project} shots={adding.length > 0 ? adding : undefined} onCreated={doneAdding} />}
      {playlists.isPending && <Loading />}
      <ErrorMessage error={playlists.error} />
      {playlists.data && list.length === 0 && (
        <EmptyState title="No playlists yet">
          {canEdit ? "Tick shots in the shot list and choose “Add to playlist…”, or make one of every shot in review above." : "Playlists appear here when a producer makes them."}
        </EmptyState>
      )}
      {list.length > 0 && (
        <div className="panel">
          <table className="data" aria-label="Playlists">
            <thead>
              <tr>
                <th>Name</th>
                <th>For</th>
                <th className="num">Items</th>
                <th>Made by</th>
                <th>Updated</th>
              </tr>
            </thead>
            <tbody>
              {list.map((p) => (
                <tr key={p.id} data-testid="playlist-row" data-playlist={p.name}>
                  <td>
                    <Link className="strong-link" to={`/projects/${project.id}/playlists/${p.id}`}>
                      {p.name}
                    </Link>
                    {p.description && <div className="muted small truncate">{p.description}</div>}
                  </td>
                  <td>{p.audience === "client" ? <Chip label="Client" tone="info" /> : <Chip label="Studio only" tone="muted" />}</td>
                  <td className="num">{p.items.length}</td>
                  <td>{personName(p.created_by)}</td>
                  <td className="muted">{formatRelative(p.updated_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

function NewPlaylist({ project, shots, onCreated }: { project: Project; shots?: string[]; onCreated: () => void }) {
  const [name, setName] = useState("");
  const [audience, setAudience] = useState<"internal" | "client">("internal");
  const [inReview, setInReview] = useState(!shots);
  const create = useCreatePlaylist(project.id);
  const navigate = useNavigate();
  const error = create.error ? asApiError(create.error) : null;
  function submit(e: FormEvent) {
    e.preventDefault();
    create.mutate(
      { playlist: { name, audience }, shots, status: !shots && inReview ? "review" : undefined },
      {
        onSuccess: (p) => {
          onCreated();
          void navigate(`/projects/${project.id}/playlists/${p.id}`);
        },
      },
    );
  }
  return (
    <form className="panel panel-body row" onSubmit={submit} style={{ marginBottom: 12, alignItems: "flex-end" }} aria-label="New playlist">
      <Field id="playlist-name" label={shots ? `New playlist with the ${shots.length} selected shot${shots.length === 1 ? "" : "s"}` : "New playlist"} error={error?.field("name")}>
        <input id="playlist-name" required value={name} onChange={(e) => setName(e.target.value)} placeholder="Dailies — Tuesday" style={{ width: 280 }} />
      </Field>
      <Field id="playlist-audience" label="For">
        <select id="playlist-audience" value={audience} onChange={(e) => setAudience(e.target.value as "internal" | "client")}>
          <option value="internal">Studio only</option>
          <option value="client">Shared with client reviewers</option>
        </select>
      </Field>
      {!shots && (
        <label className="row tight small" style={{ gap: 4 }}>
          <input type="checkbox" checked={inReview} onChange={(e) => setInReview(e.target.checked)} /> with every shot in review
        </label>
      )}
      <button type="submit" className="primary" disabled={create.isPending || !name.trim()}>
        {create.isPending ? "Creating…" : "Create playlist"}
      </button>
      {error && !error.field("name") && (
        <div style={{ flexBasis: "100%" }}>
          <ErrorMessage error={error} title="The playlist was not created" />
        </div>
      )}
    </form>
  );
}

function AddSelection({ project, shots, playlists, onDone }: { project: Project; shots: string[]; playlists: Playlist[]; onDone: () => void }) {
  const [target, setTarget] = useState("");
  const add = useAddShots(project.id, target);
  const navigate = useNavigate();
  return (
    <form
      className="panel panel-body row"
      style={{ marginBottom: 12, alignItems: "flex-end" }}
      aria-label="Add the selected shots to a playlist"
      onSubmit={(e) => {
        e.preventDefault();
        if (target)
          add.mutate(
            { shots },
            {
              onSuccess: () => {
                onDone();
                void navigate(`/projects/${project.id}/playlists/${target}`);
              },
            },
          );
      }}
    >
      <Field id="add-to-playlist" label={`Add the ${shots.length} selected shot${shots.length === 1 ? "" : "s"} (their current versions) to`}>
        <select id="add-to-playlist" value={target} onChange={(e) => setTarget(e.target.value)}>
          <option value="">Choose a playlist…</option>
          {playlists.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name} ({p.items.length})
            </option>
          ))}
        </select>
      </Field>
      <button type="submit" className="primary" disabled={!target || add.isPending}>
        Add to playlist
      </button>
      <button type="button" className="ghost" onClick={onDone}>
        Cancel
      </button>
      <span className="muted small">…or create a new playlist with them below.</span>
      <ErrorMessage error={add.error} title="Not added" />
    </form>
  );
}
