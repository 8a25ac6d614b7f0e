/** The pure rule behind "Request consent": what a consent refusal offers to pre-fill (docs/RIGHTS.md). */
import type { ApiError } from "../api/errors";
import type { AllowedAction, LikenessScan } from "../api/types";

export interface ConsentPrefill {
  project: string;
  origin: "generation_refusal" | "likeness_scan" | "direct";
  talent: { talent_id: string; talent: string; agency: string; reason_code: string; use_types: string[] }[];
}

/** The prefill a refusal carries, or null (not a consent refusal, or nothing a request can cure). */
export function consentPrefill(error: ApiError | null): ConsentPrefill | null {
  // consent_denied: the policy's 403; likeness_held: a take the likeness scan holds (409).
  if (!error || (error.code !== "consent_denied" && error.code !== "likeness_held")) return null;
  const p = error.body.request_consent as ConsentPrefill | null | undefined;
  return p && typeof p.project === "string" && Array.isArray(p.talent) && p.talent.length > 0 ? p : null;
}

/** What a take or version held by the likeness scan offers to pre-fill: its `request_consent`, when
 * the server allows this caller the `request_consent` action; otherwise null. */
export function scanOffer(scan: LikenessScan, actions: AllowedAction[]): ConsentPrefill | null {
  if (scan.state !== "held" || !actions.some((a) => a.action === "request_consent" && a.allowed)) return null;
  const p = scan.request_consent as ConsentPrefill | null | undefined;
  return p && typeof p.project === "string" && Array.isArray(p.talent) && p.talent.length > 0 ? p : null;
}
