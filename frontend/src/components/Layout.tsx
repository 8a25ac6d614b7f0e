import { useQueryClient } from "@tanstack/react-query";
import { NavLink, Outlet, useLocation, useNavigate } from "react-router";

import type { Me, MyMembership } from "../api/types";
import { UserStream } from "../realtime/UserStream";
import { orgHome, signOut, sortedMemberships, useCurrentMembership } from "../session";
import { AUDIT_READER_ROLES, ROLE_LABELS, TRACE_ROLES } from "./format";
import { Logo } from "./Logo";
import { NotificationBell } from "./NotificationBell";

/** Sections of an organization the member's role can open, in menu order. */
export function sectionsFor(m: MyMembership): { path: string; label: string }[] {
  const slug = m.organization.slug;
  const out: { path: string; label: string }[] = [];
  if (m.organization.kind === "studio") {
    out.push({ path: `/o/${slug}/projects`, label: "Projects" }, { path: `/o/${slug}/consent-requests`, label: "Consent requests" });
  } else {
    out.push(
      { path: `/o/${slug}/talent`, label: "Talent" },
      { path: `/o/${slug}/consent-requests`, label: "Consent requests" },
      { path: `/o/${slug}/consents`, label: "Consents" },
      { path: `/o/${slug}/uses`, label: "Likeness uses" },
    );
  }
  out.push({ path: `/o/${slug}/members`, label: "Members" });
  if (AUDIT_READER_ROLES.has(m.role)) out.push({ path: `/o/${slug}/audit`, label: "Audit log" });
  if (m.organization.kind === "studio" && TRACE_ROLES.has(m.role)) out.push({ path: "/trace", label: "Trace a frame" });
  return out;
}

function OrgSwitcher({ me, current }: { me: Me; current: MyMembership | null }) {
  const navigate = useNavigate();
  const location = useLocation();
  const memberships = sortedMemberships(me);
  if (memberships.length === 0) return null;
  if (memberships.length === 1 && current) {
    return <span className="org-name" aria-label="Organization">{current.organization.name}</span>;
  }
  function switchTo(slug: string) {
    const target = memberships.find((m) => m.organization.slug === slug);
    if (!target) return;
    // Keep the section (members, audit…) when the other organization has it too.
    const section = current ? location.pathname.split("/")[3] : undefined;
    const same = section ? sectionsFor(target).find((s) => s.path.endsWith(`/${section}`)) : undefined;
    void navigate(same?.path ?? orgHome(target));
  }
  return (
    <label className="org-switcher">
      <span className="visually-hidden">Organization</span>
      <select value={current?.organization.slug ?? ""} onChange={(e) => switchTo(e.target.value)} aria-label="Switch organization">
        {!current && <option value="">Choose an organization…</option>}
        {memberships.map((m) => (
          <option key={m.organization.id} value={m.organization.slug}>
            {m.organization.name} {m.organization.kind === "agency" ? "(agency)" : ""}
          </option>
        ))}
      </select>
    </label>
  );
}

export function Layout() {
  const { me, membership } = useCurrentMembership();
  const client = useQueryClient();
  const navigate = useNavigate();
  if (!me) return null;
  const fallback = membership ?? sortedMemberships(me)[0] ?? null;
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <NavLink to="/" className="brand" aria-label="Greenlight home">
          <Logo />
          <span>Greenlight</span>
        </NavLink>
        <OrgSwitcher me={me} current={membership} />
        {fallback && (
          <nav className="nav" aria-label="Sections">
            {sectionsFor(fallback).map((s) => (
              <NavLink key={s.path} to={s.path}>
                {s.label}
              </NavLink>
            ))}
          </nav>
        )}
        <span className="spacer" />
        <NavLink to="/verify" className="small" title="Check a file's Content Credentials (C2PA)">
          Verify a file
        </NavLink>
        <NotificationBell />
        <div className="user-menu">
          <span>
            {me.display_name || me.email}
            {membership && <span className="muted"> · {ROLE_LABELS[membership.role]}</span>}
          </span>
          <button
            type="button"
            className="small"
            onClick={() => {
              void signOut(client).then(() => navigate("/"));
            }}
          >
            Sign out
          </button>
        </div>
      </header>
      <main className="main" id="main" tabIndex={-1}>
        <Outlet />
      </main>
      <UserStream />
    </div>
  );
}
