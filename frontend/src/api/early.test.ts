import { afterEach, describe, expect, it, vi } from "vitest";

import indexHtml from "../../index.html?raw";
import { EARLY_MAX_AGE_MS, takeEarly, type EarlyRead } from "./early";

const ORIGIN = "http://greenlight.test";
const PROJECT = "0f6c3b52-6f7e-4b8a-9d3c-2a1e5f4d7c90";

// The API client reads window.location at import; these tests run in Node (no DOM).
vi.hoisted(() => {
  (globalThis as { window?: unknown }).window ??= { location: { origin: "http://greenlight.test" } };
});

/** Runs index.html's inline script as the browser would on `path`, with `fetch` answering `answer`. */
function runIndexScript(path: string, answer: (url: string) => Response): Record<string, EarlyRead> {
  const script = /<script>([\s\S]*?)<\/script>/.exec(indexHtml)![1]!;
  const url = new URL(path, ORIGIN);
  const win = globalThis.window as unknown as Record<string, unknown>;
  const fetchStub = (u: string) => Promise.resolve(answer(u));
  Object.assign(win, { fetch: fetchStub, URL, URLSearchParams, performance });
  // eslint-disable-next-line @typescript-eslint/no-implied-eval, @typescript-eslint/no-unsafe-call -- index.html's inline script, run as the browser runs it
  new Function("window", "location", "fetch", script)(win, { origin: ORIGIN, pathname: url.pathname, search: url.search }, fetchStub);
  return (win as unknown as Window).__early!;
}

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });

afterEach(() => {
  vi.unstubAllGlobals();
  delete (globalThis.window as Window).__early;
});

describe("early reads", () => {
  it("are taken once, for a GET of the same URL, while fresh", () => {
    const response = Promise.resolve(json({}));
    const store = { [`${ORIGIN}/api/v1/me/`]: { at: 0, response } };
    expect(takeEarly(new Request(`${ORIGIN}/api/v1/me/`, { method: "POST" }), store, 1)).toBeNull();
    expect(takeEarly(new Request(`${ORIGIN}/api/v1/me/?x=1`), store, 1)).toBeNull();
    expect(takeEarly(new Request(`${ORIGIN}/api/v1/me/`), store, 1)).toBe(response);
    expect(takeEarly(new Request(`${ORIGIN}/api/v1/me/`), store, 2)).toBeNull();
    const stale = { [`${ORIGIN}/api/v1/me/`]: { at: 0, response } };
    expect(takeEarly(new Request(`${ORIGIN}/api/v1/me/`), stale, EARLY_MAX_AGE_MS + 1)).toBeNull();
  });

  it("index.html asks for the session everywhere, and on a shot list for its project and its shots", () => {
    expect(Object.keys(runIndexScript("/projects", () => json({})))).toEqual([`${ORIGIN}/api/v1/me/`]);
    const asked = Object.keys(runIndexScript(`/projects/${PROJECT}?status=review&q=a%20b%26c&ordering=-code`, () => json({})));
    expect(asked).toEqual([
      `${ORIGIN}/api/v1/me/`,
      `${ORIGIN}/api/v1/projects/${PROJECT}/`,
      `${ORIGIN}/api/v1/projects/${PROJECT}/shots/?status=review&q=a%20b%26c&ordering=-code&page_size=all`,
    ]);
  });

  it("the shot list's query takes the shots index.html asked for, and asks the network for nothing", async () => {
    runIndexScript(`/projects/${PROJECT}?ordering=-code&q=a%20b%26c`, (url) => json({ count: 1, results: [], early: url }));
    const network = vi.fn(() => Promise.resolve(json({ count: 0, results: [] })));
    vi.stubGlobal("fetch", network);
    const { shotsQuery, shotFiltersFrom } = await import("../queries/projects");
    const query = shotsQuery(PROJECT, shotFiltersFrom(new URLSearchParams("ordering=-code&q=a%20b%26c")));
    const page = (await query.queryFn!({} as never)) as unknown as { early?: string };
    expect(page.early).toBe(`${ORIGIN}/api/v1/projects/${PROJECT}/shots/?q=a%20b%26c&ordering=-code&page_size=all`);
    expect(network).not.toHaveBeenCalled();
  });

  it("a refused early read (signed out) is asked again on the network", async () => {
    runIndexScript(`/projects/${PROJECT}`, () => json({ error: "not_authenticated", detail: "Sign in." }, 401));
    const network = vi.fn(() => Promise.resolve(json({ id: PROJECT })));
    vi.stubGlobal("fetch", network);
    const { fetchWithEarlyReads } = await import("./early");
    const response = await fetchWithEarlyReads(new Request(`${ORIGIN}/api/v1/projects/${PROJECT}/`));
    expect(response.status).toBe(200);
    expect(network).toHaveBeenCalledOnce();
  });
});
