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


# ----------------------------------------------------------------------------- TRUNCATE and anchors

def test_the_database_refuses_truncate(org):
    """A statement trigger refuses TRUNCATE; only a test database whose session asks may empty it."""
    before = AuditEvent.objects.count()
    with pytest.raises(DatabaseError, match="append-only: TRUNCATE refused"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # run deferred FK checks first: TRUNCATE waits for none
            cursor.execute("SET LOCAL greenlight.audit_allow_truncate = off")
            cursor.execute("TRUNCATE audit_auditevent CASCADE")
    assert AuditEvent.objects.count() == before > 0


def test_the_truncate_exception_holds_only_in_a_test_database(db):
    """What production gets: outside a `test_` database the trigger refuses whatever the session set."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT prosrc FROM pg_proc WHERE proname = 'audit_event_forbid_truncate'")
        source = cursor.fetchone()[0]
        cursor.execute("SELECT tgenabled FROM pg_trigger WHERE tgname = 'audit_event_no_truncate'")
        assert cursor.fetchone()[0] == "O"  # enabled
    assert "current_database() LIKE 'test\\_%'" in source and "AND coalesce(current_setting" in source


@pytest.fixture
def store(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media" / "audit-checkpoints"


def test_checkpoints_are_keyed_and_written_outside_the_database(org, store, settings):
    from studio.audit import checkpoints

    audit.record(organization=org, actor_label="test", action="test.a")
    written = {c.chain: c for c in checkpoints.write_checkpoints()}
    head = AuditEvent.objects.filter(chain=str(org.id)).order_by("-seq").first()
    assert (written[str(org.id)].seq, written[str(org.id)].hash) == (head.seq, head.hash)
    files = list((store / str(org.id)).glob("*.json"))
    assert len(files) == 1 and '"hmac"' in files[0].read_text()
    assert checkpoints.write_checkpoints() == []  # nothing moved: nothing written
    call_command("verify_audit")
    # A checkpoint signed with another key (forged without the server's secret) does not verify.
    settings.AUDIT_CHECKPOINT_KEY = "another key"
    with pytest.raises(CommandError, match="audit chains are broken"):
        call_command("verify_audit")


def test_verify_audit_reports_a_missing_tail_against_the_latest_checkpoint(org, store, capsys):
    from studio.audit import checkpoints

    for i in range(3):
        audit.record(organization=org, actor_label="test", action="test.tail", data={"i": i})
    checkpoints.write_checkpoints()
    kept = AuditEvent.objects.filter(chain=str(org.id)).order_by("-seq").first().seq - 2
    # The newest two events vanish (what TRUNCATE-and-replay or a table owner could do): the chain
    # that is left still links perfectly, so only the checkpoint outside the database can tell.
    _tamper("DELETE FROM audit_auditevent WHERE chain = %s AND seq > %s", [str(org.id), kept])
    assert verify_chain(chain=str(org.id)) is None
    with pytest.raises(CommandError, match="1 of"):
        call_command("verify_audit")
    err = capsys.readouterr().err
    assert f"chain={org.id}" in err and "missing tail" in err and f"ends at {kept} (2 events gone)" in err


def test_verify_audit_reports_a_chain_that_is_gone_entirely(db, store, capsys):
    from studio.audit import checkpoints

    org = Organization.objects.create(kind="studio", name="Vanishing", slug="vanishing")
    audit.record(organization=org, actor_label="test", action="test.only")
    checkpoints.write_checkpoints()
    _tamper("DELETE FROM audit_auditevent WHERE chain = %s", [str(org.id)])
    with pytest.raises(CommandError):
        call_command("verify_audit")
    assert "ends at 0" in capsys.readouterr().err


def test_beat_checkpoints_the_chains_periodically(settings):
    assert settings.CELERY_BEAT_SCHEDULE["audit-checkpoint-chains"]["task"] == "studio.audit.tasks.checkpoint_audit_chains"
    from studio.audit.tasks import checkpoint_audit_chains

    assert checkpoint_audit_chains.name == "studio.audit.tasks.checkpoint_audit_chains"
