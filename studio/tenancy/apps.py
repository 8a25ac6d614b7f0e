from django.apps import AppConfig


class TenancyConfig(AppConfig):
    name = "studio.tenancy"
    label = "tenancy"
    verbose_name = "Tenancy"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from studio import seeding
        from studio.tenancy import demo, schema  # noqa: F401 - schema registers the OpenAPI auth extension

        seeding.register_seeder(name="tenancy", seed=demo.seed)
