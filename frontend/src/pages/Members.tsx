import { useState, type FormEvent } from "react";

import { asApiError } from "../api/errors";
import type { Membership, MyMembership, Role } from "../api/types";
import { ConfirmDialog, EmptyState, ErrorMessage, Field, Loading } from "../components/feedback";
import { MANAGER_ROLES, ROLE_LABELS, ROLES_BY_KIND, formatDateTime, personName } from "../components/format";
import { useMemberChanges, useMembers } from "../queries";
import { useCurrentMembership } from "../session";

export function MembersPage() {
  const { membership, me } = useCurrentMembership();
  if (!membership || !me) return <NotMember />;
  return <Members membership={membership} myId={me.id} />;
}

export function NotMember() {
  return (
    <div className="page">
      <EmptyState title="Not found">This organization does not exist, or you are not a member of it.</EmptyState>
    </div>
  );
}

function Members({ membership, myId }: { membership: MyMembership; myId: string }) {
  const org = membership.organization;
  const canManage = MANAGER_ROLES.has(membership.role);
  const roles = ROLES_BY_KIND[org.kind];
  const members = useMembers(org.id);
  const [removing, setRemoving] = useState<Membership | null>(null);
  const { changeRole, remove } = useMemberChanges(org.id);

  return (
    <div className="page">
      <div className="page-header">
        <div>
          <h1>Members</h1>
          <div className="sub">
            People in {org.name} and their roles.{" "}
            {canManage ? "As an owner or admin you can add people, change roles and remove members." : "Only owners and admins change members."}
          </div>
        </div>
      </div>
      {canManage && <AddMember orgId={org.id} roles={roles} />}
      <ErrorMessage error={changeRole.error} title="Could not change the role" />
      {members.isPending && <Loading />}
      {members.error && <ErrorMessage error={members.error} />}
      {members.data && members.data.results.length === 0 && <EmptyState title="No members yet" />}
      {members.data && members.data.results.length > 0 && (
        <div className="panel">
          <table className="data" aria-label="Members">
            <thead>
              <tr>
                <th>Name</th>
                <th>Email</th>
                <th>Role</th>
                <th>Member since</th>
                {canManage && <th className="actions">Actions</th>}
              </tr>
            </thead>
            <tbody>
              {members.data.results.map((m) => (
                <tr key={m.id} data-testid="member-row">
                  <td>
                    {personName(m.user)} {m.user.id === myId && <span className="chip plain">You</span>}
                  </td>
                  <td className="muted">{m.user.email}</td>
                  <td>
                    {canManage ? (
                      <select
                        aria-label={`Role of ${personName(m.user)}`}
                        value={m.role}
                        disabled={changeRole.isPending}
                        onChange={(e) => changeRole.mutate({ id: m.id, role: e.target.value as Role })}
                      >
                        {roles.map((r) => (
                          <option key={r} value={r}>
                            {ROLE_LABELS[r]}
                          </option>
                        ))}
                      </select>
                    ) : (
                      ROLE_LABELS[m.role]
                    )}
                  </td>
                  <td className="muted">{formatDateTime(m.created_at)}</td>
                  {canManage && (
                    <td className="actions">
                      <button type="button" className="small danger" onClick={() => setRemoving(m)} aria-label={`Remove ${personName(m.user)}`}>
                        Remove
                      </button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <ConfirmDialog
        open={removing !== null}
        title={`Remove ${personName(removing?.user)}?`}
        confirmLabel="Remove member"
        danger
        busy={remove.isPending}
        error={remove.error}
        onCancel={() => {
          setRemoving(null);
          remove.reset();
        }}
        onConfirm={() => removing && remove.mutate(removing.id, { onSuccess: () => setRemoving(null) })}
      >
        <p>
          {removing?.user.email} will lose access to {org.name} at once. Their past work and the audit trail are kept.
        </p>
      </ConfirmDialog>
    </div>
  );
}

function AddMember({ orgId, roles }: { orgId: string; roles: Role[] }) {
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<Role>(roles.includes("artist") ? "artist" : (roles[roles.length - 1] as Role));
  const { add } = useMemberChanges(orgId);
  const error = add.error ? asApiError(add.error) : null;
  function submit(e: FormEvent) {
    e.preventDefault();
    add.mutate({ email, role }, { onSuccess: () => setEmail("") });
  }
  return (
    <form className="panel panel-body row" onSubmit={submit} style={{ marginBottom: 12, alignItems: "flex-end" }} aria-label="Add a member">
      <Field id="new-member-email" label="Email of an existing Greenlight user" error={error?.field("email")}>
        <input
          id="new-member-email"
          type="email"
          required
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          style={{ width: 280 }}
          aria-invalid={error?.field("email") ? true : undefined}
        />
      </Field>
      <Field id="new-member-role" label="Role" error={error?.field("role")}>
        <select id="new-member-role" value={role} onChange={(e) => setRole(e.target.value as Role)}>
          {roles.map((r) => (
            <option key={r} value={r}>
              {ROLE_LABELS[r]}
            </option>
          ))}
        </select>
      </Field>
      <button type="submit" className="primary" disabled={add.isPending || !email}>
        {add.isPending ? "Adding…" : "Add member"}
      </button>
      {error && !error.field("email") && !error.field("role") && (
        <div style={{ flexBasis: "100%" }}>
          <ErrorMessage error={error} title="Could not add the member" />
        </div>
      )}
      {add.isSuccess && (
        <span className="muted" role="status">
          Added.
        </span>
      )}
    </form>
  );
}
