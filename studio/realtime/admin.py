"""Read-only admin for the durable event log (for support: "what did the stream send?")."""

from django.contrib import admin

from studio.realtime.models import Event


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ("stream_id", "seq", "type", "audience", "job_id", "at")
    list_filter = ("type", "audience")
    search_fields = ("type", "=stream_id")  # a stream id is a project's id: paste it to see its events
    ordering = ("-at",)
    readonly_fields = ("stream_id", "seq", "type", "job_id", "audience", "data", "at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
