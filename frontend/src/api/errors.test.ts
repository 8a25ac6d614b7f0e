import { describe, expect, it } from "vitest";

import { ApiError, asApiError } from "./errors";

describe("ApiError", () => {
  it("reads the API's {error, detail, fields} body", () => {
    const e = ApiError.fromResponse(400, {
      error: "invalid",
      detail: "Invalid input for frames: Use 4k+1 frames, e.g. 17 or 21.",
      fields: { frames: ["Use 4k+1 frames, e.g. 17 or 21."], "annotations": [{ shapes: ["shapes[0].to: 1.2 is greater than 1"] }] },
    });
    expect(e.status).toBe(400);
    expect(e.code).toBe("invalid");
    expect(e.detail).toMatch(/4k\+1/);
    expect(e.field("frames")).toBe("Use 4k+1 frames, e.g. 17 or 21.");
    expect(e.fields["annotations[0].shapes"]).toEqual(["shapes[0].to: 1.2 is greater than 1"]);
  });

  it("keeps extra members such as the consent policy's reasons", () => {
    const e = ApiError.fromResponse(403, { error: "consent_denied", detail: "Consent does not cover this.", reasons: [{ talent: "Leo Park", message: "No grant." }] });
    expect(e.code).toBe("consent_denied");
    expect(e.body.reasons).toEqual([{ talent: "Leo Park", message: "No grant." }]);
  });

  it("explains a body that is not the API's (a proxy's HTML page, an empty 502)", () => {
    expect(ApiError.fromResponse(502, "<html>Bad gateway</html>", "Bad Gateway").detail).toMatch(/server had a problem \(502 Bad Gateway\)/);
    expect(ApiError.fromResponse(404, undefined).detail).toMatch(/Not found/);
    expect(ApiError.fromResponse(413, null).detail).toMatch(/too large/);
  });

  it("turns a network failure into a clear message", () => {
    const e = asApiError(new TypeError("Failed to fetch"));
    expect(e.status).toBe(0);
    expect(e.detail).toMatch(/Could not reach Greenlight \(Failed to fetch\)/);
    expect(asApiError(e)).toBe(e);
  });
});
