"""API routes of this app, mounted under /api/v1/ by studio/api_urls.py."""

from django.urls import path, re_path

from projects.api import views
from projects.api.views import storyboards as boards
from studio.http.ids import IdRouter, nested

router = IdRouter()
router.register("projects", views.ProjectViewSet, basename="project")
router.register(rf"projects/{nested('project_pk')}/members", views.ProjectMemberViewSet, basename="project-member")
router.register(rf"projects/{nested('project_pk')}/sequences", views.SequenceViewSet, basename="project-sequence")
router.register(rf"projects/{nested('project_pk')}/shots", views.ProjectShotViewSet, basename="project-shot")
router.register(rf"projects/{nested('project_pk')}/playlists", views.ProjectPlaylistViewSet, basename="project-playlist")
router.register(rf"projects/{nested('project_pk')}/submissions", views.ProjectSubmissionViewSet, basename="project-submission")
router.register("shots", views.ShotViewSet, basename="shot")
router.register(rf"shots/{nested('shot_pk')}/versions", views.ShotVersionViewSet, basename="shot-version")
router.register("versions", views.VersionViewSet, basename="version")
router.register(rf"versions/{nested('version_pk')}/comments", views.VersionCommentViewSet, basename="version-comment")
router.register("comments", views.CommentViewSet, basename="comment")
router.register("playlists", views.PlaylistViewSet, basename="playlist")
router.register("submissions", views.SubmissionViewSet, basename="submission")
router.register("share-links", views.ShareLinkViewSet, basename="share-link")
router.register("watermark-marks", views.WatermarkMarkViewSet, basename="watermark-mark")

urlpatterns = [
    path("projects/<id:project_pk>/export/csv/", views.ShotListCsvExportView.as_view(), name="project-export-csv"),
    path("projects/<id:project_pk>/import/csv/", views.ShotListCsvImportView.as_view(), name="project-import-csv"),
    path("projects/<id:project_pk>/export/otio/", views.CutExportView.as_view(), name="project-export-otio"),
    path("projects/<id:project_pk>/import/otio/", views.CutImportView.as_view(), name="project-import-otio"),
    path("versions/<id:pk>/download/", views.VersionDownloadView.as_view(), name="version-download"),
    path("playlists/<id:pk>/delivery-package/", views.PlaylistPackageView.as_view(), name="playlist-delivery-package"),
    path("sequences/<id:pk>/delivery-package/", views.SequencePackageView.as_view(), name="sequence-delivery-package"),
    path("provenance/verify/", views.VerifyView.as_view(), name="provenance-verify"),
    path("watermarks/trace/", views.TraceView.as_view(), name="watermark-trace"),
    path("versions/<id:pk>/approvals/", views.VersionApprovalView.as_view(), name="version-approvals"),
    path("versions/<id:pk>/agency-notes/", views.VersionAgencyNotesView.as_view(), name="version-agency-notes"),
    re_path(
        rf"^versions/{nested('pk')}/media/(?P<kind>original|proxy|poster|thumb|sprite)/$",
        views.VersionMediaView.as_view(),
        name="version-media",
    ),
    path("sequences/<id:sequence_pk>/storyboard/", boards.StoryboardView.as_view(), name="storyboard"),
    path("sequences/<id:sequence_pk>/storyboard/panels/", boards.StoryboardPanelsView.as_view(), name="storyboard-panels"),
    path("sequences/<id:sequence_pk>/storyboard/reorder/", boards.StoryboardReorderView.as_view(), name="storyboard-reorder"),
    path("sequences/<id:sequence_pk>/storyboard/animatic/", boards.AnimaticView.as_view(), name="storyboard-animatic"),
    path("sequences/<id:sequence_pk>/storyboard/shots/", boards.StoryboardShotsView.as_view(), name="storyboard-shots"),
    path("panels/<id:pk>/", boards.PanelView.as_view(), name="panel"),
    path("panels/<id:pk>/duplicate/", boards.PanelDuplicateView.as_view(), name="panel-duplicate"),
    path("panels/<id:pk>/still/", boards.PanelStillView.as_view(), name="panel-still"),
    path("panels/<id:pk>/comments/", boards.PanelCommentsView.as_view(), name="panel-comments"),
    path("animatics/<id:pk>/media/", boards.AnimaticMediaView.as_view(), name="animatic-media"),
    path("animatics/<id:pk>/otio/", boards.AnimaticOtioView.as_view(), name="animatic-otio"),
    *router.urls,
]
