from django.apps import AppConfig


class RightsConfig(AppConfig):
    name = "rights"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from rights import demo
        from studio import seeding

        # Ava Reyes's grant is for Northlight's Moonrise project: the projects demo comes first.
        seeding.register_seeder(name="rights", seed=demo.seed, after=("tenancy", "projects"))

        from rights.events import register_event_types

        register_event_types()

        from rights.services.assets import MAX_ASSET_BYTES
        from studio.http.ids import UUID_PATTERN
        from studio.http.limits import MULTIPART_OVERHEAD, register_body_limit

        # Reference images are uploads: their own limit, not the JSON one (studio/http/limits.py).
        register_body_limit(
            pattern=rf"^/api/v1/talent/{UUID_PATTERN}/assets/$", limit=lambda: MAX_ASSET_BYTES + MULTIPART_OVERHEAD
        )
