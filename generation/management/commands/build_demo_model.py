"""python manage.py build_demo_model — build the tiny offline Wan 2.1 T2V pipeline and register it.

Idempotent: an up-to-date folder is left alone (no torch import, well under a second).
"""

from django.core.management.base import BaseCommand

from generation import demo_model, services


class Command(BaseCommand):
    help = "Build the tiny Wan 2.1 text-to-video demo pipeline (random weights, no download) under MODELS_DIR and register it."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Rebuild even when an up-to-date copy exists.")
        parser.add_argument("--no-register", action="store_true",
                            help="Only build the folder; do not touch the database (used by `make test` before the test database exists).")
        parser.add_argument("--default", action="store_true", help="Make it the default model even when another default exists.")

    def handle(self, *args, force=False, no_register=False, default=False, **options):
        result = demo_model.build_demo_model(force=force)
        verb = f"built in {result.seconds:.1f}s" if result.built else "already up to date"
        self.stdout.write(f"Demo model {demo_model.DEMO_MODEL_NAME}: {verb} at {result.folder}")
        if no_register:
            return
        if result.built or default:
            profile, _ = services.register_model_profile(
                name=demo_model.DEMO_MODEL_NAME, folder=result.folder, values=demo_model.demo_profile_values(),
                make_default=default, actor_label="build_demo_model",
            )
        else:
            profile = services.ensure_demo_profile()  # registers it when missing; the first model becomes the default
        self.stdout.write(self.style.SUCCESS(
            f"Registered model '{profile.name}'{' (default)' if profile.is_default else ''}."
        ))
