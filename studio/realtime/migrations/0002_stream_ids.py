"""Events are keyed by a stream id, not by a foreign key to projects.Project.

The realtime core must not depend on a domain model. Each table gets a `stream_id` UUID, filled
from the old `project_id` (the same value: a project's stream id is its id), then the foreign keys
are dropped. Existing events and counters are kept, with their numbers, so clients resume with the
`since` they hold.

The schema steps are SQL (with the matching model state alongside) so that the migration keeps
every row both ways: Django's own operations cannot swap EventCounter's primary key, nor bring the
non-null foreign key back when reversed. Reversing (to 0001) is for going back a release; events of
streams that are no longer projects would fail the restored foreign key.
"""

from django.db import migrations, models

COPY_IDS = """
UPDATE realtime_event SET stream_id = project_id;
UPDATE realtime_eventcounter SET stream_id = project_id;
"""
COPY_IDS_BACK = """
UPDATE realtime_event SET project_id = stream_id;
UPDATE realtime_eventcounter SET project_id = stream_id;
"""

# Forward: dropping a column drops its primary key, foreign key, index and unique constraint with it.
EVENT_KEY_TO_STREAM = """
ALTER TABLE realtime_event DROP COLUMN project_id;
ALTER TABLE realtime_event ALTER COLUMN stream_id SET NOT NULL;
ALTER TABLE realtime_event ADD CONSTRAINT realtime_event_seq_unique_per_stream UNIQUE (stream_id, seq);
"""
COUNTER_KEY_TO_STREAM = """
ALTER TABLE realtime_eventcounter DROP COLUMN project_id;
ALTER TABLE realtime_eventcounter ALTER COLUMN stream_id SET NOT NULL;
ALTER TABLE realtime_eventcounter ADD CONSTRAINT realtime_eventcounter_pkey PRIMARY KEY (stream_id);
"""

# Backward (only to go back to 0001): the project columns come back empty, are filled from
# stream_id (COPY_IDS_BACK), then get their keys again (RESTORE_PROJECT_KEYS).
EVENT_KEY_BACK = """
ALTER TABLE realtime_event DROP CONSTRAINT realtime_event_seq_unique_per_stream;
ALTER TABLE realtime_event ALTER COLUMN stream_id DROP NOT NULL;
ALTER TABLE realtime_event ADD COLUMN project_id uuid NULL;
"""
COUNTER_KEY_BACK = """
ALTER TABLE realtime_eventcounter DROP CONSTRAINT realtime_eventcounter_pkey;
ALTER TABLE realtime_eventcounter ALTER COLUMN stream_id DROP NOT NULL;
ALTER TABLE realtime_eventcounter ADD COLUMN project_id uuid NULL;
"""
RESTORE_PROJECT_KEYS = """
ALTER TABLE realtime_event ALTER COLUMN project_id SET NOT NULL;
ALTER TABLE realtime_event ADD CONSTRAINT realtime_event_project_id_fk FOREIGN KEY (project_id)
    REFERENCES projects_project (id) DEFERRABLE INITIALLY DEFERRED;
CREATE INDEX realtime_event_project_id_idx ON realtime_event (project_id);
ALTER TABLE realtime_event ADD CONSTRAINT realtime_event_seq_unique_per_project UNIQUE (project_id, seq);
ALTER TABLE realtime_eventcounter ALTER COLUMN project_id SET NOT NULL;
ALTER TABLE realtime_eventcounter ADD CONSTRAINT realtime_eventcounter_pkey PRIMARY KEY (project_id);
ALTER TABLE realtime_eventcounter ADD CONSTRAINT realtime_eventcounter_project_id_fk FOREIGN KEY (project_id)
    REFERENCES projects_project (id) DEFERRABLE INITIALLY DEFERRED;
"""

STREAM_HELP = "The stream (in Greenlight: the project's id; the envelope's `project`)."
COUNTER_HELP = "The stream (in Greenlight: the project's id)."


class Migration(migrations.Migration):

    dependencies = [
        ("realtime", "0001_initial"),
    ]

    operations = [
        migrations.AddField(model_name="event", name="stream_id", field=models.UUIDField(null=True, help_text=STREAM_HELP)),
        migrations.AddField(model_name="eventcounter", name="stream_id", field=models.UUIDField(null=True, help_text=COUNTER_HELP)),
        migrations.RunSQL(migrations.RunSQL.noop, reverse_sql=RESTORE_PROJECT_KEYS),
        # The data migration: every existing event and counter keeps its project's id as its stream id.
        migrations.RunSQL(COPY_IDS, reverse_sql=COPY_IDS_BACK),
        # Event: the stream id replaces the foreign key, also in the uniqueness rule.
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunSQL(EVENT_KEY_TO_STREAM, reverse_sql=EVENT_KEY_BACK)],
            state_operations=[
                migrations.RemoveConstraint(model_name="event", name="realtime_event_seq_unique_per_project"),
                migrations.RemoveField(model_name="event", name="project"),
                migrations.AlterField(model_name="event", name="stream_id", field=models.UUIDField(help_text=STREAM_HELP)),
                migrations.AddConstraint(
                    model_name="event",
                    constraint=models.UniqueConstraint(fields=("stream_id", "seq"), name="realtime_event_seq_unique_per_stream"),
                ),
            ],
        ),
        migrations.AlterField(
            model_name="event", name="seq", field=models.BigIntegerField(help_text="Per-stream event number; the `id` of the envelope.")
        ),
        migrations.AlterModelOptions(name="event", options={"ordering": ["stream_id", "seq"]}),
        # EventCounter: stream_id becomes the primary key in place of the foreign key (Django cannot
        # swap a primary key with its own operations, hence SQL with the matching state).
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunSQL(COUNTER_KEY_TO_STREAM, reverse_sql=COUNTER_KEY_BACK)],
            state_operations=[
                migrations.RemoveField(model_name="eventcounter", name="project"),
                migrations.AlterField(
                    model_name="eventcounter", name="stream_id",
                    field=models.UUIDField(primary_key=True, serialize=False, help_text=COUNTER_HELP),
                ),
            ],
        ),
    ]
