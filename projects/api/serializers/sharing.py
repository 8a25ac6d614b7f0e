"""Share links for people without an account, and their view log."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from projects.models import ShareLink, ShareRender, ShareView
from studio.tenancy.api.serializers import UserSummarySerializer


class ShareTargetSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["version", "playlist"])
    id = serializers.UUIDField()
    name = serializers.CharField()


class ShareLinkSerializer(serializers.ModelSerializer):
    project = serializers.UUIDField(source="project_id", read_only=True)
    target = serializers.SerializerMethodField()
    state = serializers.SerializerMethodField(help_text="active, expired, revoked or used_up (the view limit is reached).")
    has_passphrase = serializers.SerializerMethodField()
    created_by = UserSummarySerializer(read_only=True, allow_null=True)

    class Meta:
        model = ShareLink
        fields = ["id", "project", "target", "label", "state", "expires_at", "has_passphrase", "allow_download", "max_views",
                  "view_count", "revoked_at", "created_by", "created_at"]
        read_only_fields = fields

    @extend_schema_field(ShareTargetSerializer)
    def get_target(self, obj) -> dict:
        if obj.version_id:
            return {"type": "version", "id": obj.version_id, "name": f"{obj.version.shot.code} {obj.version.label}"}
        return {"type": "playlist", "id": obj.playlist_id, "name": obj.playlist.name}

    def get_state(self, obj) -> str:
        from projects.services import link_state

        return link_state(obj)

    def get_has_passphrase(self, obj) -> bool:
        return bool(obj.passphrase_hash)


class ShareLinkCreatedSerializer(ShareLinkSerializer):
    token = serializers.SerializerMethodField(help_text="Shown once: only its SHA-256 is kept.")
    url = serializers.SerializerMethodField(help_text="The address to send, /s/<token>/ (shown once).")

    class Meta(ShareLinkSerializer.Meta):
        fields = [*ShareLinkSerializer.Meta.fields, "token", "url"]
        read_only_fields = fields

    def get_token(self, obj) -> str:
        return self.context["token"]

    def get_url(self, obj) -> str:
        request = self.context.get("request")
        path = f"/s/{self.context['token']}/"
        return request.build_absolute_uri(path) if request is not None else path


class ShareLinkCreateSerializer(serializers.Serializer):
    version = serializers.UUIDField(required=False, help_text="The version to share (or give playlist).")
    playlist = serializers.UUIDField(required=False, help_text="The playlist to share (or give version).")
    expires_at = serializers.DateTimeField(help_text="When the link stops working; at most SHARE_LINK_MAX_DAYS (90) days ahead.")
    passphrase = serializers.CharField(required=False, allow_blank=True, max_length=200, trim_whitespace=False)
    allow_download = serializers.BooleanField(required=False, default=False)
    max_views = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=10_000,
                                         help_text="Identified viewers allowed; empty for no limit.")
    label = serializers.CharField(required=False, allow_blank=True, max_length=200)


class ShareRenderLogSerializer(serializers.ModelSerializer):
    version = serializers.UUIDField(source="version_id", read_only=True)
    name = serializers.SerializerMethodField()

    class Meta:
        model = ShareRender
        fields = ["version", "name", "status", "streamed_at", "downloaded_at"]
        read_only_fields = fields

    def get_name(self, obj) -> str:
        return f"{obj.version.shot.code} {obj.version.label}"


class ShareViewLogSerializer(serializers.ModelSerializer):
    items = ShareRenderLogSerializer(source="renders", many=True, read_only=True)

    class Meta:
        model = ShareView
        fields = ["id", "viewer_name", "viewer_email", "created_at", "ip_address", "user_agent", "items"]
        read_only_fields = fields
