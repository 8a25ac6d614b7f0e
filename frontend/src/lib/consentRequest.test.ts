import { describe, expect, it } from "vitest";

import { ApiError } from "../api/errors";
import { consentPrefill } from "./consentRequest";

const talent = { talent_id: "t1", talent: "Leo Park", agency: "Crescent Talent", reason_code: "no_grant_for_studio", use_types: ["name_or_likeness_in_prompt"] };

describe("consentPrefill", () => {
  it("reads the refusal's request_consent", () => {
    const e = ApiError.fromResponse(403, { error: "consent_denied", detail: "No.", request_consent: { project: "p1", origin: "generation_refusal", talent: [talent] } });
    expect(consentPrefill(e)).toEqual({ project: "p1", origin: "generation_refusal", talent: [talent] });
  });

  it("offers nothing when no request can cure the refusal, or for other errors", () => {
    expect(consentPrefill(ApiError.fromResponse(403, { error: "consent_denied", detail: "Suspended.", request_consent: null }))).toBeNull();
    expect(consentPrefill(ApiError.fromResponse(403, { error: "agency_review_pending", detail: "Wait.", request_consent: { project: "p", talent: [talent] } }))).toBeNull();
    expect(consentPrefill(ApiError.fromResponse(400, { error: "invalid", detail: "Bad." }))).toBeNull();
    expect(consentPrefill(null)).toBeNull();
  });
});
