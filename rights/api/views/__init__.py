"""Thin API views for talent, likeness assets, consent grants, likeness uses and the usage ledger.

Visibility (through the one tenancy base):
- talent: the representing agency, and studios that hold (or requested) a grant for them (read-only);
- assets: the agency; studios see the metadata while they hold an active grant; the image content
  is served to the agency only (a render reads it through `rights.selectors.asset_for_render`);
- consent grants: the agency of the talent and the grantee studio;
- likeness uses: the agency of the talent (across all studios) and the studio that made them.
"""

from __future__ import annotations

from django.db.models import CharField, F, Func, Q, Value
from django.http import FileResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from rights import selectors, services
from rights.api import serializers as s
from rights.api.renderers import LedgerCSVRenderer
from rights.models import ConsentGrant, LikenessAsset, LikenessUse, Talent
from rights.refs import project_directory
from studio.http.media import REDIRECT_TO_STORE, stored_file_response
from studio.tenancy.api.base import ScopedViewSet
from studio.tenancy.models import Organization
from studio.tenancy.selectors import scope_queryset


def _uuid_or_none(value: str | None):
    import uuid

    if not value:
        return None
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return False


def _filter_uuid(queryset, params, name: str, field: str):
    raw = params.get(name)
    if raw is None:
        return queryset
    value = _uuid_or_none(raw)
    if value is False:
        raise ValidationError({name: [f"'{raw}' is not an id; send a UUID."]})
    return queryset.filter(**{field: value})


def _filter_choice(queryset, params, name: str, field: str, choices: list[str]):
    raw = params.get(name)
    if raw is None:
        return queryset
    if raw not in choices:
        raise ValidationError({name: [f"Unknown {name} '{raw}'. Use one of: {', '.join(choices)}."]})
    return queryset.filter(**{field: raw})


def _require_representing_agency(*, user, talent: Talent, what: str) -> None:
    """The row is visible to the caller; only members of the talent's agency may change it (403)."""
    if not selectors.represents(user=user, talent=talent):
        raise PermissionDenied(f"Only {talent.organization.name}, the agency that represents {talent.name}, can {what}.")


# ---------------------------------------------------------------- talent

@extend_schema_view(
    list=extend_schema(parameters=[
        OpenApiParameter("agency", OpenApiTypes.UUID, description="Only talent of this agency."),
        OpenApiParameter("q", str, description="Name or alias contains this text (case-insensitive)."),
    ]),
)
class TalentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Talent. Agencies register and edit the talent they represent; studios see, read-only, the
    talent they hold or requested consent grants for."""

    queryset = Talent.objects.select_related("organization").order_by("name", "id")
    tenant_path = ("organization", "consent_grants__grantee")
    serializer_class = s.TalentSerializer

    def filter_scoped_queryset(self, queryset):
        params = self.request.query_params
        queryset = _filter_uuid(queryset, params, "agency", "organization_id")
        if q := (params.get("q") or "").strip()[:200]:
            queryset = queryset.annotate(
                alias_text=Func(F("aliases"), Value(" | "), function="array_to_string", output_field=CharField())
            ).filter(Q(name__icontains=q) | Q(alias_text__icontains=q))
        return queryset.distinct()

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["agency_ids"] = set(selectors.agency_ids_for(user=self.request.user))
        return context

    @extend_schema(request=s.TalentCreateSerializer, responses={201: s.TalentSerializer})
    def create(self, request):
        data = s.TalentCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        agency_id = values.pop("agency", None)
        agencies = selectors.agency_ids_for(user=request.user)
        if agency_id is None:
            if not agencies:
                raise PermissionDenied("Only a talent agency registers talent; you are not a member of one.")
            if len(agencies) > 1:
                raise ValidationError({"agency": ["You belong to several agencies; say which one represents this talent."]})
            agency_id = agencies[0]
        agency = Organization.objects.filter(pk=agency_id).first()
        if agency is None or agency.pk not in agencies:
            raise NotFound("Not found.")
        talent = services.create_talent(actor=request.user, agency=agency, **values)
        return Response(self.get_serializer(talent).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.TalentUpdateSerializer, responses={200: s.TalentSerializer})
    def partial_update(self, request, pk=None):
        talent = self.get_object()
        _require_representing_agency(user=request.user, talent=talent, what="edit this talent")
        data = s.TalentUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        if not data.validated_data:
            raise ValidationError({"non_field_errors": ["Send at least one field to change."]})
        talent = services.update_talent(actor=request.user, talent=talent, **data.validated_data)
        return Response(self.get_serializer(talent).data)

    @extend_schema(responses={204: None})
    def destroy(self, request, pk=None):
        talent = self.get_object()
        _require_representing_agency(user=request.user, talent=talent, what="delete this talent")
        services.delete_talent(actor=request.user, talent=talent)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        parameters=[OpenApiParameter("format", str, enum=["json", "csv"], description="csv: download as CSV.")],
        responses={200: s.LedgerSerializer, (200, "text/csv"): OpenApiTypes.STR},
    )
    @action(detail=True, methods=["get"], renderer_classes=[JSONRenderer, LedgerCSVRenderer])
    def ledger(self, request, pk=None, format=None):  # noqa: A002 - DRF's format suffix argument
        """Uses of this talent by studio, project, state and month. The agency sees every studio's
        uses; a studio sees its own. `?format=csv` downloads it."""
        talent = self.get_object()
        data = selectors.ledger_for(talent=talent, user=request.user)
        response = Response(data)
        if getattr(request.accepted_renderer, "format", "") == "csv":
            stamp = timezone.now().strftime("%Y%m%d")
            response["Content-Disposition"] = f'attachment; filename="ledger-{talent.pk}-{stamp}.csv"'
        return response


class LikenessAssetViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Reference images of a talent. The agency uploads and deletes them and reads the image; a studio
    sees the metadata while it holds an active grant (to pick a conditioning reference)."""

    queryset = LikenessAsset.objects.select_related("talent__organization").order_by("created_at", "id")
    tenant_path = ("talent__organization", "talent__consent_grants__grantee")
    serializer_class = s.LikenessAssetSerializer

    def filter_scoped_queryset(self, queryset):
        queryset = queryset.filter(talent_id=self.kwargs.get("talent_pk"))
        return selectors.visible_assets(queryset, user=self.request.user)

    def _talent(self) -> Talent:
        talents = scope_queryset(
            Talent.objects.select_related("organization"), user=self.request.user,
            tenant_path=TalentViewSet.tenant_path,
        )
        talent = talents.filter(pk=self.kwargs["talent_pk"]).first()
        if talent is None:
            raise NotFound("Not found.")
        return talent

    def list(self, request, *args, **kwargs):
        self._talent()
        return super().list(request, *args, **kwargs)

    @extend_schema(request={"multipart/form-data": s.LikenessAssetUploadSerializer}, responses={201: s.LikenessAssetSerializer})
    def create(self, request, talent_pk=None):
        talent = self._talent()
        _require_representing_agency(user=request.user, talent=talent, what="upload likeness assets")
        data = s.LikenessAssetUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        asset = services.upload_asset(actor=request.user, talent=talent, **data.validated_data)
        return Response(self.get_serializer(asset).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={204: None})
    def destroy(self, request, talent_pk=None, pk=None):
        asset = self.get_object()
        _require_representing_agency(user=request.user, talent=asset.talent, what="delete likeness assets")
        services.delete_asset(actor=request.user, asset=asset)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(responses={(200, media): OpenApiTypes.BINARY for media in sorted(set(services.ASSET_FORMATS.values()))})
    @action(detail=True, methods=["get"])
    def content(self, request, talent_pk=None, pk=None):
        """The image itself: for the representing agency only (renders read it through the policy)."""
        asset = self.get_object()
        _require_representing_agency(user=request.user, talent=asset.talent, what="download the reference image")
        try:
            handle = asset.file.open("rb")
        except FileNotFoundError:
            raise NotFound("The stored image is missing; upload it again.")
        response = FileResponse(handle, content_type=asset.content_type)
        ext = asset.file.name.rsplit(".", 1)[-1]
        response["Content-Disposition"] = f'inline; filename="{asset.pk}.{ext}"'
        response["Cache-Control"] = "private, no-store"
        return response


# ---------------------------------------------------------------- consent grants

@extend_schema_view(
    list=extend_schema(parameters=[
        OpenApiParameter("talent", OpenApiTypes.UUID),
        OpenApiParameter("studio", OpenApiTypes.UUID),
        OpenApiParameter("project", OpenApiTypes.UUID),
        OpenApiParameter("state", str, enum=ConsentGrant.State.values),
    ]),
)
class ConsentGrantViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Consent grants. Studios request them; the talent's agency grants, suspends, resumes and revokes."""

    queryset = ConsentGrant.objects.select_related(
        "talent__organization", "grantee", "project", "requested_by", "granted_by"
    ).order_by("-created_at", "id")
    tenant_path = ("talent__organization", "grantee")
    serializer_class = s.ConsentGrantSerializer

    def filter_scoped_queryset(self, queryset):
        params = self.request.query_params
        queryset = _filter_uuid(queryset, params, "talent", "talent_id")
        queryset = _filter_uuid(queryset, params, "studio", "grantee_id")
        queryset = _filter_uuid(queryset, params, "project", "project_id")
        return _filter_choice(queryset, params, "state", "state", ConsentGrant.State.values)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["now"] = timezone.now()
        return context

    def _respond(self, grant: ConsentGrant, code: int = status.HTTP_200_OK) -> Response:
        grant = self.queryset.get(pk=grant.pk)
        return Response(self.get_serializer(grant).data, status=code)

    @extend_schema(request=s.GrantRequestSerializer, responses={201: s.ConsentGrantSerializer})
    def create(self, request):
        """A studio requests consent (state pending)."""
        data = s.GrantRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        talent = Talent.objects.select_related("organization").filter(pk=values.pop("talent")).first()
        if talent is None:
            raise ValidationError({"talent": ["No talent has this id; copy it from the talent list or a consent denial."]})
        project_id = values.pop("project", None)
        studio_id = values.pop("studio", None)
        project = None
        if project_id is not None:
            project = project_directory().visible_project(user=request.user, project_id=project_id)
            if project is None:
                raise NotFound("Not found.")
            if studio_id is not None and project.organization_id != studio_id:
                raise ValidationError({"project": ["This project belongs to another studio than the one given."]})
            studio = project.organization
        else:
            studios = selectors.studio_ids_for(user=request.user)
            if studio_id is None:
                if not studios:
                    raise PermissionDenied("Only a studio requests consent grants; you are not a member of one.")
                if len(studios) > 1:
                    raise ValidationError({"studio": ["You belong to several studios; say which one the grant is for."]})
                studio_id = studios[0]
            if studio_id not in studios:
                raise NotFound("Not found.")
            studio = Organization.objects.get(pk=studio_id)
        grant = services.request_grant(
            actor=request.user, talent=talent, studio=studio, project=project, note=values.pop("note"), **values
        )
        return self._respond(grant, status.HTTP_201_CREATED)

    def _agency_grant(self, request) -> ConsentGrant:
        grant = self.get_object()
        _require_representing_agency(user=request.user, talent=grant.talent, what="change this grant")
        return grant

    @extend_schema(
        request=s.GrantActionSerializer, responses={200: s.ConsentGrantSerializer, 409: OpenApiResponse(description="Not pending")}
    )
    @action(detail=True, methods=["post"])
    def grant(self, request, pk=None):
        """The agency grants a pending request, recording the signed document (and the final terms)."""
        grant = self._agency_grant(request)
        data = s.GrantActionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        terms = {k: values.pop(k) for k in s.GrantActionSerializer.TERM_FIELDS if k in values}
        grant = services.grant_consent(actor=request.user, grant=grant, terms=terms, **values)
        return self._respond(grant)

    @extend_schema(request=s.ReasonSerializer, responses={200: s.ConsentGrantSerializer, 409: OpenApiResponse(description="Not active")})
    @action(detail=True, methods=["post"])
    def suspend(self, request, pk=None):
        grant = self._agency_grant(request)
        data = s.ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._respond(services.suspend_grant(actor=request.user, grant=grant, reason=data.validated_data["reason"]))

    @extend_schema(request=s.NoteSerializer, responses={200: s.ConsentGrantSerializer, 409: OpenApiResponse(description="Not suspended")})
    @action(detail=True, methods=["post"])
    def resume(self, request, pk=None):
        grant = self._agency_grant(request)
        data = s.NoteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._respond(services.resume_grant(actor=request.user, grant=grant, note=data.validated_data["note"]))

    @extend_schema(request=s.ReasonSerializer, responses={200: s.ConsentGrantSerializer, 409: OpenApiResponse(description="Already ended")})
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        grant = self._agency_grant(request)
        data = s.ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._respond(services.revoke_grant(actor=request.user, grant=grant, reason=data.validated_data["reason"]))


# ---------------------------------------------------------------- likeness uses

@extend_schema_view(
    list=extend_schema(parameters=[
        OpenApiParameter("talent", OpenApiTypes.UUID),
        OpenApiParameter("studio", OpenApiTypes.UUID),
        OpenApiParameter("project", OpenApiTypes.UUID),
        OpenApiParameter("version", OpenApiTypes.UUID),
        OpenApiParameter("job", OpenApiTypes.UUID),
        OpenApiParameter("state", str, enum=LikenessUse.State.values),
    ]),
)
class LikenessUseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Every use of a likeness. The agency sees its talent's uses across all studios (studio and
    project name, shot code, prompt, the version's proxy, decisions) and decides those awaiting
    review; a studio sees its own uses."""

    queryset = LikenessUse.objects.select_related(
        "talent__organization", "studio", "project", "shot", "version", "decided_by", "created_by"
    ).order_by("-created_at", "id")
    tenant_path = ("talent__organization", "studio")
    serializer_class = s.LikenessUseSerializer

    def filter_scoped_queryset(self, queryset):
        params = self.request.query_params
        queryset = _filter_uuid(queryset, params, "talent", "talent_id")
        queryset = _filter_uuid(queryset, params, "studio", "studio_id")
        queryset = _filter_uuid(queryset, params, "project", "project_id")
        queryset = _filter_uuid(queryset, params, "version", "version_id")
        queryset = _filter_uuid(queryset, params, "job", "job_id")
        return _filter_choice(queryset, params, "state", "state", LikenessUse.State.values)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["studio_ids"] = set(selectors.studio_ids_for(user=self.request.user))
        return context

    def paginate_queryset(self, queryset):
        """The page's ids from the filtered uses alone, then those uses with their related rows. Joining
        the seven related tables for every use before sorting cost ~0.3 s for an agency with 10,000
        uses (issue 17); sorting the bare rows and joining 100 costs a few ms, for one more query."""
        ids = super().paginate_queryset(queryset.values_list("pk", flat=True))
        if ids is None:
            return None
        rows = {use.pk: use for use in queryset.filter(pk__in=ids)}
        return [rows[pk] for pk in ids if pk in rows]

    @extend_schema(
        request=s.DecideSerializer, responses={200: s.LikenessUseSerializer, 409: OpenApiResponse(description="Already decided")}
    )
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        """The talent's agency approves or rejects a use awaiting review (a rejection needs a note)."""
        use = self.get_object()
        _require_representing_agency(user=request.user, talent=use.talent, what="decide this use")
        data = s.DecideSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        use = services.decide_use(actor=request.user, use=use, **data.validated_data)
        return Response(self.get_serializer(self.queryset.get(pk=use.pk)).data)

    def perform_content_negotiation(self, request, force=False):
        # The proxy is fetched by a <video> element (Accept: video/*): ignore Accept there and answer
        # errors as JSON, like the version media view.
        if getattr(self, "action", None) == "proxy":
            return JSONRenderer(), JSONRenderer.media_type
        return super().perform_content_negotiation(request, force=force)

    @extend_schema(
        parameters=[OpenApiParameter("Range", OpenApiTypes.STR, OpenApiParameter.HEADER, description="e.g. bytes=0-1048575")],
        responses={
            (200, "video/mp4"): OpenApiTypes.BINARY,
            (206, "video/mp4"): OpenApiTypes.BINARY,
            302: REDIRECT_TO_STORE,
            304: OpenApiResponse(description="Not modified (If-None-Match)"),
            202: OpenApiResponse(description="The agency's watermarked copy is being made; ask again after Retry-After seconds"),
            404: OpenApiResponse(description="No such use for you, or its version has no review proxy yet"),
            416: OpenApiResponse(description="Range not satisfiable"),
        },
    )
    @action(detail=True, methods=["get"], renderer_classes=[JSONRenderer])
    def proxy(self, request, pk=None):
        """The review proxy of the version this use produced (what the agency reviews), with HTTP Range
        support so the player can seek and step frames without downloading the whole file."""
        use = self.get_object()
        if use.version_id is None or not use.version.proxy:
            raise NotFound("This use has no version with a review proxy yet.")
        name = project_directory().review_proxy_name(user=request.user, version_id=use.version_id)
        if name is None:  # the agency's watermarked copy is being made: never the plain proxy meanwhile
            response = Response({"status": "preparing", "code": "watermark_preparing", "retry_after": 5,
                                 "detail": "Your personal review copy of this version is being made; it plays in a few moments."},
                                status=status.HTTP_202_ACCEPTED)
            response["Retry-After"], response["Cache-Control"] = "5", "private, no-store"
            return response
        # A talent's likeness is not kept in any cache (a revoked grant must not stay playable offline).
        return stored_file_response(request, name, content_type="video/mp4", filename=f"{use.version_id}-proxy.mp4",
                                    missing="The proxy file is missing.", cache_control="private, no-store")


from rights.api.views.consent_requests import ConsentRequestViewSet  # noqa: E402  (one module per concept)

__all__ = ["ConsentGrantViewSet", "ConsentRequestViewSet", "LikenessAssetViewSet", "LikenessUseViewSet", "TalentViewSet"]
