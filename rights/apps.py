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
