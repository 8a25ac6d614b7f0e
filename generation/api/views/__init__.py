"""Thin API views of the generation engine, one module per concept: `jobs` (renders, the model
catalogue), `animate` (image-to-video from a still), `takes` (a shot's gallery, marks, re-runs, publishing,
media) and `stills` (a storyboard panel's generated stills)."""

from generation.api.views.animate import ShotAnimateView
from generation.api.views.jobs import GenerationViewSet, ModelProfileListView, ProjectGenerationViewSet, ShotGenerationViewSet
from generation.api.views.scheduling import GpuAllowanceView, GpuUsageView
from generation.api.views.stills import BoardStillsView, PanelStillChoiceView, PanelStillsView
from generation.api.views.takes import ShotTakeViewSet, TakeMediaView, TakeViewSet

__all__ = [
    "BoardStillsView", "GpuAllowanceView", "GpuUsageView", "PanelStillChoiceView", "PanelStillsView", "ShotAnimateView",
    "GenerationViewSet", "ModelProfileListView", "ProjectGenerationViewSet", "ShotGenerationViewSet", "ShotTakeViewSet",
    "TakeMediaView", "TakeViewSet",
]
