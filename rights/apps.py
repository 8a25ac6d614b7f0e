from django.apps import AppConfig


class RightsConfig(AppConfig):
    name = "rights"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from rights.events import register_event_types

        register_event_types()
