"""The audit log: hash-chained per organization, append-only in the database, tamper-evident."""

import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, connections, transaction

from studio.audit import services as audit
from studio.audit.models import GENESIS_HASH, AuditEvent
from studio.audit.selectors import verify_chain
from studio.tenancy.models import Organization


@pytest.fixture
def org(demo):
    return Organization.objects.get(slug="northlight")


def test_chain_links_each_event_to_the_previous(org):
    first = AuditEvent.objects.filter(chain=str(org.id)).order_by("seq").first()
    assert first.seq == 1 and first.prev_hash == GENESIS_HASH
    a = audit.record(organization=org, actor_label="test", action="test.one", data={"x": 1, "nested": {"é": [1, 2.5]}})
    b = audit.record(organization=org, actor_label="test", action="test.two")
    assert b.seq == a.seq + 1
    assert b.prev_hash == a.hash
    a.refresh_from_db()
    assert verify_chain(chain=str(org.id)) is None


def test_database_refuses_update_and_delete(org):
    event = AuditEvent.objects.filter(organization=org).first()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(action="tampered")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])
    event.refresh_from_db()
    assert event.action != "tampered"


def _tamper(sql, params):
    """Bypass the guard the way a table owner could: disable the trigger, change a row, re-enable."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # flush deferred FK checks so ALTER TABLE may run
        cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_append_only")
        cursor.execute(sql, params)
        cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER audit_event_append_only")


def test_verify_audit_detects_an_altered_row(org, capsys):
    for i in range(3):
        audit.record(organization=org, actor_label="test", action="test.step", data={"i": i})
    call_command("verify_audit")
    assert "every link verified" in capsys.readouterr().out
    victim = AuditEvent.objects.get(chain=str(org.id), action="test.step", data__i=1)
    _tamper("UPDATE audit_auditevent SET data = %s WHERE id = %s", ['{"i": 99}', victim.pk])
    link = verify_chain(chain=str(org.id))
    assert link is not None and link.seq == victim.seq and "altered" in link.problem
    with pytest.raises(CommandError, match="1 of"):
        call_command("verify_audit")
    assert f"seq={victim.seq}" in capsys.readouterr().err


def test_verify_audit_detects_a_deleted_row(org):
    audit.record(organization=org, actor_label="test", action="test.a")
    victim = audit.record(organization=org, actor_label="test", action="test.b")
    audit.record(organization=org, actor_label="test", action="test.c")
    _tamper("DELETE FROM audit_auditevent WHERE id = %s", [victim.pk])
    link = verify_chain(chain=str(org.id))
    assert link is not None and link.seq == victim.seq + 1 and "gap" in link.problem


def test_verify_audit_detects_a_rehashed_row(org):
    """Rewriting a row and its own hash still breaks the next link."""
    audit.record(organization=org, actor_label="test", action="test.a")
    victim = audit.record(organization=org, actor_label="test", action="test.b")
    audit.record(organization=org, actor_label="test", action="test.c")
    victim.action = "test.forged"
    forged_hash = audit.event_hash(victim)
    _tamper("UPDATE audit_auditevent SET action = %s, hash = %s WHERE id = %s", ["test.forged", forged_hash, victim.pk])
    link = verify_chain(chain=str(org.id))
    assert link is not None and link.seq == victim.seq + 1 and "prev_hash" in link.problem


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_do_not_fork_a_chain():
    org = Organization.objects.create(kind="studio", name="Concurrent", slug="concurrent")
    errors = []

    def writer(n):
        try:
            for i in range(5):
                audit.record(organization=org, actor_label=f"w{n}", action="test.concurrent", data={"i": i})
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    seqs = list(AuditEvent.objects.filter(chain=str(org.id)).order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, 21))
    assert verify_chain(chain=str(org.id)) is None
