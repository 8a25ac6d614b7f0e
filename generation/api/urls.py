"""API routes of this app, mounted under /api/v1/ by studio/api_urls.py."""

from django.urls import path

from generation.api import views
from studio.http.ids import IdRouter, nested

router = IdRouter()
router.register("generations", views.GenerationViewSet, basename="generation")
router.register(rf"shots/{nested('shot_pk')}/generations", views.ShotGenerationViewSet, basename="shot-generation")
router.register(rf"projects/{nested('project_pk')}/generations", views.ProjectGenerationViewSet, basename="project-generation")

urlpatterns = [
    path("generation-models/", views.ModelProfileListView.as_view(), name="generation-models"),
    *router.urls,
]
