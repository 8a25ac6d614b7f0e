"""Projects and their members."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.response import Response

from projects import access as perms
from projects import selectors, services
from projects.api import serializers as s
from projects.api.views._base import NestedUnderProject, _path_uuid
from projects.models import Project, ProjectMember
from studio.tenancy.api.base import ScopedViewSet
from studio.tenancy.models import ALL_ROLES, Organization
from studio.tenancy.selectors import scope_queryset


@extend_schema(tags=["projects"])
class ProjectViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Projects of the caller's studios (client reviewers: only the projects they were added to)."""

    queryset = Project.objects.select_related("organization")
    tenant_path = "organization"
    project_path = "pk"
    serializer_class = s.ProjectSerializer

    def filter_scoped_queryset(self, queryset):
        status_filter = self.request.query_params.get("status")
        return queryset.filter(status=status_filter) if status_filter else queryset

    def _out(self, projects, many=False):
        rows = projects if many else [projects]
        roles = perms.roles_by_project(user=self.request.user, projects=rows)
        return s.ProjectSerializer(projects, many=many, context={**self.get_serializer_context(), "roles": roles}).data

    @extend_schema(parameters=[OpenApiParameter("status", OpenApiTypes.STR, description="Filter by project status.")])
    def list(self, request):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self._out(page, many=True))

    def retrieve(self, request, pk=None):
        return Response(self._out(self.get_object()))

    @extend_schema(request=s.ProjectWriteSerializer, responses={201: s.ProjectSerializer})
    def create(self, request):
        data = s.ProjectWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        organization = self._organization(fields.pop("organization", None))
        project = services.create_project(actor=request.user, organization=organization, **fields)
        return Response(self._out(project), status=status.HTTP_201_CREATED)

    @extend_schema(request=s.ProjectWriteSerializer(partial=True), responses={200: s.ProjectSerializer})
    def partial_update(self, request, pk=None):
        data = s.ProjectWriteSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        if "organization" in fields:
            raise ValidationError({"organization": ["A project cannot move to another studio."]})
        project = services.update_project(actor=request.user, project=self.get_object(), **fields)
        return Response(self._out(project))

    def _organization(self, org_id) -> Organization:
        orgs = scope_queryset(Organization.objects.all(), user=self.request.user, tenant_path="pk", roles=ALL_ROLES)
        if org_id is not None:
            org = orgs.filter(pk=org_id).first()
            if org is None:
                raise NotFound("Not found.")
            return org
        candidates = list(
            orgs.filter(
                kind=Organization.Kind.STUDIO, memberships__user=self.request.user, memberships__role__in=list(perms.CREATE_PROJECT)
            ).distinct()[:2]
        )
        if not candidates:
            raise PermissionDenied("Only owners, admins and producers of a studio may create projects.")
        if len(candidates) > 1:
            raise ValidationError({"organization": ["You can create projects in several studios; say which one (its id)."]})
        return candidates[0]

    @extend_schema(responses={200: s.PersonSerializer(many=True)}, summary="People who can see the project (for mentions and assignees)")
    @action(detail=True, methods=["get"], pagination_class=None)
    def people(self, request, pk=None):
        project = self.get_object()
        access = perms.project_access(user=request.user, project=project)
        return Response(s.PersonSerializer(selectors.project_people(project=project, access=access), many=True).data)


# ---------------------------------------------------------------- members


@extend_schema(tags=["projects"], parameters=[_path_uuid("project_pk", "The project.")])
class ProjectMemberViewSet(NestedUnderProject, mixins.ListModelMixin, ScopedViewSet):
    """People added to this one project (client reviewers, vendors). Studio staff are not listed here."""

    queryset = ProjectMember.objects.select_related("user").order_by("user__email")
    serializer_class = s.ProjectMemberSerializer
    pagination_class = None

    def filter_scoped_queryset(self, queryset):
        return queryset.filter(project_id=self.kwargs["project_pk"])

    @extend_schema(request=s.ProjectMemberCreateSerializer, responses={201: s.ProjectMemberSerializer})
    def create(self, request, project_pk=None):
        data = s.ProjectMemberCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        member = services.add_project_member(actor=request.user, project=self.project, **data.validated_data)
        return Response(s.ProjectMemberSerializer(member).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.ProjectMemberUpdateSerializer, responses={200: s.ProjectMemberSerializer})
    def partial_update(self, request, project_pk=None, pk=None):
        data = s.ProjectMemberUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        member = services.change_project_member_role(actor=request.user, member=self.get_object(), role=data.validated_data["role"])
        return Response(s.ProjectMemberSerializer(member).data)

    @extend_schema(responses={204: None})
    def destroy(self, request, project_pk=None, pk=None):
        services.remove_project_member(actor=request.user, member=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
