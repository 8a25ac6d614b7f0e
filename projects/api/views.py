"""Thin API views for production tracking. Every view goes through the tenancy base.

Rows reach their studio through `tenant_path` and their project through `project_path`, so client
reviewers added to one project see that project's rows and nothing else. Nested routes
(`projects/{id}/shots/` …) resolve their parent through the same scoping first: a parent the
caller cannot see is a 404, never an empty list.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import ClassVar

from django.conf import settings
from django.db.models import Count
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from projects import access as perms
from projects import selectors, services
from projects.api import serializers as s
from projects.api.ranges import ranged_file_response
from projects.interchange import MAX_IMPORT_BYTES, csv_shotlist, otio_cut
from projects.models import Comment, Playlist, Project, ProjectMember, Sequence, Shot, Version
from studio.pagination import Pagination
from studio.tenancy.api.base import ScopedAPIView, ScopedViewSet
from studio.tenancy.models import ALL_ROLES, ORG_WIDE_ROLES, Membership, Organization
from studio.tenancy.selectors import scope_queryset

UUID_RE = r"[0-9a-fA-F-]{36}"


def _path_uuid(name: str, description: str) -> OpenApiParameter:
    return OpenApiParameter(name, OpenApiTypes.UUID, OpenApiParameter.PATH, description=description)


def visible(queryset, *, user, tenant_path: str, project_path: str, pk):
    """A row the caller may see, else 404."""
    return services.resolve_or_404(scope_queryset(queryset, user=user, tenant_path=tenant_path, project_path=project_path), pk)


class ShotPagination(Pagination):
    """Pages of 100 by default; `page_size` up to 10,000, or `page_size=all` for the whole list."""

    max_page_size = 10_000

    def get_page_size(self, request):
        if request.query_params.get(self.page_size_query_param) == "all":
            return self.max_page_size
        return super().get_page_size(request)


class ProjectRowsMixin:
    """Shared by the views of rows that belong to a project."""

    tenant_path: ClassVar = "project__organization"
    project_path: ClassVar = "project"
    lookup_value_regex = UUID_RE

    def access_to(self, project: Project) -> perms.ProjectAccess:
        cache = self.__dict__.setdefault("_access_cache", {})
        if project.pk not in cache:
            cache[project.pk] = perms.project_access(user=self.request.user, project=project)
        return cache[project.pk]

    def context_for(self, project: Project) -> dict:
        return {**self.get_serializer_context(), "access": self.access_to(project)}


class NestedUnderProject(ProjectRowsMixin):
    """Views under /projects/{project_pk}/…: the project is resolved (or 404) before anything else."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.project  # noqa: B018 - resolve the parent first: 404 when invisible

    @cached_property
    def project(self) -> Project:
        return visible(
            Project.objects.select_related("organization"),
            user=self.request.user,
            tenant_path="organization",
            project_path="pk",
            pk=self.kwargs["project_pk"],
        )

    @property
    def access(self) -> perms.ProjectAccess:
        return self.access_to(self.project)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if "project_pk" in self.kwargs:
            context["access"] = self.access
        return context


# ---------------------------------------------------------------- projects


def _roles_by_project(user, projects) -> dict:
    org_roles = dict(Membership.objects.filter(user=user, role__in=list(ORG_WIDE_ROLES)).values_list("organization_id", "role"))
    member_roles = dict(ProjectMember.objects.filter(user=user, project__in=[p.pk for p in projects]).values_list("project_id", "role"))
    return {p.pk: org_roles.get(p.organization_id) or member_roles.get(p.pk) for p in projects}


@extend_schema(tags=["projects"])
class ProjectViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Projects of the caller's studios (client reviewers: only the projects they were added to)."""

    queryset = Project.objects.select_related("organization")
    tenant_path = "organization"
    project_path = "pk"
    serializer_class = s.ProjectSerializer
    lookup_value_regex = UUID_RE

    def filter_scoped_queryset(self, queryset):
        status_filter = self.request.query_params.get("status")
        return queryset.filter(status=status_filter) if status_filter else queryset

    def _out(self, projects, many=False):
        rows = projects if many else [projects]
        return s.ProjectSerializer(
            projects, many=many, context={**self.get_serializer_context(), "roles": _roles_by_project(self.request.user, rows)}
        ).data

    @extend_schema(parameters=[OpenApiParameter("status", OpenApiTypes.STR, description="Filter by project status.")])
    def list(self, request):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self._out(page, many=True))

    def retrieve(self, request, pk=None):
        return Response(self._out(self.get_object()))

    @extend_schema(request=s.ProjectWriteSerializer, responses={201: s.ProjectSerializer})
    def create(self, request):
        data = s.ProjectWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        organization = self._organization(fields.pop("organization", None))
        project = services.create_project(actor=request.user, organization=organization, **fields)
        return Response(self._out(project), status=status.HTTP_201_CREATED)

    @extend_schema(request=s.ProjectWriteSerializer(partial=True), responses={200: s.ProjectSerializer})
    def partial_update(self, request, pk=None):
        data = s.ProjectWriteSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        if "organization" in fields:
            raise ValidationError({"organization": ["A project cannot move to another studio."]})
        project = services.update_project(actor=request.user, project=self.get_object(), **fields)
        return Response(self._out(project))

    def _organization(self, org_id) -> Organization:
        orgs = scope_queryset(Organization.objects.all(), user=self.request.user, tenant_path="pk", roles=ALL_ROLES)
        if org_id is not None:
            org = orgs.filter(pk=org_id).first()
            if org is None:
                raise NotFound("Not found.")
            return org
        candidates = list(
            orgs.filter(
                kind=Organization.Kind.STUDIO, memberships__user=self.request.user, memberships__role__in=list(perms.CREATE_PROJECT)
            ).distinct()[:2]
        )
        if not candidates:
            raise PermissionDenied("Only owners, admins and producers of a studio may create projects.")
        if len(candidates) > 1:
            raise ValidationError({"organization": ["You can create projects in several studios; say which one (its id)."]})
        return candidates[0]

    @extend_schema(responses={200: s.PersonSerializer(many=True)}, summary="People who can see the project (for mentions and assignees)")
    @action(detail=True, methods=["get"], pagination_class=None)
    def people(self, request, pk=None):
        project = self.get_object()
        access = perms.project_access(user=request.user, project=project)
        return Response(s.PersonSerializer(selectors.project_people(project=project, access=access), many=True).data)


# ---------------------------------------------------------------- members


@extend_schema(tags=["projects"], parameters=[_path_uuid("project_pk", "The project.")])
class ProjectMemberViewSet(NestedUnderProject, mixins.ListModelMixin, ScopedViewSet):
    """People added to this one project (client reviewers, vendors). Studio staff are not listed here."""

    queryset = ProjectMember.objects.select_related("user").order_by("user__email")
    serializer_class = s.ProjectMemberSerializer
    pagination_class = None

    def filter_scoped_queryset(self, queryset):
        return queryset.filter(project_id=self.kwargs["project_pk"])

    @extend_schema(request=s.ProjectMemberCreateSerializer, responses={201: s.ProjectMemberSerializer})
    def create(self, request, project_pk=None):
        data = s.ProjectMemberCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        member = services.add_project_member(actor=request.user, project=self.project, **data.validated_data)
        return Response(s.ProjectMemberSerializer(member).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.ProjectMemberUpdateSerializer, responses={200: s.ProjectMemberSerializer})
    def partial_update(self, request, project_pk=None, pk=None):
        data = s.ProjectMemberUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        member = services.change_project_member_role(actor=request.user, member=self.get_object(), role=data.validated_data["role"])
        return Response(s.ProjectMemberSerializer(member).data)

    @extend_schema(responses={204: None})
    def destroy(self, request, project_pk=None, pk=None):
        services.remove_project_member(actor=request.user, member=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


# ---------------------------------------------------------------- sequences


@extend_schema(tags=["shots"], parameters=[_path_uuid("project_pk", "The project.")])
class SequenceViewSet(NestedUnderProject, mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    queryset = Sequence.objects.all()
    serializer_class = s.SequenceSerializer
    pagination_class = None

    def filter_scoped_queryset(self, queryset):
        return queryset.filter(project_id=self.kwargs["project_pk"]).annotate(shot_count=Count("shots")).order_by("order", "code")

    @extend_schema(request=s.SequenceWriteSerializer, responses={201: s.SequenceSerializer})
    def create(self, request, project_pk=None):
        data = s.SequenceWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        sequence = services.create_sequence(actor=request.user, project=self.project, **data.validated_data)
        return Response(s.SequenceSerializer(sequence).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.SequenceWriteSerializer(partial=True), responses={200: s.SequenceSerializer})
    def partial_update(self, request, project_pk=None, pk=None):
        data = s.SequenceWriteSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        sequence = services.update_sequence(actor=request.user, sequence=self.get_object(), **data.validated_data)
        return Response(s.SequenceSerializer(sequence).data)

    @extend_schema(responses={204: None})
    def destroy(self, request, project_pk=None, pk=None):
        services.delete_sequence(actor=request.user, sequence=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


# ---------------------------------------------------------------- shots

SHOT_FILTERS = [
    OpenApiParameter("status", OpenApiTypes.STR, description="Comma-separated statuses, e.g. review,in_progress."),
    OpenApiParameter("sequence", OpenApiTypes.STR, description="Sequence id or code; 'none' for unsequenced shots."),
    OpenApiParameter("assignee", OpenApiTypes.STR, description="User id, email, or 'me'."),
    OpenApiParameter("q", OpenApiTypes.STR, description="Search in code and description."),
    OpenApiParameter(
        "ordering",
        OpenApiTypes.STR,
        description="order (default: sequence, then shot order), code, status, frame_in, updated_at, retake_count; '-' reverses.",
    ),
    OpenApiParameter("page_size", OpenApiTypes.STR, description="1-10000, or 'all'."),
]


def _sequence_for(project: Project, value):
    if value is None:
        return None
    sequence = Sequence.objects.filter(project=project, pk=value).first()
    if sequence is None:
        raise ValidationError({"sequence": ["No such sequence in this project; create it first or leave it empty."]})
    return sequence


def _shot_fields(project: Project, validated: dict) -> dict:
    fields = dict(validated)
    if "sequence" in fields:
        fields["sequence"] = _sequence_for(project, fields["sequence"])
    return fields


@extend_schema(tags=["shots"], parameters=[_path_uuid("project_pk", "The project.")])
class ProjectShotViewSet(NestedUnderProject, mixins.ListModelMixin, ScopedViewSet):
    """The shot list of a project: each shot with its current version, thumbnail, assignees and status."""

    queryset = Shot.objects.all()
    serializer_class = s.ShotSerializer
    pagination_class = ShotPagination

    def filter_scoped_queryset(self, queryset):
        filters = {k: self.request.query_params.get(k) for k in ("status", "sequence", "assignee", "q", "ordering")}
        filters["user"] = self.request.user
        return selectors.shot_list(queryset.filter(project_id=self.kwargs["project_pk"]), access=self.access, filters=filters)

    @extend_schema(parameters=SHOT_FILTERS)
    def list(self, request, project_pk=None):
        return super().list(request)

    @extend_schema(request=s.ShotWriteSerializer, responses={201: s.ShotSerializer})
    def create(self, request, project_pk=None):
        data = s.ShotWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        shot = services.create_shot(actor=request.user, project=self.project, **_shot_fields(self.project, data.validated_data))
        shot = selectors.shot_list(Shot.objects.filter(pk=shot.pk), access=self.access).get()
        return Response(s.ShotSerializer(shot, context=self.get_serializer_context()).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.ShotReorderSerializer, responses={200: s.ReorderResultSerializer}, summary="Bulk reorder shots")
    @action(detail=False, methods=["post"])
    def reorder(self, request, project_pk=None):
        data = s.ShotReorderSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        moved = services.reorder_shots(actor=request.user, project=self.project, shot_ids=data.validated_data["shots"])
        return Response({"moved": moved})


@extend_schema(tags=["shots"])
class ShotViewSet(ProjectRowsMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """One shot with its version stack."""

    queryset = Shot.objects.select_related("project")
    serializer_class = s.ShotDetailSerializer

    def _detail(self, pk) -> Shot:
        shot = self.get_object()
        return selectors.shot_detail(Shot.objects.filter(pk=shot.pk).select_related("project"), access=self.access_to(shot.project)).get()

    def retrieve(self, request, pk=None):
        shot = self._detail(pk)
        return Response(s.ShotDetailSerializer(shot, context=self.context_for(shot.project)).data)

    @extend_schema(request=s.ShotWriteSerializer(partial=True), responses={200: s.ShotDetailSerializer})
    def partial_update(self, request, pk=None):
        shot = self.get_object()
        data = s.ShotWriteSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        services.update_shot(actor=request.user, shot=shot, **_shot_fields(shot.project, data.validated_data))
        shot = self._detail(pk)
        return Response(s.ShotDetailSerializer(shot, context=self.context_for(shot.project)).data)

    @extend_schema(responses={204: None})
    def destroy(self, request, pk=None):
        services.delete_shot(actor=request.user, shot=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


# ---------------------------------------------------------------- versions


@extend_schema(tags=["versions"], parameters=[_path_uuid("shot_pk", "The shot.")])
class ShotVersionViewSet(ProjectRowsMixin, mixins.ListModelMixin, ScopedViewSet):
    """The version stack of a shot (newest first); upload a video as the next version."""

    queryset = Version.objects.all()
    serializer_class = s.VersionSerializer

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.shot  # noqa: B018 - 404 before anything else when the shot is invisible

    @cached_property
    def shot(self) -> Shot:
        return visible(
            Shot.objects.select_related("project__organization"),
            user=self.request.user,
            tenant_path=self.tenant_path,
            project_path=self.project_path,
            pk=self.kwargs["shot_pk"],
        )

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["access"] = self.access_to(self.shot.project)
        return context

    def filter_scoped_queryset(self, queryset):
        return selectors.version_list(queryset.filter(shot_id=self.kwargs["shot_pk"]))

    @extend_schema(
        request={"multipart/form-data": s.VersionUploadSerializer},
        responses={
            201: s.VersionSerializer,
            400: OpenApiResponse(description="Not a readable, complete video within the limits"),
            413: OpenApiResponse(description="Larger than MAX_UPLOAD_BYTES"),
        },
    )
    def create(self, request, shot_pk=None):
        # Refuse early, before the body is read: no permission, or a declared size over the limit.
        perms.require_project_role(user=request.user, project=self.shot.project, roles=perms.ADD_VERSIONS, action="add versions")
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > settings.MAX_UPLOAD_BYTES + 64 * 1024:
            services.check_upload_size(declared)
        data = s.VersionUploadSerializer(data=request.data)
        if not data.is_valid():
            if "file" in data.errors:
                raise ValidationError(
                    {"file": ["Attach the video as the multipart form field 'file' (Content-Type: multipart/form-data)."]}
                )
            raise ValidationError(data.errors)
        version = services.upload_version(
            actor=request.user,
            shot=self.shot,
            upload=data.validated_data["file"],
            note=data.validated_data.get("note", ""),
        )
        version = Version.objects.select_related("shot", "created_by").get(pk=version.pk)
        return Response(s.VersionSerializer(version, context=self.get_serializer_context()).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["versions"])
class VersionViewSet(ProjectRowsMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    queryset = Version.objects.select_related("shot", "created_by", "project")
    serializer_class = s.VersionSerializer

    def retrieve(self, request, pk=None):
        version = self.get_object()
        return Response(s.VersionSerializer(version, context=self.context_for(version.project)).data)

    @extend_schema(request=s.VersionUpdateSerializer, responses={200: s.VersionSerializer})
    def partial_update(self, request, pk=None):
        data = s.VersionUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        version = services.update_version(actor=request.user, version=self.get_object(), note=data.validated_data["note"])
        version = self.get_queryset().get(pk=version.pk)
        return Response(s.VersionSerializer(version, context=self.context_for(version.project)).data)


class _JsonErrorsOnly:
    """For views answering files: ignore Accept (a <video> or <img> element sends video/*, image/*),
    and render errors as JSON."""

    renderer_classes = [JSONRenderer]

    def perform_content_negotiation(self, request, force=False):
        return JSONRenderer(), JSONRenderer.media_type


MEDIA_TYPES = {"proxy": "video/mp4", "poster": "image/jpeg", "sprite": "image/jpeg"}


@extend_schema(
    tags=["versions"],
    parameters=[
        _path_uuid("pk", "The version."),
        OpenApiParameter(
            "kind",
            OpenApiTypes.STR,
            OpenApiParameter.PATH,
            enum=list(s.MEDIA_KINDS),
            description="original (the upload, untouched), proxy (frame-steppable H.264 MP4), poster (JPEG), sprite (hover-scrub JPEG).",
        ),
        OpenApiParameter("Range", OpenApiTypes.STR, OpenApiParameter.HEADER, description="e.g. bytes=0-1048575"),
    ],
    responses={
        (200, "application/octet-stream"): OpenApiTypes.BINARY,
        (206, "application/octet-stream"): OpenApiTypes.BINARY,
        304: OpenApiResponse(description="Not modified (If-None-Match)"),
        403: OpenApiResponse(description="original: delivery refused by the consent policy (reasons as JSON)"),
        404: OpenApiResponse(description="No such version for you, or this media is not ready"),
        416: OpenApiResponse(description="Range not satisfiable"),
    },
)
class VersionMediaView(_JsonErrorsOnly, ProjectRowsMixin, ScopedAPIView):
    """A version's media, only for people who may see the version, with HTTP Range support."""

    queryset = Version.objects.select_related("shot")

    def get(self, request, pk=None, kind=None):
        version = self.get_object()
        stored = getattr(version, kind)
        if not stored:
            if kind == "original":
                raise NotFound("This version has no original file.")
            raise NotFound(f"The {kind} is not available: the version's media is {version.processing_status}.")
        path = Path(stored.path)
        if not path.is_file():
            raise NotFound(f"The {kind} file is missing from storage.")
        if kind == "original":
            # Downloading the original is delivery: the consent policy must allow it (403 with reasons).
            services.check_delivery(version=version, actor=request.user)
            filename = version.original_name or path.name
            content_type = {".mp4": "video/mp4", ".mov": "video/quicktime", ".webm": "video/webm", ".mkv": "video/x-matroska"}.get(
                path.suffix.lower(), "application/octet-stream"
            )
        else:
            filename = f"{version.shot.code}_{version.label}_{kind}{path.suffix}"
            content_type = MEDIA_TYPES[kind]
        return ranged_file_response(request, path, content_type=content_type, filename=filename, attachment=kind == "original")


# ---------------------------------------------------------------- comments


@extend_schema(tags=["review"], parameters=[_path_uuid("version_pk", "The version.")])
class VersionCommentViewSet(ProjectRowsMixin, mixins.ListModelMixin, ScopedViewSet):
    """Threads on a version ordered by frame; replies nested. Internal notes are hidden from client reviewers."""

    queryset = Comment.objects.all()
    serializer_class = s.CommentSerializer
    pagination_class = None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.version  # noqa: B018

    @cached_property
    def version(self) -> Version:
        return visible(
            Version.objects.select_related("project__organization", "shot"),
            user=self.request.user,
            tenant_path=self.tenant_path,
            project_path=self.project_path,
            pk=self.kwargs["version_pk"],
        )

    def filter_scoped_queryset(self, queryset):
        return selectors.comment_thread_queryset(queryset.filter(version_id=self.kwargs["version_pk"]), user=self.request.user)

    @extend_schema(request=s.CommentCreateSerializer, responses={201: s.CommentSerializer})
    def create(self, request, version_pk=None):
        data = s.CommentCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        parent_id = fields.pop("parent", None)
        parent = None
        if parent_id is not None:
            # The version is visible already; the parent must be on it and visible to the caller.
            parent = (
                Comment.objects.filter(version=self.version, pk=parent_id)
                .filter(selectors.visible_comments_filter(user=request.user))
                .select_related("parent")
                .first()
            )
            if parent is None:
                raise ValidationError({"parent": ["No such comment on this version."]})
        comment = services.create_comment(actor=request.user, version=self.version, parent=parent, **fields)
        comment = selectors.comment_thread_queryset(Comment.objects.filter(pk=comment.pk), user=request.user, roots_only=False).get()
        return Response(s.CommentSerializer(comment).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["review"])
class CommentViewSet(ProjectRowsMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """One comment: edit (author; the previous text is kept in `history`), resolve/reopen, delete."""

    queryset = Comment.objects.select_related("project")
    serializer_class = s.CommentSerializer

    def filter_scoped_queryset(self, queryset):
        return selectors.comment_thread_queryset(queryset, user=self.request.user, roots_only=False)

    @extend_schema(request=s.CommentUpdateSerializer, responses={200: s.CommentSerializer})
    def partial_update(self, request, pk=None):
        data = s.CommentUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        comment = services.edit_comment(actor=request.user, comment=self.get_object(), **data.validated_data)
        return Response(s.CommentSerializer(self.get_queryset().get(pk=comment.pk)).data)

    @extend_schema(responses={204: None})
    def destroy(self, request, pk=None):
        services.delete_comment(actor=request.user, comment=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


# ---------------------------------------------------------------- approvals


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
        return queryset.distinct()

    def _summary(self, version: Version) -> dict:
        agency_ids = None
        access = perms.access_for(user=self.request.user, project=version.project)
        if access is None:
            agency_ids = set(
                Membership.objects.filter(user=self.request.user, role__in=list(ORG_WIDE_ROLES)).values_list("organization_id", flat=True)
            )
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


# ---------------------------------------------------------------- playlists


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


# ---------------------------------------------------------------- interchange


def _read_upload(upload) -> bytes:
    if upload.size > MAX_IMPORT_BYTES:
        raise services.PayloadTooLarge(f"The file is {upload.size:,} bytes; imports are limited to {MAX_IMPORT_BYTES:,} bytes.")
    return upload.read()


def _attachment(content: str, *, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@extend_schema(
    tags=["interchange"],
    parameters=[_path_uuid("project_pk", "The project.")],
    responses={(200, "text/csv"): OpenApiTypes.STR},
    summary="Export the shot list as CSV",
)
class ShotListCsvExportView(_JsonErrorsOnly, NestedUnderProject, ScopedAPIView):
    queryset = Project.objects.all()
    tenant_path = "organization"
    project_path = "pk"

    def get(self, request, project_pk=None):
        content = csv_shotlist.export_shot_list(project=self.project, access=self.access)
        return _attachment(content, content_type="text/csv; charset=utf-8", filename=f"{self.project.code}_shot_list.csv")


@extend_schema(
    tags=["interchange"],
    parameters=[_path_uuid("project_pk", "The project.")],
    request={"multipart/form-data": s.ImportSerializer},
    responses={200: s.ImportSummarySerializer},
    summary="Import a shot list CSV (creates and updates shots; all or nothing)",
)
class ShotListCsvImportView(NestedUnderProject, ScopedAPIView):
    queryset = Project.objects.all()
    tenant_path = "organization"
    project_path = "pk"
    serializer_class = s.ImportSerializer

    def post(self, request, project_pk=None):
        data = s.ImportSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        perms.require_project_role(user=request.user, project=self.project, roles=perms.EDIT_SHOTS, action="import the shot list")
        specs, ignored = csv_shotlist.read_shot_list(_read_upload(data.validated_data["file"]))
        summary = services.apply_shot_specs(
            actor=request.user,
            project=self.project,
            specs=specs,
            source="csv",
            dry_run=data.validated_data["dry_run"],
        )
        summary["ignored_columns"] = ignored
        return Response(s.ImportSummarySerializer(summary).data)


@extend_schema(
    tags=["interchange"],
    parameters=[
        _path_uuid("project_pk", "The project."),
        OpenApiParameter("format", OpenApiTypes.STR, enum=list(otio_cut.FORMATS), description="otio (default) or edl (CMX 3600)."),
    ],
    responses={(200, "application/vnd.opentimelineio+json"): OpenApiTypes.STR, (200, "text/plain"): OpenApiTypes.STR},
    summary="Export the cut (latest approved version of each shot, comment markers)",
)
class CutExportView(_JsonErrorsOnly, NestedUnderProject, ScopedAPIView):
    queryset = Project.objects.all()
    tenant_path = "organization"
    project_path = "pk"

    def get(self, request, project_pk=None):
        fmt = request.query_params.get("format") or "otio"
        if fmt not in otio_cut.FORMATS:
            raise ValidationError({"format": [f"Use one of: {', '.join(otio_cut.FORMATS)}."]})
        timeline, _ = otio_cut.build_timeline(
            project=self.project,
            access=self.access,
            media_url=lambda version: request.build_absolute_uri(s.media_url(version.id, "proxy")),
            actor=request.user,
        )
        content = otio_cut.write_cut(timeline, fmt)
        return _attachment(content, content_type=otio_cut.CONTENT_TYPES[fmt], filename=f"{self.project.code}_cut.{fmt}")


@extend_schema(
    tags=["interchange"],
    parameters=[_path_uuid("project_pk", "The project.")],
    request={"multipart/form-data": s.CutImportSerializer},
    responses={200: s.ImportSummarySerializer},
    summary="Import a cut (.otio or CMX 3600 .edl): create or update sequences and shots with their frame ranges",
)
class CutImportView(NestedUnderProject, ScopedAPIView):
    queryset = Project.objects.all()
    tenant_path = "organization"
    project_path = "pk"
    serializer_class = s.CutImportSerializer

    def post(self, request, project_pk=None):
        data = s.CutImportSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        perms.require_project_role(user=request.user, project=self.project, roles=perms.EDIT_SHOTS, action="import a cut")
        upload = data.validated_data["file"]
        specs, notes = otio_cut.read_cut(
            _read_upload(upload),
            filename=upload.name or "",
            project=self.project,
            fmt=data.validated_data.get("format"),
            frames=data.validated_data["frames"],
        )
        summary = services.apply_shot_specs(
            actor=request.user,
            project=self.project,
            specs=specs,
            source=f"cut:{otio_cut.format_for(upload.name or '', data.validated_data.get('format'))}",
            dry_run=data.validated_data["dry_run"],
        )
        summary.update(notes)
        return Response(s.ImportSummarySerializer(summary).data)
