"""Versions: their media, sprite, lineage, quarantine and what the caller may do to them."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from projects import selectors
from projects.access import sees_studio_internals
from projects.api.serializers.common import MEDIA_KINDS, access_of, media_url, thumbnail_url
from projects.api.serializers.likeness_scan import LikenessScanSerializer, scan_view
from projects.client_view import submission_of
from projects.models import Version
from studio.actions import ActionsListSerializer, WithAllowedActions
from studio.http.uploads import UploadField
from studio.tenancy.api.serializers import UserSummarySerializer


class SpriteSerializer(serializers.Serializer):
    url = serializers.CharField(allow_null=True, help_text="A path on this server (relative URL).")
    columns = serializers.IntegerField()
    tile_width = serializers.IntegerField()
    tile_height = serializers.IntegerField()
    frames = serializers.ListField(child=serializers.IntegerField(), help_text="Frame number of each tile, in order.")


class MediaLinksSerializer(serializers.Serializer):
    original = serializers.CharField(allow_null=True)
    proxy = serializers.CharField(allow_null=True)
    poster = serializers.CharField(allow_null=True)
    thumb = serializers.CharField(allow_null=True, help_text="The poster at list size (240 px wide).")
    sprite = serializers.CharField(allow_null=True)


class ShotRefSerializer(serializers.Serializer):
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

    @extend_schema_field({"type": "string", "format": "uri-reference", "nullable": True})
    def get_thumbnail(self, obj) -> str | None:
        return thumbnail_url(obj)


class SubmissionBriefSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    submitted_at = serializers.DateTimeField()
    submitted_by = UserSummarySerializer(allow_null=True)
    note = serializers.CharField(allow_blank=True)
    playlist = serializers.UUIDField(allow_null=True)


class VersionSerializer(WithAllowedActions, serializers.ModelSerializer):
    project = serializers.UUIDField(source="project_id", read_only=True)
    shot = ShotRefSerializer(read_only=True)
    label = serializers.CharField(read_only=True)
    fps = serializers.SerializerMethodField()
    last_frame = serializers.IntegerField(read_only=True, allow_null=True)
    duration_seconds = serializers.FloatField(read_only=True, allow_null=True, help_text="For display; positions are frames.")
    created_by = serializers.SerializerMethodField(help_text="The artist who made it (studio internals: null for client reviewers).")
    media = serializers.SerializerMethodField()
    sprite = serializers.SerializerMethodField()
    lineage = serializers.SerializerMethodField()
    conform = serializers.SerializerMethodField(
        help_text="A published take: how it was conformed to the shot, e.g. 'native 16 fps, 81 frames → conformed 24 fps, "
        "36 frames (…)'; null for uploads. The details are in lineage.conform."
    )
    quarantined = serializers.BooleanField(
        source="is_quarantined", read_only=True,
        help_text="A likeness grant this version relied on stopped covering it: it cannot be approved, exported or delivered.",
    )
    quarantine_reason = serializers.SerializerMethodField(help_text="Why it is quarantined (not shown to client reviewers).")
    likeness_scan = serializers.SerializerMethodField(
        help_text="The likeness scan (pending, running, clear, matched, held, failed): a held version cannot be approved, "
        "exported or delivered until a grant covers the performer; the details are for the studio only."
    )
    likeness = serializers.SerializerMethodField(
        help_text="The worst state of the version's likeness uses (rejected, invalidated, pending_review, approved) for the "
        "consent badges; null without uses, and always null for client reviewers (the agency's decisions are not theirs)."
    )
    allowed_actions = serializers.SerializerMethodField(
        help_text="What the caller may do: approve / request_changes per approval lane, comment, comment_internal, edit_note, "
        "submit_to_client, withdraw_from_client; with the reason for each that is not allowed. The consent policy answers "
        "when a decision is made."
    )
    submission = serializers.SerializerMethodField(
        help_text="Its active submission to the client reviewers (when, by whom, the note), or null: client reviewers see "
        "a version only while it is submitted."
    )
    original_name = serializers.SerializerMethodField(help_text="The file name as uploaded (not shown to client reviewers).")

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
            "likeness_scan",
            "likeness",
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
            "conform",
            "note",
            "created_by",
            "media",
            "sprite",
            "allowed_actions",
            "submission",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields
        list_serializer_class = ActionsListSerializer

    def compute_actions(self, rows: list, context: dict) -> dict:
        request = context.get("request")
        if request is None:
            return {}
        return selectors.version_actions(rows, user=request.user, access=access_of(self))

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

    # Studio internals (projects.access, one rule for jobs, events and versions): the quarantine
    # reason, the lineage (prompt, seed, cast, model settings) and the artist are for the studio's own
    # people; without the caller's access nothing internal is shown (fails closed).
    def get_quarantine_reason(self, obj) -> str:
        return obj.quarantine_reason if sees_studio_internals(access_of(self)) else ""

    @extend_schema_field(LikenessScanSerializer)
    def get_likeness_scan(self, obj) -> dict:
        return scan_view(obj, internal=sees_studio_internals(access_of(self)))

    @extend_schema_field({"type": "string", "enum": ["pending_review", "approved", "rejected", "invalidated"], "nullable": True})
    def get_likeness(self, obj) -> str | None:
        if not sees_studio_internals(access_of(self)):
            return None
        if not hasattr(obj, "likeness_state"):  # one version (lists annotate it: selectors.worst_likeness_use)
            from rights.models import LikenessUse
            from studio.vocabulary import worst_use_state

            obj.likeness_state = worst_use_state(LikenessUse.objects.filter(version_id=obj.pk).values_list("state", flat=True))
        return obj.likeness_state

    def get_conform(self, obj) -> str | None:
        if not sees_studio_internals(access_of(self)):
            return None  # generation parameters are studio internals
        conformed = (obj.lineage or {}).get("conform") if isinstance(obj.lineage, dict) else None
        return conformed.get("summary") if isinstance(conformed, dict) else None

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_lineage(self, obj) -> dict:
        return obj.lineage if sees_studio_internals(access_of(self)) else {}

    def get_original_name(self, obj) -> str:
        return obj.original_name if sees_studio_internals(access_of(self)) else ""

    @extend_schema_field(SubmissionBriefSerializer(allow_null=True))
    def get_submission(self, obj):
        row = submission_of(obj)
        if row is None:
            return None
        return {"id": row.id, "submitted_at": row.submitted_at, "note": row.note, "playlist": row.playlist_id,
                "submitted_by": UserSummarySerializer(row.submitted_by).data if row.submitted_by else None}

    @extend_schema_field(UserSummarySerializer(allow_null=True))
    def get_created_by(self, obj):
        if obj.created_by is None or not sees_studio_internals(access_of(self)):
            return None
        return UserSummarySerializer(obj.created_by).data


class VersionUploadSerializer(serializers.Serializer):
    file = UploadField(what="a video", help_text="The video (MP4, MOV, MKV, WebM …). Probed before it is accepted.")
    note = serializers.CharField(required=False, allow_blank=True)


class VersionUpdateSerializer(serializers.Serializer):
    note = serializers.CharField(allow_blank=True)


