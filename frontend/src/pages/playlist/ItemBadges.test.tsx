import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";

import type { Playlist } from "../../api/types";
import { ItemBadges } from "./ItemBadges";

type Item = Playlist["items"][number];

function item(extra: Partial<Item>, approval = "pending"): Item {
  return {
    id: "i1",
    order: 0,
    shot: { id: "s1", code: "MR_010_0010" },
    version: { id: "v1", label: "v001", approval_status: approval },
    note: "",
    likeness: "clear",
    likeness_use: null,
    quarantined: false,
    ...extra,
  } as Item;
}

describe("ItemBadges (playlist items use the shared consent badges)", () => {
  it("shows the approval state and nothing more for a version without consent to speak of", () => {
    const html = renderToStaticMarkup(<ItemBadges item={item({}, "approved")} />);
    expect(html).toContain("Approved");
    expect(html).not.toContain("consent-badges");
  });

  it("shows the likeness use, held and quarantined as the shot list and player do", () => {
    const pending = renderToStaticMarkup(<ItemBadges item={item({ likeness_use: "pending_review" })} />);
    expect(pending).toContain('data-testid="badge-likeness"');
    expect(pending).toContain('data-state="pending_review"');
    const held = renderToStaticMarkup(<ItemBadges item={item({ likeness: "held" })} />);
    expect(held).toContain('data-testid="badge-held"');
    const quarantined = renderToStaticMarkup(<ItemBadges item={item({ quarantined: true, likeness_use: "invalidated" })} />);
    expect(quarantined).toContain('data-testid="badge-quarantined"');
    expect(quarantined).not.toContain('data-testid="badge-likeness"'); // said once
  });
});
