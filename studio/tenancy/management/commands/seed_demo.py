"""python manage.py seed_demo — idempotent demo data for every app.

Each app that has demo data exposes `<app>.demo.seed(stdout=None)`; they run in dependency order.
Running it again creates nothing twice and deletes nothing.
"""

import importlib

from django.core.management.base import BaseCommand

SEEDERS = ["studio.tenancy.demo", "projects.demo", "generation.demo", "rights.demo"]


class Command(BaseCommand):
    help = "Create (or complete) the demo organizations, accounts, projects, talent and consents."

    def handle(self, *args, **options):
        for module_name in SEEDERS:
            try:
                module = importlib.import_module(module_name)
            except ModuleNotFoundError as exc:
                if exc.name == module_name:
                    continue
                raise
            module.seed(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo data ready. Every demo account's password is greenlight-demo."))
