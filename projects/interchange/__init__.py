"""Shot-list interchange: CSV (spreadsheets) and OpenTimelineIO cuts (.otio, CMX 3600 .edl).

Readers turn a file into `projects.services.ShotSpec`s (pure parsing, no database writes);
`projects.services.apply_shot_specs` applies them. Writers read the database and return text.
"""

MAX_IMPORT_BYTES = 10 * 1024 * 1024
