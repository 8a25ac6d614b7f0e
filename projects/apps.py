from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "projects"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from projects import receivers  # noqa: F401  (consent changes quarantine versions; agency reviews restate them)
        from projects.consent import ProjectsDirectory
        from rights.refs import register_project_directory

        # Rights never imports projects; it looks projects up through this directory (rights.refs).
        register_project_directory(ProjectsDirectory())

        from projects.events import register_event_types

        register_event_types()
