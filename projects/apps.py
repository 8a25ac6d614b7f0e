from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "projects"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """Projects own project access and project streams; the lower layers ask through what is registered here."""
        from projects import (
            access,
            demo,
            receivers,  # noqa: F401  (consent changes quarantine versions; agency reviews restate them; a deleted project's events go)
        )
        from projects.consent import ProjectsDirectory
        from projects.realtime.routing import websocket_urlpatterns
        from projects.realtime.streams import ProjectStreams
        from rights.refs import register_project_directory
        from studio import seeding
        from studio.realtime.access import register_stream_resolver
        from studio.realtime.routing import register_websocket_routes
        from studio.tenancy.selectors import register_project_scope

        # Rights never imports projects; it looks projects up through this directory (rights.refs).
        register_project_directory(ProjectsDirectory())
        # The core never reads projects' tables: the tenancy base's `project_path` rule, who may watch
        # a project's stream, and the review room's route come from here.
        register_project_scope(access.project_member_rows_q)
        register_stream_resolver(ProjectStreams())
        register_websocket_routes(websocket_urlpatterns)
        seeding.register_seeder(name="projects", seed=demo.seed, after=("tenancy",))
        _register_body_limits()

        from projects.events import register_event_types

        register_event_types()


def _register_body_limits() -> None:
    """Upload routes take larger bodies than JSON routes (studio/http/limits.py)."""
    from django.conf import settings

    from studio.http.ids import UUID_PATTERN
    from studio.http.limits import MULTIPART_OVERHEAD, register_body_limit

    register_body_limit(
        pattern=rf"^/api/v1/shots/{UUID_PATTERN}/versions/$", limit=lambda: settings.MAX_UPLOAD_BYTES + MULTIPART_OVERHEAD
    )
    register_body_limit(  # a panel's still (projects/services/panel_stills.py)
        pattern=rf"^/api/v1/panels/{UUID_PATTERN}/still/$", limit=lambda: 20 * 1024 * 1024 + MULTIPART_OVERHEAD
    )
    register_body_limit(pattern=r"^/api/v1/watermarks/trace/$", limit=lambda: 200 * 1024 * 1024 + MULTIPART_OVERHEAD)
    register_body_limit(
        pattern=rf"^/api/v1/projects/{UUID_PATTERN}/import/(csv|otio)/$",
        limit=lambda: settings.MAX_IMPORT_BYTES + MULTIPART_OVERHEAD,
    )
