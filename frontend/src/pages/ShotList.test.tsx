import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { renderToStaticMarkup } from "react-dom/server";
import { MemoryRouter } from "react-router";
import { describe, expect, it, vi } from "vitest";

import type { Project, Shot } from "../api/types";
import { shotListItems } from "../lib/shotList";
import { ShotRows } from "./ShotList";

// The API client reads window.location at import; these tests run in Node (no DOM) and fetch nothing.
vi.hoisted(() => {
  (globalThis as { window?: unknown }).window ??= { location: { origin: "http://greenlight.test" } };
});

const project = { id: "p1", my_role: "producer" } as unknown as Project;

function shots(count: number): Shot[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `shot-${i}`,
    code: `SQ_${String(Math.floor(i / 100)).padStart(3, "0")}_${String(i % 100).padStart(4, "0")}`,
    sequence: { id: `seq-${Math.floor(i / 100)}`, code: `SQ_${Math.floor(i / 100)}` },
    status: "in_progress",
    description: "",
    current_version: null,
    version_count: 0,
    frame_in: 1001,
    frame_out: 1048,
    duration: 48,
    assignees: [],
    open_notes: 0,
    retake_count: 0,
    updated_at: "2026-12-01T10:00:00Z",
    thumbnail: null,
  })) as unknown as Shot[];
}

function render(count: number): string {
  const client = new QueryClient();
  return renderToStaticMarkup(
    <QueryClientProvider client={client}>
      <MemoryRouter>
        <table>
          <ShotRows items={shotListItems(shots(count), true)} project={project} canEdit />
        </table>
      </MemoryRouter>
    </QueryClientProvider>,
  );
}

const rowsIn = (html: string) => html.match(/data-testid="shot-row"/g)?.length ?? 0;

describe("the shot list's rows", () => {
  it("renders a short list whole, with its sequence headers and the e2e tests' selectors", () => {
    const html = render(15);
    expect(rowsIn(html)).toBe(15);
    expect(html).toContain('data-shot="SQ_000_0003"');
    expect(html).toContain('class="shot-code"');
    expect(html).toContain('class="group"');
    expect(html).not.toContain('class="gap"');
  });

  it("renders a 2,000-shot list as its first rows and one spacer for the rest", () => {
    const html = render(2000);
    const rows = rowsIn(html);
    expect(rows).toBeGreaterThan(10);
    expect(rows).toBeLessThan(40);
    const gaps = [...html.matchAll(/class="gap"[^>]*style="height:([\d.]+)px"/g)].map((m) => Number(m[1]));
    expect(gaps).toHaveLength(1);
    // 2,020 rows (20 headers) in all: the spacer stands for the ones not rendered.
    expect(gaps[0]).toBeGreaterThan(1900 * 74);
  });
});
