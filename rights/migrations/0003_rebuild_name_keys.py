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
    ]
