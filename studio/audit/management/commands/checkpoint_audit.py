from django.core.management.base import BaseCommand

from studio.audit.checkpoints import write_checkpoints


class Command(BaseCommand):
    help = "Write a keyed checkpoint of each audit chain's head to the media store (what beat does periodically)."

    def handle(self, *args, **options):
        written = write_checkpoints()
        for checkpoint in written:
            self.stdout.write(f"checkpoint chain={checkpoint.chain} seq={checkpoint.seq} -> {checkpoint.name}")
        self.stdout.write(f"OK: {len(written)} checkpoints written.")
