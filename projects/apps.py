from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "projects"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """Projects own project access; the lower layers ask through what is registered here."""
        from projects import (
            access,
            receivers,  # noqa: F401  (consent changes quarantine versions; agency reviews restate them)
        )
        from projects.consent import ProjectsDirectory
        from rights.refs import register_project_directory
        from studio.tenancy.selectors import register_project_scope

        # Rights never imports projects; it looks projects up through this directory (rights.refs).
        register_project_directory(ProjectsDirectory())
        # The core never reads projects' tables: the tenancy base's `project_path` rule comes from here.
        register_project_scope(access.project_member_rows_q)
