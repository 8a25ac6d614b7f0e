/** The pure rule behind "Request consent": what a consent refusal offers to pre-fill (docs/RIGHTS.md). */
import type { ApiError } from "../api/errors";

export interface ConsentPrefill {
  project: string;
  origin: "generation_refusal" | "likeness_scan" | "direct";
  talent: { talent_id: string; talent: string; agency: string; reason_code: string; use_types: string[] }[];
}

/** The prefill a refusal carries, or null (not a consent refusal, or nothing a request can cure). */
export function consentPrefill(error: ApiError | null): ConsentPrefill | null {
  if (!error || error.code !== "consent_denied") return null;
  const p = error.body.request_consent as ConsentPrefill | null | undefined;
  return p && typeof p.project === "string" && Array.isArray(p.talent) && p.talent.length > 0 ? p : null;
}
