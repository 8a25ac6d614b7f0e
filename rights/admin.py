"""Read-only admin views: consent records change only through rights.services (audited)."""

from django.contrib import admin

from rights.models import ConsentGrant, ConsentRequest, LikenessAsset, LikenessUse, Talent


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Talent)
class TalentAdmin(ReadOnlyAdmin):
    list_display = ["name", "organization", "life_status", "created_at"]
    list_filter = ["life_status"]
    search_fields = ["name"]


@admin.register(LikenessAsset)
class LikenessAssetAdmin(ReadOnlyAdmin):
    list_display = ["id", "talent", "kind", "content_type", "width", "height", "created_at"]
    exclude = ["file", "storage_token"]


@admin.register(ConsentGrant)
class ConsentGrantAdmin(ReadOnlyAdmin):
    list_display = ["talent", "grantee", "project", "state", "valid_from", "valid_until", "requires_per_use_approval"]
    list_filter = ["state", "requires_per_use_approval"]
    search_fields = ["talent__name", "grantee__name"]


@admin.register(LikenessUse)
class LikenessUseAdmin(ReadOnlyAdmin):
    list_display = ["talent", "studio", "project", "job_id", "state", "created_at"]
    list_filter = ["state", "use_type"]


@admin.register(ConsentRequest)
class ConsentRequestAdmin(ReadOnlyAdmin):
    list_display = ["talent", "studio", "agency", "project", "state", "origin", "created_at"]
    list_filter = ["state", "origin"]
    search_fields = ["talent__name", "studio__name"]
