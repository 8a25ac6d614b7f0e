"""The database itself refuses UPDATE and DELETE on the audit log.

TRUNCATE is not trapped by these row triggers (test databases are emptied with it); in production
the application role should not own the table, so it cannot truncate it (see docs/OPERATIONS.md).
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION audit_event_forbid_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_auditevent is append-only: % refused', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END $$;

DROP TRIGGER IF EXISTS audit_event_append_only ON audit_auditevent;
CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_auditevent
  FOR EACH ROW EXECUTE FUNCTION audit_event_forbid_change();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS audit_event_append_only ON audit_auditevent;
DROP FUNCTION IF EXISTS audit_event_forbid_change();
"""


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_initial")]
    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
