"""API routes of this app, mounted under /api/v1/ by studio/api_urls.py."""

from django.urls import path, re_path
from rest_framework.routers import SimpleRouter

from projects.api import views

UUID = views.UUID_RE

router = SimpleRouter()
router.register("projects", views.ProjectViewSet, basename="project")
router.register(rf"projects/(?P<project_pk>{UUID})/members", views.ProjectMemberViewSet, basename="project-member")
router.register(rf"projects/(?P<project_pk>{UUID})/sequences", views.SequenceViewSet, basename="project-sequence")
router.register(rf"projects/(?P<project_pk>{UUID})/shots", views.ProjectShotViewSet, basename="project-shot")
router.register(rf"projects/(?P<project_pk>{UUID})/playlists", views.ProjectPlaylistViewSet, basename="project-playlist")
router.register("shots", views.ShotViewSet, basename="shot")
router.register(rf"shots/(?P<shot_pk>{UUID})/versions", views.ShotVersionViewSet, basename="shot-version")
router.register("versions", views.VersionViewSet, basename="version")
router.register(rf"versions/(?P<version_pk>{UUID})/comments", views.VersionCommentViewSet, basename="version-comment")
router.register("comments", views.CommentViewSet, basename="comment")
router.register("playlists", views.PlaylistViewSet, basename="playlist")

urlpatterns = [
    path("projects/<uuid:project_pk>/export/csv/", views.ShotListCsvExportView.as_view(), name="project-export-csv"),
    path("projects/<uuid:project_pk>/import/csv/", views.ShotListCsvImportView.as_view(), name="project-import-csv"),
    path("projects/<uuid:project_pk>/export/otio/", views.CutExportView.as_view(), name="project-export-otio"),
    path("projects/<uuid:project_pk>/import/otio/", views.CutImportView.as_view(), name="project-import-otio"),
    path("versions/<uuid:pk>/download/", views.VersionDownloadView.as_view(), name="version-download"),
    path("playlists/<uuid:pk>/delivery-package/", views.PlaylistPackageView.as_view(), name="playlist-delivery-package"),
    path("sequences/<uuid:pk>/delivery-package/", views.SequencePackageView.as_view(), name="sequence-delivery-package"),
    path("provenance/verify/", views.VerifyView.as_view(), name="provenance-verify"),
    path("versions/<uuid:pk>/approvals/", views.VersionApprovalView.as_view(), name="version-approvals"),
    re_path(
        rf"^versions/(?P<pk>{UUID})/media/(?P<kind>original|proxy|poster|sprite)/$",
        views.VersionMediaView.as_view(),
        name="version-media",
    ),
    *router.urls,
]
