import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";

import type { ModelProfile } from "../api/types";
import { ExamplePrompts } from "./ExamplePrompts";

function model(card: ModelProfile["card"]): ModelProfile {
  return { name: "shapes-t2v-demo", display_name: "Shapes", card } as ModelProfile;
}

describe("ExamplePrompts", () => {
  it("offers the card's example prompts as buttons and lists the vocabulary", () => {
    const html = renderToStaticMarkup(
      <ExamplePrompts
        model={model({
          vocabulary: { shapes: ["circle", "square", "triangle"], colours: ["red", "blue"] },
          example_prompts: ["a red circle moving left on a blue background"],
          notes: "Words outside the vocabulary give arbitrary output.",
        })}
        onPick={() => undefined}
      />,
    );
    expect(html).toContain('data-testid="example-prompt"');
    expect(html).toContain(">a red circle moving left on a blue background</button>");
    expect(html).toContain("<dt>shapes</dt><dd>circle, square, triangle</dd>");
    expect(html).toContain("Words outside the vocabulary");
  });

  it("shows nothing for a model whose card is empty", () => {
    expect(renderToStaticMarkup(<ExamplePrompts model={model({ vocabulary: {}, example_prompts: [], notes: "" })} onPick={() => undefined} />)).toBe("");
    expect(renderToStaticMarkup(<ExamplePrompts model={undefined} onPick={() => undefined} />)).toBe("");
  });
});
