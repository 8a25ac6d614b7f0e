"""python manage.py build_demo_model — put the demo models in MODELS_DIR and register them.

- `shapes-t2v-demo`: a tiny CogVideoX text-to-video model trained on a procedural shapes world (it
  draws its prompt). Its fp16 weights are committed (generation/demo_models/weights/); this copies
  them into MODELS_DIR. It becomes the default model when no other default exists.
- `shapes-still-demo`: a tiny Stable Diffusion text-to-image model trained on the same world, one
  frame ("a red circle on a blue background"); committed fp16 weights too. Stills for storyboard panels.
- `wan2.1-t2v-tiny`: a tiny Wan 2.1 pipeline with seeded random weights (renders are noise), built
  in code; it keeps the Wan path exercised.
- `ltx-i2v-demo`: a tiny LTX-Video image-to-video pipeline built in code whose clip starts from its
  image (an exact hand-set VAE; generation/demo_models/first_frame.py). Registered as kind i2v, never
  the default.

Idempotent: up-to-date folders are left alone (no torch import, well under a second).
"""

from django.core.management.base import BaseCommand

from generation import demo_model, services
from generation.demo_models import first_frame, shapes, still_model


class Command(BaseCommand):
    help = ("Install the shapes demo model (trained, committed weights), build the tiny random Wan 2.1 pipeline and the tiny "
            "LTX-Video image-to-video pipeline; register all three.")

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Rebuild and re-copy even when up-to-date copies exist.")
        parser.add_argument("--no-register", action="store_true",
                            help="Only build the folders; do not touch the database (used by `make test` before the test database exists).")
        parser.add_argument("--default", action="store_true",
                            help="Make the random-weight Wan model the default even when another default exists.")

    def handle(self, *args, force=False, no_register=False, default=False, **options):
        try:
            folder, copied, seconds = shapes.install(force=force)
        except FileNotFoundError as exc:  # a checkout without the committed weights: the Wan model still works
            self.stdout.write(self.style.WARNING(f"Demo model {shapes.MODEL_NAME} skipped: {exc}"))
        else:
            state = f"installed in {seconds:.1f}s" if copied else "already up to date"
            self.stdout.write(f"Demo model {shapes.MODEL_NAME}: {state} at {folder}")
        try:
            folder, copied, seconds = still_model.install(force=force)
        except FileNotFoundError as exc:
            self.stdout.write(self.style.WARNING(f"Demo model {still_model.MODEL_NAME} skipped: {exc}"))
        else:
            state = f"installed in {seconds:.1f}s" if copied else "already up to date"
            self.stdout.write(f"Demo still model {still_model.MODEL_NAME}: {state} at {folder}")
        result = demo_model.build_demo_model(force=force)
        verb = f"built in {result.seconds:.1f}s" if result.built else "already up to date"
        self.stdout.write(f"Demo model {demo_model.DEMO_MODEL_NAME}: {verb} at {result.folder}")
        i2v = first_frame.build(force=force)
        verb = f"built in {i2v.seconds:.1f}s" if i2v.built else "already up to date"
        self.stdout.write(f"Demo model {first_frame.MODEL_NAME}: {verb} at {i2v.folder}")
        if no_register:
            return
        shapes_profile = services.ensure_shapes_profile()  # the first model registered becomes the default
        still_profile = services.ensure_still_profile()  # text-to-image: stills for storyboard panels, never the default
        if result.built or default:
            profile, _ = services.register_model_profile(
                name=demo_model.DEMO_MODEL_NAME, folder=result.folder, values=demo_model.demo_profile_values(),
                make_default=default, actor_label="build_demo_model",
            )
        else:
            profile = services.ensure_demo_profile()  # registers it when missing
        i2v_profile = services.ensure_i2v_demo_profile()
        for registered in (shapes_profile, still_profile, profile, i2v_profile):
            if registered is None:
                continue
            registered.refresh_from_db()
            self.stdout.write(self.style.SUCCESS(
                f"Registered model '{registered.name}'{' (default)' if registered.is_default else ''}."
            ))
