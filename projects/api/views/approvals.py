"""Approval lanes of a version: the summary and the decisions."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response

from projects import access as perms
from projects import selectors, services
from projects.api import serializers as s
from projects.api.views._base import ProjectRowsMixin, _path_uuid
from projects.models import Version
from studio.tenancy.api.base import ScopedAPIView


@extend_schema(tags=["review"], parameters=[_path_uuid("pk", "The version.")])
class VersionApprovalView(ProjectRowsMixin, ScopedAPIView):
    """The version's approval lanes and decisions; POST records the caller's decision in one lane.

    Also reachable by the agency representing a talent whose likeness the version uses: it decides
    the `agency` lane and sees the lanes' states, its own lane's decisions and the consent reasons
    about its talent — nothing else of the studio. A refused approval (quarantined, awaiting the
    agency, consent denied) is a 403 with the consent reasons as JSON.
    """

    queryset = Version.objects.select_related("project__organization", "shot")
    tenant_path = ("project__organization", "likeness_uses__talent__organization")
    serializer_class = s.ApprovalSummarySerializer

    def filter_scoped_queryset(self, queryset):
        # Clients: submitted versions only (an agency deciding its lane is not a client reviewer of the project).
        return queryset.filter(perms.client_visible_versions_q(user=self.request.user)).distinct()

    def _summary(self, version: Version) -> dict:
        access = perms.access_for(user=self.request.user, project=version.project)
        agency_ids = None if access is not None else perms.acting_agency_ids(user=self.request.user, project=version.project)
        return selectors.approval_summary(version, agency_ids=agency_ids, user=self.request.user, access=access)

    @extend_schema(responses={200: s.ApprovalSummarySerializer})
    def get(self, request, pk=None):
        return Response(s.ApprovalSummarySerializer(self._summary(self.get_object())).data)

    @extend_schema(
        request=s.ApprovalDecisionSerializer,
        responses={201: s.ApprovalSummarySerializer, 403: OpenApiResponse(description="Not your lane, or refused by the consent policy")},
    )
    def post(self, request, pk=None):
        data = s.ApprovalDecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        version = services.decide_approval(actor=request.user, version=self.get_object(), **data.validated_data)
        return Response(s.ApprovalSummarySerializer(self._summary(version)).data, status=status.HTTP_201_CREATED)
