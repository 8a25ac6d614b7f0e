"""Thin API views of GPU scheduling: a studio's limits and quota, its usage ledger, a job's priority."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from generation import selectors, services
from generation.api.renderers import GpuUsageCSVRenderer
from studio.tenancy.api.base import ScopedAPIView
from studio.tenancy.models import ALL_ROLES, Organization

_UNSET = object()

AllowanceSerializer = inline_serializer("GpuAllowance", {
    "organization": serializers.UUIDField(), "max_concurrent": serializers.IntegerField(),
    "max_concurrent_is_default": serializers.BooleanField(), "monthly_gpu_seconds": serializers.IntegerField(allow_null=True),
    "used_gpu_seconds": serializers.FloatField(), "period_start": serializers.DateTimeField(), "resets_at": serializers.DateTimeField(),
    "running": serializers.IntegerField(), "released": serializers.IntegerField(), "waiting": serializers.IntegerField(),
})


class _OrganizationView(ScopedAPIView):
    """Per-organization views: the membership (and role) check is the selector's or service's; a
    studio the caller does not belong to is 404."""

    queryset = Organization.objects.all()
    tenant_path = "pk"
    tenant_roles = ALL_ROLES


class GpuAllowanceView(_OrganizationView):
    """The studio's GPU concurrency limit and monthly GPU-second quota, with this month's use.
    Members read it; owners change it (PATCH; null restores the default / removes the quota)."""

    @extend_schema(responses={200: AllowanceSerializer})
    def get(self, request, organization_pk=None):
        return Response(selectors.gpu_allowance_for(user=request.user, organization=organization_pk))

    @extend_schema(request=inline_serializer("GpuAllowanceUpdate", {
        "max_concurrent": serializers.IntegerField(required=False, allow_null=True),
        "monthly_gpu_seconds": serializers.IntegerField(required=False, allow_null=True)}), responses={200: AllowanceSerializer})
    def patch(self, request, organization_pk=None):
        data = request.data if isinstance(request.data, dict) else {}
        services.set_gpu_allowance(
            actor=request.user, organization=organization_pk,
            **{name: data[name] for name in ("max_concurrent", "monthly_gpu_seconds") if name in data},
        )
        return Response(selectors.gpu_allowance_for(user=request.user, organization=organization_pk))


class GpuUsageView(_OrganizationView):
    """The usage ledger: GPU seconds per project, user and model for one month (UTC). Owners and
    admins; `?format=csv` downloads it."""

    renderer_classes = [JSONRenderer, GpuUsageCSVRenderer]

    def handle_exception(self, exc):
        response = super().handle_exception(exc)
        # Errors answer JSON whatever format was asked for (as the schema documents every error).
        self.request.accepted_renderer, self.request.accepted_media_type = JSONRenderer(), JSONRenderer.media_type
        return response

    @extend_schema(parameters=[OpenApiParameter("month", OpenApiTypes.STR, description="YYYY-MM (UTC); default: this month."),
                               OpenApiParameter("format", OpenApiTypes.STR, enum=["json", "csv"])],
                   responses={200: OpenApiTypes.OBJECT, (200, "text/csv"): OpenApiTypes.STR})
    def get(self, request, organization_pk=None, format=None):  # noqa: A002 - DRF's format suffix argument
        data = selectors.gpu_usage_ledger(user=request.user, organization=organization_pk, month=request.query_params.get("month"))
        response = Response(data)
        if getattr(request.accepted_renderer, "format", "") == "csv":
            response["Content-Disposition"] = f'attachment; filename="gpu-usage-{data["organization"]["id"]}-{data["month"]}.csv"'
        return response
