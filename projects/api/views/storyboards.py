"""Storyboards: a sequence's board and panels, stills, panel notes, the animatic and "Make shots".

Every row is reached through the tenancy base (a sequence, panel or animatic of another studio is a
404); boards are the studio's work in progress (`access.SEE_BOARDS`): a client reviewer gets 404 too.
The services decide who may write.
"""

from __future__ import annotations

from pathlib import PurePosixPath

from django.http import HttpResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from projects import access as perms
from projects import services
from projects.api.serializers import storyboards as sb
from projects.api.views._base import ProjectRowsMixin, _JsonErrorsOnly, _path_uuid, visible
from projects.interchange import otio_board
from projects.models import Animatic, Panel, PanelComment, Sequence, Storyboard
from studio.http.media import REDIRECT_TO_STORE, stored_file_response
from studio.tenancy.api.base import ScopedAPIView

SEQUENCE = _path_uuid("sequence_pk", "The sequence whose storyboard it is.")


class _SequenceBoard(ProjectRowsMixin, ScopedAPIView):
    # Views under /sequences/{sequence_pk}/storyboard/: the sequence is resolved (or 404) first.

    queryset = Sequence.objects.select_related("project__organization")

    def sequence(self) -> Sequence:
        if "_sequence" not in self.__dict__:
            sequence = visible(self.queryset, user=self.request.user, tenant_path=self.tenant_path,
                               project_path=self.project_path, pk=self.kwargs["sequence_pk"])
            perms.require_board_access(user=self.request.user, project=sequence.project)
            self.__dict__["_sequence"] = sequence
        return self.__dict__["_sequence"]

    def board_response(self, code=status.HTTP_200_OK) -> Response:
        sequence = self.sequence()
        access = self.access_to(sequence.project)
        board = Storyboard.objects.filter(sequence=sequence).first()
        data = sb.board_data(sequence, board, can_edit=access.has(perms.EDIT_BOARDS), can_make_shots=access.has(perms.EDIT_SHOTS))
        return Response(sb.StoryboardSerializer(data).data, status=code)


class _PanelRow(ProjectRowsMixin, ScopedAPIView):
    queryset = Panel.objects.select_related("project__organization", "storyboard__sequence", "shot")

    def panel(self) -> Panel:
        panel = self.get_object()
        perms.require_board_access(user=self.request.user, project=panel.project)
        return panel

    def panel_response(self, panel: Panel, code=status.HTTP_200_OK) -> Response:
        panel = Panel.objects.select_related("shot", "created_by", "updated_by").get(pk=panel.pk)
        earlier = Panel.objects.filter(storyboard_id=panel.storyboard_id, order__lt=panel.order)
        before = list(earlier.values_list("duration_frames", flat=True))
        data = sb.panel_data(panel, number=panel.order + 1, start=sum(before), sequence_id=panel.storyboard.sequence_id,
                             comment_count=panel.comments.count())
        return Response(sb.PanelSerializer(data).data, status=code)


@extend_schema(tags=["storyboards"], parameters=[SEQUENCE])
class StoryboardView(_SequenceBoard):
    """A sequence's storyboard: its panels in order, with timings and stills."""

    @extend_schema(responses={200: sb.StoryboardSerializer}, summary="A sequence's storyboard with its panels in order")
    def get(self, request, sequence_pk=None):
        return self.board_response()


@extend_schema(tags=["storyboards"], parameters=[SEQUENCE])
class StoryboardPanelsView(_SequenceBoard):
    """Add a panel to a sequence's storyboard."""

    @extend_schema(request=sb.PanelCreateSerializer, responses={201: sb.StoryboardSerializer}, summary="Add a panel")
    def post(self, request, sequence_pk=None):
        data = sb.PanelCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.create_panel(actor=request.user, sequence=self.sequence(), **data.validated_data)
        return self.board_response(status.HTTP_201_CREATED)


@extend_schema(tags=["storyboards"], parameters=[SEQUENCE])
class StoryboardReorderView(_SequenceBoard):
    """Reorder a storyboard's panels in one call."""

    @extend_schema(request=sb.PanelReorderSerializer, responses={200: sb.StoryboardSerializer},
                   summary="Reorder the panels: every panel id of the board, exactly once")
    def post(self, request, sequence_pk=None):
        data = sb.PanelReorderSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.reorder_panels(actor=request.user, sequence=self.sequence(), panel_ids=data.validated_data["panels"])
        return self.board_response()


@extend_schema(tags=["storyboards"])
class PanelView(_PanelRow):
    """One storyboard panel: read, edit, delete."""

    @extend_schema(responses={200: sb.PanelSerializer})
    def get(self, request, pk=None):
        return self.panel_response(self.panel())

    @extend_schema(request=sb.PanelWriteSerializer, responses={200: sb.PanelSerializer}, summary="Edit a panel")
    def patch(self, request, pk=None):
        data = sb.PanelWriteSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        panel = services.update_panel(actor=request.user, panel=self.panel(), **data.validated_data)
        return self.panel_response(panel)

    @extend_schema(responses={204: None}, summary="Delete a panel")
    def delete(self, request, pk=None):
        services.delete_panel(actor=request.user, panel=self.panel())
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["storyboards"])
class PanelDuplicateView(_PanelRow):
    """Duplicate a panel; the copy follows it."""

    @extend_schema(request=None, responses={201: sb.PanelSerializer}, summary="Duplicate a panel (the copy follows it)")
    def post(self, request, pk=None):
        copy = services.duplicate_panel(actor=request.user, panel=self.panel())
        return self.panel_response(copy, status.HTTP_201_CREATED)


@extend_schema(tags=["storyboards"])
class PanelStillView(_PanelRow):
    """A panel's still: the image, an upload, its removal."""

    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(responses={(200, "image/png"): OpenApiResponse(OpenApiTypes.BINARY, description="The still"),
                              (200, "image/jpeg"): OpenApiResponse(OpenApiTypes.BINARY),
                              (200, "image/webp"): OpenApiResponse(OpenApiTypes.BINARY), 302: REDIRECT_TO_STORE},
                   summary="The panel's still (image)")
    def get(self, request, pk=None):
        panel = self.panel()
        if not panel.still:
            raise NotFound("This panel has no still yet; upload a drawing or photo.")
        suffix = PurePosixPath(panel.still.name).suffix
        return stored_file_response(request, panel.still.name, content_type=panel.still_content_type or "application/octet-stream",
                                    filename=f"{panel.storyboard.sequence.code}_panel{panel.order + 1}{suffix}",
                                    missing="The still is missing from storage.", cache_control="private, max-age=300")

    def perform_content_negotiation(self, request, force=False):
        if request.method == "GET":
            return _JsonErrorsOnly.perform_content_negotiation(self, request, force)
        return super().perform_content_negotiation(request, force)

    @extend_schema(request={"multipart/form-data": sb.PanelStillUploadSerializer}, responses={200: sb.PanelSerializer},
                   summary="Upload a drawing or photo as the panel's still (PNG, JPEG or WebP)")
    def post(self, request, pk=None):
        panel = self.panel()
        data = sb.PanelStillUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        panel = services.upload_panel_still(actor=request.user, panel=panel, file=data.validated_data["file"])
        return self.panel_response(panel)

    @extend_schema(responses={200: sb.PanelSerializer}, summary="Remove the panel's still")
    def delete(self, request, pk=None):
        panel = services.clear_panel_still(actor=request.user, panel=self.panel())
        return self.panel_response(panel)


@extend_schema(tags=["storyboards"])
class PanelCommentsView(_PanelRow):
    """Notes on a panel (the board's people; not the review notes of versions)."""

    pagination_class = None

    @extend_schema(responses={200: sb.PanelCommentSerializer(many=True)}, summary="The panel's notes, oldest first")
    def get(self, request, pk=None):
        panel = self.panel()
        comments = PanelComment.objects.filter(panel=panel).select_related("author")
        return Response(sb.PanelCommentSerializer([sb.comment_data(c) for c in comments], many=True).data)

    @extend_schema(request=sb.PanelCommentCreateSerializer, responses={201: sb.PanelCommentSerializer}, summary="Add a note to a panel")
    def post(self, request, pk=None):
        data = sb.PanelCommentCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        comment = services.comment_on_panel(actor=request.user, panel=self.panel(), body=data.validated_data["body"])
        return Response(sb.PanelCommentSerializer(sb.comment_data(comment)).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["storyboards"], parameters=[SEQUENCE])
class AnimaticView(_SequenceBoard):
    """The board's animatic: its state, and asking for it to be built."""

    def state(self, code=status.HTTP_200_OK) -> Response:
        key, current, latest = services.current_animatic(self.sequence())
        data = {"key": key, "animatic": sb.animatic_data(current, key=key), "latest": sb.animatic_data(latest, key=key)}
        return Response(sb.AnimaticStateSerializer(data).data, status=code)

    @extend_schema(responses={200: sb.AnimaticStateSerializer}, summary="The animatic of the board as it is now, and the latest built")
    def get(self, request, sequence_pk=None):
        return self.state()

    @extend_schema(request=None, responses={200: sb.AnimaticStateSerializer, 202: sb.AnimaticStateSerializer},
                   summary="Build the animatic (reused while the board is unchanged): 202 when a build was queued")
    def post(self, request, sequence_pk=None):
        _, queued = services.request_animatic(actor=request.user, sequence=self.sequence())
        return self.state(status.HTTP_202_ACCEPTED if queued else status.HTTP_200_OK)


class _AnimaticRow(_JsonErrorsOnly, ProjectRowsMixin, ScopedAPIView):
    queryset = Animatic.objects.select_related("storyboard__project__organization", "storyboard__sequence")
    tenant_path = "storyboard__project__organization"
    project_path = "storyboard__project"

    def animatic(self) -> Animatic:
        animatic = self.get_object()
        perms.require_board_access(user=self.request.user, project=animatic.storyboard.project)
        if animatic.status != Animatic.Status.READY or not animatic.file:
            raise NotFound(f"The animatic is not ready (it is {animatic.status}); play it once it is built.")
        return animatic

    def filename(self, animatic: Animatic, ext: str) -> str:
        board = animatic.storyboard
        return f"{board.project.code}_{board.sequence.code}_animatic.{ext}"


@extend_schema(tags=["storyboards"])
class AnimaticMediaView(_AnimaticRow):
    """An animatic's MP4, with HTTP Range."""

    @extend_schema(parameters=[OpenApiParameter("download", OpenApiTypes.STR, description="1: as an attachment (export).")],
                   responses={(200, "video/mp4"): OpenApiResponse(OpenApiTypes.BINARY, description="The animatic"), 302: REDIRECT_TO_STORE},
                   summary="The animatic as MP4 (HTTP Range)")
    def get(self, request, pk=None):
        animatic = self.animatic()
        download = request.query_params.get("download") in ("1", "true")
        return stored_file_response(request, animatic.file.name, content_type="video/mp4", filename=self.filename(animatic, "mp4"),
                                    missing="The animatic file is missing from storage.", attachment=download)


@extend_schema(tags=["storyboards"])
class AnimaticOtioView(_AnimaticRow):
    """An animatic as an OTIO timeline."""

    @extend_schema(responses={(200, "application/json"): OpenApiResponse(OpenApiTypes.BINARY, description="OTIO timeline")},
                   summary="The animatic as an OpenTimelineIO timeline (one clip per panel)")
    def get(self, request, pk=None):
        animatic = self.animatic()
        shots = dict(Panel.objects.filter(storyboard=animatic.storyboard, shot__isnull=False).values_list("id", "shot__code"))
        media = request.build_absolute_uri(reverse("animatic-media", kwargs={"pk": animatic.pk}))
        content = otio_board.write_animatic(animatic, media_url=media, shots={str(k): v for k, v in shots.items()})
        response = HttpResponse(content, content_type="application/json")
        response["Content-Disposition"] = f'attachment; filename="{self.filename(animatic, "otio")}"'
        response["Cache-Control"] = "private, no-store"
        return response


@extend_schema(tags=["storyboards"], parameters=[SEQUENCE])
class StoryboardShotsView(_SequenceBoard):
    """"Make shots": preview, then apply with the preview's token."""

    @extend_schema(responses={200: sb.ShotPlanSerializer}, summary="Preview \"Make shots\": the shots the panels would create or change")
    def get(self, request, sequence_pk=None):
        return Response(sb.ShotPlanSerializer(services.preview_shots(actor=request.user, sequence=self.sequence())).data)

    @extend_schema(request=sb.MakeShotsSerializer, responses={200: sb.MakeShotsResultSerializer},
                   summary="Make shots from the panels, as previewed (409 when the board changed since the preview)")
    def post(self, request, sequence_pk=None):
        data = sb.MakeShotsSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = services.make_shots(actor=request.user, sequence=self.sequence(), token=data.validated_data["token"])
        return Response(sb.MakeShotsResultSerializer(result).data)
