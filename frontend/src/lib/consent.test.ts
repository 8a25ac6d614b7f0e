import { describe, expect, it } from "vitest";

import type { ConsentGrant } from "../api/types";
import { castCoverage, coveringGrants, listNames } from "./consent";

const STUDIO = "studio-northlight";
const MOONRISE = "project-moonrise";
const OTHER = "project-other";
const CRESCENT = "agency-crescent";

function grant(partial: Partial<ConsentGrant> & { talentId: string }): ConsentGrant {
  const { talentId, ...rest } = partial;
  return {
    covers_now: true,
    studio: { id: STUDIO, name: "Northlight" },
    project: { id: MOONRISE, code: "MR", name: "Moonrise" },
    talent: { id: talentId, name: talentId, agency: { id: CRESCENT, name: "Crescent Talent" } },
    use_types: ["digital_replica"],
    requires_per_use_approval: false,
    ...rest,
  } as ConsentGrant;
}

const AVA = { id: "ava", name: "Ava Reyes" };
const LEO = { id: "leo", name: "Leo Park" };
const HERE = { studio: STUDIO, project: MOONRISE };

describe("coveringGrants", () => {
  it("keeps active grants for this project or for every project of this studio", () => {
    const grants = [
      grant({ talentId: "a" }),
      grant({ talentId: "b", project: null }),
      grant({ talentId: "c", project: { id: OTHER, code: "OT", name: "Other" } }),
      grant({ talentId: "d", studio: { id: "studio-harbor", name: "Harbor" }, project: null }),
      grant({ talentId: "e", covers_now: false }),
    ];
    expect(coveringGrants(grants, HERE).map((g) => g.talent.id)).toEqual(["a", "b"]);
  });
});

describe("castCoverage", () => {
  it("names the cast whose grants lack the use type", () => {
    const grants = [grant({ talentId: "ava", use_types: ["digital_replica"] }), grant({ talentId: "leo", use_types: ["digital_alteration"] })];
    expect(castCoverage(grants, [AVA, LEO], "digital_replica", HERE)).toEqual({ missing: ["Leo Park"], needsReview: [] });
    expect(castCoverage(grants, [AVA, LEO], "digital_alteration", HERE)).toEqual({ missing: ["Ava Reyes"], needsReview: [] });
    expect(castCoverage(grants, [AVA], "name_or_likeness_in_prompt", HERE).missing).toEqual(["Ava Reyes"]);
  });

  it("ignores grants of another project, studio, or that do not cover now", () => {
    const grants = [
      grant({ talentId: "ava", project: { id: OTHER, code: "OT", name: "Other" } }),
      grant({ talentId: "ava", studio: { id: "studio-harbor", name: "Harbor" } }),
      grant({ talentId: "ava", covers_now: false }),
    ];
    expect(castCoverage(grants, [AVA], "digital_replica", HERE).missing).toEqual(["Ava Reyes"]);
  });

  it("says which uses will wait for the agency, following the grant the policy relies on", () => {
    // A project grant wins over a studio-wide one: its per-use approval applies.
    const projectFirst = [grant({ talentId: "ava", project: null }), grant({ talentId: "ava", requires_per_use_approval: true })];
    expect(castCoverage(projectFirst, [AVA], "digital_replica", HERE)).toEqual({ missing: [], needsReview: ["Ava Reyes"] });
    // Between equals, the stricter grant is relied on.
    const equals = [grant({ talentId: "ava" }), grant({ talentId: "ava", requires_per_use_approval: true })];
    expect(castCoverage(equals, [AVA], "digital_replica", HERE).needsReview).toEqual(["Ava Reyes"]);
    // A studio-wide grant needing review loses to a project grant that does not.
    const studioWideStrict = [grant({ talentId: "ava", project: null, requires_per_use_approval: true }), grant({ talentId: "ava" })];
    expect(castCoverage(studioWideStrict, [AVA], "digital_replica", HERE)).toEqual({ missing: [], needsReview: [] });
  });

  it("has nothing to say about an empty cast", () => {
    expect(castCoverage([], [], "digital_replica", HERE)).toEqual({ missing: [], needsReview: [] });
  });
});

describe("listNames", () => {
  it("joins names the way a sentence does", () => {
    expect(listNames([])).toBe("");
    expect(listNames(["Ava Reyes"])).toBe("Ava Reyes");
    expect(listNames(["Ava Reyes", "Leo Park"])).toBe("Ava Reyes and Leo Park");
    expect(listNames(["A", "B", "A", "C"])).toBe("A, B and C");
  });
});
