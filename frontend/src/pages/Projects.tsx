import { useState, type FormEvent } from "react";
import { Link, useNavigate } from "react-router";

import { asApiError } from "../api/errors";
import type { MyMembership, Project } from "../api/types";
import { Chip } from "../components/chips";
import { EmptyState, ErrorMessage, Field, Loading } from "../components/feedback";
import { formatRelative } from "../components/format";
import { formatFps } from "../lib/timecode";
import { useCreateProject, useProjects } from "../queries";
import { useCurrentMembership } from "../session";
import { NotMember } from "./Members";

const CREATORS = new Set(["owner", "admin", "producer"]);

export function ProjectsPage() {
  const { membership } = useCurrentMembership();
  if (!membership) return <NotMember />;
  if (membership.organization.kind !== "studio") {
    return (
      <div className="page">
        <EmptyState title="Agencies do not have projects">Your talent, consents and likeness uses are in the menu above.</EmptyState>
      </div>
    );
  }
  return <Projects membership={membership} />;
}

export function projectRate(p: Pick<Project, "fps_num" | "fps_den">) {
  return { num: p.fps_num, den: p.fps_den };
}

function Projects({ membership }: { membership: MyMembership }) {
  const org = membership.organization;
  const projects = useProjects(org.id);
  const [creating, setCreating] = useState(false);
  const canCreate = CREATORS.has(membership.role);
  return (
    <div className="page">
      <div className="page-header">
        <div>
          <h1>Projects</h1>
          <div className="sub">{org.name}</div>
        </div>
        <span className="spacer" />
        {canCreate && (
          <button type="button" className="primary" onClick={() => setCreating((v) => !v)} aria-expanded={creating}>
            New project
          </button>
        )}
      </div>
      {creating && <CreateProject orgId={org.id} onDone={() => setCreating(false)} />}
      {projects.isPending && <Loading />}
      <ErrorMessage error={projects.error} />
      {projects.data && projects.data.length === 0 && (
        <EmptyState title="No projects yet">
          {canCreate ? "Create the first project to start a shot list." : "You have not been added to a project yet. Ask a producer to add you."}
        </EmptyState>
      )}
      {projects.data && projects.data.length > 0 && (
        <div className="panel">
          <table className="data" aria-label="Projects">
            <thead>
              <tr>
                <th>Project</th>
                <th>Code</th>
                <th>Status</th>
                <th className="num">Frame rate</th>
                <th className="num">Resolution</th>
                <th className="num">Start frame</th>
                <th>Approval lanes</th>
                <th>Your role</th>
                <th>Updated</th>
              </tr>
            </thead>
            <tbody>
              {projects.data.map((p) => (
                <tr key={p.id}>
                  <td>
                    <Link to={`/projects/${p.id}`} className="strong-link">
                      {p.name}
                    </Link>
                    {p.description && <div className="muted small truncate" style={{ maxWidth: 420 }}>{p.description}</div>}
                  </td>
                  <td className="mono">{p.code}</td>
                  <td>
                    <Chip label={p.status.replace("_", " ")} tone={p.status === "active" ? "ok" : "muted"} />
                  </td>
                  <td className="num mono">{formatFps(projectRate(p))}</td>
                  <td className="num mono">
                    {p.width}×{p.height}
                  </td>
                  <td className="num mono">{p.start_frame}</td>
                  <td>{Array.isArray(p.required_lanes) && p.required_lanes.length > 0 ? p.required_lanes.join(", ") : "producer"}</td>
                  <td className="muted">{p.my_role ?? "—"}</td>
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

function CreateProject({ orgId, onDone }: { orgId: string; onDone: () => void }) {
  const navigate = useNavigate();
  const [form, setForm] = useState({ name: "", code: "", fps: "24", width: "1920", height: "1080", start_frame: "1001" });
  const create = useCreateProject();
  const send = () =>
    create.mutate(
      {
        organization: orgId,
        name: form.name,
        code: form.code,
        fps: form.fps,
        width: Number(form.width),
        height: Number(form.height),
        start_frame: Number(form.start_frame),
      },
      {
        onSuccess: (project) => {
          onDone();
          void navigate(`/projects/${project.id}`);
        },
      },
    );
  const error = create.error ? asApiError(create.error) : null;
  const set = (k: keyof typeof form) => (e: React.ChangeEvent<HTMLInputElement | HTMLSelectElement>) => setForm({ ...form, [k]: e.target.value });
  function submit(e: FormEvent) {
    e.preventDefault();
    send();
  }
  return (
    <form className="panel panel-body stack" onSubmit={submit} aria-label="New project" style={{ marginBottom: 14 }}>
      <div className="row" style={{ alignItems: "flex-start" }}>
        <Field id="p-name" label="Name" error={error?.field("name")}>
          <input id="p-name" value={form.name} onChange={set("name")} required style={{ width: 240 }} />
        </Field>
        <Field id="p-code" label="Code" error={error?.field("code")} hint="Prefix of shot codes, e.g. MR">
          <input id="p-code" value={form.code} onChange={set("code")} required style={{ width: 90 }} />
        </Field>
        <Field id="p-fps" label="Frame rate" error={error?.field("fps")}>
          <select id="p-fps" value={form.fps} onChange={set("fps")}>
            <option value="24">24</option>
            <option value="24000/1001">23.976</option>
            <option value="25">25</option>
            <option value="30000/1001">29.97</option>
            <option value="30">30</option>
            <option value="48">48</option>
            <option value="50">50</option>
            <option value="60">60</option>
          </select>
        </Field>
        <Field id="p-w" label="Width" error={error?.field("width")}>
          <input id="p-w" type="number" value={form.width} onChange={set("width")} style={{ width: 90 }} />
        </Field>
        <Field id="p-h" label="Height" error={error?.field("height")}>
          <input id="p-h" type="number" value={form.height} onChange={set("height")} style={{ width: 90 }} />
        </Field>
        <Field id="p-start" label="Start frame" error={error?.field("start_frame")}>
          <input id="p-start" type="number" value={form.start_frame} onChange={set("start_frame")} style={{ width: 90 }} />
        </Field>
      </div>
      {error && Object.keys(error.fields).length === 0 && <ErrorMessage error={error} />}
      <div className="row">
        <button type="submit" className="primary" disabled={create.isPending}>
          {create.isPending ? "Creating…" : "Create project"}
        </button>
        <button type="button" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}
