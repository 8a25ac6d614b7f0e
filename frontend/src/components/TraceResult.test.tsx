import { renderToStaticMarkup } from "react-dom/server";
import { MemoryRouter } from "react-router";
import { describe, expect, it } from "vitest";

import type { TraceResult } from "../api/types";
import { TraceResultPanel } from "../components/TraceResult";

const found: TraceResult = {
  found: true,
  kind: "still",
  frames: 1,
  confidence: 4.53,
  bit_errors: 1,
  scale: 0.5,
  mark: {
    id: "5b9e3c9a-3f0e-4c55-9d59-8f5cf1f0e001",
    audience: "client",
    status: "ready",
    created_at: "2026-12-02T10:00:00Z",
    ready_at: "2026-12-02T10:01:00Z",
    viewer: { id: "5b9e3c9a-3f0e-4c55-9d59-8f5cf1f0e002", email: "client@example.test", name: "Casey Client" },
    version: {
      id: "5b9e3c9a-3f0e-4c55-9d59-8f5cf1f0e003",
      label: "v003",
      shot: "5b9e3c9a-3f0e-4c55-9d59-8f5cf1f0e004",
      shot_code: "MR_010_0040",
      project: "5b9e3c9a-3f0e-4c55-9d59-8f5cf1f0e005",
      project_code: "MR",
    },
  },
};

function render(result: TraceResult): string {
  return renderToStaticMarkup(
    <MemoryRouter>
      <TraceResultPanel name="leak.png" result={result} />
    </MemoryRouter>,
  );
}

describe("Trace a frame", () => {
  it("names the viewer and links the version when a mark is found", () => {
    const html = render(found);
    expect(html).toContain('data-found="true"');
    expect(html).toContain("Casey Client");
    expect(html).toContain("client@example.test");
    expect(html).toContain("MR · MR_010_0040 · v003");
    expect(html).toContain("1 bit errors corrected, scale 0.5");
  });

  it("says no mark was found, without naming anyone", () => {
    const html = render({ ...found, found: false, mark: null, confidence: 1.7 });
    expect(html).toContain('data-found="false"');
    expect(html).toContain("No watermark of your studio was found");
    expect(html).not.toContain("client@example.test");
  });
});
