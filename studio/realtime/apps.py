from django.apps import AppConfig


class RealtimeConfig(AppConfig):
    name = "studio.realtime"
    label = "realtime"
    verbose_name = "Realtime"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The core's own control messages; each domain app registers its event types in its ready().
        from studio.realtime.events import register_core_types

        register_core_types()
