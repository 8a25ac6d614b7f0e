from django.apps import AppConfig


class TenancyConfig(AppConfig):
    name = "studio.tenancy"
    label = "tenancy"
    verbose_name = "Tenancy"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from studio.tenancy import schema  # noqa: F401 - registers the OpenAPI auth extension
