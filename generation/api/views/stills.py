"""Stills on the board: generate a panel's still (or every missing one as one batch), list a panel's
still takes and the renders on the way, pick the panel's still among them (`generation.services.stills`).

Panels and sequences are reached through the tenancy base (another studio's row is a 404) and the
board's own rule (`projects.access.require_board_access`: client reviewers get 404 too); the
services decide who may render and edit.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from generation import selectors, services
from generation.api import serializers as s
from generation.models import GenerationJob, Take
from projects import access as perms
from projects.models import Panel, Sequence
from studio.tenancy.api.base import ScopedAPIView
from studio.tenancy.selectors import scope_queryset

DISCARDED = OpenApiParameter("discarded", OpenApiTypes.BOOL, description="Include discarded still takes (default: no).")


def _visible_panel(user, pk) -> Panel:
    queryset = Panel.objects.select_related("project__organization", "storyboard__sequence")
    panel = scope_queryset(queryset, user=user, tenant_path="project__organization", project_path="project").filter(pk=pk).first()
    if panel is None:
        raise NotFound("Not found.")
    perms.require_board_access(user=user, project=panel.project)
    return panel


def _still_state(panel: Panel) -> dict:
    url = f"/api/v1/panels/{panel.pk}/still/" if panel.still else None
    return {"panel": panel.pk, "still_source": panel.still_source, "still_take": panel.still_take_id, "still_url": url}


def _batch(jobs: list[GenerationJob], skipped=()) -> dict:
    return {
        "batch_id": jobs[0].batch_id,
        "jobs": s.GenerationJobSerializer(jobs, many=True).data,
        "skipped_panels": [p.pk for p in skipped],
    }


@extend_schema(tags=["storyboards"])
class PanelStillsView(ScopedAPIView):
    """A panel's still takes (text-to-image renders) and its still renders on the way; generate more."""

    queryset = Panel.objects.all()
    tenant_path = "project__organization"
    project_path = "project"

    @extend_schema(parameters=[DISCARDED], responses={200: s.PanelStillsSerializer}, summary="A panel's still takes and still renders")
    def get(self, request, pk=None):
        panel = _visible_panel(request.user, pk)
        takes = selectors.take_queryset().filter(panel=panel, organization_id=panel.project.organization_id)
        if request.query_params.get("discarded") not in ("1", "true", "yes"):
            takes = takes.filter(discarded=False)
        takes = takes.filter(perms.take_rows_q(user=request.user))
        jobs = selectors.job_queryset().filter(panel=panel, state__in=GenerationJob.ACTIVE_STATES)
        context = {"request": request}
        body = {
            "panel": panel.pk,
            "still_take": panel.still_take_id,
            "takes": s.TakeSerializer(list(takes), many=True, context=context).data,
            "jobs": s.GenerationJobSerializer(list(jobs), many=True, context=context).data,
        }
        return Response(body)

    @extend_schema(
        request=s.StillSubmitSerializer,
        responses={
            201: s.StillBatchSerializer,
            403: OpenApiResponse(description="Role may not render, or consent denied (reasons; audited)"),
        },
        summary="Generate a still (or several seeds) for one panel, from its prompt",
    )
    def post(self, request, pk=None):
        panel = _visible_panel(request.user, pk)
        data = s.StillSubmitSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        jobs = services.submit_stills(actor=request.user, panels=[panel], **data.service_options())
        return Response(_batch(jobs), status=status.HTTP_201_CREATED)


@extend_schema(tags=["storyboards"])
class PanelStillChoiceView(ScopedAPIView):
    """Pick the panel's still among its still takes."""

    queryset = Panel.objects.all()
    tenant_path = "project__organization"
    project_path = "project"

    @extend_schema(
        request=s.StillChoiceSerializer,
        responses={200: s.PanelStillStateSerializer},
        summary="Use one of the panel's still takes as its still",
    )
    def post(self, request, pk=None):
        panel = _visible_panel(request.user, pk)
        data = s.StillChoiceSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        take = Take.objects.filter(pk=data.validated_data["take"], panel=panel, organization_id=panel.project.organization_id).first()
        if take is None:
            raise NotFound("This panel has no such still take; pick one from GET /panels/{id}/stills/.")
        panel = services.use_still_take(actor=request.user, panel=panel, take=take)
        return Response(_still_state(panel))


@extend_schema(tags=["storyboards"])
class BoardStillsView(ScopedAPIView):
    """Generate the missing stills of a board: every panel without a still (and none on the way), one batch."""

    queryset = Sequence.objects.all()
    tenant_path = "project__organization"
    project_path = "project"

    @extend_schema(
        request=s.StillSubmitSerializer,
        responses={201: s.StillBatchSerializer},
        summary="Generate a still for every panel that has none, as one batch",
    )
    def post(self, request, sequence_pk=None):
        queryset = Sequence.objects.select_related("project__organization")
        sequence = (
            scope_queryset(queryset, user=request.user, tenant_path=self.tenant_path, project_path=self.project_path)
            .filter(pk=sequence_pk)
            .first()
        )
        if sequence is None:
            raise NotFound("Not found.")
        data = s.StillSubmitSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        options = data.service_options()
        if options.get("prompt") is not None:
            raise ValidationError({"prompt": ["A batch uses each panel's own prompt; write them on the board, or generate one panel."]})
        jobs, skipped = services.submit_missing_stills(actor=request.user, sequence=sequence, **options)
        return Response(_batch(jobs, skipped), status=status.HTTP_201_CREATED)
