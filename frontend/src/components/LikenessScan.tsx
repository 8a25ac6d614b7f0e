/**
 * The likeness scan on a take or version card: a badge for its state and, when the scan holds it
 * (a face of a protected performer without a covering grant), the reason and "Request consent"
 * (the server's `request_consent` action and pre-filled request; docs/RIGHTS.md, "Likeness scan").
 */
import type { AllowedAction, LikenessScan } from "../api/types";
import { scanOffer } from "../lib/consentRequest";
import { Chip } from "./chips";
import { RequestConsentButtons } from "./RequestConsent";

type Tone = "ok" | "warn" | "danger" | "info" | "muted";

export const SCAN_STATE: Record<LikenessScan["state"], { label: string; tone: Tone }> = {
  pending: { label: "Face scan queued", tone: "muted" },
  running: { label: "Scanning faces", tone: "info" },
  clear: { label: "No protected face", tone: "muted" },
  matched: { label: "Protected face, consented", tone: "warn" },
  held: { label: "Held: protected face", tone: "danger" },
  failed: { label: "Face scan failed", tone: "muted" },
};

export function ScanBadge({ scan }: { scan: LikenessScan }) {
  const state = SCAN_STATE[scan.state];
  const names = scan.matches.map((m) => m.talent).join(", ");
  const title = scan.state === "held" ? scan.held_reason : names ? `Matched: ${names}` : scan.error || undefined;
  return <Chip label={state.label} tone={state.tone} title={title} testId="likeness-scan" />;
}

export function HeldNotice({ scan, actions }: { scan: LikenessScan; actions: AllowedAction[] }) {
  if (scan.state !== "held") return null;
  const offer = scanOffer(scan, actions);
  return (
    <div className="field-error small" role="status" data-testid="held-reason">
      {scan.held_reason}
      {offer && <RequestConsentButtons error={null} offer={offer} />}
    </div>
  );
}
