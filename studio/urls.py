from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from studio.health import healthz, livez, readyz
from studio.metrics import metrics_view

# The four operational endpoints are answered by studio.middleware.OperationalEndpointsMiddleware
# before host validation; the routes name them (reverse()) and serve them when that is not installed.
urlpatterns = [
    path("livez", livez, name="livez"),
    path("readyz", readyz, name="readyz"),
    path("healthz", healthz, name="healthz"),
    path("metrics", metrics_view, name="metrics"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("api/v1/", include("studio.api_urls")),
    path("admin/", admin.site.urls),
    path("", include("frontend.urls")),
]

handler400 = "studio.errors.bad_request"
handler404 = "studio.errors.not_found"
handler500 = "studio.errors.server_error"
