"""Sequences and shots."""

from __future__ import annotations

import json

from django.core.paginator import InvalidPage
from django.db.models import Count, Q
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from projects import selectors, services
from projects.api import serializers as s
from projects.api.views import _rendered_pages as rendered_pages
from projects.api.views._base import NestedUnderProject, ProjectRowsMixin, _path_uuid
from projects.api.views._conditional import ConditionalReads
from projects.client_view import client_versions, client_visible_shots_q
from projects.models import Project, Sequence, Shot
from projects.shot_list_json import shot_rows_json
from studio.http.compression import compress_json, json_encoding, precompressed_json
from studio.pagination import Pagination
from studio.tenancy.api.base import ScopedViewSet


class ShotPagination(Pagination):
    """Pages of 100 by default; `page_size` up to 10,000, or `page_size=all` for the whole list."""

    max_page_size = 10_000

    def get_page_size(self, request):
        if request.query_params.get(self.page_size_query_param) == "all":
            return self.max_page_size
        return super().get_page_size(request)

    def page_bounds(self, queryset, request, *, total: int | None = None) -> tuple[int, int]:
        """DRF's page lookup (404 "Invalid page." past the end) without loading the page's rows:
        the first and last-plus-one row index of the requested page. `total`, when the count is
        already known (it comes with the rows: `shot_rows_json`), saves the COUNT query."""
        page_size = self.get_page_size(request)
        paginator = self.django_paginator_class(queryset, page_size)
        if total is not None:
            paginator.count = total  # Django's cached property: no COUNT
        page_number = self.get_page_number(request, paginator)
        try:
            self.page = paginator.page(page_number)
        except InvalidPage as exc:
            raise NotFound(self.invalid_page_message.format(page_number=page_number, message=str(exc))) from exc
        self.request = request
        bottom = (self.page.number - 1) * paginator.per_page
        return bottom, bottom + paginator.per_page

    def uncounted_bounds(self, request) -> tuple[int, int] | None:
        """The page's row bounds from its number alone, or None where the count decides (`last`, or not
        a whole number from 1: `page_bounds` answers those, with its 404)."""
        raw = str(request.query_params.get(self.page_query_param) or "1")
        if not raw.isdigit() or int(raw) < 1:
            return None
        bottom = (int(raw) - 1) * self.get_page_size(request)
        return bottom, bottom + self.get_page_size(request)

    def envelope_json(self, rows_json: str) -> str:
        """The page envelope (count, next, previous) around rows already rendered to JSON text."""
        head = json.dumps({"count": self.page.paginator.count, "next": self.get_next_link(), "previous": self.get_previous_link()})
        return f'{head[:-1]}, "results": {rows_json}}}'


@extend_schema(tags=["shots"], parameters=[_path_uuid("project_pk", "The project.")])
class SequenceViewSet(NestedUnderProject, ConditionalReads, mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    queryset = Sequence.objects.all()
    serializer_class = s.SequenceSerializer
    pagination_class = None

    def list(self, request, project_pk=None):
        parent = super()
        return self.conditional(project=self.project, access=self.access, render=lambda: parent.list(request))

    def retrieve(self, request, project_pk=None, pk=None):
        parent = super()
        return self.conditional(project=self.project, access=self.access, render=lambda: parent.retrieve(request))

    def filter_scoped_queryset(self, queryset):
        shots = Count("shots")
        if self.access.is_client:  # what a client sees: the shots with a version submitted to them
            shots = Count("shots", filter=Q(shots__pk__in=client_versions().values("shot_id")))
        return queryset.filter(project_id=self.kwargs["project_pk"]).annotate(shot_count=shots).order_by("order", "code")

    @extend_schema(request=s.SequenceWriteSerializer, responses={201: s.SequenceSerializer})
    def create(self, request, project_pk=None):
        data = s.SequenceWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        sequence = services.create_sequence(actor=request.user, project=self.project, **data.validated_data)
        return Response(s.SequenceSerializer(sequence).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.SequenceWriteSerializer(partial=True), responses={200: s.SequenceSerializer})
    def partial_update(self, request, project_pk=None, pk=None):
        data = s.SequenceWriteSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        sequence = services.update_sequence(actor=request.user, sequence=self.get_object(), **data.validated_data)
        return Response(s.SequenceSerializer(sequence).data)

    @extend_schema(responses={204: None})
    def destroy(self, request, project_pk=None, pk=None):
        services.delete_sequence(actor=request.user, sequence=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


# ---------------------------------------------------------------- shots

SHOT_FILTERS = [
    OpenApiParameter("status", OpenApiTypes.STR, description="Comma-separated statuses, e.g. review,in_progress."),
    OpenApiParameter("sequence", OpenApiTypes.STR, description="Sequence id or code; 'none' for unsequenced shots."),
    OpenApiParameter("assignee", OpenApiTypes.STR, description="User id, email, or 'me'."),
    OpenApiParameter("q", OpenApiTypes.STR, description="Search in code and description."),
    OpenApiParameter(
        "ordering",
        OpenApiTypes.STR,
        description="order (default: sequence, then shot order), code, status, frame_in, updated_at, retake_count; '-' reverses.",
    ),
    OpenApiParameter("page_size", OpenApiTypes.STR, description="1-10000, or 'all'."),
]


def _sequence_for(project: Project, value):
    if value is None:
        return None
    sequence = Sequence.objects.filter(project=project, pk=value).first()
    if sequence is None:
        raise ValidationError({"sequence": ["No such sequence in this project; create it first or leave it empty."]})
    return sequence


def _shot_fields(project: Project, validated: dict) -> dict:
    fields = dict(validated)
    if "sequence" in fields:
        fields["sequence"] = _sequence_for(project, fields["sequence"])
    return fields


@extend_schema(tags=["shots"], parameters=[_path_uuid("project_pk", "The project.")])
class ProjectShotViewSet(NestedUnderProject, ConditionalReads, mixins.ListModelMixin, ScopedViewSet):
    """The shot list of a project: each shot with its current version, thumbnail, assignees and status."""

    queryset = Shot.objects.all()
    serializer_class = s.ShotSerializer
    pagination_class = ShotPagination

    def filter_scoped_queryset(self, queryset):
        filters = {k: self.request.query_params.get(k) for k in ("status", "sequence", "assignee", "q", "ordering")}
        filters["user"] = self.request.user
        queryset = queryset.filter(project_id=self.kwargs["project_pk"]).filter(client_visible_shots_q(user=self.request.user))
        return selectors.filter_shots(queryset, filters=filters)

    @extend_schema(parameters=SHOT_FILTERS, responses={200: s.ShotSerializer(many=True)})
    def list(self, request, project_pk=None):
        # Rendered by PostgreSQL (projects.shot_list_json): same rows as ShotSerializer, one query a page.
        return self.conditional(project=self.project, access=self.access, render=lambda: self._render_list(request))

    def _render_list(self, request):
        if request.accepted_renderer.format != "json":  # the browsable API (DEBUG): render the parsed body
            return Response(json.loads(self._page_json(request)))
        encoding = json_encoding(request) or "gzip"  # kept compressed; inflated for a client that takes neither
        key = rendered_pages.page_key(
            request, project_id=self.project.pk, position=self.change_position, access=self.access, encoding=encoding
        )
        body = rendered_pages.render_once(key, lambda: compress_json(self._page_json(request).encode(), encoding))
        return precompressed_json(request, body, encoding)

    def _page_json(self, request) -> str:
        queryset = self.get_queryset()
        paginator = self.paginator
        bounds = paginator.uncounted_bounds(request)
        bottom, top = bounds or paginator.page_bounds(queryset, request)
        rows_json, total = shot_rows_json(queryset, access=self.access, bottom=bottom, top=top, project_id=self.project.pk)
        if bounds is not None:  # the count came with the rows: now DRF's page checks (404 past the end)
            paginator.page_bounds(queryset, request, total=total)
        return paginator.envelope_json(rows_json)

    @extend_schema(request=s.ShotWriteSerializer, responses={201: s.ShotSerializer})
    def create(self, request, project_pk=None):
        data = s.ShotWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        shot = services.create_shot(actor=request.user, project=self.project, **_shot_fields(self.project, data.validated_data))
        shot = selectors.shot_list(Shot.objects.filter(pk=shot.pk), access=self.access).get()
        return Response(s.ShotSerializer(shot, context=self.get_serializer_context()).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.ShotReorderSerializer, responses={200: s.ReorderResultSerializer}, summary="Bulk reorder shots")
    @action(detail=False, methods=["post"])
    def reorder(self, request, project_pk=None):
        data = s.ShotReorderSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        moved = services.reorder_shots(actor=request.user, project=self.project, shot_ids=data.validated_data["shots"])
        return Response({"moved": moved})


@extend_schema(tags=["shots"])
class ShotViewSet(ProjectRowsMixin, ConditionalReads, mixins.RetrieveModelMixin, ScopedViewSet):
    """One shot with its version stack."""

    queryset = Shot.objects.select_related("project")
    serializer_class = s.ShotDetailSerializer

    def filter_scoped_queryset(self, queryset):
        return queryset.filter(client_visible_shots_q(user=self.request.user))  # clients: shots with submitted versions

    def _detail(self, pk, shot: Shot | None = None) -> Shot:
        shot = shot or self.get_object()
        return selectors.shot_detail(Shot.objects.filter(pk=shot.pk).select_related("project"), access=self.access_to(shot.project)).get()

    def retrieve(self, request, pk=None):
        shot = self.get_object()
        return self.conditional(project=shot.project, access=self.access_to(shot.project), render=lambda: self._render(shot))

    def _render(self, shot: Shot):
        shot = self._detail(shot.pk, shot)
        return Response(s.ShotDetailSerializer(shot, context=self.context_for(shot.project)).data)

    @extend_schema(request=s.ShotWriteSerializer(partial=True), responses={200: s.ShotDetailSerializer})
    def partial_update(self, request, pk=None):
        shot = self.get_object()
        data = s.ShotWriteSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        services.update_shot(actor=request.user, shot=shot, **_shot_fields(shot.project, data.validated_data))
        shot = self._detail(pk)
        return Response(s.ShotDetailSerializer(shot, context=self.context_for(shot.project)).data)

    @extend_schema(responses={204: None})
    def destroy(self, request, pk=None):
        services.delete_shot(actor=request.user, shot=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
