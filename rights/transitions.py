"""The consent grant's state machine and the rule for deciding a likeness use, in one place.

`rights.services` enforces them (a 409 with these messages); `rights.selectors` reports them as
`allowed_actions` on the API's grants and uses, so the browser never copies them.

    pending ──grant──▶ active ◀──resume── suspended
       │                 │ └────suspend────▶ │
       └──revoke─────────┴──────revoke───────┴──▶ revoked        (active/suspended ──term ends──▶ expired)
"""

from __future__ import annotations

import datetime as dt

from rights.models import ConsentGrant, LikenessUse
from studio.tenancy.models import Role

State = ConsentGrant.State

# Who in the agency that represents a talent changes its grants and decides its uses.
AGENCY_ROLES = frozenset({Role.OWNER, Role.ADMIN, Role.AGENT, Role.LEGAL})

GRANT_ACTIONS = ("grant", "suspend", "resume", "revoke")

# action -> (states it leaves from, past participle, hint when refused)
_GRANT_STEPS: dict[str, tuple[tuple[str, ...], str, str]] = {
    "grant": ((State.PENDING,), "granted", "Ask the studio to request a new grant."),
    "suspend": ((State.ACTIVE,), "suspended", ""),
    "resume": ((State.SUSPENDED,), "resumed", ""),
    "revoke": ((State.PENDING, State.ACTIVE, State.SUSPENDED), "revoked", "Nothing more to do."),
}
TERM_ENDED = "This grant's term ended while it was suspended; it cannot be resumed. Ask the studio to request a new grant."


def grant_step_conflict(grant: ConsentGrant, action: str) -> str | None:
    """Why `action` is not a step from the grant's state (None when it is)."""
    sources, verb, hint = _GRANT_STEPS[action]
    if grant.state in sources:
        return None
    if action == "suspend" and grant.state == State.SUSPENDED:
        hint = "It is already suspended."
    states = " or ".join(str(s) for s in sources)
    return f"This grant is {grant.state}; only a {states} grant can be {verb}. {hint}".strip()


def grant_blocked(grant: ConsentGrant, action: str, *, now: dt.datetime) -> str | None:
    """A step the state allows but that cannot happen now (None when nothing stands in the way)."""
    if action == "resume" and grant.valid_until <= now:
        return TERM_ENDED
    return None


def use_decision_conflict(use: LikenessUse) -> str | None:
    """Why the agency cannot decide `use` any more (None while it awaits review)."""
    if use.state == LikenessUse.State.PENDING_REVIEW:
        return None
    if use.state == LikenessUse.State.INVALIDATED:
        return f"This use is invalidated ({use.invalidated_reason}); there is nothing to decide."
    return f"This use was already {use.state}; a decision cannot be changed. Revoke the grant to stop further use."


# ---------------------------------------------------------------- consent requests
#   open ──grant──▶ granted      open ──refuse──▶ refused      open ──withdraw──▶ withdrawn

REQUEST_ACTIONS = ("grant", "refuse", "withdraw")
# Who answers a request: the agency's deciding roles; who withdraws it: the studio's requesting roles.
STUDIO_REQUEST_ROLES = frozenset({Role.OWNER, Role.ADMIN, Role.PRODUCER, Role.LEGAL})


def request_step_conflict(request, action: str) -> str | None:
    """Why `action` cannot be taken on a consent request (None while it is open)."""
    if request.state == "open":
        return None
    done = {"granted": "was granted", "refused": "was refused", "withdrawn": "was withdrawn"}.get(request.state, f"is {request.state}")
    hint = "Send a new request if consent is still needed." if action == "withdraw" or request.state != "granted" else ""
    return f"This consent request {done}; only an open request can be {'answered' if action != 'withdraw' else 'withdrawn'}. {hint}".strip()
