"""Shot-list and cut interchange: CSV, OTIO and CMX 3600 EDL, export and import."""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from projects import access as perms
from projects import services
from projects.api import serializers as s
from projects.api.views._base import NestedUnderProject, _JsonErrorsOnly, _path_uuid
from projects.interchange import MAX_IMPORT_BYTES, csv_shotlist, otio_cut
from projects.models import Project
from studio.tenancy.api.base import ScopedAPIView


def _read_upload(upload) -> bytes:
    if upload.size > MAX_IMPORT_BYTES:
        raise services.PayloadTooLarge(f"The file is {upload.size:,} bytes; imports are limited to {MAX_IMPORT_BYTES:,} bytes.")
    return upload.read()


def _attachment(content: str, *, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@extend_schema(
    tags=["interchange"],
    parameters=[_path_uuid("project_pk", "The project.")],
    responses={(200, "text/csv"): OpenApiTypes.STR},
    summary="Export the shot list as CSV",
)
class ShotListCsvExportView(_JsonErrorsOnly, NestedUnderProject, ScopedAPIView):
    queryset = Project.objects.all()
    tenant_path = "organization"
    project_path = "pk"

    def get(self, request, project_pk=None):
        content = csv_shotlist.export_shot_list(project=self.project, access=self.access)
        return _attachment(content, content_type="text/csv; charset=utf-8", filename=f"{self.project.code}_shot_list.csv")


@extend_schema(
    tags=["interchange"],
    parameters=[_path_uuid("project_pk", "The project.")],
    request={"multipart/form-data": s.ImportSerializer},
    responses={200: s.ImportSummarySerializer},
    summary="Import a shot list CSV (creates and updates shots; all or nothing)",
)
class ShotListCsvImportView(NestedUnderProject, ScopedAPIView):
    queryset = Project.objects.all()
    tenant_path = "organization"
    project_path = "pk"
    serializer_class = s.ImportSerializer

    def post(self, request, project_pk=None):
        data = s.ImportSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        perms.require_project_role(user=request.user, project=self.project, roles=perms.EDIT_SHOTS, action="import the shot list")
        specs, ignored = csv_shotlist.read_shot_list(_read_upload(data.validated_data["file"]))
        summary = services.apply_shot_specs(
            actor=request.user,
            project=self.project,
            specs=specs,
            source="csv",
            dry_run=data.validated_data["dry_run"],
        )
        summary["ignored_columns"] = ignored
        return Response(s.ImportSummarySerializer(summary).data)


@extend_schema(
    tags=["interchange"],
    parameters=[
        _path_uuid("project_pk", "The project."),
        OpenApiParameter("format", OpenApiTypes.STR, enum=list(otio_cut.FORMATS), description="otio (default) or edl (CMX 3600)."),
    ],
    responses={(200, "application/vnd.opentimelineio+json"): OpenApiTypes.OBJECT, (200, "text/plain"): OpenApiTypes.STR},
    summary="Export the cut (latest approved version of each shot, comment markers)",
)
class CutExportView(_JsonErrorsOnly, NestedUnderProject, ScopedAPIView):
    queryset = Project.objects.all()
    tenant_path = "organization"
    project_path = "pk"

    def get(self, request, project_pk=None):
        fmt = request.query_params.get("format") or "otio"
        if fmt not in otio_cut.FORMATS:
            raise ValidationError({"format": [f"Use one of: {', '.join(otio_cut.FORMATS)}."]})
        timeline, _ = otio_cut.build_timeline(
            project=self.project,
            access=self.access,
            media_url=lambda version: request.build_absolute_uri(s.media_url(version.id, "proxy")),
            actor=request.user,
        )
        content = otio_cut.write_cut(timeline, fmt)
        return _attachment(content, content_type=otio_cut.CONTENT_TYPES[fmt], filename=f"{self.project.code}_cut.{fmt}")


@extend_schema(
    tags=["interchange"],
    parameters=[_path_uuid("project_pk", "The project.")],
    request={"multipart/form-data": s.CutImportSerializer},
    responses={200: s.ImportSummarySerializer},
    summary="Import a cut (.otio or CMX 3600 .edl): create or update sequences and shots with their frame ranges",
)
class CutImportView(NestedUnderProject, ScopedAPIView):
    queryset = Project.objects.all()
    tenant_path = "organization"
    project_path = "pk"
    serializer_class = s.CutImportSerializer

    def post(self, request, project_pk=None):
        data = s.CutImportSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        perms.require_project_role(user=request.user, project=self.project, roles=perms.EDIT_SHOTS, action="import a cut")
        upload = data.validated_data["file"]
        specs, notes = otio_cut.read_cut(
            _read_upload(upload),
            filename=upload.name or "",
            project=self.project,
            fmt=data.validated_data.get("format"),
            frames=data.validated_data["frames"],
        )
        summary = services.apply_shot_specs(
            actor=request.user,
            project=self.project,
            specs=specs,
            source=f"cut:{otio_cut.format_for(upload.name or '', data.validated_data.get('format'))}",
            dry_run=data.validated_data["dry_run"],
        )
        summary.update(notes)
        return Response(s.ImportSummarySerializer(summary).data)
