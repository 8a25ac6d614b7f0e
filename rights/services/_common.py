"""Helpers shared by the rights services: who acts for an agency, grant locks and deadlock retries,
the audit and `consent.changed` events of a grant. Internal to `rights.services`; not re-exported."""

from __future__ import annotations

import functools
import time

from django.db import OperationalError, connection

from rights import signals, transitions
from rights.models import ConsentGrant, LikenessUse, Talent
from rights.refs import project_directory
from studio.audit import services as audit
from studio.realtime.publish import publish
from studio.tenancy.models import User
from studio.tenancy.selectors import require_membership

AGENCY_ROLES = transitions.AGENCY_ROLES
STUDIO_REQUEST_ROLES = transitions.STUDIO_REQUEST_ROLES

DEADLOCK_RETRIES = 3


def _require_agency_member(*, actor: User, talent: Talent, action: str):
    return require_membership(user=actor, organization=talent.organization_id, roles=AGENCY_ROLES, action=action)


def _audit_both(*, grant: ConsentGrant, actor, action: str, data: dict, target=None, actor_label: str = "") -> None:
    """Consent events belong to both parties: the agency's chain and the studio's chain."""
    target = target if target is not None else grant
    audit.record(organization=grant.talent.organization, actor=actor, actor_label=actor_label, action=action, target=target, data=data)
    audit.record(organization=grant.grantee, actor=actor, actor_label=actor_label, action=action, target=target, data=data)


def _project_ids_for(grant: ConsentGrant) -> list:
    """Projects to notify: the grant's project, or every live project of the studio for a studio-wide grant."""
    if grant.project_id is not None:
        return [grant.project_id]
    return project_directory().live_project_ids(organization_id=grant.grantee_id)


def grant_summary(grant: ConsentGrant) -> dict:
    return {
        "id": str(grant.pk),
        "talent": {"id": str(grant.talent_id), "name": grant.talent.name},
        "agency": {"id": str(grant.talent.organization_id), "name": grant.talent.organization.name},
        "studio": {"id": str(grant.grantee_id), "name": grant.grantee.name},
        "project": str(grant.project_id) if grant.project_id else None,
        "state": grant.state,
        "use_types": list(grant.use_types),
        "valid_from": grant.valid_from.isoformat(),
        "valid_until": grant.valid_until.isoformat(),
        "requires_per_use_approval": grant.requires_per_use_approval,
    }


def _publish_grant(grant: ConsentGrant, *, change: str, previous: str | None = None, reason: str = "") -> None:
    data = {"kind": "consent_grant", "change": change, "previous_state": previous, "reason": reason, "grant": grant_summary(grant)}
    for project_id in _project_ids_for(grant):
        publish(type="consent.changed", project_id=project_id, data=data, audience="internal")
    signals.grant_changed.send(sender=ConsentGrant, grant=grant, change=change)


def _lock_grant(grant: ConsentGrant) -> ConsentGrant:
    return ConsentGrant.objects.select_for_update(of=("self",), no_key=True).select_related(
        "talent__organization", "grantee", "project"
    ).get(pk=grant.pk)


def _lock_uses(grant: ConsentGrant) -> None:
    """Lock the grant's uses and their versions right after the grant, before anything is audited or
    published (audit chains are locked per organization until commit). A worker storing a version
    locks its job's uses first too (`lock_job_uses`), and an approval locks the version before it
    audits, so each waits for the revocation instead of deadlocking with it."""
    uses = LikenessUse.objects.select_for_update(of=("self",), no_key=True).filter(grant=grant).order_by("pk")
    version_ids = {v for v in uses.values_list("version_id", flat=True) if v is not None}
    if version_ids:
        version_model = LikenessUse._meta.get_field("version").related_model
        list(version_model.objects.select_for_update(of=("self",), no_key=True)
            .filter(pk__in=version_ids).order_by("pk").values_list("pk", flat=True))


def _retry_on_deadlock(func):
    """Run a grant change again when PostgreSQL chose it as a deadlock victim (it then wrote
    nothing). Only at the outermost transaction: inside someone else's, the error propagates."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        for attempt in range(DEADLOCK_RETRIES):
            try:
                return func(*args, **kwargs)
            except OperationalError as exc:
                deadlock = getattr(exc.__cause__, "sqlstate", None) == "40P01"
                if not deadlock or connection.in_atomic_block or attempt == DEADLOCK_RETRIES - 1:
                    raise
                time.sleep(0.05 * (attempt + 1))
        raise AssertionError("unreachable")

    return wrapper
