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


