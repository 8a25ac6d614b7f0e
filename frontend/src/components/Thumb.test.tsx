import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it, vi } from "vitest";

import { HoverScrubThumb } from "./Thumb";

// The API client reads window.location at import; these tests run in Node (no DOM) and fetch nothing.
vi.hoisted(() => {
  (globalThis as { window?: unknown }).window ??= { location: { origin: "http://greenlight.test" } };
});

function render(props: Partial<Parameters<typeof HoverScrubThumb>[0]>): string {
  return renderToStaticMarkup(
    <QueryClientProvider client={new QueryClient()}>
      <HoverScrubThumb versionId="v1" poster="/api/v1/versions/v1/media/thumb/" label="SQ_010 v001" {...props} />
    </QueryClientProvider>,
  );
}

describe("HoverScrubThumb", () => {
  it("shows the picture, loaded lazily and decoded off the main thread", () => {
    const html = render({});
    expect(html).toContain('src="/api/v1/versions/v1/media/thumb/"');
    expect(html).toContain('loading="lazy"');
    expect(html).toContain('decoding="async"');
    expect(html).not.toContain("thumb-pending");
  });

  it("while its list is scrolled, asks for no picture it has not loaded yet (a labelled placeholder instead)", () => {
    const html = render({ defer: true });
    expect(html).not.toContain("<img");
    expect(html).toContain('data-testid="thumb-pending"');
    expect(html).toContain('aria-label="SQ_010 v001"');
  });

  it("says when there is no picture at all, scrolling or not", () => {
    for (const defer of [false, true]) {
      const html = render({ poster: null, defer });
      expect(html).toContain("no media");
      expect(html).not.toContain("<img");
    }
  });
});
