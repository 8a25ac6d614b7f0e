"""Playlists of a project."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.response import Response

from projects import selectors, services
from projects.api import serializers as s
from projects.api.views._base import NestedUnderProject, ProjectRowsMixin, _path_uuid
from projects.models import Playlist
from studio.tenancy.api.base import ScopedViewSet


@extend_schema(tags=["review"], parameters=[_path_uuid("project_pk", "The project.")])
class ProjectPlaylistViewSet(NestedUnderProject, mixins.ListModelMixin, ScopedViewSet):
    """Dailies of a project. Client reviewers see only playlists shared with clients."""

    queryset = Playlist.objects.all()
    serializer_class = s.PlaylistSerializer

    def filter_scoped_queryset(self, queryset):
        return selectors.playlist_queryset(queryset.filter(project_id=self.kwargs["project_pk"]), user=self.request.user).order_by(
            "-created_at"
        )

    @extend_schema(request=s.PlaylistWriteSerializer, responses={201: s.PlaylistSerializer})
    def create(self, request, project_pk=None):
        data = s.PlaylistWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        playlist = services.create_playlist(actor=request.user, project=self.project, **data.validated_data)
        playlist = self.get_queryset().get(pk=playlist.pk)
        return Response(s.PlaylistSerializer(playlist).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["review"])
class PlaylistViewSet(ProjectRowsMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    queryset = Playlist.objects.select_related("project")
    serializer_class = s.PlaylistSerializer

    def filter_scoped_queryset(self, queryset):
        return selectors.playlist_queryset(queryset, user=self.request.user)

    @extend_schema(request=s.PlaylistWriteSerializer(partial=True), responses={200: s.PlaylistSerializer})
    def partial_update(self, request, pk=None):
        data = s.PlaylistWriteSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        fields = {k: v for k, v in data.validated_data.items() if k in request.data}
        playlist = services.update_playlist(actor=request.user, playlist=self.get_object(), **fields)
        return Response(s.PlaylistSerializer(self.get_queryset().get(pk=playlist.pk)).data)

    @extend_schema(responses={204: None})
    def destroy(self, request, pk=None):
        services.delete_playlist(actor=request.user, playlist=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
