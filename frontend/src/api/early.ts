/**
 * Early reads (docs/PERFORMANCE.md, "Browser"): index.html's inline script starts the opening page's
 * API requests (`/api/v1/me/`; on a shot list its project and its shots, as `shotsQuery` asks for
 * them) while the app's code downloads, instead of after it has loaded and the session check has
 * answered. The API client then takes a GET whose URL one of them asked for: once, only while it is
 * fresh (`EARLY_MAX_AGE_MS` after it started) and only when it was answered with a 2xx; anything else
 * goes to the network as usual.
 */
export interface EarlyRead {
  at: number;
  response: Promise<Response>;
}

declare global {
  interface Window {
    __early?: Record<string, EarlyRead>;
  }
}

export const EARLY_MAX_AGE_MS = 10_000;

/** The early read started for `request`'s URL, taken out of `store` (null: none, not a GET, or too old). */
export function takeEarly(request: Request, store: Record<string, EarlyRead> | undefined, now: number): Promise<Response> | null {
  if (!store || request.method !== "GET") return null;
  const key = new URL(request.url).href;
  const early = store[key];
  if (!early) return null;
  delete store[key];
  return now - early.at <= EARLY_MAX_AGE_MS ? early.response : null;
}

/** `fetch` for the API client: an early read's response when there is a usable one, else the network. */
export function fetchWithEarlyReads(request: Request, init?: RequestInit): Promise<Response> {
  const early = takeEarly(request, window.__early, performance.now());
  if (!early) return fetch(request, init);
  return early.then(
    (response) => (response.ok ? response : fetch(request, init)),
    () => fetch(request, init),
  );
}
