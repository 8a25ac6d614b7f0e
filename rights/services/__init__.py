"""Writes for rights: talent, likeness assets, consent grants and likeness uses, one module per concept.

Each service checks permission, writes, audits (`studio.audit.services.record`) and publishes
(`consent.changed`, deferred to commit) in one transaction.

Who may do what:
- the representing agency (owner, admin, agent, legal) edits its talent and their assets,
  grants, suspends, resumes and revokes consent, and decides likeness uses;
- a studio (owner, admin, producer, legal) requests grants for itself.

| module | concept |
|---|---|
| `talent` | talent, their names and aliases, life status |
| `assets` | likeness assets (private reference images) |
| `grants` | consent grants: request, grant, suspend, resume, revoke, expire; their terms |
| `consent_requests` | consent requests: a studio asks (from a refusal), the agency grants or refuses, the studio withdraws |
| `uses` | the agency's decision on a use; uses invalidated when a grant stops covering them |
| `ledger` | the usage ledger: uses recorded per job and talent, linked to their version |
| `likeness_scan` | the likeness scan's verdict: uses for covered faces, holds for the others |
| `_common` | grant locks, deadlock retries, the audit and events of a grant (internal) |

When a grant stops covering (suspended, revoked, expired, or the talent died and the grant does
not survive death), `on_grant_stopped_covering` invalidates its likeness uses and sends the
`grant_stopped_covering` signal (rights.signals) inside the same transaction, so that the
generation and review apps can cancel jobs and quarantine versions atomically with it.

Callers import from the package (`from rights import services`), never from a module.
"""

from rights.services._common import AGENCY_ROLES, DEADLOCK_RETRIES, STUDIO_REQUEST_ROLES, grant_summary
from rights.services.assets import ASSET_FORMATS, MAX_ASSET_BYTES, MAX_ASSET_PIXELS, delete_asset, upload_asset
from rights.services.consent_requests import (
    consent_request_summary,
    create_consent_request,
    grant_consent_request,
    refuse_consent_request,
    withdraw_consent_request,
)
from rights.services.grants import GrantTerms, expire_lapsed_grants, grant_consent, request_grant, resume_grant, revoke_grant, suspend_grant
from rights.services.ledger import attach_version, lock_job_uses, record_likeness_uses
from rights.services.likeness_scan import ScanVerdict, settle_likeness_scan
from rights.services.talent import MAX_ALIASES, create_talent, delete_talent, update_talent
from rights.services.uses import StoppedCovering, decide_use, on_grant_stopped_covering

__all__ = [
    "AGENCY_ROLES", "ASSET_FORMATS", "DEADLOCK_RETRIES", "MAX_ALIASES", "MAX_ASSET_BYTES", "MAX_ASSET_PIXELS",
    "STUDIO_REQUEST_ROLES", "GrantTerms", "StoppedCovering", "attach_version", "consent_request_summary",
    "create_consent_request", "create_talent", "decide_use", "delete_asset", "delete_talent", "expire_lapsed_grants",
    "grant_consent", "grant_consent_request", "grant_summary", "lock_job_uses", "on_grant_stopped_covering",
    "record_likeness_uses", "refuse_consent_request", "request_grant", "resume_grant", "revoke_grant", "settle_likeness_scan",
    "suspend_grant", "ScanVerdict",
    "update_talent", "upload_asset", "withdraw_consent_request",
]
