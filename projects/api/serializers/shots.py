"""Sequences and shots (the shot list is rendered by hand for speed; see ShotSerializer)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from projects.access import SEE_BOARDS
from projects.api.serializers.common import DATETIME, access_of, is_client, thumbnail_url, user_brief, version_brief
from projects.api.serializers.storyboards import still_url
from projects.api.serializers.versions import VersionBriefSerializer, VersionSerializer
from projects.client_view import client_stack
from projects.models import Sequence, Shot
from studio.tenancy.api.serializers import UserSummarySerializer


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


class CurrentVersionSerializer(VersionBriefSerializer):
    """A shot row's current version, with what its consent badges need (issue 13)."""

    quarantined = serializers.BooleanField(source="is_quarantined", read_only=True,
                                           help_text="A likeness grant stopped covering it (no approval, export or delivery).")
    held = serializers.BooleanField(source="scan_held", read_only=True, help_text="Held by the likeness scan.")
    likeness = serializers.ChoiceField(
        choices=["pending_review", "approved", "rejected", "invalidated"], allow_null=True, read_only=True,
        help_text="The worst state of the version's likeness uses (rejected, invalidated, pending_review, approved); "
        "null without uses, and always null for client reviewers.",
    )

    class Meta(VersionBriefSerializer.Meta):
        fields = [*VersionBriefSerializer.Meta.fields, "quarantined", "held", "likeness"]
        read_only_fields = fields


class ShotSerializer(serializers.ModelSerializer):
    project = serializers.UUIDField(source="project_id", read_only=True)
    sequence = SequenceRefSerializer(read_only=True, allow_null=True)
    duration = serializers.IntegerField(source="duration_frames", read_only=True, allow_null=True, help_text="Frames, inclusive.")
    assignees = serializers.SerializerMethodField()
    current_version = CurrentVersionSerializer(read_only=True, allow_null=True)
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
        if is_client(self):
            return []  # client reviewers do not see who works on what
        return [user_brief(u) for u in obj.assignees.all()]

    def to_representation(self, obj):
        # Hand-built: the shot list returns thousands of rows and DRF's per-field machinery
        # dominated its time. Same fields and formats as declared above (they drive the schema).
        version, count, prompt_notes = obj.current_version, obj.next_version_number - 1, obj.prompt_notes
        if is_client(self):  # what a client sees (projects.client_view): their submitted versions, no prompt
            stack = client_stack(obj)
            version, count, prompt_notes = (stack[0] if stack else None), len(stack), ""
        return {
            "id": str(obj.id),
            "project": str(obj.project_id),
            "code": obj.code,
            "sequence": {"id": str(obj.sequence_id), "code": obj.sequence.code} if obj.sequence_id else None,
            "order": obj.order,
            "description": obj.description,
            "prompt_notes": prompt_notes,
            "frame_in": obj.frame_in,
            "frame_out": obj.frame_out,
            "duration": obj.duration_frames,
            "status": obj.status,
            "assignees": self.get_assignees(obj),
            "retake_count": obj.retake_count,
            "current_version": {
                **version_brief(version), "quarantined": version.quarantined_at is not None, "held": version.scan_held,
                "likeness": getattr(obj, "current_likeness", None),
            } if version is not None else None,
            "thumbnail": thumbnail_url(version),
            "version_count": count,
            "open_notes": getattr(obj, "open_notes", 0),
            "created_at": DATETIME.to_representation(obj.created_at),
            "updated_at": DATETIME.to_representation(obj.updated_at),
        }

    @extend_schema_field({"type": "string", "format": "uri-reference", "nullable": True})
    def get_thumbnail(self, obj) -> str | None:
        return thumbnail_url(obj.current_version)

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


class ShotPanelSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    sequence = serializers.UUIDField(help_text="The sequence whose storyboard holds the panel.")
    number = serializers.IntegerField()
    duration_frames = serializers.IntegerField()
    prompt = serializers.CharField(allow_blank=True)
    still = serializers.CharField(allow_null=True, help_text="URL of the panel's still, or null.")


class ShotDetailSerializer(ShotSerializer):
    versions = serializers.SerializerMethodField(help_text="The version stack, newest first.")
    panel = serializers.SerializerMethodField(help_text="The storyboard panel the shot was made from (studio only), or null.")

    class Meta(ShotSerializer.Meta):
        fields = [*ShotSerializer.Meta.fields, "versions", "panel"]
        read_only_fields = fields

    def to_representation(self, obj):
        data = super().to_representation(obj)
        data["versions"] = self.get_versions(obj)
        data["panel"] = self.get_panel(obj)
        return data

    @extend_schema_field(ShotPanelSerializer(allow_null=True))
    def get_panel(self, obj):
        access = access_of(self)
        if access is None or not access.has(SEE_BOARDS):  # boards are the studio's work in progress
            return None
        panels = getattr(obj, "board_panels", None)
        if panels is None:
            panels = list(obj.panels.select_related("storyboard__sequence"))
        if not panels:
            return None
        panel = panels[0]
        return {"id": str(panel.id), "sequence": str(panel.storyboard.sequence_id), "number": panel.order + 1,
                "duration_frames": panel.duration_frames, "prompt": panel.prompt, "still": still_url(panel) if panel.still else None}

    @extend_schema_field(VersionSerializer(many=True))
    def get_versions(self, obj):
        stack = client_stack(obj) if is_client(self) else getattr(obj, "stack", None)
        if stack is None:
            stack = obj.versions.select_related("created_by").order_by("-number")
        for version in stack:
            version.shot = obj
        return VersionSerializer(stack, many=True, context=self.context).data


