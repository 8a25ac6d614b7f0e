"""A grant change that PostgreSQL picks as a deadlock victim is retried, and lands exactly once.

The deadlock is made deterministic with a second, raw database session: it holds the version's row
lock (as an approval in progress would), the revocation blocks on it, then the session asks for the
grant's row lock. The revocation has waited longer, so its backend's deadlock check (one
`deadlock_timeout` after it began waiting) fires first and aborts it; the session gets its lock,
commits, and the retried revocation goes through.
"""

from __future__ import annotations

import threading
import time

import psycopg
from django.db import connection

from rights import policy, services
from rights.models import ConsentGrant, LikenessUse
from studio.audit.models import AuditEvent
from tests.rights.conftest import active_grant, make_version, new_job_id


def _raw_session() -> psycopg.Connection:
    db = connection.settings_dict
    return psycopg.connect(
        dbname=db["NAME"], user=db["USER"], password=db["PASSWORD"], host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432,
        autocommit=False,
    )


def _waiting_locks(session: psycopg.Connection) -> int:
    with session.cursor() as cur:
        cur.execute("SELECT count(*) FROM pg_locks WHERE NOT granted AND locktype = 'transactionid'")
        return cur.fetchone()[0]


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
        deadline = time.monotonic() + 10
        while _waiting_locks(observer) == 0:  # the revocation now waits for the version's row lock
            assert time.monotonic() < deadline, "the revocation never blocked on the version lock"
            time.sleep(0.02)
        # Wait a little longer, so the revocation's deadlock check (deadlock_timeout after it began
        # waiting) surely fires before this session's.
        time.sleep(0.3)
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
