"""Django admin for production tracking: read-mostly views for operators.

Changes of state go through `projects.services` (which audit and publish), so workflow fields are
read-only here; the admin is for looking things up and fixing names and descriptions.
"""

from django.contrib import admin

from projects.models import Annotation, Approval, Comment, Playlist, PlaylistItem, Project, ProjectMember, Sequence, Shot, Version


class ProjectMemberInline(admin.TabularInline):
    model = ProjectMember
    extra = 0
    raw_id_fields = ["user", "added_by"]


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "organization", "status", "fps_num", "fps_den", "start_frame", "created_at"]
    list_filter = ["status", "organization"]
    search_fields = ["code", "name"]
    readonly_fields = ["required_lanes", "created_by", "created_at", "updated_at"]
    inlines = [ProjectMemberInline]


@admin.register(Sequence)
class SequenceAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "project", "order"]
    list_filter = ["project"]
    search_fields = ["code", "name"]


@admin.register(Shot)
class ShotAdmin(admin.ModelAdmin):
    list_display = ["code", "project", "sequence", "status", "frame_in", "frame_out", "retake_count", "updated_at"]
    list_filter = ["status", "project"]
    search_fields = ["code", "description"]
    raw_id_fields = ["current_version", "assignees", "sequence"]
    readonly_fields = ["status", "retake_count", "current_version", "next_version_number", "created_at", "updated_at"]


@admin.register(Version)
class VersionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "project", "source", "processing_status", "approval_status", "frame_count", "created_at"]
    list_filter = ["processing_status", "approval_status", "source"]
    search_fields = ["shot__code"]
    readonly_fields = [
        "project",
        "shot",
        "number",
        "source",
        "original",
        "original_name",
        "original_size",
        "proxy",
        "poster",
        "sprite",
        "sprite_columns",
        "sprite_tile_width",
        "sprite_tile_height",
        "sprite_frames",
        "first_frame",
        "frame_count",
        "fps_num",
        "fps_den",
        "width",
        "height",
        "lineage",
        "created_by",
        "processing_status",
        "failure_reason",
        "approval_status",
        "created_at",
        "updated_at",
    ]


class AnnotationInline(admin.TabularInline):
    model = Annotation
    extra = 0
    readonly_fields = ["frame", "shapes"]


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["version", "frame", "frame_end", "author", "internal", "resolved", "created_at"]
    list_filter = ["internal", "resolved"]
    search_fields = ["body"]
    readonly_fields = [
        "project",
        "version",
        "parent",
        "author",
        "frame",
        "frame_end",
        "internal",
        "resolved_by",
        "resolved_at",
        "edited_at",
        "deleted_at",
        "created_at",
    ]
    inlines = [AnnotationInline]


@admin.register(Approval)
class ApprovalAdmin(admin.ModelAdmin):
    list_display = ["version", "lane", "reviewer", "decision", "decided_at"]
    list_filter = ["lane", "decision"]
    readonly_fields = ["project", "version", "lane", "reviewer", "decision", "note", "decided_at", "created_at"]

    def has_add_permission(self, request):
        return False  # decisions are recorded through projects.services.decide_approval only


class PlaylistItemInline(admin.TabularInline):
    model = PlaylistItem
    extra = 0
    raw_id_fields = ["version"]


@admin.register(Playlist)
class PlaylistAdmin(admin.ModelAdmin):
    list_display = ["name", "project", "audience", "created_at"]
    list_filter = ["audience"]
    inlines = [PlaylistItemInline]
