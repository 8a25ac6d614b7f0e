/**
 * Errors from the API. Every error response has one body: `{error, detail, fields?}` (see
 * studio/exceptions.py); `fields` maps an input name to its messages. The body is parsed at run
 * time and checked, so a proxy's HTML error page or a dropped connection still shows a clear message.
 */

export type FieldErrors = Record<string, string[]>;

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly detail: string;
  readonly fields: FieldErrors;
  /** Extra members of the body (e.g. the policy's `reasons` when a render is refused). */
  readonly body: Record<string, unknown>;

  constructor(status: number, code: string, detail: string, fields: FieldErrors = {}, body: Record<string, unknown> = {}) {
    super(detail);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.detail = detail;
    this.fields = fields;
    this.body = body;
  }

  /** Messages for one input (for showing next to the field). */
  field(name: string): string | undefined {
    return this.fields[name]?.join(" ");
  }

  static fromResponse(status: number, body: unknown, statusText = ""): ApiError {
    if (typeof body === "object" && body !== null && !Array.isArray(body)) {
      const b = body as Record<string, unknown>;
      const code = typeof b.error === "string" ? b.error : `http_${status}`;
      const detail = typeof b.detail === "string" ? b.detail : fallbackDetail(status, statusText);
      return new ApiError(status, code, detail, flattenFields(b.fields), b);
    }
    return new ApiError(status, `http_${status}`, fallbackDetail(status, statusText));
  }

  static network(cause: unknown): ApiError {
    const reason = cause instanceof Error ? cause.message : String(cause);
    return new ApiError(0, "network", `Could not reach Greenlight (${reason}). Check your connection and try again.`);
  }
}

function flattenFields(value: unknown, prefix = ""): FieldErrors {
  const out: FieldErrors = {};
  if (typeof value !== "object" || value === null) return out;
  for (const [key, messages] of Object.entries(value as Record<string, unknown>)) {
    const name = prefix ? `${prefix}.${key}` : key;
    if (Array.isArray(messages)) {
      const strings = messages.filter((m): m is string => typeof m === "string");
      if (strings.length) out[name] = strings;
      messages.forEach((m, i) => {
        if (typeof m === "object" && m !== null) Object.assign(out, flattenFields(m, `${name}[${i}]`));
      });
    } else if (typeof messages === "string") {
      out[name] = [messages];
    } else if (typeof messages === "object" && messages !== null) {
      Object.assign(out, flattenFields(messages, name));
    }
  }
  return out;
}

function fallbackDetail(status: number, statusText: string): string {
  if (status === 404) return "Not found. It may have been removed, or you may not have access to it.";
  if (status === 403) return "You do not have permission to do that.";
  if (status === 401) return "Your session has ended. Sign in again.";
  if (status === 413) return "The file is too large.";
  if (status === 429) return "Too many attempts. Wait a moment and try again.";
  if (status >= 500) return `The server had a problem (${status}${statusText ? ` ${statusText}` : ""}). Try again in a moment.`;
  return `The request failed (${status}${statusText ? ` ${statusText}` : ""}).`;
}

export function asApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  return ApiError.network(error);
}
