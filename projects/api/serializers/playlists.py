"""Playlists of versions, internal or shared with the client."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from projects.api.serializers.versions import ShotRefSerializer, VersionBriefSerializer
from projects.models import Playlist, PlaylistItem
from studio.tenancy.api.serializers import UserSummarySerializer


class PlaylistItemSerializer(serializers.ModelSerializer):
    version = VersionBriefSerializer(read_only=True)
    shot = serializers.SerializerMethodField()
    likeness = serializers.CharField(source="version.scan_state", read_only=True, help_text="The version's likeness scan state.")
    quarantined = serializers.SerializerMethodField()
    likeness_use = serializers.SerializerMethodField(
        help_text="The worst state of the version's likeness uses (rejected, invalidated, pending_review, approved), for the "
        "consent badges; null without uses, and always for client reviewers.",
    )

    class Meta:
        model = PlaylistItem
        fields = ["id", "order", "shot", "version", "note", "likeness", "likeness_use", "quarantined"]
        read_only_fields = fields

    @extend_schema_field(ShotRefSerializer)
    def get_shot(self, obj) -> dict:
        return {"id": obj.version.shot_id, "code": obj.version.shot.code}

    def get_quarantined(self, obj) -> bool:
        return obj.version.quarantined_at is not None

    @extend_schema_field({"type": "string", "enum": ["pending_review", "approved", "rejected", "invalidated"], "nullable": True})
    def get_likeness_use(self, obj) -> str | None:
        return getattr(obj, "likeness_state", None)  # annotated by selectors.playlist_queryset (None for client reviewers)


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




class PlaylistAddSerializer(serializers.Serializer):
    shots = serializers.ListField(
        child=serializers.UUIDField(), required=False, help_text="Shot ids (a selection): their current versions are added."
    )
    status = serializers.CharField(required=False, help_text='Every shot with this status, e.g. "review".')


class PlaylistAddResultSerializer(serializers.Serializer):
    added = serializers.IntegerField()
    already_in = serializers.IntegerField()
    without_version = serializers.ListField(child=serializers.CharField(), help_text="Codes of shots that have no version yet.")
    playlist = PlaylistSerializer()


class PlaylistReorderSerializer(serializers.Serializer):
    items = serializers.ListField(child=serializers.UUIDField(), help_text="Every item id of the playlist, in the new order.")


class PlaylistItemWriteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    version = serializers.UUIDField(required=False, help_text="Another version of the item's shot for this item to play.")
