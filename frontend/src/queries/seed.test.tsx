import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it, vi } from "vitest";

import type { Shot } from "../api/types";
import { keys } from "./keys";
import { useShot } from "./projects";
import { useVersion } from "./versions";

// The API client reads window.location at import; these tests run in Node (no DOM) and fetch nothing.
vi.hoisted(() => {
  (globalThis as { window?: unknown }).window ??= { location: { origin: "http://greenlight.test" } };
});

const row = { id: "s1", code: "MR_010_0040", version_count: 2, prompt_notes: "dusk" } as unknown as Shot;

function ShotProbe({ id }: { id: string }) {
  const shot = useShot(id);
  return <p>{shot.data ? `${shot.data.code}|${shot.isPlaceholderData ? "from the list" : "detail"}|${shot.data.versions.length}` : "pending"}</p>;
}

function VersionProbe({ id }: { id: string }) {
  const version = useVersion(id);
  return <p>{version.data ? `${version.data.id}|${version.isStale ? "stale" : "fresh"}` : "pending"}</p>;
}

const html = (client: QueryClient, node: React.ReactNode) => renderToStaticMarkup(<QueryClientProvider client={client}>{node}</QueryClientProvider>);

describe("pages start from what the previous page loaded", () => {
  it("the shot page starts from the shot list's row, without versions, until the detail arrives", () => {
    const client = new QueryClient({ defaultOptions: { queries: { staleTime: 15_000 } } });
    client.setQueryData(keys.shots.list("p1", {}), { count: 1, results: [row] });
    expect(html(client, <ShotProbe id="s1" />)).toContain("MR_010_0040|from the list|0");
    expect(html(client, <ShotProbe id="other" />)).toContain("pending");

    client.setQueryData(keys.shot.one("s1"), { ...row, versions: [{ id: "v1" }, { id: "v2" }] });
    expect(html(client, <ShotProbe id="s1" />)).toContain("MR_010_0040|detail|2");
  });

  it("the review page starts from the version in the cached shot, as fresh as the shot", () => {
    const client = new QueryClient({ defaultOptions: { queries: { staleTime: 15_000 } } });
    client.setQueryData(keys.shot.one("s1"), { ...row, versions: [{ id: "v1" }] });
    expect(html(client, <VersionProbe id="v1" />)).toContain("v1|fresh");
    expect(html(client, <VersionProbe id="v9" />)).toContain("pending");
  });
});
