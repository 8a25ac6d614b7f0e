"""Projects, their members and the people who can see them."""

from __future__ import annotations

from rest_framework import serializers

from projects import lanes
from projects.models import PROJECT_MEMBER_ROLE_CHOICES, Project, ProjectMember
from studio.tenancy.api.serializers import UserSummarySerializer


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


