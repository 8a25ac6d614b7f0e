from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins
from rest_framework.pagination import CursorPagination

from studio.audit.api.serializers import AuditEventSerializer
from studio.audit.models import AuditEvent
from studio.pagination import Pagination
from studio.tenancy.api.base import ScopedViewSet
from studio.tenancy.models import AUDIT_READER_ROLES


class AuditPagination(CursorPagination):
    """Newest first, by cursor: a page deep in a long chain costs what the first one does (no OFFSET).
    `?page=N` still answers numbered pages, for clients written against them. Both answer the same
    shape (`count`, `next`, `previous`, `results`): the count is one COUNT over the caller's rows."""

    ordering = ("-occurred_at", "-id")
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000

    def paginate_queryset(self, queryset, request, view=None):
        self.numbered = Pagination() if "page" in request.query_params else None
        if self.numbered is not None:
            return self.numbered.paginate_queryset(queryset.order_by(*self.ordering), request, view)
        self.count = queryset.count()
        return super().paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data):
        if self.numbered is not None:
            return self.numbered.get_paginated_response(data)
        response = super().get_paginated_response(data)
        response.data = {"count": self.count, **response.data}
        return response

    def get_paginated_response_schema(self, schema):
        return Pagination().get_paginated_response_schema(schema)

    def get_schema_operation_parameters(self, view):
        return [*super().get_schema_operation_parameters(view), *Pagination().get_schema_operation_parameters(view)[:1]]


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("organization", str, description="Only this organization's chain."),
            OpenApiParameter("action", str, description="Only events with this action, e.g. membership.created."),
        ]
    )
)
class AuditEventViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """The audit chains of the organizations where the caller is owner, admin or legal. Read-only."""

    queryset = AuditEvent.objects.all()
    tenant_path = "organization"
    tenant_roles = AUDIT_READER_ROLES
    serializer_class = AuditEventSerializer
    pagination_class = AuditPagination

    def filter_scoped_queryset(self, queryset):
        params = self.request.query_params
        if org := params.get("organization"):
            queryset = queryset.filter(organization_id=org) if _is_uuid(org) else queryset.none()
        if act := params.get("action"):
            queryset = queryset.filter(action=act)
        return queryset.order_by("-occurred_at", "-id")


def _is_uuid(value: str) -> bool:
    import uuid

    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True
