/** What the agency portal's pages share: the caller's agency membership, and labels for states. */
import type { ConsentGrant, LikenessUse, MyMembership } from "../../api/types";
import { EmptyState } from "../../components/feedback";
import { useCurrentMembership } from "../../session";
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

export const USE_STATE: Record<LikenessUse["state"], { label: string; tone: Tone }> = {
  pending_review: { label: "Awaiting your review", tone: "warn" },
  approved: { label: "Approved", tone: "ok" },
  rejected: { label: "Rejected", tone: "danger" },
  invalidated: { label: "Invalidated", tone: "muted" },
};

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
