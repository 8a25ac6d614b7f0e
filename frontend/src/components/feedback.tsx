import { useEffect, useRef, type ReactNode } from "react";

import { asApiError, type ApiError } from "../api/errors";

/** Renders an API error: its `detail`, and the per-field messages it carries. */
export function ErrorMessage({ error, title }: { error: unknown; title?: string }) {
  if (error === null || error === undefined) return null;
  const e: ApiError = asApiError(error);
  // A field message that the detail already says is not listed again (each message appears once).
  const fields = Object.entries(e.fields).filter(([name, messages]) => name !== "non_field_errors" && !messages.every((m) => e.detail.includes(m)));
  const general = e.fields.non_field_errors ?? [];
  const reasons = (Array.isArray(e.body.reasons) ? (e.body.reasons as unknown[]) : []).concat(Array.isArray(e.body.reviews) ? (e.body.reviews as unknown[]) : []);
  // The policy's detail repeats its reasons; list them once, under the detail's first sentence.
  const repeated = reasons.length > 0 && reasons.every((r) => e.detail.includes(describeReason(r)));
  const detail = repeated && e.detail.includes(":") ? `${e.detail.slice(0, e.detail.indexOf(":"))}:` : e.detail;
  return (
    <div className="alert" role="alert" data-error-code={e.code}>
      <div>
        <strong>{CONSENT_HEADLINES[e.code] ?? title ?? headline(e)}</strong>
        <div>{detail}</div>
        {(general.length > 0 || fields.length > 0 || reasons.length > 0) && (
          <ul>
            {general.filter((m) => m !== e.detail && !e.detail.endsWith(m)).map((m) => (
              <li key={m}>{m}</li>
            ))}
            {fields.map(([name, messages]) => (
              <li key={name}>
                <code>{name}</code>: {messages.join(" ")}
              </li>
            ))}
            {reasons.map((reason, i) => (
              <li key={i}>{describeReason(reason)}</li>
            ))}
          </ul>
        )}
      </div>
    </div>
  );
}

/** The consent policy's refusals (403 with reasons, see docs/RIGHTS.md) say so whatever was attempted. */
const CONSENT_HEADLINES: Partial<Record<string, string>> = {
  consent_denied: "Refused by the consent policy",
  agency_review_pending: "Waiting for the talent agency's approval",
};

function headline(e: ApiError): string {
  switch (e.status) {
    case 0:
      return "Connection problem";
    case 400:
      return "Please check the input";
    case 401:
      return "Signed out";
    case 403:
      return "Not allowed";
    case 404:
      return "Not found";
    case 409:
      return "Conflict";
    case 429:
      return "Slow down";
    default:
      return e.status >= 500 ? "Server error" : "Request failed";
  }
}

/** A policy reason is either text or an object naming the talent and what is missing. */
export function describeReason(reason: unknown): string {
  if (typeof reason === "string") return reason;
  if (typeof reason === "object" && reason !== null) {
    const r = reason as Record<string, unknown>;
    const text = [r.detail, r.message, r.reason].find((v): v is string => typeof v === "string");
    const who = [r.talent_name, r.talent].find((v): v is string => typeof v === "string");
    if (text && who && !text.includes(who)) return `${who}: ${text}`;
    if (text) return text;
    return JSON.stringify(reason);
  }
  return String(reason);
}

export function EmptyState({ title, children, action }: { title: string; children?: ReactNode; action?: ReactNode }) {
  return (
    <div className="empty" role="status">
      <h2>{title}</h2>
      {children && <div>{children}</div>}
      {action}
    </div>
  );
}

export function Loading({ label = "Loading…" }: { label?: string }) {
  return (
    <div className="loading" role="status" aria-live="polite">
      {label}
    </div>
  );
}

/** A confirmation dialog (native <dialog>, so focus and Escape behave as people expect). */
export function ConfirmDialog({
  open,
  title,
  children,
  confirmLabel,
  danger = false,
  busy = false,
  error,
  onConfirm,
  onCancel,
}: {
  open: boolean;
  title: string;
  children?: ReactNode;
  confirmLabel: string;
  danger?: boolean;
  busy?: boolean;
  error?: unknown;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return (
    <dialog ref={ref} className="modal" aria-labelledby="confirm-title" onCancel={(e) => (e.preventDefault(), onCancel())}>
      <div className="modal-body stack">
        <h2 id="confirm-title">{title}</h2>
        {children}
        <ErrorMessage error={error} />
      </div>
      <div className="modal-actions">
        <button type="button" onClick={onCancel} disabled={busy}>
          Cancel
        </button>
        <button type="button" className={danger ? "danger" : "primary"} onClick={onConfirm} disabled={busy} autoFocus>
          {busy ? "Working…" : confirmLabel}
        </button>
      </div>
    </dialog>
  );
}

/** A labelled form field that shows the API's message for it. */
export function Field({
  label,
  error,
  hint,
  children,
  id,
}: {
  label: string;
  error?: string | undefined;
  hint?: string;
  children: ReactNode;
  id: string;
}) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children}
      {hint && !error && (
        <span className="hint" id={`${id}-hint`}>
          {hint}
        </span>
      )}
      {error && (
        <span className="field-error" id={`${id}-error`} role="alert">
          {error}
        </span>
      )}
    </div>
  );
}
