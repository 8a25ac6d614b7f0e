/**
 * A button for one of the API's `allowed_actions` (see lib/actions.ts): nothing when the action is
 * not the person's or not a step from here; disabled with the API's reason (tooltip and a line beside
 * it) when it is blocked for now; a working button otherwise.
 */
import { useId, type ReactNode } from "react";

import type { AllowedAction } from "../api/types";
import { isOffered } from "../lib/actions";

export function ActionButton({
  action,
  onClick,
  children,
  className,
  busy = false,
  disabledReason,
}: {
  action: AllowedAction | undefined;
  onClick: () => void;
  children: ReactNode;
  className?: string;
  /** The request is on its way. */
  busy?: boolean;
  /** A reason of the screen's own to hold the button back (e.g. a note still to write). */
  disabledReason?: string;
}) {
  const hintId = useId();
  if (action === undefined || !isOffered(action)) return null;
  const reason = action.allowed ? disabledReason : action.reason;
  return (
    <>
      <button
        type="button"
        className={className}
        disabled={busy || !action.allowed || Boolean(disabledReason)}
        title={reason || undefined}
        aria-describedby={!action.allowed ? hintId : undefined}
        data-action={action.action}
        data-allowed={action.allowed}
        onClick={onClick}
      >
        {children}
      </button>
      {!action.allowed && (
        <span id={hintId} className="muted small action-reason" data-testid="action-reason">
          {action.reason}
        </span>
      )}
    </>
  );
}

/** Why there are no buttons for something, in the API's words (nothing when there is no reason). */
export function ActionHint({ action, testId = "action-hint" }: { action: AllowedAction | undefined; testId?: string }) {
  if (!action || action.allowed || !action.reason) return null;
  return (
    <div className="muted small" data-testid={testId} data-code={action.code}>
      {action.reason}
    </div>
  );
}
