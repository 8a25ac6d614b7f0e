/** Small display helpers shared by the screens. */
import type { Role } from "../api/types";

export const ROLE_LABELS: Record<Role, string> = {
  owner: "Owner",
  admin: "Admin",
  producer: "Producer",
  supervisor: "Supervisor",
  artist: "Artist",
  reviewer: "Client reviewer",
  agent: "Agent",
  legal: "Legal",
};

/** Roles that make sense per kind of organization (mirrors what the API accepts). */
export const ROLES_BY_KIND: Record<"studio" | "agency", Role[]> = {
  studio: ["owner", "admin", "producer", "supervisor", "artist", "reviewer", "legal"],
  agency: ["owner", "admin", "agent", "legal"],
};

export const MANAGER_ROLES: ReadonlySet<Role> = new Set(["owner", "admin"]);
export const AUDIT_READER_ROLES: ReadonlySet<Role> = new Set(["owner", "admin", "legal"]);
/** Who may trace a leaked frame to its viewer (projects/access.py TRACE_MARKS). */
export const TRACE_ROLES: ReadonlySet<Role> = new Set(["owner", "admin", "producer"]);

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
const dateTimeSeconds = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "medium" });

export function formatDateTime(iso: string | null | undefined, seconds = false): string {
  if (!iso) return "—";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return (seconds ? dateTimeSeconds : dateTime).format(d);
}

const relative = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });

export function formatRelative(iso: string | null | undefined, now: number = Date.now()): string {
  if (!iso) return "—";
  const t = new Date(iso).getTime();
  if (Number.isNaN(t)) return iso;
  const seconds = Math.round((t - now) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 45) return relative.format(seconds, "second");
  if (abs < 45 * 60) return relative.format(Math.round(seconds / 60), "minute");
  if (abs < 22 * 3600) return relative.format(Math.round(seconds / 3600), "hour");
  if (abs < 26 * 86400) return relative.format(Math.round(seconds / 86400), "day");
  return formatDateTime(iso);
}

export function formatSeconds(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return "—";
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)} s`;
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds % 60);
  return `${m} min ${s.toString().padStart(2, "0")} s`;
}

export function personName(user: { display_name?: string | null; email?: string | null } | null | undefined): string {
  if (!user) return "—";
  return user.display_name || user.email || "—";
}
