"""Submissions to the client: submit versions or a playlist, list them, withdraw one."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from projects import access as perms
from projects import services
from projects.api import serializers as s
from projects.api.views._base import NestedUnderProject, ProjectRowsMixin, _path_uuid, visible
from projects.models import Playlist, Submission
from studio.tenancy.api.base import ScopedViewSet

_REFUSALS = {
    400: OpenApiResponse(description="Bad input, or a version that may not reach the client (held, quarantined, processing)"),
    403: OpenApiResponse(description="Only producers, supervisors, admins and owners submit to the client"),
    404: OpenApiResponse(description="No such project (or playlist) for you"),
}


def _rows(queryset, *, user):
    """Submissions `user` may read: the studio all of them; a client reviewer the active ones of versions they see."""
    queryset = queryset.select_related("version__shot", "submitted_by", "withdrawn_by")
    client_rows = perms.client_project_ids(user=user)
    hidden = queryset.filter(project_id__in=client_rows).exclude(perms.submitted_versions_q(version_path="version"))
    return queryset.exclude(pk__in=hidden.values("pk"))


@extend_schema(tags=["review"], parameters=[_path_uuid("project_pk", "The project.")])
class ProjectSubmissionViewSet(NestedUnderProject, mixins.ListModelMixin, ScopedViewSet):
    """What the studio submitted to this project's client reviewers (newest first). Client reviewers see
    the submissions they can watch; the studio sees every one, withdrawn ones included (`?active=true`: not those)."""

    queryset = Submission.objects.all()
    serializer_class = s.SubmissionSerializer

    def filter_scoped_queryset(self, queryset):
        queryset = _rows(queryset.filter(project_id=self.kwargs["project_pk"]), user=self.request.user)
        if self.request.query_params.get("active") in ("1", "true"):
            queryset = queryset.filter(withdrawn_at__isnull=True)
        return queryset.order_by("-submitted_at", "version__shot__code")

    @extend_schema(parameters=[OpenApiParameter("active", OpenApiTypes.BOOL, description="Only submissions not withdrawn.")])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=s.SubmitSerializer, responses={201: s.SubmitResultSerializer, **_REFUSALS},
                   summary="Submit versions (or a playlist) to the client reviewers")
    def create(self, request, project_pk=None):
        data = s.SubmitSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        playlist = None
        if "playlist" in fields:
            if "versions" in fields:
                raise ValidationError({"detail": ["Give either `versions` or `playlist`, not both."]})
            playlist = visible(Playlist.objects.select_related("project"), user=request.user, tenant_path=self.tenant_path,
                               project_path=self.project_path, pk=fields["playlist"])
        elif "versions" not in fields:
            raise ValidationError({"versions": ["Give the version ids to submit as `versions` (or a playlist id as `playlist`)."]})
        result = services.submit_to_client(actor=request.user, project=self.project, versions=fields.get("versions"),
                                           playlist=playlist, note=fields.get("note", ""))
        ids = [row.pk for row in (*result.submitted, *result.already_submitted)]
        found = Submission.objects.filter(pk__in=ids).select_related("version__shot", "submitted_by", "withdrawn_by")
        rows = {row.pk: row for row in found}
        body = {
            "submitted": s.SubmissionSerializer([rows[r.pk] for r in result.submitted], many=True).data,
            "already_submitted": s.SubmissionSerializer([rows[r.pk] for r in result.already_submitted], many=True).data,
            "playlist": playlist.pk if playlist else None,
        }
        return Response(body, status=status.HTTP_201_CREATED)


@extend_schema(tags=["review"])
class SubmissionViewSet(ProjectRowsMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """One submission to the client; `withdraw` hides the version from client reviewers again."""

    queryset = Submission.objects.select_related("project__organization")
    serializer_class = s.SubmissionSerializer

    def filter_scoped_queryset(self, queryset):
        return _rows(queryset, user=self.request.user)

    @extend_schema(request=None, responses={200: s.SubmissionSerializer, **_REFUSALS}, summary="Withdraw a submission from the client")
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        submission = services.withdraw_submission(actor=request.user, submission=self.get_object())
        return Response(s.SubmissionSerializer(self.get_queryset().get(pk=submission.pk)).data)
