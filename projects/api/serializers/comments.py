"""Comments, replies and their annotations (frames, not seconds)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from projects.annotations import SHAPE_SCHEMAS
from projects.models import Comment
from studio.tenancy.api.serializers import UserSummarySerializer


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


class AgencyRefSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()


class AgencyNoteCreateSerializer(serializers.Serializer):
    body = serializers.CharField(required=False, allow_blank=True, max_length=10_000)
    frame = serializers.IntegerField(required=False, help_text="Required for a new thread: the frame number (first_frame … last_frame).")
    frame_end = serializers.IntegerField(required=False, allow_null=True, help_text="Inclusive end of a range note.")
    parent = serializers.UUIDField(required=False, allow_null=True, help_text="Reply in one of your agency's threads.")
    annotations = AnnotationSerializer(many=True, required=False)


class ReplySerializer(serializers.ModelSerializer):
    version = serializers.UUIDField(source="version_id", read_only=True)
    parent = serializers.UUIDField(source="parent_id", read_only=True, allow_null=True)
    author = UserSummarySerializer(read_only=True, allow_null=True)
    resolved_by = UserSummarySerializer(read_only=True, allow_null=True)
    mentions = UserSummarySerializer(many=True, read_only=True)
    deleted = serializers.SerializerMethodField()
    history = CommentRevisionSerializer(source="revisions", many=True, read_only=True)
    agency = serializers.SerializerMethodField(help_text="The talent agency that wrote the note (an internal note); null for the studio's.")

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
            "agency",
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

    @extend_schema_field(AgencyRefSerializer(allow_null=True))
    def get_agency(self, obj) -> dict | None:
        return {"id": str(obj.agency_id), "name": obj.agency.name} if obj.agency_id else None


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


