"""Serializers of the inbox and webhook API (documented for drf-spectacular)."""

from __future__ import annotations

from rest_framework import serializers

from notifications.kinds import Kind
from notifications.models import Notification, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from notifications.selectors import notification_payload


class NotificationTargetSerializer(serializers.Serializer):
    project = serializers.UUIDField(required=False)
    version = serializers.UUIDField(required=False)
    shot = serializers.UUIDField(required=False)
    frame = serializers.IntegerField(required=False)
    comment = serializers.UUIDField(required=False)
    job = serializers.UUIDField(required=False)
    label = serializers.CharField(required=False)
    consent_request = serializers.UUIDField(required=False)
    grant = serializers.UUIDField(required=False)
    sequence = serializers.UUIDField(required=False, help_text="A still rendered for a storyboard panel: the board's sequence.")
    panel = serializers.UUIDField(required=False)


class NotificationSerializer(serializers.Serializer):
    """Same shape as `notification.created`'s `notification` (selectors.notification_payload)."""

    id = serializers.UUIDField()
    kind = serializers.ChoiceField(choices=Kind.choices)
    title = serializers.CharField()
    body = serializers.CharField()
    actor_name = serializers.CharField()
    project = serializers.UUIDField(allow_null=True)
    target = NotificationTargetSerializer()
    created_at = serializers.DateTimeField()
    read = serializers.BooleanField()

    def to_representation(self, instance: Notification) -> dict:
        return notification_payload(instance)


class MarkReadSerializer(serializers.Serializer):
    ids = serializers.ListField(child=serializers.UUIDField(), required=False, help_text="Notifications to mark; leave out with all=true.")
    all = serializers.BooleanField(required=False, default=False, help_text="Mark every notification of yours.")
    read = serializers.BooleanField(required=False, default=True, help_text="false marks them unread again.")


class MarkOneSerializer(serializers.Serializer):
    read = serializers.BooleanField(required=False, default=True)


class UnreadSerializer(serializers.Serializer):
    unread = serializers.IntegerField()
    changed = serializers.IntegerField(required=False)


class PreferenceSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Kind.choices)
    label = serializers.CharField(read_only=True)
    in_app = serializers.BooleanField()
    email = serializers.BooleanField()
    default_in_app = serializers.BooleanField(read_only=True)
    default_email = serializers.BooleanField(read_only=True)


class PreferenceChangeSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Kind.choices)
    in_app = serializers.BooleanField(required=False)
    email = serializers.BooleanField(required=False)


class PreferencesUpdateSerializer(serializers.Serializer):
    preferences = PreferenceChangeSerializer(many=True)


class WebhookEndpointSerializer(serializers.ModelSerializer):
    organization = serializers.UUIDField(source="organization_id", read_only=True)
    event_types = serializers.ListField(child=serializers.CharField())
    secret_hint = serializers.CharField(read_only=True, help_text="The secret's last characters; the secret itself is shown once.")

    class Meta:
        model = WebhookEndpoint
        fields = ["id", "organization", "url", "description", "event_types", "active", "secret_hint", "created_at", "updated_at"]


class WebhookEndpointCreatedSerializer(WebhookEndpointSerializer):
    secret = serializers.CharField(read_only=True, help_text="The signing secret. Shown this once: store it now.")

    class Meta(WebhookEndpointSerializer.Meta):
        fields = [*WebhookEndpointSerializer.Meta.fields, "secret"]


class WebhookEndpointCreateSerializer(serializers.Serializer):
    organization = serializers.UUIDField(help_text="The organization whose project events are delivered (you are its owner or admin).")
    url = serializers.CharField(max_length=2000)
    event_types = serializers.ListField(child=serializers.CharField(), help_text="See GET /webhook-event-types/.")
    description = serializers.CharField(required=False, allow_blank=True, max_length=200)


class WebhookEndpointUpdateSerializer(serializers.Serializer):
    url = serializers.CharField(required=False, max_length=2000)
    event_types = serializers.ListField(child=serializers.CharField(), required=False)
    description = serializers.CharField(required=False, allow_blank=True, max_length=200)
    active = serializers.BooleanField(required=False)


class WebhookAttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookAttempt
        fields = ["number", "at", "status_code", "error", "duration_ms", "response_excerpt"]


class WebhookDeliverySerializer(serializers.ModelSerializer):
    endpoint = serializers.UUIDField(source="endpoint_id", read_only=True)
    redelivery_of = serializers.UUIDField(source="redelivery_of_id", read_only=True, allow_null=True)
    attempt_log = WebhookAttemptSerializer(many=True, read_only=True)

    class Meta:
        model = WebhookDelivery
        fields = [
            "id", "endpoint", "event_type", "payload", "state", "attempts", "next_attempt_at", "last_status_code", "last_error",
            "redelivery_of", "created_at", "delivered_at", "attempt_log",
        ]


class WebhookEventTypesSerializer(serializers.Serializer):
    event_types = serializers.ListField(child=serializers.CharField())
