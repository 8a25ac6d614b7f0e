"""A grant change that PostgreSQL picks as a deadlock victim is retried, and lands exactly once.

The deadlock is made deterministic with a second, raw database session: it holds the version's row
lock (as an approval in progress would), the revocation blocks on it, then the session asks for the
grant's row lock. PostgreSQL arms a backend's deadlock check when its lock wait begins and runs it
one `deadlock_timeout` later; the backend whose check finds the cycle is the victim. The test closes
the cycle once PostgreSQL itself shows the revocation's wait (`pg_locks.waitstart`) has lasted a
quarter of `deadlock_timeout`: the revocation's check is then due a quarter of a timeout before this
session's can be, so it fires first and aborts it; the session gets its lock, commits, and the
retried revocation goes through. Nothing waits on the test's own clock.
"""

from __future__ import annotations

import threading

import psycopg
from django.db import connection

from rights import policy, services
from rights.models import ConsentGrant, LikenessUse
from studio.audit.models import AuditEvent
from tests.rights.conftest import active_grant, make_version, new_job_id
from tests.support.waiting import wait_for


def _raw_session() -> psycopg.Connection:
    db = connection.settings_dict
    return psycopg.connect(
        dbname=db["NAME"], user=db["USER"], password=db["PASSWORD"], host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432,
        autocommit=False,
    )


def _revocation_wait_is_due_first(session: psycopg.Connection) -> bool:
    """True once a backend has waited for a row lock for a quarter of deadlock_timeout (server clock)."""
    with session.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM pg_locks WHERE NOT granted AND locktype = 'transactionid' AND waitstart IS NOT NULL"
            " AND clock_timestamp() - waitstart >= current_setting('deadlock_timeout')::interval / 4"
        )
        return cur.fetchone()[0] > 0


def test_a_revocation_chosen_as_deadlock_victim_is_retried_and_recorded_once(transactional_db, world):
    grant = active_grant(world)
    decision = policy.check_generation(studio=world.northlight, project=world.mr, cast=[world.ava], prompt="Ava Reyes")
    job = new_job_id()
    services.record_likeness_uses(decision=decision, job_id=job, shot=world.shot)
    version = make_version(world, lineage={"job": str(job), "prompt": "Ava Reyes", "cast": [str(world.ava.pk)]})
    services.attach_version(job_id=job, version=version)

    blocker, observer = _raw_session(), _raw_session()
    observer.autocommit = True
    outcome: dict = {}

    def revoke():
        try:
            outcome["grant"] = services.revoke_grant(actor=world.agent, grant=grant, reason="Withdrawn")
        except Exception as exc:  # noqa: BLE001 - reported to the test below
            outcome["error"] = exc
        finally:
            connection.close()

    try:
        with blocker.cursor() as cur:
            cur.execute("SELECT id FROM projects_version WHERE id = %s FOR UPDATE", [version.pk])
        thread = threading.Thread(target=revoke)
        thread.start()
        # The revocation waits for the version's row lock, long enough by PostgreSQL's clock that its
        # deadlock check is due before the one this session's wait will arm.
        wait_for(lambda: _revocation_wait_is_due_first(observer), timeout=10, interval=0.01,
                 what="the revocation to block on the version lock")
        with blocker.cursor() as cur:
            cur.execute("SELECT id FROM rights_consentgrant WHERE id = %s FOR UPDATE", [grant.pk])  # the cycle
        blocker.commit()
        thread.join(30)
    finally:
        blocker.close()
        observer.close()

    assert "error" not in outcome, outcome.get("error")
    assert ConsentGrant.objects.get(pk=grant.pk).state == "revoked"
    assert LikenessUse.objects.get(job_id=job).state == "invalidated"
    assert AuditEvent.objects.filter(action="consent.revoked", chain=str(world.crescent.pk)).count() == 1
    assert AuditEvent.objects.filter(action="version.quarantined", target_id=str(version.pk)).count() == 1
