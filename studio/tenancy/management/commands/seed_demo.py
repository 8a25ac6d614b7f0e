"""python manage.py seed_demo — idempotent demo data for every app.

Each app that has demo data registers its seeder in its `AppConfig.ready` (`studio.seeding`); they
run in dependency order. Running it again creates nothing twice and deletes nothing.
"""

from django.core.management.base import BaseCommand

from studio import seeding


class Command(BaseCommand):
    help = "Create (or complete) the demo organizations, accounts, projects, talent and consents."

    def handle(self, *args, **options):
        seeding.run_seeders(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo data ready. Every demo account's password is greenlight-demo."))
