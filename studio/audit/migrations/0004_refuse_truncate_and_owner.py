"""The audit table survives the application's own database role.

1. A statement trigger refuses TRUNCATE (the row triggers of 0003 do not see it). The only
   exception is a database made by Django's test runner (its name starts with `test_`) whose session
   asked for it (`SET greenlight.audit_allow_truncate = on`, done by tests/conftest.py): test
   databases are emptied with TRUNCATE between tests. A production database never qualifies,
   whatever a session sets.
2. The table is handed to the owner role that nobody logs in as (`greenlight_audit`), through
   `greenlight_audit_adopt()`, a function `deploy/bootstrap.sh` installs as the PostgreSQL superuser
   (docs/OPERATIONS.md, "Audit"). The application's role keeps SELECT and INSERT only: it can no
   longer TRUNCATE, ALTER TABLE … DISABLE TRIGGER, or drop the triggers. Where the function is not
   installed (a database made by the test runner, a managed database set up otherwise) the migration
   says so and leaves the owner as it is.
"""

from django.db import migrations

FORWARD = r"""
CREATE OR REPLACE FUNCTION audit_event_forbid_truncate() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF current_database() LIKE 'test\_%'
     AND coalesce(current_setting('greenlight.audit_allow_truncate', true), '') = 'on' THEN
    RETURN NULL;  -- a test database being emptied between tests
  END IF;
  RAISE EXCEPTION 'audit_auditevent is append-only: TRUNCATE refused'
    USING ERRCODE = 'insufficient_privilege';
END $$;

DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_auditevent;
CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_auditevent
  FOR EACH STATEMENT EXECUTE FUNCTION audit_event_forbid_truncate();

DO $$
BEGIN
  IF to_regprocedure('greenlight_audit_adopt()') IS NOT NULL THEN
    PERFORM greenlight_audit_adopt();
  ELSE
    RAISE NOTICE 'greenlight_audit_adopt() is not installed: audit_auditevent stays owned by %', current_user;
  END IF;
END $$;
"""

BACKWARD = """
DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_auditevent;
DROP FUNCTION IF EXISTS audit_event_forbid_truncate();
"""


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_append_only")]
    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
