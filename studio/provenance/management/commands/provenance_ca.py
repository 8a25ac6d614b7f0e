"""Create the Greenlight Content Credentials CA when it is missing (`make run` and `make test` call it)."""

from django.core.management.base import BaseCommand

from studio.provenance import ensure_ca


class Command(BaseCommand):
    help = "Create the Content Credentials root CA under PROVENANCE_DIR if missing (production: PROVENANCE_CA_CERT_FILE)."

    def handle(self, *args, **options):
        path, created = ensure_ca()
        self.stdout.write(f"{'created' if created else 'present'}: {path}")
