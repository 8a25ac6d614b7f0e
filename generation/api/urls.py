"""API routes of this app, mounted under /api/v1/ by studio/api_urls.py."""

from django.urls import path, re_path

from generation.api import views
from studio.http.ids import IdRouter, nested

router = IdRouter()
router.register("generations", views.GenerationViewSet, basename="generation")
router.register(rf"shots/{nested('shot_pk')}/generations", views.ShotGenerationViewSet, basename="shot-generation")
router.register("takes", views.TakeViewSet, basename="take")
router.register(rf"shots/{nested('shot_pk')}/takes", views.ShotTakeViewSet, basename="shot-take")
router.register(rf"projects/{nested('project_pk')}/generations", views.ProjectGenerationViewSet, basename="project-generation")

urlpatterns = [
    path("generation-models/", views.ModelProfileListView.as_view(), name="generation-models"),
    re_path(rf"^organizations/{nested('organization_pk')}/gpu-allowance/$", views.GpuAllowanceView.as_view(), name="gpu-allowance"),
    re_path(rf"^organizations/{nested('organization_pk')}/gpu-usage/$", views.GpuUsageView.as_view(), name="gpu-usage"),
    re_path(rf"^shots/{nested('shot_pk')}/animate/$", views.ShotAnimateView.as_view(), name="shot-animate"),
    re_path(rf"^takes/{nested('pk')}/(?P<kind>media|poster)/$", views.TakeMediaView.as_view(), name="take-media"),
    re_path(rf"^panels/{nested('pk')}/stills/$", views.PanelStillsView.as_view(), name="panel-stills"),
    re_path(rf"^panels/{nested('pk')}/stills/use/$", views.PanelStillChoiceView.as_view(), name="panel-still-choice"),
    re_path(rf"^sequences/{nested('sequence_pk')}/storyboard/stills/$", views.BoardStillsView.as_view(), name="storyboard-stills"),
    *router.urls,
]
