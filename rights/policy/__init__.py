"""The one consent policy. Every path that renders, approves, exports or delivers a likeness asks here.

- `check_generation(...)`: before a generation is queued (`generation.services.submit_generation`),
  and again when a worker starts it (`generation.tasks.render_generation`, `purpose="render"`).
- `check_version_use(...)`: before a version is approved (`check_approval`, from every approval
  lane: `projects.lanes.check_decision_allowed`) or delivered (the original's download);
  `check_versions(...)` for a whole cut export at once (same rules, a fixed number of queries).

Both answer a `PolicyDecision`: `allow`, `needs_agency_review` or `deny`, with reasons that name
the talent and the missing scope. Denials are written to the audit chain of the studio and of
each agency whose talent was involved (so an agency sees attempted uses of its clients).

Rules (the consent flow is described in docs/RIGHTS.md):

1. Each cast talent needs a grant of the studio that is `active`, covers the project (or every
   project of the studio), the use type, the moment `at` (valid_from ≤ at < valid_until), and,
   when the caller names them, the medium, territory and content tags.
2. The name guard: a prompt or negative prompt that names a registered talent or alias (see
   `rights.names`) needs a covering grant with `name_or_likeness_in_prompt` or `digital_replica`.
3. A deceased talent is covered only by a grant signed by the estate (or the union), or by a
   lifetime grant marked `survives_death` that was signed before the death.
4. A covering grant that requires per-use approval makes a generation `needs_agency_review`
   (it may render; the agency must approve the use before the version can be approved,
   exported or delivered).
5. A grant of another studio is never considered, and a studio is never told whether one
   exists: "no grant for this studio" and "a grant only for another studio" are the same
   reason, `no_grant_for_studio`.

Efficiency: one query finds the cast and every talent named in the prompts (GIN-indexed array
overlap); one query loads those talents' grants for this studio.

Transactions: a denial's audit events are written where the check runs. Call the check before
opening the transaction that would write the job (or raise `PolicyDenied` after leaving it);
a denial audited inside a transaction that is then rolled back is lost with it.

Layout: this package is the one decision; its modules are internal and callers import from here.
`_decision` (outcomes, reason codes, `PolicyDecision`, `PolicyDenied`), `_grants` (does one grant
cover one talent), `_talent` (the cast and the talent named in the prompts, loaded in two
queries), `_generation` (`check_generation`), `_versions` (`check_version_use`, `check_versions`,
`check_approval`), `_denials` (denials in the audit chains).
"""

from rights.policy._decision import (
    AGENCY_REJECTED,
    AGENCY_REVIEW_REQUIRED,
    ALLOW,
    AWAITING_AGENCY_REVIEW,
    CONTENT_RESTRICTED,
    CONTENT_TAGS,
    DECEASED_WITHOUT_ESTATE_GRANT,
    DENY,
    EXPIRED,
    MEDIUM_NOT_GRANTED,
    NEEDS_AGENCY_REVIEW,
    NO_GRANT_FOR_STUDIO,
    NOT_YET_VALID,
    PENDING,
    POLICY_VERSION,
    POSTMORTEM_SIGNERS,
    PROMPT_NAME_USE_TYPES,
    QUARANTINED,
    REVOKED,
    SUSPENDED,
    TERRITORY_NOT_GRANTED,
    UNKNOWN_TALENT,
    USE_TYPE_NOT_GRANTED,
    VERSION_PURPOSES,
    WRONG_PROJECT,
    Coverage,
    PolicyDecision,
    PolicyDenied,
    Reason,
    prompt_digest,
    request_consent_prefill,
)
from rights.policy._denials import audit_denial
from rights.policy._generation import check_generation
from rights.policy._grants import grant_failures
from rights.policy._versions import check_approval, check_version_use, check_versions, version_use_condition

__all__ = [
    "AGENCY_REJECTED", "AGENCY_REVIEW_REQUIRED", "ALLOW", "AWAITING_AGENCY_REVIEW", "CONTENT_RESTRICTED", "CONTENT_TAGS",
    "DECEASED_WITHOUT_ESTATE_GRANT", "DENY", "EXPIRED", "MEDIUM_NOT_GRANTED", "NEEDS_AGENCY_REVIEW", "NOT_YET_VALID",
    "NO_GRANT_FOR_STUDIO", "PENDING", "POLICY_VERSION", "POSTMORTEM_SIGNERS", "PROMPT_NAME_USE_TYPES", "QUARANTINED", "REVOKED",
    "SUSPENDED", "TERRITORY_NOT_GRANTED", "UNKNOWN_TALENT", "USE_TYPE_NOT_GRANTED", "VERSION_PURPOSES", "WRONG_PROJECT",
    "Coverage", "PolicyDecision", "PolicyDenied", "Reason", "audit_denial", "check_approval", "check_generation",
    "check_version_use", "check_versions", "grant_failures", "prompt_digest", "request_consent_prefill", "version_use_condition",
]
