"""Serializers: output shapes, and input shapes that document the API (services validate the rules).

One module per concept; views import this package (`from projects.api import serializers as s`).
"""

from projects.api.serializers.approvals import (
    ApprovalDecisionSerializer,
    ApprovalSummarySerializer,
    ConsentReasonSerializer,
    ConsentStateSerializer,
    DecisionSerializer,
    LaneSerializer,
)
from projects.api.serializers.comments import (
    AgencyNoteCreateSerializer,
    AnnotationSerializer,
    CommentCreateSerializer,
    CommentRevisionSerializer,
    CommentSerializer,
    CommentUpdateSerializer,
    ReplySerializer,
)
from projects.api.serializers.common import MEDIA_KINDS, media_url, version_brief
from projects.api.serializers.interchange import CutImportSerializer, ImportSerializer, ImportSummarySerializer
from projects.api.serializers.likeness_scan import LikenessScanSerializer, ScanMatchSerializer, scan_view
from projects.api.serializers.playlists import (
    PlaylistAddResultSerializer,
    PlaylistAddSerializer,
    PlaylistItemSerializer,
    PlaylistItemWriteSerializer,
    PlaylistReorderSerializer,
    PlaylistSerializer,
    PlaylistWriteSerializer,
)
from projects.api.serializers.projects import (
    PersonSerializer,
    ProjectMemberCreateSerializer,
    ProjectMemberSerializer,
    ProjectMemberUpdateSerializer,
    ProjectSerializer,
    ProjectWriteSerializer,
)
from projects.api.serializers.sharing import (
    ShareLinkCreatedSerializer,
    ShareLinkCreateSerializer,
    ShareLinkSerializer,
    ShareViewLogSerializer,
)
from projects.api.serializers.shots import (
    ReorderResultSerializer,
    SequenceRefSerializer,
    SequenceSerializer,
    SequenceWriteSerializer,
    ShotDetailSerializer,
    ShotReorderSerializer,
    ShotSerializer,
    ShotWriteSerializer,
)
from projects.api.serializers.submissions import SubmissionSerializer, SubmitResultSerializer, SubmitSerializer
from projects.api.serializers.versions import (
    MediaLinksSerializer,
    ShotRefSerializer,
    SpriteSerializer,
    VersionBriefSerializer,
    VersionSerializer,
    VersionUpdateSerializer,
    VersionUploadSerializer,
)

__all__ = [
    "ShareLinkCreateSerializer", "ShareLinkCreatedSerializer", "ShareLinkSerializer", "ShareViewLogSerializer",
    "AgencyNoteCreateSerializer",
    "MEDIA_KINDS", "AnnotationSerializer", "ApprovalDecisionSerializer", "ApprovalSummarySerializer", "CommentCreateSerializer",
    "CommentRevisionSerializer", "CommentSerializer", "CommentUpdateSerializer", "ConsentReasonSerializer", "ConsentStateSerializer",
    "CutImportSerializer", "DecisionSerializer", "ImportSerializer", "ImportSummarySerializer", "LaneSerializer",
    "LikenessScanSerializer", "MediaLinksSerializer", "PersonSerializer", "PlaylistItemSerializer", "PlaylistSerializer",
    "PlaylistWriteSerializer", "PlaylistAddSerializer", "PlaylistAddResultSerializer", "PlaylistReorderSerializer",
    "PlaylistItemWriteSerializer",
    "ProjectMemberCreateSerializer", "ProjectMemberSerializer", "ProjectMemberUpdateSerializer", "ProjectSerializer",
    "ProjectWriteSerializer", "ReorderResultSerializer", "ReplySerializer", "SequenceRefSerializer", "SequenceSerializer",
    "SequenceWriteSerializer", "ShotDetailSerializer", "ShotRefSerializer", "ShotReorderSerializer", "ShotSerializer",
    "ShotWriteSerializer", "SpriteSerializer", "VersionBriefSerializer", "VersionSerializer", "VersionUpdateSerializer",
    "VersionUploadSerializer", "ScanMatchSerializer",
    "SubmissionSerializer", "SubmitResultSerializer", "SubmitSerializer", "media_url", "scan_view", "version_brief",
]
