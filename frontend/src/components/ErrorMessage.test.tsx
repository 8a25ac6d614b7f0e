import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";

import { ApiError } from "../api/errors";
import { dragRange } from "../player/Timeline";
import { ErrorMessage } from "./feedback";

describe("ErrorMessage", () => {
  it("says a field's message once when the detail already says it", () => {
    const message = "Frame 1200 is after the last frame of v002 (1048).";
    const html = renderToStaticMarkup(<ErrorMessage error={new ApiError(400, "invalid", message, { frame: [message] })} />);
    expect(html.split(message).length - 1).toBe(1);
    expect(html).not.toContain("<code>frame</code>");
  });

  it("still lists a field message the detail does not carry", () => {
    const html = renderToStaticMarkup(
      <ErrorMessage error={new ApiError(400, "invalid", "Check the highlighted fields.", { body: ["Write a note or draw on the frame."] })} />,
    );
    expect(html).toContain("<code>body</code>: Write a note or draw on the frame.");
  });
});

describe("dragRange", () => {
  it("orders a drag's ends whichever way it went", () => {
    expect(dragRange(10, 40)).toEqual([10, 40]);
    expect(dragRange(40, 10)).toEqual([10, 40]);
    expect(dragRange(7, 7)).toEqual([7, 7]);
  });
});
