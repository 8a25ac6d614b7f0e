from django.contrib import admin

from notifications.models import Notification, WebhookDelivery, WebhookEndpoint


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "recipient", "kind", "title", "read_at", "emailed_at"]
    list_filter = ["kind"]
    raw_id_fields = ["recipient", "actor", "project"]


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ["url", "organization", "active", "created_at"]
    exclude = ["secret_encrypted"]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "endpoint", "event_type", "state", "attempts", "last_status_code"]
    list_filter = ["state"]
