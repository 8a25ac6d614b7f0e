"""Submissions to the client: versions (or a playlist) the studio showed its client reviewers."""

from __future__ import annotations

from rest_framework import serializers

from projects.api.serializers.versions import ShotRefSerializer, VersionBriefSerializer
from projects.models import Submission
from studio.tenancy.api.serializers import UserSummarySerializer


class SubmissionSerializer(serializers.ModelSerializer):
    project = serializers.UUIDField(source="project_id", read_only=True)
    version = VersionBriefSerializer(read_only=True)
    shot = serializers.SerializerMethodField()
    playlist = serializers.UUIDField(source="playlist_id", read_only=True, allow_null=True)
    submitted_by = UserSummarySerializer(read_only=True, allow_null=True)
    withdrawn_by = UserSummarySerializer(read_only=True, allow_null=True)
    active = serializers.BooleanField(read_only=True, help_text="False once withdrawn: client reviewers no longer see the version.")

    class Meta:
        model = Submission
        fields = ["id", "project", "shot", "version", "playlist", "note", "submitted_by", "submitted_at", "withdrawn_by", "withdrawn_at",
                  "active"]
        read_only_fields = fields

    def get_shot(self, obj) -> dict:
        return ShotRefSerializer({"id": obj.version.shot_id, "code": obj.version.shot.code}).data


class SubmitSerializer(serializers.Serializer):
    versions = serializers.ListField(child=serializers.UUIDField(), required=False, help_text="Version ids to submit (or `playlist`).")
    playlist = serializers.UUIDField(required=False, help_text="Submit every version of this playlist (and share it with the client).")
    note = serializers.CharField(required=False, allow_blank=True, help_text="A note for the client reviewers.")


class SubmitResultSerializer(serializers.Serializer):
    submitted = SubmissionSerializer(many=True, help_text="The new submissions, one per version.")
    already_submitted = SubmissionSerializer(many=True, help_text="Versions that were submitted already (left as they were).")
    playlist = serializers.UUIDField(allow_null=True)
