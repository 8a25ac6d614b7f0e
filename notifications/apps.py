from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Notifications and webhooks"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """The inbox and the webhooks listen to what the other apps publish; nothing below imports this app."""
        from notifications import listeners
        from notifications.events import register_event_types
        from studio.realtime.listeners import register_listener

        register_event_types()
        register_listener(listeners.on_published, types=listeners.INBOX_TYPES, name="notifications.inbox")
        register_listener(listeners.on_project_event, name="notifications.webhooks")
