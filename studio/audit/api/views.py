from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins

from studio.audit.api.serializers import AuditEventSerializer
from studio.audit.models import AuditEvent
from studio.tenancy.api.base import ScopedViewSet
from studio.tenancy.models import AUDIT_READER_ROLES


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
