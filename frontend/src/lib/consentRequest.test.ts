import { describe, expect, it } from "vitest";

import { ApiError } from "../api/errors";
import type { AllowedAction, LikenessScan } from "../api/types";
import { consentPrefill, scanOffer } from "./consentRequest";

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

const face = { talent_id: "t2", talent: "Ava Reyes", agency: "Crescent Talent", reason_code: "no_grant_for_studio", use_types: ["digital_replica"] };
const held: LikenessScan = {
  state: "held", scanned_at: "2026-12-02T18:00:00Z", held_reason: "Held by the likeness scan: a face in this media matches Ava Reyes.",
  matches: [], reasons: [], request_consent: { project: "p1", origin: "likeness_scan", talent: [face] },
  frames_sampled: 4, faces_found: 4, sample_fps: 2, threshold: 0.5, error: "",
};
const may: AllowedAction[] = [{ action: "request_consent", lane: null, allowed: true, code: "", reason: "" }];
const mayNot: AllowedAction[] = [{ action: "request_consent", lane: null, allowed: false, code: "not_permitted", reason: "Only producers." }];

describe("scanOffer", () => {
  it("offers a held row's request when the server allows the caller to send it", () => {
    expect(scanOffer(held, may)).toEqual({ project: "p1", origin: "likeness_scan", talent: [face] });
  });

  it("offers nothing to someone who may not request, or for a row that is not held", () => {
    expect(scanOffer(held, mayNot)).toBeNull();
    expect(scanOffer({ ...held, state: "matched", request_consent: null }, may)).toBeNull();
  });

  it("reads the 409 of a held take's publish", () => {
    const e = ApiError.fromResponse(409, { error: "likeness_held", detail: "Held.", request_consent: { project: "p1", origin: "likeness_scan", talent: [face] } });
    expect(consentPrefill(e)?.origin).toBe("likeness_scan");
  });
});
