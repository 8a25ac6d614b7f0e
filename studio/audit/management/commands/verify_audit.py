from django.core.management.base import BaseCommand, CommandError

from studio.audit.models import AuditEvent
from studio.audit.selectors import verify_all


class Command(BaseCommand):
    help = (
        "Walk every audit hash chain, then compare it with its latest keyed checkpoint outside the database "
        "(a missing tail, a rewritten chain); report the first broken link of each. Exits 1 when any is broken."
    )

    def handle(self, *args, **options):
        count, broken = verify_all()
        events = AuditEvent.objects.count()
        for link in broken:
            self.stderr.write(f"BROKEN chain={link.chain} seq={link.seq} id={link.event_id}: {link.problem}")
        if broken:
            raise CommandError(f"{len(broken)} of {count} audit chains are broken.")
        self.stdout.write(f"OK: {count} chains, {events} events, every link verified against the latest checkpoints.")
