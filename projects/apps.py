from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "projects"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from projects import receivers  # noqa: F401  (consent changes quarantine versions; agency reviews restate them)
        from projects.events import register_event_types

        register_event_types()
