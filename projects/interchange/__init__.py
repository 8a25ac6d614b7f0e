"""Shot-list interchange: CSV (spreadsheets) and OpenTimelineIO cuts (.otio, CMX 3600 .edl).

Readers turn a file into `projects.services.ShotSpec`s (pure parsing, no database writes);
`projects.services.apply_shot_specs` applies them. Writers read the database and return text.
"""

from django.conf import settings

MAX_IMPORT_BYTES = settings.MAX_IMPORT_BYTES  # env MAX_IMPORT_BYTES; the route's body limit too (projects/apps.py)
