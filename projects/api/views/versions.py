"""Versions of a shot, and their media (permission-checked, with HTTP Range)."""

from __future__ import annotations

from functools import cached_property
from pathlib import PurePosixPath

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from projects import access as perms
from projects import selectors, services
from projects.api import serializers as s
from projects.api.views._base import ProjectRowsMixin, _JsonErrorsOnly, _path_uuid, visible
from projects.api.views._conditional import ConditionalReads
from projects.api.views.delivery import signed_download
from projects.client_view import client_visible_shots_q
from projects.models import Shot, Version
from studio.http.media import REDIRECT_TO_STORE, stored_file_response
from studio.tenancy.api.base import ScopedAPIView, ScopedViewSet


@extend_schema(tags=["versions"], parameters=[_path_uuid("shot_pk", "The shot.")])
class ShotVersionViewSet(ProjectRowsMixin, ConditionalReads, mixins.ListModelMixin, ScopedViewSet):
    """The version stack of a shot (newest first); upload a video as the next version."""

    queryset = Version.objects.all()
    serializer_class = s.VersionSerializer

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.shot  # noqa: B018 - 404 before anything else when the shot is invisible

    @cached_property
    def shot(self) -> Shot:
        return visible(
            Shot.objects.select_related("project__organization").filter(client_visible_shots_q(user=self.request.user)),
            user=self.request.user,
            tenant_path=self.tenant_path,
            project_path=self.project_path,
            pk=self.kwargs["shot_pk"],
        )

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["access"] = self.access_to(self.shot.project)
        return context

    def filter_scoped_queryset(self, queryset):
        queryset = queryset.filter(perms.client_visible_versions_q(user=self.request.user))  # clients: submitted versions only
        return selectors.version_list(queryset.filter(shot_id=self.kwargs["shot_pk"]))

    def list(self, request, shot_pk=None):
        project = self.shot.project
        parent = super()
        return self.conditional(project=project, access=self.access_to(project), render=lambda: parent.list(request))

    @extend_schema(
        request={"multipart/form-data": s.VersionUploadSerializer},
        responses={
            201: s.VersionSerializer,
            400: OpenApiResponse(description="Not a readable, complete video within the limits"),
            413: OpenApiResponse(description="Larger than MAX_UPLOAD_BYTES"),
        },
    )
    def create(self, request, shot_pk=None):
        # Refuse early, before the body is read: no permission, or a declared size over the limit.
        perms.require_project_role(user=request.user, project=self.shot.project, roles=perms.ADD_VERSIONS, action="add versions")
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > settings.MAX_UPLOAD_BYTES + 64 * 1024:
            services.check_upload_size(declared)
        data = s.VersionUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        version = services.upload_version(
            actor=request.user,
            shot=self.shot,
            upload=data.validated_data["file"],
            note=data.validated_data.get("note", ""),
        )
        version = Version.objects.select_related("shot", "created_by").get(pk=version.pk)
        return Response(s.VersionSerializer(version, context=self.get_serializer_context()).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["versions"])
class VersionViewSet(ProjectRowsMixin, ConditionalReads, mixins.RetrieveModelMixin, ScopedViewSet):
    queryset = Version.objects.select_related("shot", "created_by", "project")
    serializer_class = s.VersionSerializer

    def filter_scoped_queryset(self, queryset):
        return queryset.filter(perms.client_visible_versions_q(user=self.request.user))  # clients: submitted versions only

    def retrieve(self, request, pk=None):
        version = self.get_object()
        render = lambda: Response(s.VersionSerializer(version, context=self.context_for(version.project)).data)  # noqa: E731
        return self.conditional(project=version.project, access=self.access_to(version.project), render=render)

    @extend_schema(request=s.VersionUpdateSerializer, responses={200: s.VersionSerializer})
    def partial_update(self, request, pk=None):
        data = s.VersionUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        version = services.update_version(actor=request.user, version=self.get_object(), note=data.validated_data["note"])
        version = self.get_queryset().get(pk=version.pk)
        return Response(s.VersionSerializer(version, context=self.context_for(version.project)).data)


MEDIA_TYPES = {"proxy": "video/mp4", "poster": "image/jpeg", "thumb": "image/jpeg", "sprite": "image/jpeg"}
ORIGINAL_TYPES = {".mp4": "video/mp4", ".mov": "video/quicktime", ".webm": "video/webm", ".mkv": "video/x-matroska"}
# What this view really answers with: the proxy and stills, and an original by its file's extension.
SERVED_TYPES = sorted({*MEDIA_TYPES.values(), *ORIGINAL_TYPES.values(), "application/octet-stream"})


@extend_schema(
    tags=["versions"],
    parameters=[
        _path_uuid("pk", "The version."),
        OpenApiParameter(
            "kind",
            OpenApiTypes.STR,
            OpenApiParameter.PATH,
            enum=list(s.MEDIA_KINDS),
            description=(
                "original (the upload, signed with Content Credentials), proxy (frame-steppable H.264 MP4; ?download=1 for a "
                "signed attachment), poster (JPEG), thumb (the poster at list size, JPEG), sprite (hover-scrub JPEG)."
            ),
        ),
        OpenApiParameter("Range", OpenApiTypes.STR, OpenApiParameter.HEADER, description="e.g. bytes=0-1048575"),
    ],
    responses={
        **{(code, media): OpenApiTypes.BINARY for code in (200, 206) for media in SERVED_TYPES},
        302: REDIRECT_TO_STORE,
        304: OpenApiResponse(description="Not modified (If-None-Match)"),
        403: OpenApiResponse(description="original: delivery refused by the consent policy (reasons as JSON)"),
        202: OpenApiResponse(description="proxy, for viewers outside the studio: their watermarked copy is being made; "
                                         "ask again after Retry-After seconds (JSON: status 'preparing')"),
        404: OpenApiResponse(description="No such version for you, or this media is not ready"),
        409: OpenApiResponse(description="original: its format cannot carry Content Credentials; download the proxy"),
        416: OpenApiResponse(description="Range not satisfiable"),
    },
)
class VersionMediaView(_JsonErrorsOnly, ProjectRowsMixin, ScopedAPIView):
    """A version's media, only for people who may see the version, with HTTP Range support.

    The proxy streamed to a viewer outside the studio (client reviewers, vendors: `access.review_copy_audience`)
    is that viewer's own forensically watermarked copy; while it is being made the answer is 202, never the
    plain proxy (projects/services/watermarks.py)."""

    queryset = Version.objects.select_related("shot", "project__organization")

    def filter_scoped_queryset(self, queryset):
        # Clients: media of submitted, unwithheld versions only; any other is a 404 (the presigned redirect included).
        return queryset.filter(perms.client_visible_versions_q(user=self.request.user))

    def get(self, request, pk=None, kind=None):
        version = self.get_object()
        if kind == "original" or (kind == "proxy" and request.query_params.get("download") in ("1", "true")):
            # A download leaves Greenlight: consent checked, signed with Content Credentials, audited.
            return signed_download(request, version, kind)
        stored = getattr(version, kind)
        if not stored:
            raise NotFound(f"The {kind} is not available: the version's media is {version.processing_status}.")
        name = stored.name
        if kind == "proxy":
            copy = services.review_copy(access=self.access_to(version.project), user=request.user, version=version)
            if copy.preparing:
                return _preparing_response(copy)
            name = copy.name
        filename = f"{version.shot.code}_{version.label}_{kind}{PurePosixPath(stored.name).suffix}"
        return stored_file_response(request, name, content_type=MEDIA_TYPES[kind], filename=filename,
                                    missing=f"The {kind} file is missing from storage.")


PREPARING_RETRY_AFTER_S = 5


def _preparing_response(copy) -> Response:
    body = {
        "status": "preparing",
        "code": "watermark_preparing",
        "detail": "Your personal review copy of this version is being made; it plays in a few moments.",
        "retry_after": PREPARING_RETRY_AFTER_S,
    }
    if copy.mark is not None and copy.mark.status == "failed":
        body["detail"] = "Your personal review copy could not be made; it is being made again."
    response = Response(body, status=status.HTTP_202_ACCEPTED)
    response["Retry-After"] = str(PREPARING_RETRY_AFTER_S)
    response["Cache-Control"] = "private, no-store"
    return response
