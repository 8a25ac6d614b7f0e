import os

from django.apps import AppConfig


class GenerationConfig(AppConfig):
    name = "generation"
    verbose_name = "Generation"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Models load from local folders only. huggingface_hub reads these when it is first imported,
        # so they are set before any code path can import diffusers or transformers.
        for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_HUB_DISABLE_TELEMETRY"):
            os.environ.setdefault(name, "1")
        from generation import demo, metrics, receivers  # noqa: F401  (metrics: jobs per org at scrape, render timings; receivers: a grant that stops covering cancels its jobs)
        from studio import seeding

        seeding.register_seeder(name="generation", seed=demo.seed, after=("tenancy",))
        from generation.events import register_event_types

        register_event_types()

        from generation.api.serializers import MAX_INIT_IMAGE_BYTES
        from studio.http.ids import UUID_PATTERN
        from studio.http.limits import MULTIPART_OVERHEAD, register_body_limit

        # A submit may carry an init image (multipart): its own limit, not the JSON one (studio/http/limits.py).
        register_body_limit(
            pattern=rf"^/api/v1/shots/{UUID_PATTERN}/(generations|animate)/$", limit=lambda: MAX_INIT_IMAGE_BYTES + MULTIPART_OVERHEAD
        )
        from django.conf import settings

        # Importing a render as a take: the limit of a version upload.
        register_body_limit(
            pattern=rf"^/api/v1/shots/{UUID_PATTERN}/takes/import/$", limit=lambda: settings.MAX_UPLOAD_BYTES + MULTIPART_OVERHEAD
        )
