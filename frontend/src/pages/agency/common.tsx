/** What the agency portal's pages share: the caller's agency membership, and labels for states. */
import type { ConsentGrant, LikenessUse, MyMembership } from "../../api/types";
import { EmptyState } from "../../components/feedback";
import { useCurrentMembership } from "../../session";
import { USE_STATES } from "../../lib/states";
import { NotMember } from "../Members";

export type Tone = "ok" | "warn" | "danger" | "info" | "muted";

export const GRANT_STATE: Record<ConsentGrant["state"], { label: string; tone: Tone }> = {
  pending: { label: "Requested", tone: "warn" },
  active: { label: "Active", tone: "ok" },
  suspended: { label: "Suspended", tone: "danger" },
  revoked: { label: "Revoked", tone: "muted" },
  expired: { label: "Expired", tone: "muted" },
};

export const USE_TYPE_LABELS: Record<LikenessUse["use_type"], string> = {
  digital_replica: "digital replica",
  digital_alteration: "digital alteration",
  name_or_likeness_in_prompt: "name or likeness in the prompt",
};

/** A use's state: the one vocabulary (lib/states.ts) — the studio sees the same words. */
export const USE_STATE: Record<LikenessUse["state"], { label: string; tone: Tone }> = USE_STATES;

export function useAgency(): MyMembership | null {
  const { membership } = useCurrentMembership();
  return membership && membership.organization.kind === "agency" ? membership : null;
}

export function NotAgency() {
  const { membership } = useCurrentMembership();
  if (!membership) return <NotMember />;
  return (
    <div className="page">
      <EmptyState title="This is the agency portal">{membership.organization.name} is a studio; talent and consents are managed by agencies.</EmptyState>
    </div>
  );
}
