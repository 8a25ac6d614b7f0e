/**
 * The typed API client. Paths, parameters and bodies come from `generated/schema.ts`, which
 * `scripts/gen-api.mjs` generates from Django's OpenAPI schema — nothing here restates a shape.
 *
 * Session auth on one origin: cookies go with every request, and unsafe methods send the CSRF token
 * from Django's `csrftoken` cookie as `X-CSRFToken` (fetched from /api/v1/auth/csrf/ when absent).
 */
import createClient, { type Middleware } from "openapi-fetch";

import { fetchWithEarlyReads } from "./early";
import { ApiError } from "./errors";
import type { paths } from "./generated/schema";

const SAFE = new Set(["GET", "HEAD", "OPTIONS", "TRACE"]);

export function readCookie(name: string): string | null {
  for (const part of document.cookie.split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) return decodeURIComponent(rest.join("="));
  }
  return null;
}

let csrfPending: Promise<void> | null = null;

/** Makes sure the CSRF cookie exists (after sign-out Django rotates it; the app shell also sets it). */
export async function ensureCsrf(): Promise<string> {
  let token = readCookie("csrftoken");
  if (!token) {
    csrfPending ??= fetch("/api/v1/auth/csrf/", { credentials: "same-origin" }).then(() => undefined);
    try {
      await csrfPending;
    } finally {
      csrfPending = null;
    }
    token = readCookie("csrftoken");
  }
  return token ?? "";
}

const csrf: Middleware = {
  async onRequest({ request }) {
    if (!SAFE.has(request.method.toUpperCase())) {
      request.headers.set("X-CSRFToken", await ensureCsrf());
    }
    return request;
  },
};

/** Listeners told when any request answers 401 (the session ended): the app shows sign-in. */
const unauthenticatedListeners = new Set<() => void>();
export function onUnauthenticated(listener: () => void): () => void {
  unauthenticatedListeners.add(listener);
  return () => unauthenticatedListeners.delete(listener);
}

const session: Middleware = {
  onResponse({ response, request }) {
    if (response.status === 401 && !new URL(request.url).pathname.startsWith("/api/v1/auth/")) {
      unauthenticatedListeners.forEach((l) => l());
    }
    return response;
  },
};

export const api = createClient<paths>({ baseUrl: window.location.origin, credentials: "same-origin", fetch: fetchWithEarlyReads });
api.use(csrf, session);

interface FetchResult<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/**
 * Awaits an openapi-fetch call and returns its data, or throws an ApiError built from the API's
 * `{error, detail, fields}` body. `204 No Content` resolves to undefined.
 */
export async function call<T>(request: Promise<FetchResult<T>>): Promise<T> {
  let result: FetchResult<T>;
  try {
    result = await request;
  } catch (cause) {
    throw ApiError.network(cause);
  }
  const { data, error, response } = result;
  if (!response.ok || error !== undefined) throw ApiError.fromResponse(response.status, error, response.statusText);
  return data as T;
}
