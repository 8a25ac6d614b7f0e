import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";

import type { AllowedAction } from "../api/types";
import { findAction, isOffered, isTheirs, reasonOf } from "../lib/actions";
import { ActionButton, ActionHint } from "./ActionButton";

const PROCESSING = "v001 is still processing; approve it once its review proxy is ready.";
const NOT_YOURS = "The Talent agency lane is decided by Crescent Talent, the agency that represents the talent.";

const actions: AllowedAction[] = [
  { action: "approve", lane: "producer", allowed: false, code: "blocked", reason: PROCESSING },
  { action: "request_changes", lane: "producer", allowed: true, code: "", reason: "" },
  { action: "approve", lane: "agency", allowed: false, code: "not_permitted", reason: NOT_YOURS },
  { action: "revoke", lane: null, allowed: false, code: "not_applicable", reason: "This grant is revoked; only a pending or active or suspended grant can be revoked." },
];

function render(action: AllowedAction | undefined, extra: { busy?: boolean; disabledReason?: string } = {}): string {
  return renderToStaticMarkup(
    <ActionButton action={action} onClick={() => undefined} className="primary small" {...extra}>
      Approve
    </ActionButton>,
  );
}

describe("ActionButton", () => {
  it("renders a blocked action disabled, with the API's reason as its tooltip and beside it", () => {
    const html = render(findAction(actions, "approve", "producer"));
    expect(html).toMatch(/<button[^>]* disabled=""/);
    expect(html).toContain(`title="${PROCESSING}"`);
    expect(html).toContain('data-testid="action-reason"');
    expect(html).toContain(`>${PROCESSING}</span>`);
    // The reason is the button's description for assistive technology.
    const described = /aria-describedby="([^"]+)"/.exec(html)?.[1];
    expect(described).toBeTruthy();
    expect(html).toContain(`id="${described}"`);
  });

  it("renders an allowed action as a working button with no reason", () => {
    const html = render(findAction(actions, "request_changes", "producer"));
    expect(html).not.toContain("disabled");
    expect(html).not.toContain("action-reason");
    expect(html).toContain('data-allowed="true"');
  });

  it("holds an allowed action back for a reason of the screen's own, and while busy", () => {
    expect(render(findAction(actions, "request_changes", "producer"), { disabledReason: "Write a note first." })).toMatch(
      /disabled="" title="Write a note first."/,
    );
    expect(render(findAction(actions, "request_changes", "producer"), { busy: true })).toContain('disabled=""');
  });

  it("renders nothing for an action that is not the person's or no step from here, or that the API did not list", () => {
    expect(render(findAction(actions, "approve", "agency"))).toBe("");
    expect(render(findAction(actions, "revoke"))).toBe("");
    expect(render(findAction(actions, "approve", "client"))).toBe("");
  });
});

describe("ActionHint", () => {
  it("explains missing buttons in the API's words", () => {
    const html = renderToStaticMarkup(<ActionHint action={findAction(actions, "approve", "agency")} testId="lane-hint-agency" />);
    expect(html).toContain(NOT_YOURS);
    expect(html).toContain('data-code="not_permitted"');
    expect(renderToStaticMarkup(<ActionHint action={findAction(actions, "request_changes", "producer")} />)).toBe("");
  });
});

describe("reading allowed_actions", () => {
  it("finds an action by name and lane, and says whether it is offered and whose it is", () => {
    expect(findAction(actions, "approve", "producer")?.code).toBe("blocked");
    expect(findAction(actions, "approve")).toBeUndefined();
    expect(isOffered(findAction(actions, "approve", "producer"))).toBe(true);
    expect(isOffered(findAction(actions, "approve", "agency"))).toBe(false);
    expect(isTheirs(findAction(actions, "approve", "producer"))).toBe(true);
    expect(isTheirs(findAction(actions, "approve", "agency"))).toBe(false);
    expect(reasonOf(findAction(actions, "request_changes", "producer"))).toBe("");
    expect(reasonOf(findAction(actions, "approve", "agency"))).toBe(NOT_YOURS);
  });
});
