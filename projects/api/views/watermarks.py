"""Forensic watermarks: "Trace a frame" (producers upload a leaked still or clip) and a mark's details."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import mixins, serializers
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from projects import services
from projects.models import WatermarkMark
from studio.tenancy.api.base import ScopedAPIView, ScopedViewSet


class TraceUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="A leaked still (PNG or JPEG, up to 20 MB) or clip (MP4, up to 200 MB).")


class _ViewerSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    email = serializers.EmailField()
    name = serializers.CharField()


class _MarkedVersionSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    label = serializers.CharField()
    shot = serializers.UUIDField()
    shot_code = serializers.CharField()
    project = serializers.UUIDField()
    project_code = serializers.CharField()


class WatermarkMarkSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    viewer = serializers.SerializerMethodField()
    version = serializers.SerializerMethodField()

    class Meta:
        model = WatermarkMark
        fields = ["id", "audience", "status", "created_at", "ready_at", "viewer", "version"]

    @extend_schema_field(_ViewerSerializer)
    def get_viewer(self, mark) -> dict:
        viewer = mark.viewer
        if viewer is None:  # a share link's guest: who they said they were when they opened the link
            guest = mark.share_view
            return {"id": str(guest.pk), "email": guest.viewer_email, "name": f"{guest.viewer_name} (share link guest)"}
        return {"id": str(viewer.pk), "email": viewer.email, "name": getattr(viewer, "display_name", "") or viewer.email}

    @extend_schema_field(_MarkedVersionSerializer)
    def get_version(self, mark) -> dict:
        version = mark.version
        return {"id": str(version.id), "label": version.label, "shot": str(version.shot_id), "shot_code": version.shot.code,
                "project": str(mark.project_id), "project_code": mark.project.code}


class TraceResultSerializer(serializers.Serializer):
    found = serializers.BooleanField()
    kind = serializers.ChoiceField(choices=["still", "clip"])
    frames = serializers.IntegerField(help_text="Frames read.")
    confidence = serializers.FloatField(help_text="Mean |soft bit| over the noise level; about 1-2 without a mark.")
    bit_errors = serializers.IntegerField(help_text="Code bits the decoder had to flip to satisfy the CRC (0-2).")
    scale = serializers.FloatField(help_text="Scale of the suspect against the marked copy (0.5: half size).")
    mark = WatermarkMarkSerializer(allow_null=True)


def _result(result) -> dict:
    return {"found": result.found, "kind": result.kind, "frames": result.frames, "confidence": result.confidence,
            "bit_errors": result.bit_errors, "scale": round(result.scale, 3),
            "mark": WatermarkMarkSerializer(result.mark).data if result.mark else None}


@extend_schema(
    tags=["watermarks"],
    request={"multipart/form-data": TraceUploadSerializer},
    responses={
        200: TraceResultSerializer,
        400: OpenApiResponse(description="Not a PNG, JPEG or MP4, too large, or unreadable"),
        403: OpenApiResponse(description="Only owners, admins and producers of a studio may trace"),
        415: OpenApiResponse(description="Send the file as multipart/form-data, in the field 'file'"),
    },
    summary="Trace a frame: the viewer and version a leaked still or clip was streamed to",
)
class TraceView(ScopedAPIView):
    """Reads the forensic watermark of a leaked still or clip. A mark of another organization (or none) answers
    `found: false`, the same as a file without a mark."""

    queryset = WatermarkMark.objects.all()
    tenant_path = "organization"
    project_path = "project"
    parser_classes = [MultiPartParser]
    serializer_class = TraceUploadSerializer

    def post(self, request):
        if not services.trace_organizations(request.user):
            raise PermissionDenied("Only owners, admins and producers of a studio may trace a leaked frame.")
        data = TraceUploadSerializer(data=request.data)
        if not data.is_valid():
            raise ValidationError({"file": ["Attach the still or clip as the multipart form field 'file' (multipart/form-data)."]})
        return Response(_result(services.trace(user=request.user, upload=data.validated_data["file"])))


@extend_schema(tags=["watermarks"])
class WatermarkMarkViewSet(mixins.RetrieveModelMixin, ScopedViewSet):
    """A mark (who a watermarked copy was made for): owners, admins and producers of its organization only;
    anyone else, and any other organization, gets 404."""

    queryset = WatermarkMark.objects.select_related("viewer", "share_view", "version__shot", "project")
    serializer_class = WatermarkMarkSerializer
    lookup_field = "public_id"
    lookup_url_kwarg = "pk"
    tenant_path = "organization"
    project_path = "project"

    def filter_scoped_queryset(self, queryset):
        return queryset.filter(organization_id__in=services.trace_organizations(self.request.user))


__all__ = ["TraceView", "WatermarkMarkViewSet"]
