"""API routes of this app, mounted under /api/v1/ by studio/api_urls.py."""

from django.urls import path

from notifications.api import views
from studio.http.ids import IdRouter

router = IdRouter()
router.register("notifications", views.NotificationViewSet, basename="notification")
router.register("webhooks", views.WebhookEndpointViewSet, basename="webhook")
router.register("webhook-deliveries", views.WebhookDeliveryViewSet, basename="webhook-delivery")

urlpatterns = [
    path("notification-preferences/", views.NotificationPreferencesView.as_view(), name="notification-preferences"),
    path("webhook-event-types/", views.WebhookEventTypesView.as_view(), name="webhook-event-types"),
    *router.urls,
]
