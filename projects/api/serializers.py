"""Serializers: output shapes, and input shapes that document the API (services validate the rules)."""

from __future__ import annotations

from functools import lru_cache

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from projects import lanes
from projects.annotations import SHAPE_SCHEMAS
from projects.models import (
    PROJECT_MEMBER_ROLE_CHOICES,
    Approval,
    Comment,
    Playlist,
    PlaylistItem,
    Project,
    ProjectMember,
    Sequence,
    Shot,
    Version,
)
from studio.tenancy.api.serializers import UserSummarySerializer

MEDIA_KINDS = ("original", "proxy", "poster", "sprite")


_PLACEHOLDER = "00000000-0000-0000-0000-000000000000"


@lru_cache(maxsize=1)
def _media_url_prefix() -> str:
    url = reverse("version-media", kwargs={"pk": _PLACEHOLDER, "kind": "proxy"})
    return url[: url.index(_PLACEHOLDER)]


def media_url(version_id, kind: str) -> str:
    """/api/v1/versions/{id}/media/{kind}/ (reversed once; lists call this thousands of times)."""
    return f"{_media_url_prefix()}{version_id}/media/{kind}/"


_datetime = serializers.DateTimeField()


def _user(user) -> dict:
    return {"id": str(user.pk), "email": user.email, "display_name": user.display_name}


def version_brief(version) -> dict:
    return {
        "id": str(version.id),
        "number": version.number,
        "label": version.label,
        "source": version.source,
        "processing_status": version.processing_status,
        "approval_status": version.approval_status,
        "frame_count": version.frame_count,
        "first_frame": version.first_frame,
        "thumbnail": media_url(version.id, "poster") if version.poster else None,
        "created_at": _datetime.to_representation(version.created_at),
    }


def _access(serializer):
    return serializer.context.get("access")


def _is_client(serializer) -> bool:
    access = _access(serializer)
    return bool(access and access.is_client)


# ---------------------------------------------------------------- projects


class ProjectSerializer(serializers.ModelSerializer):
    organization = serializers.UUIDField(source="organization_id", read_only=True)
    fps = serializers.SerializerMethodField(help_text="Frame rate as a ratio, e.g. '24/1' or '24000/1001'.")
    my_role = serializers.SerializerMethodField(help_text="The caller's role on this project.")

    class Meta:
        model = Project
        fields = [
            "id",
            "organization",
            "name",
            "code",
            "description",
            "fps",
            "fps_num",
            "fps_den",
            "width",
            "height",
            "start_frame",
            "status",
            "required_lanes",
            "my_role",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_fps(self, obj) -> str:
        return f"{obj.fps_num}/{obj.fps_den}"

    def get_my_role(self, obj) -> str | None:
        roles = self.context.get("roles") or {}
        return roles.get(obj.id)


class ProjectWriteSerializer(serializers.Serializer):
    organization = serializers.UUIDField(required=False, help_text="The studio; required when you belong to several.")
    name = serializers.CharField(max_length=200)
    code = serializers.CharField(max_length=32, help_text="Short code used in shot codes, e.g. MR.")
    description = serializers.CharField(required=False, allow_blank=True)
    fps = serializers.CharField(required=False, help_text="'24', '25', '24000/1001' … (default 24/1).")
    width = serializers.IntegerField(required=False)
    height = serializers.IntegerField(required=False)
    start_frame = serializers.IntegerField(required=False, help_text="First frame of every shot (default 1001).")
    status = serializers.ChoiceField(choices=Project.Status.choices, required=False)
    required_lanes = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text=f"Approval lanes that must all approve a version; one or more of {', '.join(lanes.LANES)} (producer always).",
    )


class ProjectMemberSerializer(serializers.ModelSerializer):
    user = UserSummarySerializer(read_only=True)

    class Meta:
        model = ProjectMember
        fields = ["id", "user", "role", "created_at"]
        read_only_fields = fields


class ProjectMemberCreateSerializer(serializers.Serializer):
    email = serializers.EmailField()
    role = serializers.ChoiceField(choices=PROJECT_MEMBER_ROLE_CHOICES, default="reviewer")


class ProjectMemberUpdateSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=PROJECT_MEMBER_ROLE_CHOICES)


class PersonSerializer(serializers.Serializer):
    user = UserSummarySerializer()
    role = serializers.CharField()
    via = serializers.ChoiceField(choices=["organization", "project"])


# ---------------------------------------------------------------- sequences and shots


class SequenceSerializer(serializers.ModelSerializer):
    project = serializers.UUIDField(source="project_id", read_only=True)
    shot_count = serializers.IntegerField(read_only=True, default=0)

    class Meta:
        model = Sequence
        fields = ["id", "project", "code", "name", "description", "order", "shot_count", "created_at", "updated_at"]
        read_only_fields = fields


class SequenceWriteSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=64, help_text="e.g. MR_010")
    name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True)
    order = serializers.IntegerField(required=False)


class SequenceRefSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    code = serializers.CharField()


class VersionBriefSerializer(serializers.ModelSerializer):
    label = serializers.CharField(read_only=True)
    thumbnail = serializers.SerializerMethodField()

    class Meta:
        model = Version
        fields = [
            "id",
            "number",
            "label",
            "source",
            "processing_status",
            "approval_status",
            "frame_count",
            "first_frame",
            "thumbnail",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_thumbnail(self, obj) -> str | None:
        return media_url(obj.id, "poster") if obj.poster else None


class ShotSerializer(serializers.ModelSerializer):
    project = serializers.UUIDField(source="project_id", read_only=True)
    sequence = SequenceRefSerializer(read_only=True, allow_null=True)
    duration = serializers.IntegerField(source="duration_frames", read_only=True, allow_null=True, help_text="Frames, inclusive.")
    assignees = serializers.SerializerMethodField()
    current_version = VersionBriefSerializer(read_only=True, allow_null=True)
    thumbnail = serializers.SerializerMethodField(help_text="The current version's poster.")
    version_count = serializers.SerializerMethodField()
    open_notes = serializers.IntegerField(read_only=True, default=0, help_text="Unresolved notes on the current version.")

    class Meta:
        model = Shot
        fields = [
            "id",
            "project",
            "code",
            "sequence",
            "order",
            "description",
            "prompt_notes",
            "frame_in",
            "frame_out",
            "duration",
            "status",
            "assignees",
            "retake_count",
            "current_version",
            "thumbnail",
            "version_count",
            "open_notes",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(UserSummarySerializer(many=True))
    def get_assignees(self, obj):
        if _is_client(self):
            return []  # client reviewers do not see who works on what
        return [_user(u) for u in obj.assignees.all()]

    def to_representation(self, obj):
        # Hand-built: the shot list returns thousands of rows and DRF's per-field machinery
        # dominated its time. Same fields and formats as declared above (they drive the schema).
        version = obj.current_version
        return {
            "id": str(obj.id),
            "project": str(obj.project_id),
            "code": obj.code,
            "sequence": {"id": str(obj.sequence_id), "code": obj.sequence.code} if obj.sequence_id else None,
            "order": obj.order,
            "description": obj.description,
            "prompt_notes": obj.prompt_notes,
            "frame_in": obj.frame_in,
            "frame_out": obj.frame_out,
            "duration": obj.duration_frames,
            "status": obj.status,
            "assignees": self.get_assignees(obj),
            "retake_count": obj.retake_count,
            "current_version": version_brief(version) if version is not None else None,
            "thumbnail": media_url(version.id, "poster") if version is not None and version.poster else None,
            "version_count": obj.next_version_number - 1,
            "open_notes": getattr(obj, "open_notes", 0),
            "created_at": _datetime.to_representation(obj.created_at),
            "updated_at": _datetime.to_representation(obj.updated_at),
        }

    @extend_schema_field(OpenApiTypes.URI)
    def get_thumbnail(self, obj) -> str | None:
        version = obj.current_version
        return media_url(version.id, "poster") if version is not None and version.poster else None

    def get_version_count(self, obj) -> int:
        return obj.next_version_number - 1


class ShotWriteSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=64, help_text="e.g. MR_010_0040")
    sequence = serializers.UUIDField(required=False, allow_null=True)
    order = serializers.IntegerField(required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    prompt_notes = serializers.CharField(required=False, allow_blank=True)
    frame_in = serializers.IntegerField(required=False, allow_null=True)
    frame_out = serializers.IntegerField(required=False, allow_null=True, help_text="Inclusive last frame.")
    status = serializers.ChoiceField(choices=Shot.Status.choices, required=False)
    assignees = serializers.ListField(child=serializers.UUIDField(), required=False, help_text="User ids.")


class ShotReorderSerializer(serializers.Serializer):
    shots = serializers.ListField(child=serializers.UUIDField(), allow_empty=False, help_text="Shot ids in their new order.")


class ReorderResultSerializer(serializers.Serializer):
    moved = serializers.IntegerField()


# ---------------------------------------------------------------- versions


class SpriteSerializer(serializers.Serializer):
    url = serializers.URLField(allow_null=True)
    columns = serializers.IntegerField()
    tile_width = serializers.IntegerField()
    tile_height = serializers.IntegerField()
    frames = serializers.ListField(child=serializers.IntegerField(), help_text="Frame number of each tile, in order.")


class MediaLinksSerializer(serializers.Serializer):
    original = serializers.CharField(allow_null=True)
    proxy = serializers.CharField(allow_null=True)
    poster = serializers.CharField(allow_null=True)
    sprite = serializers.CharField(allow_null=True)


class ShotRefSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    code = serializers.CharField()


class VersionSerializer(serializers.ModelSerializer):
    project = serializers.UUIDField(source="project_id", read_only=True)
    shot = ShotRefSerializer(read_only=True)
    label = serializers.CharField(read_only=True)
    fps = serializers.SerializerMethodField()
    last_frame = serializers.IntegerField(read_only=True, allow_null=True)
    duration_seconds = serializers.FloatField(read_only=True, allow_null=True, help_text="For display; positions are frames.")
    created_by = UserSummarySerializer(read_only=True, allow_null=True)
    media = serializers.SerializerMethodField()
    sprite = serializers.SerializerMethodField()
    lineage = serializers.SerializerMethodField()
    quarantined = serializers.BooleanField(
        source="is_quarantined", read_only=True,
        help_text="A likeness grant this version relied on stopped covering it: it cannot be approved, exported or delivered.",
    )
    quarantine_reason = serializers.SerializerMethodField(help_text="Why it is quarantined (not shown to client reviewers).")

    class Meta:
        model = Version
        fields = [
            "id",
            "project",
            "shot",
            "number",
            "label",
            "source",
            "processing_status",
            "failure_reason",
            "approval_status",
            "quarantined",
            "quarantine_reason",
            "first_frame",
            "last_frame",
            "frame_count",
            "fps",
            "fps_num",
            "fps_den",
            "duration_seconds",
            "width",
            "height",
            "original_name",
            "original_size",
            "lineage",
            "note",
            "created_by",
            "media",
            "sprite",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_fps(self, obj) -> str | None:
        return f"{obj.fps_num}/{obj.fps_den}" if obj.fps_num and obj.fps_den else None

    @extend_schema_field(MediaLinksSerializer)
    def get_media(self, obj) -> dict:
        return {kind: (media_url(obj.id, kind) if getattr(obj, kind) else None) for kind in MEDIA_KINDS}

    @extend_schema_field(SpriteSerializer(allow_null=True))
    def get_sprite(self, obj):
        if not obj.sprite:
            return None
        return {
            "url": media_url(obj.id, "sprite"),
            "columns": obj.sprite_columns,
            "tile_width": obj.sprite_tile_width,
            "tile_height": obj.sprite_tile_height,
            "frames": [obj.first_frame + index for index in obj.sprite_frames],
        }

    def get_quarantine_reason(self, obj) -> str:
        return "" if _is_client(self) else obj.quarantine_reason

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_lineage(self, obj) -> dict:
        # Prompts, seeds and model settings are the studio's; client reviewers do not get them.
        return {} if _is_client(self) else obj.lineage


class ShotDetailSerializer(ShotSerializer):
    versions = serializers.SerializerMethodField(help_text="The version stack, newest first.")

    class Meta(ShotSerializer.Meta):
        fields = [*ShotSerializer.Meta.fields, "versions"]
        read_only_fields = fields

    def to_representation(self, obj):
        data = super().to_representation(obj)
        data["versions"] = self.get_versions(obj)
        return data

    @extend_schema_field(VersionSerializer(many=True))
    def get_versions(self, obj):
        stack = getattr(obj, "stack", None)
        if stack is None:
            stack = obj.versions.select_related("created_by").order_by("-number")
        for version in stack:
            version.shot = obj
        return VersionSerializer(stack, many=True, context=self.context).data


class VersionUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="The video (MP4, MOV, MKV, WebM …). Probed before it is accepted.")
    note = serializers.CharField(required=False, allow_blank=True)


class VersionUpdateSerializer(serializers.Serializer):
    note = serializers.CharField(allow_blank=True)


# ---------------------------------------------------------------- comments


class AnnotationSerializer(serializers.Serializer):
    id = serializers.UUIDField(read_only=True)
    frame = serializers.IntegerField(required=False, help_text="Defaults to the comment's frame.")
    shapes = serializers.ListField(
        child=serializers.DictField(),
        help_text=(
            "Shapes in 0..1 frame coordinates; each has a 'type' among "
            f"{', '.join(SHAPE_SCHEMAS)}. E.g. {{'type': 'arrow', 'from': [0.1, 0.1], 'to': [0.5, 0.4], 'color': '#ff3b30'}}."
        ),
    )


class CommentRevisionSerializer(serializers.Serializer):
    body = serializers.CharField()
    edited_by = serializers.UUIDField(source="edited_by_id", allow_null=True)
    edited_at = serializers.DateTimeField()


class ReplySerializer(serializers.ModelSerializer):
    version = serializers.UUIDField(source="version_id", read_only=True)
    parent = serializers.UUIDField(source="parent_id", read_only=True, allow_null=True)
    author = UserSummarySerializer(read_only=True, allow_null=True)
    resolved_by = UserSummarySerializer(read_only=True, allow_null=True)
    mentions = UserSummarySerializer(many=True, read_only=True)
    deleted = serializers.SerializerMethodField()
    history = CommentRevisionSerializer(source="revisions", many=True, read_only=True)

    class Meta:
        model = Comment
        fields = [
            "id",
            "version",
            "parent",
            "author",
            "body",
            "frame",
            "frame_end",
            "internal",
            "resolved",
            "resolved_by",
            "resolved_at",
            "mentions",
            "edited_at",
            "deleted",
            "history",
            "created_at",
        ]
        read_only_fields = fields

    def get_deleted(self, obj) -> bool:
        return obj.deleted_at is not None


class CommentSerializer(ReplySerializer):
    annotations = AnnotationSerializer(many=True, read_only=True)
    replies = ReplySerializer(many=True, read_only=True)

    class Meta(ReplySerializer.Meta):
        fields = [*ReplySerializer.Meta.fields, "annotations", "replies"]
        read_only_fields = fields


class CommentCreateSerializer(serializers.Serializer):
    body = serializers.CharField(required=False, allow_blank=True, max_length=10_000)
    frame = serializers.IntegerField(required=False, help_text="Required for a new thread: the frame number (first_frame … last_frame).")
    frame_end = serializers.IntegerField(required=False, allow_null=True, help_text="Inclusive end of a range comment.")
    parent = serializers.UUIDField(required=False, allow_null=True, help_text="Reply to this comment (its thread).")
    internal = serializers.BooleanField(required=False, default=False, help_text="Studio-only note, hidden from client reviewers.")
    mentions = serializers.ListField(child=serializers.UUIDField(), required=False, help_text="User ids of people to notify.")
    annotations = AnnotationSerializer(many=True, required=False)


class CommentUpdateSerializer(serializers.Serializer):
    body = serializers.CharField(required=False, allow_blank=True, max_length=10_000)
    resolved = serializers.BooleanField(required=False)
    mentions = serializers.ListField(child=serializers.UUIDField(), required=False)


# ---------------------------------------------------------------- approvals


class DecisionSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    reviewer = UserSummarySerializer()
    decision = serializers.ChoiceField(choices=Approval.Decision.choices)
    note = serializers.CharField()
    decided_at = serializers.DateTimeField()


class LaneSerializer(serializers.Serializer):
    lane = serializers.CharField()
    label = serializers.CharField()
    required = serializers.BooleanField()
    state = serializers.ChoiceField(choices=Version.ApprovalStatus.choices)
    decisions = DecisionSerializer(many=True)


class ConsentReasonSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="e.g. quarantined, awaiting_agency_review, revoked, expired, agency_rejected.")
    message = serializers.CharField()
    talent_id = serializers.CharField()
    talent = serializers.CharField()
    agency = serializers.CharField()
    via = serializers.CharField()
    grant_id = serializers.CharField(allow_null=True)


class ConsentStateSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(
        choices=["allow", "needs_agency_review", "deny"], help_text="What the consent policy says about approving."
    )
    summary = serializers.CharField()
    reasons = ConsentReasonSerializer(many=True, help_text="Why approving is denied.")
    reviews = ConsentReasonSerializer(many=True, help_text="Agency reviews still awaited.")


class ApprovalSummarySerializer(serializers.Serializer):
    version = serializers.UUIDField()
    status = serializers.ChoiceField(choices=Version.ApprovalStatus.choices)
    required_lanes = serializers.ListField(child=serializers.CharField())
    quarantined = serializers.BooleanField(help_text="A likeness grant stopped covering this version: no approval, export or delivery.")
    quarantine_reason = serializers.CharField()
    consent = ConsentStateSerializer()
    lanes = LaneSerializer(many=True)


class ApprovalDecisionSerializer(serializers.Serializer):
    lane = serializers.CharField(help_text=f"One of: {', '.join(lanes.LANES)} (agency: the talent's agency, on versions using a likeness).")
    decision = serializers.ChoiceField(choices=Approval.Decision.choices)
    note = serializers.CharField(required=False, allow_blank=True, help_text="Required when requesting changes.")


# ---------------------------------------------------------------- playlists


class PlaylistItemSerializer(serializers.ModelSerializer):
    version = VersionBriefSerializer(read_only=True)
    shot = serializers.SerializerMethodField()

    class Meta:
        model = PlaylistItem
        fields = ["id", "order", "shot", "version"]
        read_only_fields = fields

    @extend_schema_field(ShotRefSerializer)
    def get_shot(self, obj) -> dict:
        return {"id": obj.version.shot_id, "code": obj.version.shot.code}


class PlaylistSerializer(serializers.ModelSerializer):
    project = serializers.UUIDField(source="project_id", read_only=True)
    created_by = UserSummarySerializer(read_only=True, allow_null=True)
    items = PlaylistItemSerializer(many=True, read_only=True)

    class Meta:
        model = Playlist
        fields = ["id", "project", "name", "description", "audience", "created_by", "items", "created_at", "updated_at"]
        read_only_fields = fields


class PlaylistWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True)
    audience = serializers.ChoiceField(choices=Playlist.Audience.choices, required=False, default="internal")
    versions = serializers.ListField(child=serializers.UUIDField(), required=False, help_text="Version ids in playing order.")


# ---------------------------------------------------------------- interchange


class ImportSerializer(serializers.Serializer):
    file = serializers.FileField()
    dry_run = serializers.BooleanField(required=False, default=False, help_text="Report what would change without writing.")


class CutImportSerializer(ImportSerializer):
    format = serializers.ChoiceField(choices=["otio", "edl"], required=False, help_text="Default: from the file extension.")
    frames = serializers.ChoiceField(
        choices=["source", "start"],
        required=False,
        default="source",
        help_text="'source': shot frames are the clip's source range; 'start': every shot starts at the project's start frame.",
    )


class ImportSummarySerializer(serializers.Serializer):
    created = serializers.ListField(child=serializers.CharField())
    updated = serializers.ListField(child=serializers.CharField())
    unchanged = serializers.ListField(child=serializers.CharField())
    sequences_created = serializers.ListField(child=serializers.CharField())
    not_in_file = serializers.ListField(child=serializers.CharField(), help_text="Existing shots the file did not mention (left alone).")
    ignored_columns = serializers.ListField(child=serializers.CharField(), required=False)
    repeated = serializers.ListField(child=serializers.CharField(), required=False)
    skipped = serializers.ListField(child=serializers.CharField(), required=False)
    dry_run = serializers.BooleanField()
    source = serializers.CharField()
