"""Thin API views of the generation engine: parse, call one service or selector, serialise."""

from __future__ import annotations

import uuid

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from generation import selectors, services
from generation.api import serializers as s
from generation.models import GenerationJob
from projects.access import internal_rows_q
from projects.models import Project, Shot
from studio.tenancy.api.base import ScopedAPIView, ScopedViewSet
from studio.tenancy.models import ALL_ROLES, Organization
from studio.tenancy.selectors import scope_queryset

LIST_FILTERS = [
    OpenApiParameter("state", OpenApiTypes.STR, description="queued, running, succeeded, failed or cancelled (comma-separated)."),
    OpenApiParameter("batch", OpenApiTypes.UUID, description="Jobs submitted together."),
]


def _visible(queryset, user, pk, *, tenant_path: str, project_path: str):
    row = scope_queryset(queryset, user=user, tenant_path=tenant_path, project_path=project_path).filter(pk=pk).first()
    if row is None:
        raise NotFound("Not found.")
    return row


def _uuid_param(request, name: str) -> str | None:
    value = request.query_params.get(name)
    if value in (None, ""):
        return None
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise ValidationError({name: [f"'{value}' is not a valid id; pass the UUID of a {name}."]})


def _filter_jobs(queryset, request):
    states = request.query_params.get("state")
    if states:
        wanted = [x.strip() for x in states.split(",") if x.strip()]
        bad = [x for x in wanted if x not in GenerationJob.State.values]
        if bad:
            raise ValidationError({"state": [f"Unknown state '{bad[0]}'. Use one of: {', '.join(GenerationJob.State.values)}."]})
        queryset = queryset.filter(state__in=wanted)
    if batch := _uuid_param(request, "batch"):
        queryset = queryset.filter(batch_id=batch)
    return queryset


class _JobScope:
    queryset = selectors.job_queryset()
    tenant_path = "organization"
    project_path = "project"
    serializer_class = s.GenerationJobSerializer

    def studio_jobs(self, queryset):
        """Jobs are studio internals (projects.access): a client reviewer sees none of them (a list is
        empty, one job answers 404), whichever route asks."""
        return queryset.filter(internal_rows_q(user=self.request.user, project_path="project"))


class ShotGenerationViewSet(_JobScope, mixins.ListModelMixin, ScopedViewSet):
    """Renders of one shot: list them, or submit new ones."""

    def _shot(self) -> Shot:
        return _visible(Shot.objects.select_related("project", "project__organization"), self.request.user, self.kwargs["shot_pk"],
                        tenant_path="project__organization", project_path="project")

    def filter_scoped_queryset(self, queryset):
        return _filter_jobs(self.studio_jobs(queryset).filter(shot_id=self.kwargs["shot_pk"]), self.request)

    @extend_schema(parameters=LIST_FILTERS)
    def list(self, request, shot_pk=None):
        self._shot()
        return super().list(request)

    @extend_schema(request={"application/json": s.GenerationSubmitSerializer, "multipart/form-data": s.GenerationSubmitSerializer},
                   responses={201: s.GenerationBatchSerializer,
                              403: OpenApiResponse(description="Role may not render, or consent denied (reasons as JSON; audited)")})
    def create(self, request, shot_pk=None):
        shot = self._shot()
        data = s.GenerationSubmitSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        jobs = services.submit_generation(
            actor=request.user, shot=shot, prompt=values["prompt"], negative_prompt=values.get("negative_prompt"),
            seed=values.get("seed"), model=values.get("model") or None, frames=values.get("frames"), width=values.get("width"),
            height=values.get("height"), fps=values.get("fps"), steps=values.get("steps"), guidance=values.get("guidance"),
            init_image=values.get("init_image"), count=values.get("count", 1), cast=values.get("cast", ()),
            use_type=values.get("use_type") or "digital_replica", likeness_asset=values.get("likeness_asset"),
        )
        # The jobs carry their model, shot and submitter already: serialised without another query.
        body = {"batch_id": str(jobs[0].batch_id), "jobs": s.GenerationJobSerializer(jobs, many=True).data}
        return Response(body, status=status.HTTP_201_CREATED)


class ProjectGenerationViewSet(_JobScope, mixins.ListModelMixin, ScopedViewSet):
    """Every render of one project, newest first (filter with ?state=, ?shot=, ?batch=)."""

    def filter_scoped_queryset(self, queryset):
        queryset = _filter_jobs(self.studio_jobs(queryset).filter(project_id=self.kwargs["project_pk"]), self.request)
        if shot := _uuid_param(self.request, "shot"):
            queryset = queryset.filter(shot_id=shot)
        return queryset

    @extend_schema(parameters=[*LIST_FILTERS, OpenApiParameter("shot", OpenApiTypes.UUID)])
    def list(self, request, project_pk=None):
        _visible(Project.objects.all(), request.user, project_pk, tenant_path="organization", project_path="pk")
        return super().list(request)


class GenerationViewSet(_JobScope, mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Renders the caller can see: read one, list them (?project=, ?shot=, ?state=, ?batch=), cancel one."""

    def filter_scoped_queryset(self, queryset):
        queryset = self.studio_jobs(queryset)
        if self.action != "list":
            return queryset
        queryset = _filter_jobs(queryset, self.request)
        if project := _uuid_param(self.request, "project"):
            queryset = queryset.filter(project_id=project)
        if shot := _uuid_param(self.request, "shot"):
            queryset = queryset.filter(shot_id=shot)
        return queryset

    @extend_schema(parameters=[*LIST_FILTERS, OpenApiParameter("project", OpenApiTypes.UUID), OpenApiParameter("shot", OpenApiTypes.UUID)])
    def list(self, request):
        return super().list(request)

    @extend_schema(request=None, responses={200: s.GenerationJobSerializer, 202: s.GenerationJobSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """A queued job is cancelled at once (200); a running one stops at its next step (202, then
        `job.state_changed` → cancelled). A finished job answers 409."""
        job = services.cancel_generation(actor=request.user, job=self.get_object())
        job = selectors.job_queryset().get(pk=job.pk)
        code = status.HTTP_202_ACCEPTED if job.state == GenerationJob.State.RUNNING else status.HTTP_200_OK
        return Response(s.GenerationJobSerializer(job).data, status=code)


    @extend_schema(request=inline_serializer("GenerationPriority", {"priority": serializers.IntegerField(min_value=0, max_value=10)}),
                   responses={200: s.GenerationJobSerializer})
    @action(detail=True, methods=["post"])
    def priority(self, request, pk=None):
        """Move a waiting job within its studio's order (0 normal … 10 first). Producers, supervisors,
        admins and owners; 409 once the job was released to a GPU."""
        priority = request.data.get("priority") if isinstance(request.data, dict) else None
        job = services.set_job_priority(actor=request.user, job=self.get_object(), priority=priority)
        return Response(s.GenerationJobSerializer(selectors.job_queryset().get(pk=job.pk)).data)


class ModelProfileListView(ScopedAPIView):
    """The models studio members can render with, with their defaults and constraints.

    Models are a platform catalogue; the scope is the caller's studio memberships (agency-only and
    anonymous callers see none).
    """

    queryset = Organization.objects.filter(kind=Organization.Kind.STUDIO)
    tenant_path = "pk"
    tenant_roles = ALL_ROLES

    @extend_schema(responses={200: inline_serializer("ModelProfileList", {
        "count": serializers.IntegerField(), "results": s.ModelProfileSerializer(many=True)})})
    def get(self, request):
        profiles = list(selectors.active_profiles()) if self.get_queryset().exists() else []
        return Response({"count": len(profiles), "results": s.ModelProfileSerializer(profiles, many=True).data})
