"""python manage.py sweep_media [--dry-run] [--grace-hours N]: remove media files no row references.

The same sweep beat runs hourly (studio/media_sweep.py explains what is removed and why it is safe).
"""

from __future__ import annotations

import json
from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from studio.media_sweep import sweep_orphaned_media


class Command(BaseCommand):
    help = "Remove media files (and scratch files) that no row references and that are older than the grace period."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Report what would be removed; remove nothing.")
        parser.add_argument(
            "--grace-hours", type=float, default=None,
            help=f"Keep unreferenced files younger than this (default MEDIA_SWEEP_GRACE_SECONDS = {settings.MEDIA_SWEEP_GRACE_SECONDS} s).",
        )

    def handle(self, *args, dry_run: bool = False, grace_hours: float | None = None, **options):
        if grace_hours is not None and grace_hours < 0:
            raise CommandError("--grace-hours must be 0 or more.")
        grace = timedelta(hours=grace_hours) if grace_hours is not None else None
        report = sweep_orphaned_media(grace=grace, dry_run=dry_run)
        for name in report.names:
            self.stdout.write(("would remove " if dry_run else "removed ") + name)
        self.stdout.write(json.dumps({"dry_run": dry_run, **report.as_dict()}))
        if report.errors:
            raise CommandError(f"{len(report.errors)} file(s) could not be removed; see above.")
