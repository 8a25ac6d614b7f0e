"""Takes of a shot: the gallery, importing a render made elsewhere, the artist's marks, re-runs, publishing, and the
take's media."""

from __future__ import annotations

from pathlib import PurePosixPath

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from generation import selectors, services
from generation.api import serializers as s
from generation.api.views.jobs import _visible
from generation.models import Take
from projects.access import require_take_access, take_rows_q
from projects.models import Shot
from projects.services import check_upload_size
from studio.http.limits import MULTIPART_OVERHEAD
from studio.http.media import REDIRECT_TO_STORE, stored_file_response
from studio.tenancy.api.base import ScopedAPIView, ScopedViewSet

GALLERY_FILTERS = [
    OpenApiParameter("discarded", OpenApiTypes.STR, description="false (default): the gallery; true: discarded takes only; all."),
    OpenApiParameter("starred", OpenApiTypes.BOOL, description="true: starred takes only."),
]


def _flag(request, name: str, *, allowed=("true", "false")) -> str | None:
    value = request.query_params.get(name)
    if value in (None, ""):
        return None
    value = value.strip().lower()
    if value not in allowed:
        raise ValidationError({name: [f"'{value}' is not a valid value for {name}; use {', '.join(allowed)}."]})
    return value


class _TakeScope:
    queryset = selectors.take_queryset()
    tenant_path = "organization"
    project_path = "project"
    serializer_class = s.TakeSerializer

    def filter_scoped_queryset(self, queryset):
        return queryset.filter(take_rows_q(user=self.request.user))  # client reviewers: no takes (404)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "take_consent_states": getattr(self, "_consent_states", None)}


class ShotTakeViewSet(_TakeScope, mixins.ListModelMixin, ScopedViewSet):
    """A shot's takes, newest first: the gallery (discarded ones hidden unless asked for)."""

    def filter_scoped_queryset(self, queryset):
        queryset = super().filter_scoped_queryset(queryset).filter(shot_id=self.kwargs["shot_pk"])
        discarded = _flag(self.request, "discarded", allowed=("true", "false", "all")) or "false"
        if discarded != "all":
            queryset = queryset.filter(discarded=discarded == "true")
        if _flag(self.request, "starred") == "true":
            queryset = queryset.filter(starred=True)
        return queryset

    @extend_schema(parameters=GALLERY_FILTERS, responses={200: s.TakeSerializer(many=True),
                                                          403: OpenApiResponse(description="Client reviewers see no takes")})
    def list(self, request, shot_pk=None):
        shot = _visible(Shot.objects.select_related("project", "project__organization"), request.user, shot_pk,
                        tenant_path="project__organization", project_path="project")
        require_take_access(user=request.user, project=shot.project)
        takes = list(self.filter_queryset(self.get_queryset()))
        self._consent_states = selectors.consent_states([t.use_key for t in takes])
        page = self.paginate_queryset(takes)
        if page is not None:
            return self.get_paginated_response(self.get_serializer(page, many=True).data)
        return Response(self.get_serializer(takes, many=True).data)

    @extend_schema(
        operation_id="shots_takes_import",
        request={"multipart/form-data": s.TakeImportSerializer},
        responses={201: s.TakeSerializer,
                   400: OpenApiResponse(description="No file, not a readable complete video within the limits, or no tool name"),
                   403: OpenApiResponse(description="Not one of the people who render on the shot"),
                   413: OpenApiResponse(description="Larger than MAX_UPLOAD_BYTES")},
    )
    @action(detail=False, methods=["post"], url_path="import")
    def import_(self, request, shot_pk=None):
        """Import a clip rendered in another tool (e.g. ComfyUI) as a take of the shot: probed, given a
        poster, scanned for protected faces like a rendered take, and published through the same rules."""
        shot = _visible(Shot.objects.select_related("project", "project__organization"), request.user, shot_pk,
                        tenant_path="project__organization", project_path="project")
        require_take_access(user=request.user, project=shot.project)
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > settings.MAX_UPLOAD_BYTES + MULTIPART_OVERHEAD:
            check_upload_size(declared)
        data = s.TakeImportSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        take = services.import_take(actor=request.user, shot=shot, upload=values["file"], source=values["source"],
                                    prompt=values.get("prompt", ""), seed=values.get("seed"), notes=values.get("notes", ""))
        take = selectors.take_queryset().get(pk=take.pk)
        self._consent_states = selectors.consent_states([take.use_key])
        return Response(s.TakeSerializer(take, context=self.get_serializer_context()).data, status=status.HTTP_201_CREATED)


class TakeViewSet(_TakeScope, mixins.RetrieveModelMixin, ScopedViewSet):
    """One take: read it, star/unstar, discard/restore, re-run, publish."""

    def _answer(self, take: Take, code=status.HTTP_200_OK) -> Response:
        take = selectors.take_queryset().get(pk=take.pk)
        return Response(s.TakeSerializer(take, context=self.get_serializer_context()).data, status=code)

    @extend_schema(request=s.TakeStarSerializer, responses={200: s.TakeSerializer})
    @action(detail=True, methods=["post"])
    def star(self, request, pk=None):
        """Star the take (`{"starred": false}` unstars it)."""
        data = s.TakeStarSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._answer(services.star_take(actor=request.user, take=self.get_object(), starred=data.validated_data["starred"]))

    @extend_schema(request=None, responses={200: s.TakeSerializer})
    @action(detail=True, methods=["post"])
    def unstar(self, request, pk=None):
        return self._answer(services.star_take(actor=request.user, take=self.get_object(), starred=False))

    @extend_schema(request=None, responses={200: s.TakeSerializer, 409: OpenApiResponse(description="The take is published")})
    @action(detail=True, methods=["post"])
    def discard(self, request, pk=None):
        """Hide the take from the gallery (its media is kept; `restore` brings it back)."""
        return self._answer(services.discard_take(actor=request.user, take=self.get_object(), discarded=True))

    @extend_schema(request=None, responses={200: s.TakeSerializer})
    @action(detail=True, methods=["post"])
    def restore(self, request, pk=None):
        return self._answer(services.discard_take(actor=request.user, take=self.get_object(), discarded=False))

    @extend_schema(request=s.TakeRerunSerializer, responses={201: s.GenerationBatchSerializer})
    @action(detail=True, methods=["post"])
    def rerun(self, request, pk=None):
        """Render the take again: same_seed, new_seed, or vary_prompt (the take's seed, a new `prompt`)."""
        data = s.TakeRerunSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        jobs = services.rerun_take(actor=request.user, take=self.get_object(), mode=values["mode"], prompt=values.get("prompt"))
        body = {"batch_id": str(jobs[0].batch_id), "jobs": s.GenerationJobSerializer(jobs, many=True).data}
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.TakePublishSerializer, responses={
        202: OpenApiResponse(s.TakeSerializer, description="Accepted: the take is `publish.state = conforming`; the media worker "
                             "conforms it and makes the shot's next version (`take.updated`, `version.created` when done; "
                             "`publish.state = failed` with `publish.error` when it could not, and nothing is published)"),
        409: OpenApiResponse(description="Already published or being conformed, discarded, its consent stopped covering it, or held "
                             "by the likeness scan (`likeness_held`, with `reasons` and the pre-filled `request_consent`)")})
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        """Publish the take: conform it to the shot (project frame rate, cut length, aspect) on the media queue and make it the
        shot's next version. Answers 202 at once with the take."""
        data = s.TakePublishSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        take = services.request_publish(actor=request.user, take=self.get_object(), method=data.validated_data["method"])
        return self._answer(take, code=status.HTTP_202_ACCEPTED)


MEDIA_TYPES = {"media": "video/mp4", "poster": "image/jpeg"}
# An imported take keeps the container it came in.
VIDEO_TYPES = {".mp4": "video/mp4", ".m4v": "video/mp4", ".mov": "video/quicktime", ".webm": "video/webm", ".mkv": "video/x-matroska",
               ".png": "image/png"}  # a still take (text-to-image) is a PNG


class TakeMediaView(ScopedAPIView):
    """A take's native clip or poster, only for people who may see the take, with HTTP Range support."""

    queryset = Take.objects.select_related("shot")
    tenant_path = "organization"
    project_path = "project"

    def filter_scoped_queryset(self, queryset):
        return queryset.filter(take_rows_q(user=self.request.user))

    @extend_schema(
        operation_id="takes_media_retrieve",
        parameters=[OpenApiParameter("kind", OpenApiTypes.STR, OpenApiParameter.PATH, enum=list(MEDIA_TYPES),
                                     description="media (the native MP4) or poster (JPEG)."),
                    OpenApiParameter("Range", OpenApiTypes.STR, OpenApiParameter.HEADER, description="e.g. bytes=0-1048575")],
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY, (206, "application/octet-stream"): OpenApiTypes.BINARY,
                   302: REDIRECT_TO_STORE,
                   404: OpenApiResponse(description="No such take for you, or no poster"), 416: OpenApiResponse(description="Bad range")},
    )
    def get(self, request, pk=None, kind=None):
        take = self.get_object()
        stored = getattr(take, kind)
        if not stored:
            raise NotFound(f"This take has no {kind}.")
        suffix = PurePosixPath(stored.name).suffix
        filename = f"{PurePosixPath(stored.name).stem}{suffix}" if take.seed is None or take.shot is None else \
            f"{take.shot.code}_take_{take.seed}{'_poster' if kind == 'poster' else ''}{suffix}"
        content_type = VIDEO_TYPES.get(suffix.lower(), "video/mp4") if kind == "media" else MEDIA_TYPES[kind]
        return stored_file_response(request, stored.name, content_type=content_type, filename=filename,
                                    missing=f"The take's {kind} file is missing from storage.")
