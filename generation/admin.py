from django.contrib import admin
from django.db import transaction

from generation.models import GenerationJob, ModelProfile, Take
from studio.audit import services as audit


@admin.register(ModelProfile)
class ModelProfileAdmin(admin.ModelAdmin):
    """Operators adjust defaults, limits and GPU options here; new folders go through `register_model`
    (which checks that they load). Every save is audited in the platform chain."""

    list_display = ["name", "family", "kind", "is_default", "is_active", "default_width", "default_height", "default_frames", "updated_at"]
    list_filter = ["family", "kind", "is_active"]
    search_fields = ["name", "display_name", "folder"]
    readonly_fields = ["family", "kind", "pipeline_class", "folder", "created_at", "updated_at"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # jobs and versions refer to it: deactivate instead (is_active)

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            if obj.is_default:
                ModelProfile.objects.filter(is_default=True).exclude(pk=obj.pk).update(is_default=False)
            super().save_model(request, obj, form, change)
            audit.record(organization=None, actor=request.user, action="model.updated", target=obj,
                         data={"name": obj.name, "changed": sorted(form.changed_data)})


@admin.register(GenerationJob)
class GenerationJobAdmin(admin.ModelAdmin):
    """Read-only: jobs change state only through generation.services (which audit and publish)."""

    list_display = ["id", "organization", "shot", "model", "state", "seed", "attempts", "worker", "created_at", "finished_at"]
    list_filter = ["state", "model"]
    search_fields = ["id", "prompt", "shot__code", "worker"]
    list_select_related = ["organization", "shot", "model"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Take)
class TakeAdmin(admin.ModelAdmin):
    """Read-only: takes change only through generation.services.takes (which audit and publish)."""

    list_display = ["id", "shot", "source", "source_tool", "seed", "native_frames", "starred", "discarded", "version", "created_at"]
    list_filter = ["source", "starred", "discarded"]
    search_fields = ["id", "prompt", "shot__code"]
    list_select_related = ["shot", "version"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
