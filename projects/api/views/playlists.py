"""Playlists of a project."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from projects import selectors, services
from projects.api import serializers as s
from projects.api.views._base import NestedUnderProject, ProjectRowsMixin, _path_uuid
from projects.models import Playlist
from studio.http.ids import nested
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

    def _fresh(self, playlist) -> dict:
        return s.PlaylistSerializer(self.get_queryset().get(pk=playlist.pk)).data

    @extend_schema(request=s.PlaylistAddSerializer, responses={200: s.PlaylistAddResultSerializer})
    @action(detail=True, methods=["post"], url_path="add-shots")
    def add_shots(self, request, pk=None):
        """Append the current versions of a selection of shots (`shots`) or of every shot with a status (`status`)."""
        data = s.PlaylistAddSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        playlist = self.get_object()
        result = services.add_shots_to_playlist(
            actor=request.user, playlist=playlist, shots=data.validated_data.get("shots"), status=data.validated_data.get("status")
        )
        return Response({**result, "playlist": self._fresh(playlist)})

    @extend_schema(request=s.PlaylistReorderSerializer, responses={200: s.PlaylistSerializer})
    @action(detail=True, methods=["post"])
    def reorder(self, request, pk=None):
        data = s.PlaylistReorderSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        playlist = self.get_object()
        services.reorder_playlist(actor=request.user, playlist=playlist, items=[str(i) for i in data.validated_data["items"]])
        return Response(self._fresh(playlist))

    @extend_schema(
        methods=["PATCH"], request=s.PlaylistItemWriteSerializer, responses={200: s.PlaylistSerializer},
        parameters=[_path_uuid("item_pk", "The playlist item.")],
    )
    @extend_schema(methods=["DELETE"], responses={204: None}, parameters=[_path_uuid("item_pk", "The playlist item.")])
    @action(detail=True, methods=["patch", "delete"], url_path=rf"items/{nested('item_pk')}")
    def item(self, request, pk=None, item_pk=None):
        """One item: its note, which version of its shot it plays (PATCH), or take it out (DELETE)."""
        playlist = self.get_object()
        item = services.resolve_or_404(playlist.items.select_related("playlist__project", "version__shot"), item_pk)
        if request.method == "DELETE":
            services.remove_playlist_item(actor=request.user, item=item)
            return Response(status=status.HTTP_204_NO_CONTENT)
        data = s.PlaylistItemWriteSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        changes = {k: (str(v) if k == "version" else v) for k, v in data.validated_data.items()}
        services.update_playlist_item(actor=request.user, item=item, **changes)
        return Response(self._fresh(playlist))
