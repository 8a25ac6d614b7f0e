"""Comments and annotations on a version."""

from __future__ import annotations

import json
from functools import cached_property

from django.http import HttpResponse
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from projects import access as perms
from projects import selectors, services
from projects.access import client_visible_versions_q
from projects.api import serializers as s
from projects.api.views._base import ProjectRowsMixin, _path_uuid, visible
from projects.api.views._conditional import ConditionalReads
from projects.comment_list_json import comment_threads_json
from projects.models import Comment, Version
from studio.tenancy.api.base import ScopedAPIView, ScopedViewSet


@extend_schema(tags=["review"], parameters=[_path_uuid("version_pk", "The version.")])
class VersionCommentViewSet(ProjectRowsMixin, ConditionalReads, mixins.ListModelMixin, ScopedViewSet):
    """Threads on a version ordered by frame; replies nested. Internal notes are hidden from client reviewers."""

    queryset = Comment.objects.all()
    serializer_class = s.CommentSerializer
    pagination_class = None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.version  # noqa: B018

    @cached_property
    def version(self) -> Version:
        return visible(  # clients: notes of submitted versions only
            Version.objects.select_related("project__organization", "shot").filter(client_visible_versions_q(user=self.request.user)),
            user=self.request.user,
            tenant_path=self.tenant_path,
            project_path=self.project_path,
            pk=self.kwargs["version_pk"],
        )

    def filter_scoped_queryset(self, queryset):
        return queryset.filter(version_id=self.kwargs["version_pk"])

    @extend_schema(responses={200: s.CommentSerializer(many=True)})
    def list(self, request, version_pk=None):
        # Rendered by PostgreSQL (projects.comment_list_json): what CommentSerializer answers, in one query.
        project = self.version.project
        return self.conditional(project=project, access=self.access_to(project), render=lambda: self._render_list(request))

    def _render_list(self, request):
        body = comment_threads_json(self.get_queryset(), user=request.user)
        if request.accepted_renderer.format != "json":  # the browsable API (DEBUG): render the parsed body
            return Response(json.loads(body))
        return HttpResponse(body, content_type="application/json")

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


@extend_schema(tags=["review"], parameters=[_path_uuid("pk", "The version.")])
class VersionAgencyNotesView(ProjectRowsMixin, ScopedAPIView):
    """Frame notes of the talent agency reviewing a likeness use of this version (projects/services/agency_notes.py).

    The agency (reached through its talent's use of the version, like the approvals) lists its own
    threads with their replies and posts notes or replies; the studio's people list every agency's
    notes here (they are also among the version's notes, marked with the agency); client reviewers
    get none. A version without a use of the agency's talent is a 404.
    """

    queryset = Version.objects.select_related("project__organization", "shot")
    tenant_path = ("project__organization", "likeness_uses__talent__organization")
    serializer_class = s.CommentSerializer
    pagination_class = None

    def filter_scoped_queryset(self, queryset):
        return queryset.distinct()

    def _threads(self, version: Version):
        user = self.request.user
        if perms.access_for(user=user, project=version.project) is not None:
            roots = Comment.objects.filter(version=version, agency__isnull=False)
            return selectors.comment_thread_queryset(roots, user=user)
        agency = services.note_agency(user=user, version=version)
        return selectors.agency_note_threads(version=version, agency_id=agency.pk)

    @extend_schema(responses={200: s.CommentSerializer(many=True)})
    def get(self, request, pk=None):
        return Response(s.CommentSerializer(self._threads(self.get_object()), many=True).data)

    @extend_schema(request=s.AgencyNoteCreateSerializer, responses={201: s.CommentSerializer})
    def post(self, request, pk=None):
        version = self.get_object()
        data = s.AgencyNoteCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        note = services.create_agency_note(actor=request.user, version=version, parent_id=fields.pop("parent", None), **fields)
        # A new note or a reply, as the agency sees it (no history, no mentions: a fresh agency note has neither).
        shown = Comment.objects.select_related("author", "resolved_by", "agency").prefetch_related("annotations").get(pk=note.pk)
        return Response(s.CommentSerializer(shown).data, status=status.HTTP_201_CREATED)
