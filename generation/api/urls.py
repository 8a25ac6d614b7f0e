"""API routes of this app, mounted under /api/v1/ by studio/api_urls.py."""

from django.urls import path, re_path
from rest_framework.routers import SimpleRouter

from generation.api import views

UUID = r"[0-9a-fA-F-]{36}"

router = SimpleRouter()
router.register("generations", views.GenerationViewSet, basename="generation")
router.register(rf"shots/(?P<shot_pk>{UUID})/generations", views.ShotGenerationViewSet, basename="shot-generation")
router.register("takes", views.TakeViewSet, basename="take")
router.register(rf"shots/(?P<shot_pk>{UUID})/takes", views.ShotTakeViewSet, basename="shot-take")
router.register(rf"projects/(?P<project_pk>{UUID})/generations", views.ProjectGenerationViewSet, basename="project-generation")

urlpatterns = [
    path("generation-models/", views.ModelProfileListView.as_view(), name="generation-models"),
    re_path(rf"^takes/(?P<pk>{UUID})/(?P<kind>media|poster)/$", views.TakeMediaView.as_view(), name="take-media"),
    *router.urls,
]
