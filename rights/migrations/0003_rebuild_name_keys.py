"""Rebuild every talent's name keys for the spelling-proof name guard (rights.names, key scheme 2):
loose digit/look-alike folding, initials, either name order and fragment keys for misspellings.
Keys of the earlier scheme would not be found by the prompts' new candidate keys."""

from django.db import migrations

BATCH = 2000


def rebuild_keys(apps, schema_editor):
    from rights.names import talent_keys

    Talent = apps.get_model("rights", "Talent")
    TalentNameKey = apps.get_model("rights", "TalentNameKey")
    TalentNameKey.objects.all().delete()
    batch = []
    for talent in Talent.objects.only("pk", "name", "aliases").iterator(chunk_size=BATCH):
        batch.extend(TalentNameKey(talent_id=talent.pk, key=key) for key in talent_keys(talent.name, talent.aliases))
        if len(batch) >= BATCH * 10:
            TalentNameKey.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    TalentNameKey.objects.bulk_create(batch, ignore_conflicts=True)


class Migration(migrations.Migration):

    dependencies = [
        ("rights", "0002_talent_name_keys"),
    ]

    operations = [
        migrations.RunPython(rebuild_keys, migrations.RunPython.noop),
        # Fragment keys are shared by many talent (a common first name plus three letters), and
        # ANALYZE's sample then guesses far too few distinct keys (43,000 for 800,000 among 3 million
        # rows at 100,000 talent): the probe's estimated cost passes jit_above_cost and every check pays
        # ~13 ms of JIT compilation for a query that runs in a few. A quarter of the rows at least are
        # distinct keys (measured: 26% with the benchmark's shared first names, more with real names).
        migrations.RunSQL(
            "ALTER TABLE rights_talentnamekey ALTER COLUMN key SET (n_distinct = -0.25)",
            "ALTER TABLE rights_talentnamekey ALTER COLUMN key RESET (n_distinct)",
        ),
    ]
