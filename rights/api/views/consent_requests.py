"""Consent requests: the studio sends and lists its own (`?side=studio`), the agency answers its
queue (`?side=agency&state=open`). Visible to the two organizations only; a foreign row is a 404."""

from __future__ import annotations

import uuid

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.response import Response

from rights import selectors, services
from rights.api import serializers as s
from rights.models import ConsentRequest, Talent
from rights.refs import project_directory
from studio.tenancy.api.base import ScopedViewSet

SIDES = ("studio", "agency")


def _choice(params, name: str, choices) -> str | None:
    raw = params.get(name)
    if raw is not None and raw not in choices:
        raise ValidationError({name: [f"Unknown {name} '{raw}'. Use one of: {', '.join(choices)}."]})
    return raw


@extend_schema_view(
    list=extend_schema(parameters=[
        OpenApiParameter("side", str, enum=list(SIDES), description="studio: the requests your studio sent; agency: your queue."),
        OpenApiParameter("state", str, enum=ConsentRequest.State.values),
        OpenApiParameter("project", OpenApiTypes.UUID),
    ]),
)
class ConsentRequestViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Consent requests. A studio asks (usually from a consent refusal); the talent's agency grants or refuses."""

    queryset = ConsentRequest.objects.select_related(
        "talent", "agency", "studio", "project", "requested_by", "answered_by"
    ).order_by("-created_at", "id")
    tenant_path = ("agency", "studio")
    serializer_class = s.ConsentRequestSerializer

    def filter_scoped_queryset(self, queryset):
        params = self.request.query_params
        side = _choice(params, "side", SIDES)
        if side == "agency":
            queryset = queryset.filter(agency_id__in=selectors.agency_ids_for(user=self.request.user))
        elif side == "studio":
            queryset = queryset.filter(studio_id__in=selectors.studio_ids_for(user=self.request.user))
        if state := _choice(params, "state", ConsentRequest.State.values):
            queryset = queryset.filter(state=state)
        if project := params.get("project"):
            try:
                queryset = queryset.filter(project_id=uuid.UUID(project))
            except ValueError:
                raise ValidationError({"project": [f"'{project}' is not an id; send a UUID."]}) from None
        return queryset

    def _respond(self, request_row: ConsentRequest, code: int = status.HTTP_200_OK) -> Response:
        return Response(self.get_serializer(self.queryset.get(pk=request_row.pk)).data, status=code)

    @extend_schema(request=s.ConsentRequestCreateSerializer, responses={201: s.ConsentRequestSerializer, 409: OpenApiResponse(
        description="An open request for this talent and project exists")})
    def create(self, request):
        """The studio sends a consent request (pre-filled in the browser from a `consent_denied` refusal)."""
        data = s.ConsentRequestCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        talent = Talent.objects.select_related("organization").filter(pk=values.pop("talent")).first()
        if talent is None:
            raise ValidationError({"talent": ["No talent has this id; copy it from the consent refusal (talent_id)."]})
        project = project_directory().visible_project(user=request.user, project_id=values.pop("project"))
        if project is None:
            raise NotFound("Not found.")
        created = services.create_consent_request(actor=request.user, talent=talent, project=project, **values)
        return self._respond(created, status.HTTP_201_CREATED)

    def _agency_row(self, request) -> ConsentRequest:
        row = self.get_object()
        if row.agency_id not in set(selectors.agency_ids_for(user=request.user)):
            raise PermissionDenied(f"Only {row.agency.name}, the agency that represents {row.talent.name}, answers this request.")
        return row

    @extend_schema(request=s.GrantActionSerializer, responses={200: s.ConsentRequestSerializer, 409: OpenApiResponse(
        description="Already answered or withdrawn")})
    @action(detail=True, methods=["post"])
    def grant(self, request, pk=None):
        """The agency grants: a consent grant made from the request's terms (any may be changed here), signed and active."""
        row = self._agency_row(request)
        data = s.GrantActionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        terms = {k: values.pop(k) for k in s.GrantActionSerializer.TERM_FIELDS if k in values}
        return self._respond(services.grant_consent_request(actor=request.user, request=row, terms=terms, **values))

    @extend_schema(request=s.ReasonSerializer, responses={200: s.ConsentRequestSerializer, 409: OpenApiResponse(
        description="Already answered or withdrawn")})
    @action(detail=True, methods=["post"])
    def refuse(self, request, pk=None):
        """The agency refuses, with a reason the studio sees."""
        row = self._agency_row(request)
        data = s.ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._respond(services.refuse_consent_request(actor=request.user, request=row, reason=data.validated_data["reason"]))

    @extend_schema(request=s.NoteSerializer, responses={200: s.ConsentRequestSerializer, 409: OpenApiResponse(
        description="Already answered or withdrawn")})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """The studio withdraws its open request."""
        row = self.get_object()
        if row.studio_id not in set(selectors.studio_ids_for(user=request.user)):
            raise PermissionDenied(f"Only {row.studio.name}, which sent this request, can withdraw it.")
        data = s.NoteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._respond(services.withdraw_consent_request(actor=request.user, request=row, reason=data.validated_data["note"]))
