"""The one base for every API view under /api/v1/.

A view declares *how* its rows reach an organization (`tenant_path`), a project (`project_path`)
or a user (`owner_path`); the base applies the caller's memberships. Overriding `get_queryset` is
refused at class-creation time, so a later view cannot forget the tenant filter: extra filters go
through `filter_scoped_queryset`. A row of another tenant is simply absent, hence 404.
"""

from __future__ import annotations

from typing import ClassVar

from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet
from rest_framework import generics, viewsets

from studio.tenancy.selectors import scope_queryset


class TenantScopedMixin:
    tenant_path: ClassVar[str | tuple[str, ...] | None] = None
    project_path: ClassVar[str | None] = None
    owner_path: ClassVar[str | None] = None
    tenant_roles: ClassVar[frozenset[str] | None] = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "get_queryset" in cls.__dict__:
            raise TypeError(
                f"{cls.__name__} overrides get_queryset(); tenant-scoped views must not. "
                "Add filters in filter_scoped_queryset(queryset) instead."
            )

    def get_queryset(self) -> QuerySet:  # final: see __init_subclass__
        if getattr(self, "queryset", None) is None:
            raise ImproperlyConfigured(f"{type(self).__name__} needs a `queryset`.")
        if self.tenant_path is None and self.owner_path is None:
            raise ImproperlyConfigured(f"{type(self).__name__} declares neither tenant_path nor owner_path.")
        queryset = scope_queryset(
            self.queryset.all(),
            user=self.request.user,
            tenant_path=self.tenant_path,
            project_path=self.project_path,
            owner_path=self.owner_path,
            roles=self.tenant_roles,
        )
        return self.filter_scoped_queryset(queryset)

    def filter_scoped_queryset(self, queryset: QuerySet) -> QuerySet:
        """Hook for per-view filters and select_related; receives the already-scoped queryset."""
        return queryset


class ScopedViewSet(TenantScopedMixin, viewsets.GenericViewSet):
    """Base for every viewset under /api/v1/. Add DRF mixins for the actions you need."""


class ScopedAPIView(TenantScopedMixin, generics.GenericAPIView):
    """Base for single-endpoint views under /api/v1/."""
