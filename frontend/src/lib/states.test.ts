import { describe, expect, it } from "vitest";

import { AGENCY_LANE_STATES, LANE_STATES, USE_STATES, decisionLabel, laneState, likenessUseState } from "./states";

describe("one vocabulary for lanes and uses", () => {
  it("calls the agency lane by the words of the uses it decides", () => {
    expect(laneState("agency", "pending").label).toBe("Awaiting agency review");
    expect(laneState("agency", "changes_requested").label).toBe("Use rejected");
    expect(laneState("agency", "approved").label).toBe("Use approved");
    // A lane whose decision reads "Use rejected" never shows "Awaiting decision".
    expect(laneState("agency", "changes_requested").label).toBe(decisionLabel("agency", "changes_requested").label);
  });

  it("says Quarantined for an invalidated use, as the studio says for its version", () => {
    expect(likenessUseState("invalidated")).toEqual({ label: "Quarantined", tone: "danger" });
    expect(laneState("agency", "quarantined").label).toBe("Quarantined");
    expect(Object.values(USE_STATES).map((s) => s.label)).not.toContain("Invalidated");
  });

  it("keeps the studio lanes' own words", () => {
    expect(laneState("producer", "pending").label).toBe("Awaiting decision");
    expect(laneState("client", "changes_requested")).toEqual({ label: "Changes requested", tone: "danger" });
    expect(decisionLabel("producer", "approved").label).toBe("Approved");
  });

  it("gives every state a label and a tone", () => {
    for (const table of [LANE_STATES, USE_STATES, AGENCY_LANE_STATES]) {
      for (const s of Object.values(table)) {
        expect(s.label.length).toBeGreaterThan(0);
        expect(["ok", "warn", "danger", "info", "muted"]).toContain(s.tone);
      }
    }
  });
});
