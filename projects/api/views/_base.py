"""What the production-tracking views share: the scoped lookup, access per project,
the parent project of nested routes, and JSON errors for views that answer files."""

from __future__ import annotations

from functools import cached_property
from typing import ClassVar

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.renderers import JSONRenderer

from projects import access as perms
from projects import services
from projects.models import Project
from studio.tenancy.selectors import scope_queryset


def _path_uuid(name: str, description: str) -> OpenApiParameter:
    return OpenApiParameter(name, OpenApiTypes.UUID, OpenApiParameter.PATH, description=description)


def visible(queryset, *, user, tenant_path: str, project_path: str, pk):
    """A row the caller may see, else 404."""
    return services.resolve_or_404(scope_queryset(queryset, user=user, tenant_path=tenant_path, project_path=project_path), pk)


class ProjectRowsMixin:
    """Shared by the views of rows that belong to a project."""

    tenant_path: ClassVar = "project__organization"
    project_path: ClassVar = "project"

    def access_to(self, project: Project) -> perms.ProjectAccess:
        cache = self.__dict__.setdefault("_access_cache", {})
        if project.pk not in cache:
            cache[project.pk] = perms.project_access(user=self.request.user, project=project)
        return cache[project.pk]

    def context_for(self, project: Project) -> dict:
        return {**self.get_serializer_context(), "access": self.access_to(project)}


class NestedUnderProject(ProjectRowsMixin):
    """Views under /projects/{project_pk}/…: the project is resolved (or 404) before anything else."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.project  # noqa: B018 - resolve the parent first: 404 when invisible

    @cached_property
    def project(self) -> Project:
        return visible(
            Project.objects.select_related("organization"),
            user=self.request.user,
            tenant_path="organization",
            project_path="pk",
            pk=self.kwargs["project_pk"],
        )

    @property
    def access(self) -> perms.ProjectAccess:
        return self.access_to(self.project)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if "project_pk" in self.kwargs:
            context["access"] = self.access
        return context


class _JsonErrorsOnly:
    """For views answering files: ignore Accept (a <video> or <img> element sends video/*, image/*),
    and render errors as JSON."""

    renderer_classes = [JSONRenderer]

    def perform_content_negotiation(self, request, force=False):
        return JSONRenderer(), JSONRenderer.media_type
