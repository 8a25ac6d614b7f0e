import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";

import { ConsentBadges } from "./ConsentBadges";

describe("ConsentBadges", () => {
  it("says nothing when there is nothing to say", () => {
    expect(renderToStaticMarkup(<ConsentBadges likeness={null} held={false} quarantined={false} />)).toBe("");
  });

  it("names the likeness use in the one vocabulary, with why in its title and accessible text", () => {
    const html = renderToStaticMarkup(<ConsentBadges likeness="pending_review" />);
    expect(html).toContain('data-testid="badge-likeness"');
    expect(html).toContain('data-state="pending_review"');
    expect(html).toContain(">Awaiting agency review<");
    expect(html).toMatch(/title="Likeness use awaiting the talent agency&#x27;s review/);
    expect(html).toContain('class="visually-hidden"');
  });

  it("shows held and quarantined with the API's reason, and a quarantined use only once", () => {
    const html = renderToStaticMarkup(<ConsentBadges likeness="invalidated" held quarantined quarantineReason="Grant revoked on 3 March." heldReason="Nia Castell, no grant." />);
    expect(html).toContain('data-testid="badge-quarantined"');
    expect(html).toContain("Quarantined: Grant revoked on 3 March.");
    expect(html).toContain("Held by the likeness scan: Nia Castell, no grant.");
    expect(html).not.toContain('data-testid="badge-likeness"');
  });
});
