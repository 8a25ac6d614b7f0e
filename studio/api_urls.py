"""Everything under /api/v1/. Each app contributes its own `api/urls.py`."""

from django.urls import include, path

urlpatterns = [
    path("", include("studio.tenancy.api.urls")),
    path("", include("studio.audit.api.urls")),
    path("", include("projects.api.urls")),
    path("", include("rights.api.urls")),
    path("", include("generation.api.urls")),
    path("", include("notifications.api.urls")),
]
