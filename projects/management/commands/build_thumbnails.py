"""python manage.py build_thumbnails [--limit N]: make the list thumbnail of versions processed before thumbnails existed.

New versions get theirs with their review media (projects/media.py, `THUMB_WIDTH`); until this runs, lists
show an older version's poster in its place.
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from projects.services.media import backfill_thumbnails


class Command(BaseCommand):
    help = "Make the list thumbnail (the poster at 240 px) of every ready version that has none."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=None, help="At most this many versions (default: all).")

    def handle(self, *args, limit: int | None = None, **options):
        if limit is not None and limit < 1:
            raise CommandError("--limit must be 1 or more.")
        made, errors = backfill_thumbnails(limit=limit)
        for error in errors:
            self.stderr.write(error)
        self.stdout.write(json.dumps({"made": made, "failed": len(errors)}))
        if errors:
            raise CommandError(f"{len(errors)} thumbnail(s) could not be made; see above.")
