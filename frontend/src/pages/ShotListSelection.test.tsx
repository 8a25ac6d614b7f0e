import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { renderToStaticMarkup } from "react-dom/server";
import { MemoryRouter } from "react-router";
import { describe, expect, it, vi } from "vitest";

import type { Project, Shot } from "../api/types";
import { shotListItems } from "../lib/shotList";
import { ShotRows } from "./ShotList";

vi.hoisted(() => {
  (globalThis as { window?: unknown }).window ??= { location: { origin: "http://greenlight.test" } };
});

const project = { id: "p1", my_role: "producer" } as unknown as Project;
const shots = ["MR_010_0010", "MR_010_0020", "MR_010_0030"].map((code, i) => ({
  id: `shot-${i}`, code, sequence: null, status: "review", description: "", current_version: null, version_count: 0,
  frame_in: 1001, frame_out: 1048, duration: 48, assignees: [], open_notes: 0, retake_count: 0, updated_at: "2026-12-01T10:00:00Z", thumbnail: null,
})) as unknown as Shot[];

function render(selected?: Set<string>): string {
  const selection = selected ? { selected, toggle: () => undefined, clear: () => undefined } : undefined;
  return renderToStaticMarkup(
    <QueryClientProvider client={new QueryClient()}>
      <MemoryRouter>
        <table>
          <ShotRows items={shotListItems(shots, false)} project={project} canEdit selection={selection} />
        </table>
      </MemoryRouter>
    </QueryClientProvider>,
  );
}

describe("shot list selection (for playlists)", () => {
  it("puts a labelled box on each row, ticked for the selected shots", () => {
    const html = render(new Set(["shot-1"]));
    expect(html.match(/data-testid="shot-select"/g)).toHaveLength(3);
    const box = (code: string) => html.match(new RegExp(`<input type="checkbox" aria-label="Select ${code}"[^>]*>`))?.[0] ?? "";
    expect(box("MR_010_0020")).toContain('checked=""');
    expect(box("MR_010_0010")).not.toContain("checked");
    expect(box("MR_010_0010")).not.toBe("");
  });

  it("has no boxes without a selection (people who cannot build playlists)", () => {
    expect(render()).not.toContain("shot-select");
  });
});
