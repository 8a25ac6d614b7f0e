"""Thin API views for production tracking, one module per concept. Every view goes through the tenancy base.

Rows reach their studio through `tenant_path` and their project through `project_path`, so client
reviewers added to one project see that project's rows and nothing else. Nested routes
(`projects/{id}/shots/` …) resolve their parent through the same scoping first: a parent the
caller cannot see is a 404, never an empty list.

Modules: `projects` (projects, members), `shots` (sequences, shots), `versions` (versions, media),
`comments`, `approvals`, `playlists`,
`submissions` (to the client), `interchange` (CSV, OTIO, EDL), `sharing` (share links, their view log), `delivery` (signed downloads,
delivery packages, verify), `watermarks` (trace a frame, marks), `storyboards` (routed as a module: boards,
panels, stills, animatics, make shots); `_base` holds what they share.
`projects/api/urls.py` routes to the names re-exported here.
"""

from projects.api.views._base import NestedUnderProject, ProjectRowsMixin, visible
from projects.api.views.approvals import VersionApprovalView
from projects.api.views.comments import CommentViewSet, VersionAgencyNotesView, VersionCommentViewSet
from projects.api.views.delivery import PlaylistPackageView, SequencePackageView, VerifyView, VersionDownloadView, signed_download
from projects.api.views.interchange import CutExportView, CutImportView, ShotListCsvExportView, ShotListCsvImportView
from projects.api.views.playlists import PlaylistViewSet, ProjectPlaylistViewSet
from projects.api.views.projects import ProjectMemberViewSet, ProjectViewSet
from projects.api.views.sharing import ShareLinkViewSet
from projects.api.views.shots import ProjectShotViewSet, SequenceViewSet, ShotPagination, ShotViewSet
from projects.api.views.submissions import ProjectSubmissionViewSet, SubmissionViewSet
from projects.api.views.versions import MEDIA_TYPES, ShotVersionViewSet, VersionMediaView, VersionViewSet
from projects.api.views.watermarks import TraceView, WatermarkMarkViewSet

__all__ = [
    "MEDIA_TYPES", "CommentViewSet", "CutExportView", "CutImportView", "NestedUnderProject", "PlaylistViewSet",
    "ProjectMemberViewSet", "ProjectPlaylistViewSet", "ProjectRowsMixin", "ProjectShotViewSet", "ProjectViewSet", "SequenceViewSet",
    "ShotListCsvExportView", "ShotListCsvImportView", "ShotPagination", "ShotVersionViewSet", "ShotViewSet", "VersionApprovalView",
    "VersionAgencyNotesView",
    "VersionCommentViewSet", "VersionDownloadView", "VersionMediaView", "VersionViewSet", "VerifyView", "PlaylistPackageView",
    "SequencePackageView", "ShareLinkViewSet",
    "ProjectSubmissionViewSet", "SubmissionViewSet", "signed_download", "visible", "TraceView", "WatermarkMarkViewSet",
]
