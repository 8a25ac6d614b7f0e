"""Share links (the studio's side): make, list, revoke, and read who viewed what.

Producers and supervisors (and owners, admins) of the project only: a member with another role is
refused with 403 naming the roles; a row of another studio is a 404. The guest's side is not under
/api/v1/: projects/sharing/ (`/s/<token>/`)."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from projects import services
from projects.api import serializers as s
from projects.api.views._base import ProjectRowsMixin, visible
from projects.models import Playlist, ShareLink, ShareRender, ShareView, Version
from studio.tenancy.api.base import ScopedViewSet

TARGET_PARAMS = [
    OpenApiParameter("version", OpenApiTypes.UUID, description="Links to this version (give version or playlist)."),
    OpenApiParameter("playlist", OpenApiTypes.UUID, description="Links to this playlist (give version or playlist)."),
]


@extend_schema(tags=["sharing"])
class ShareLinkViewSet(ProjectRowsMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Share links of a version or a playlist for people without an account."""

    queryset = ShareLink.objects.select_related("project__organization", "version__shot", "playlist", "created_by")
    serializer_class = s.ShareLinkSerializer
    pagination_class = None  # a version's or a playlist's links and view log are short lists

    def _target(self, *, version_id, playlist_id):
        """The shared version or playlist, resolved through the caller's scope (404), then the role check (403)."""
        if bool(version_id) == bool(playlist_id):
            raise ValidationError({"version": ["Give either version or playlist (one of them)."]})
        queryset = Version.objects.select_related("project__organization", "shot") if version_id else Playlist.objects.select_related(
            "project__organization")
        target = visible(queryset, user=self.request.user, tenant_path=self.tenant_path, project_path=self.project_path,
                         pk=str(version_id or playlist_id))
        services.require_share_manager(user=self.request.user, project=target.project)
        return target

    def get_object(self):
        link = super().get_object()
        services.require_share_manager(user=self.request.user, project=link.project)
        return link

    @extend_schema(parameters=TARGET_PARAMS, responses={200: s.ShareLinkSerializer(many=True)})
    def list(self, request):
        target = self._target(version_id=request.query_params.get("version"), playlist_id=request.query_params.get("playlist"))
        links = self.get_queryset().filter(**{"version" if isinstance(target, Version) else "playlist": target})
        return Response(s.ShareLinkSerializer(links, many=True).data)

    @extend_schema(request=s.ShareLinkCreateSerializer, responses={201: s.ShareLinkCreatedSerializer})
    def create(self, request):
        data = s.ShareLinkCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        target = self._target(version_id=values.pop("version", None), playlist_id=values.pop("playlist", None))
        kind = "version" if isinstance(target, Version) else "playlist"
        link, token = services.create_share_link(actor=request.user, project=target.project, **{kind: target}, **values)
        link = self.get_queryset().get(pk=link.pk)
        body = s.ShareLinkCreatedSerializer(link, context={"token": token, "request": request}).data
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: s.ShareLinkSerializer})
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        link = services.revoke_share_link(actor=request.user, link=self.get_object())
        return Response(s.ShareLinkSerializer(self.get_queryset().get(pk=link.pk)).data)

    @extend_schema(responses={200: s.ShareViewLogSerializer(many=True), 403: OpenApiResponse(description="Not a producer or supervisor")})
    @action(detail=True, methods=["get"])
    def views(self, request, pk=None):
        link = self.get_object()
        from django.db.models import Prefetch

        renders = ShareRender.objects.select_related("version__shot").order_by("order")
        log = ShareView.objects.filter(link=link).prefetch_related(Prefetch("renders", queryset=renders)).order_by("-created_at")
        return Response(s.ShareViewLogSerializer(log, many=True).data)
